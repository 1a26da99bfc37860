"""Nothing lost: a build that fails at any stage leaves the earlier PDF byte-identical
and no temporary files behind."""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path

import pytest
from helpers.faults import fail_in_write, full
from helpers import minimal_brief, run_cli, write_yaml

from briefing.errors import BriefError
from briefing.sandbox.limits import Limits
from briefing.themes.theme import Theme, load_theme
from briefing.output.write import write_pdf

# The module, not the function of the same name that `briefing` exports.
build_module = importlib.import_module("briefing.commands.build")
typeset = importlib.import_module("briefing.printing.typeset")
EARLIER = b"%PDF-1.7\n% the earlier, good brief\n%%EOF\n"


@pytest.fixture
def workspace(tmp_path) -> tuple[Path, Path]:
    """A content file and an earlier PDF beside it."""
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    output = tmp_path / "brief.pdf"
    output.write_bytes(EARLIER)
    return content, output


def assert_untouched(output: Path) -> None:
    assert output.read_bytes() == EARLIER
    assert sorted(path.name for path in output.parent.iterdir()) == ["brief.pdf", "brief.yaml"]


@pytest.mark.pdf
def test_invalid_content_leaves_the_earlier_pdf(workspace):
    content, output = workspace
    write_yaml(content, minimal_brief(summary=[]))
    with pytest.raises(BriefError):
        build_module.build(content, output)
    assert_untouched(output)


@pytest.mark.pdf
def test_template_error_leaves_the_earlier_pdf(workspace, tmp_path_factory):
    content, output = workspace
    templates = tmp_path_factory.mktemp("templates")
    (templates / "base.html.j2").write_text("<html><body>{{ no_such_variable.title }}</body></html>")
    with pytest.raises(Exception):
        build_module.build(content, output, theme=Theme("broken", (templates, *load_theme().folders)))
    assert_untouched(output)


def test_render_error_leaves_the_earlier_pdf(workspace):
    content, output = workspace
    write_yaml(content, minimal_brief(summary=["![secret](/etc/hostname)"]))
    with pytest.raises(BriefError):
        build_module.build(content, output)
    assert_untouched(output)


@pytest.mark.pdf
def test_page_limit_leaves_the_earlier_pdf(workspace):
    content, output = workspace
    with pytest.raises(BriefError):
        build_module.build(content, output, limits=Limits(max_pages=1, timeout=60))
    assert_untouched(output)


@pytest.mark.pdf
@pytest.mark.parametrize("stage", ["write", "fsync", "replace"])
def test_disk_full_while_writing_leaves_the_earlier_pdf(workspace, monkeypatch, stage):
    content, output = workspace

    if stage == "write":
        real_fdopen = os.fdopen

        class FullFile:
            def __init__(self, *args, **kwargs):
                self.handle = real_fdopen(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[: len(data) // 2])
                self.handle.flush()
                full()

        fail_in_write(monkeypatch, fdopen=FullFile)
    else:
        fail_in_write(monkeypatch, **{stage: full})
    with pytest.raises(BriefError) as raised:
        build_module.build(content, output)
    assert [str(problem) for problem in raised.value.problems] == [f"{output}: cannot write: No space left on device"]
    monkeypatch.undo()
    assert_untouched(output)


@pytest.mark.pdf
@pytest.mark.parametrize("stage", ["print", "write"])
def test_interrupt_leaves_the_earlier_pdf(workspace, monkeypatch, stage):
    content, output = workspace

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    if stage == "print":
        monkeypatch.setattr(typeset, "print_pdf", interrupt)
    else:
        fail_in_write(monkeypatch, fsync=interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_module.build(content, output)
    monkeypatch.undo()
    assert_untouched(output)


@pytest.mark.pdf
def test_successful_build_replaces_the_pdf_and_leaves_no_temporary_files(workspace):
    content, output = workspace
    build_module.build(content, output)
    assert output.read_bytes().startswith(b"%PDF-") and output.read_bytes() != EARLIER
    # The build cache's record of what was built stays beside the PDF; nothing else does.
    assert sorted(path.name for path in output.parent.iterdir()) == [".brief.pdf.build", "brief.pdf", "brief.yaml"]
    assert stat.S_IMODE(output.stat().st_mode) == 0o644


def test_output_in_a_folder_that_is_a_file_is_an_error_naming_it(tmp_path):
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(BriefError) as raised:
        write_pdf(b"%PDF-", tmp_path / "taken" / "brief.pdf")
    [problem] = raised.value.problems
    assert str(problem).startswith(f"{tmp_path / 'taken' / 'brief.pdf'}: cannot write: ")


@pytest.mark.pdf
def test_cli_failure_exits_2_without_traceback_and_keeps_the_earlier_pdf(workspace):
    content, output = workspace
    write_yaml(content, minimal_brief(summary=["![secret](/etc/hostname)"]))
    result = run_cli("build", str(content), "-o", str(output), cwd=content.parent)
    assert result.returncode == 2
    assert "error: file:///etc/hostname: refused: outside the brief's and theme's folders" \
        in result.stderr.splitlines()
    assert_untouched(output)


@pytest.mark.pdf
def test_ctrl_c_during_a_build_keeps_the_earlier_pdf_and_ends_the_print_process(workspace):
    import shutil
    import signal
    import subprocess
    import sys
    import time

    content, output = workspace
    theme = content.parent.parent / "endless"
    theme.mkdir()
    (theme / "base.html.j2").write_text(
        "<html><body>{% for n in range(50000) %}<div style='break-before: page'>{{ n }}</div>{% endfor %}"
        "</body></html>")
    command = shutil.which("briefing") or ""
    argv = [command] if command else [sys.executable, "-m", "briefing"]
    temporary = content.parent.parent / "tmp"
    temporary.mkdir()
    process = subprocess.Popen([*argv, "build", str(content), "-o", str(output), "--theme", str(theme),
                                "--max-pages", "100000"], cwd=content.parent, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(temporary)})
    children_file = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    children: list[str] = []
    for _ in range(1200):  # wait until the print runs in its worker: its fonts are in place (seconds)
        children = children_file.read_text().split() if children_file.exists() else []
        if list(temporary.glob("briefing-worker-*/weasyprint-*")) or process.poll() is not None:
            break
        time.sleep(0.05)
    assert children and process.poll() is None, "the build never started its print worker"
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "\nAborted!\n")
    assert_untouched(output)
    assert not any(Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
                   for pid in children)
    for _ in range(600):  # the worker's folder, fonts and all, goes with it (the cleaner may still be at work)
        if not any(temporary.iterdir()):
            break
        time.sleep(0.05)
    assert list(temporary.iterdir()) == []
