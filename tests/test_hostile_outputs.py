"""All or nothing: several outputs are written together or not at all, a killed write's `.part`
file goes with the next write, and an output that is one of the build's inputs is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.errors import BriefError
from helpers.faults import fail_in_write, full
from briefing.output.write import refuse_inputs_as_outputs, remove_stale_parts, write_all, write_pdf

EARLIER = {"brief.pdf": b"%PDF-1.7\n% earlier\n%%EOF\n", "brief.html": b"<html>earlier</html>",
           "brief-1.png": b"\x89PNG earlier"}
NEW = {"brief.pdf": b"%PDF-1.7\n% new\n%%EOF\n", "brief.html": b"<html>new</html>", "brief-1.png": b"\x89PNG new"}


def fail_on_call(number: int, real):
    """`real`, except that its `number`th call (1-based) fails as a full disk does."""
    calls = []

    def replacement(*args, **kwargs):
        calls.append(args)
        if len(calls) == number:
            full()
        return real(*args, **kwargs)

    return replacement


@pytest.fixture
def earlier(tmp_path) -> Path:
    for name, data in EARLIER.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_write_all_writes_every_file(earlier):
    written = write_all({earlier / name: data for name, data in NEW.items()})
    assert written == [earlier / name for name in NEW]
    assert contents(earlier) == {name: NEW[name] for name in sorted(NEW)}


@pytest.mark.parametrize("call", [1, 2, 3])
def test_a_full_disk_while_writing_any_file_leaves_every_earlier_file(earlier, monkeypatch, call):
    real_fdopen = os.fdopen
    calls = []

    class FullFile:
        def __init__(self, *args, **kwargs):
            calls.append(args)
            self.handle = real_fdopen(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            if len(calls) == call:
                self.handle.write(data[: len(data) // 2])
                self.handle.flush()
                full()
            return self.handle.write(data)

        def flush(self):
            self.handle.flush()

        def fileno(self):
            return self.handle.fileno()

    fail_in_write(monkeypatch, fdopen=FullFile)
    with pytest.raises(BriefError) as raised:
        write_all({earlier / name: data for name, data in NEW.items()})
    monkeypatch.undo()
    assert [str(problem) for problem in raised.value.problems] == [
        f"{earlier / list(NEW)[call - 1]}: cannot write: No space left on device"]
    assert contents(earlier) == {name: EARLIER[name] for name in sorted(EARLIER)}


@pytest.mark.parametrize("call", [1, 2, 3])
def test_a_failed_fsync_of_any_file_leaves_every_earlier_file(earlier, monkeypatch, call):
    fail_in_write(monkeypatch, fsync=fail_on_call(call, os.fsync))
    with pytest.raises(BriefError):
        write_all({earlier / name: data for name, data in NEW.items()})
    monkeypatch.undo()
    assert contents(earlier) == {name: EARLIER[name] for name in sorted(EARLIER)}


@pytest.mark.parametrize("call", [1, 2, 3])
def test_a_failed_rename_puts_back_the_files_already_renamed(earlier, monkeypatch, call):
    fail_in_write(monkeypatch, replace=fail_on_call(call, os.replace))
    with pytest.raises(BriefError):
        write_all({earlier / name: data for name, data in NEW.items()})
    monkeypatch.undo()
    assert contents(earlier) == {name: EARLIER[name] for name in sorted(EARLIER)}


def test_a_failed_write_of_a_new_file_leaves_no_file(tmp_path, monkeypatch):
    fail_in_write(monkeypatch, fsync=fail_on_call(2, os.fsync))
    with pytest.raises(BriefError):
        write_all({tmp_path / "a.pdf": b"a", tmp_path / "a.html": b"b"})
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_while_writing_leaves_every_earlier_file(earlier, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    fail_in_write(monkeypatch, fsync=interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_all({earlier / name: data for name, data in NEW.items()})
    monkeypatch.undo()
    assert contents(earlier) == {name: EARLIER[name] for name in sorted(EARLIER)}


def test_the_next_write_of_an_output_removes_stale_part_files(tmp_path):
    stale = tmp_path / ".brief.pdf.k3j2h1g0.part"
    stale.write_bytes(b"%PDF- half a file")
    other = tmp_path / ".other.pdf.k3j2h1g0.part"  # another output's: not ours to remove
    other.write_bytes(b"x")
    write_pdf(b"%PDF-new", tmp_path / "brief.pdf")
    assert sorted(path.name for path in tmp_path.iterdir()) == [".other.pdf.k3j2h1g0.part", "brief.pdf"]
    other.unlink()  # made here, not by a build


def test_stale_part_cleanup_leaves_symbolic_links_and_folders(tmp_path):
    target = tmp_path / "target"
    target.write_text("keep")
    (tmp_path / ".brief.pdf.aaaaaaaa.part").symlink_to(target)
    (tmp_path / ".brief.pdf.bbbbbbbb.part").mkdir()
    assert remove_stale_parts(tmp_path / "brief.pdf") == []
    assert target.read_text() == "keep"
    (tmp_path / ".brief.pdf.aaaaaaaa.part").unlink()  # made here, not by a build
    (tmp_path / ".brief.pdf.bbbbbbbb.part").rmdir()


@pytest.mark.pdf  # runs the command in a new process
def test_a_write_killed_with_sigkill_leaves_no_part_file(tmp_path):
    code = ("import os, sys, signal; import briefing.output.write as w\n"
            "def killed(fd): os.kill(os.getpid(), signal.SIGKILL)\n"
            "w.os = type(sys)('fake_os'); w.os.__dict__.update(vars(os)); w.os.fsync = killed\n"
            f"w.write_pdf(b'%PDF-' + b'x' * 100000, {str(tmp_path / 'brief.pdf')!r})")
    result = subprocess.run([sys.executable, "-c", code], timeout=120)
    assert result.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30  # the cleaner removes it once the killed process is gone
    while list(tmp_path.glob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_an_input_is_refused_naming_the_output_field(tmp_path):
    content = tmp_path / "brief.yaml"
    content.write_text("meta: {}\n")
    template = tmp_path / "theme" / "base.html.j2"
    template.parent.mkdir()
    template.write_text("x")
    with pytest.raises(BriefError) as raised:
        refuse_inputs_as_outputs([content, tmp_path / "theme" / ".." / "theme" / "base.html.j2"],
                                 [content, template])
    assert [str(problem) for problem in raised.value.problems] == [
        f"{content}: --output: is also an input of the build ({content}); choose another output path",
        f"{tmp_path / 'theme' / '..' / 'theme' / 'base.html.j2'}: --output: is the same file as an input of "
        f"the build ({template}); choose another output path"]


def test_an_output_that_is_a_link_to_an_input_is_refused(tmp_path):
    content = tmp_path / "brief.yaml"
    content.write_text("meta: {}\n")
    (tmp_path / "link.pdf").symlink_to(content)
    os.link(content, tmp_path / "hard.pdf")
    with pytest.raises(BriefError) as raised:
        refuse_inputs_as_outputs([tmp_path / "link.pdf", tmp_path / "hard.pdf"], [content])
    assert len(raised.value.problems) == 2


def test_outputs_that_are_not_inputs_pass(tmp_path):
    content = tmp_path / "brief.yaml"
    content.write_text("meta: {}\n")
    refuse_inputs_as_outputs([tmp_path / "brief.pdf", tmp_path / "out" / "brief.html"],
                             [content, tmp_path / "missing-attachment.csv"])


# --- the build writes all its outputs or none ---------------------------------------------------

def build_folder(folder: Path) -> Path:
    from helpers import minimal_brief, write_yaml

    (folder / "data.csv").write_text("a,b\n", encoding="utf-8")
    return write_yaml(folder / "brief.yaml", minimal_brief(attachments=[{"path": "data.csv"}]))


@pytest.mark.pdf
@pytest.mark.parametrize("failing_write", [2, 3], ids=["second-file", "third-file"])
def test_a_build_whose_png_or_html_cannot_be_written_keeps_every_earlier_output(tmp_path, monkeypatch,
                                                                              failing_write):
    import briefing

    content = build_folder(tmp_path)
    output = tmp_path / "out" / "brief.pdf"
    briefing.build(content, output, html=True, png=20)
    before = contents(output.parent)
    data = minimal_brief_with_title("A new title")
    from helpers import write_yaml

    write_yaml(content, data)
    fail_in_write(monkeypatch, fsync=fail_on_call(failing_write, os.fsync))
    with pytest.raises(BriefError):
        briefing.build(content, output, html=True, png=20)
    monkeypatch.undo()
    assert contents(output.parent) == before  # the PDF, its HTML and its PNGs: all earlier, no .part
    assert not briefing.build(content, output, html=True, png=20).cached


def minimal_brief_with_title(title: str) -> dict:
    from helpers import minimal_brief

    data = minimal_brief(attachments=[{"path": "data.csv"}])
    data["meta"]["title"] = title
    return data


@pytest.mark.pdf
@pytest.mark.parametrize("target", ["brief.yaml", "data.csv", "brand.yaml"])
def test_an_output_that_is_an_input_of_the_build_is_refused_and_left_alone(tmp_path, target):
    from helpers import run_cli

    build_folder(tmp_path)
    (tmp_path / "brand.yaml").write_text("colors: {accent: '#112233'}\n", encoding="utf-8")
    before = (tmp_path / target).read_bytes()
    result = run_cli("build", "brief.yaml", "-o", target, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert any(line.startswith(f"error: {target}: output: is ") and "an input of the build" in line
               for line in result.stderr.splitlines()), result.stderr
    assert (tmp_path / target).read_bytes() == before


@pytest.mark.pdf
def test_an_output_inside_the_theme_is_refused(tmp_path):
    import shutil

    import briefing
    from briefing.themes.theme import builtin_themes

    content = build_folder(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(builtin_themes() / "default", theme)
    stylesheet = theme / "brief.css"
    before = stylesheet.read_bytes()
    with pytest.raises(BriefError, match="output: is .*an input of the build"):
        briefing.build(content, stylesheet, theme=theme)
    assert stylesheet.read_bytes() == before
