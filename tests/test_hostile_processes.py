"""No orphans, no leftovers: whatever ends a build — success, failure, a timeout, SIGTERM or
SIGKILL of the `briefing` process itself — no process of it stays behind and nothing of it
stays in the temporary folder."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from helpers import minimal_brief, write_yaml

from briefing.sandbox import scratch

pytestmark = pytest.mark.pdf

ENDLESS = ("<html><body>{% for n in range(50000) %}<div style='break-before: page'>{{ n }}</div>"
           "{% endfor %}</body></html>")


def briefing_command() -> list[str]:
    command = shutil.which("briefing") or ""
    return [command] if command else [sys.executable, "-m", "briefing"]


def marked_processes(marker: str) -> list[int]:
    """Every live (not zombie) process whose environment carries `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a bound on a hang, not a measurement)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def leftovers(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def signal_and_wait(process: subprocess.Popen, number: int) -> None:
    """Send `number` to `process` and wait for it; kill it if it is still there (a failed test)."""
    try:
        process.send_signal(number)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def assert_nothing_left(marker: str, temporary: Path) -> None:
    """No process of the build stays behind, and nothing of it stays in the temporary folder."""
    assert wait_for(lambda: not marked_processes(marker)), \
        [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in marked_processes(marker)]
    assert wait_for(lambda: not leftovers(temporary)), leftovers(temporary)


@pytest.fixture
def endless(tmp_path) -> tuple[Path, Path, Path, dict[str, str], str]:
    """A brief whose theme prints 50,000 pages, a private temporary folder and a marked environment."""
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    theme = tmp_path / "endless"
    theme.mkdir()
    (theme / "base.html.j2").write_text(ENDLESS)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    marker = f"BRIEFING_TEST_MARKER={uuid.uuid4().hex}"
    name, value = marker.split("=")
    environment = {**os.environ, "TMPDIR": str(temporary), name: value}
    return content, theme, temporary, environment, marker


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_the_build_during_the_print_leaves_no_process_and_no_temporary_file(endless, kill):
    content, theme, temporary, environment, marker = endless
    output = content.parent / "brief.pdf"
    process = subprocess.Popen([*briefing_command(), "build", str(content), "-o", str(output), "--theme",
                                str(theme), "--max-pages", "100000"], cwd=content.parent, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The print has begun when its worker has made its font folder in its own scratch folder.
        assert wait_for(lambda: list(temporary.glob("briefing-*/weasyprint-*")), 120), leftovers(temporary)
        assert len(marked_processes(marker)) >= 2  # the build and its print worker (and the cleaner)
    finally:
        signal_and_wait(process, kill)
    assert_nothing_left(marker, temporary)
    assert not output.exists()


THREADED_BUILD = """
import sys, threading
from briefing import Limits, build
threading.Thread(target=threading.Event().wait, daemon=True).start()  # a second thread: no fork
build(sys.argv[1], sys.argv[2], theme=sys.argv[3], limits=Limits(max_pages=100000))
"""


def test_killing_a_threaded_process_during_the_print_leaves_no_worker_and_no_temporary_file(endless):
    """A process with other threads (a Dask worker, a service) starts a fresh Python as its worker."""
    content, theme, temporary, environment, marker = endless
    process = subprocess.Popen([sys.executable, "-c", THREADED_BUILD, str(content), str(content.parent / "b.pdf"),
                                str(theme)], cwd=content.parent, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: list(temporary.glob("briefing-worker-*/weasyprint-*")), 120), leftovers(temporary)
        assert any(b"serve_spawned" in Path(f"/proc/{pid}/cmdline").read_bytes()
                   for pid in marked_processes(marker))
    finally:
        signal_and_wait(process, signal.SIGKILL)
    assert_nothing_left(marker, temporary)


def test_killing_a_batch_leaves_no_worker_and_no_temporary_file(endless):
    content, theme, temporary, environment, marker = endless
    folder = content.parent / "briefs"
    folder.mkdir()
    for name in ("one.yaml", "two.yaml"):
        write_yaml(folder / name, minimal_brief())
    process = subprocess.Popen([*briefing_command(), "build", str(folder), "-j", "2", "--output-dir",
                                str(content.parent / "out"), "--theme", str(theme), "--max-pages", "100000"],
                               cwd=content.parent, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(list(temporary.glob("briefing-*/weasyprint-*"))) == 2, 120), \
            leftovers(temporary)
    finally:
        signal_and_wait(process, signal.SIGKILL)
    assert_nothing_left(marker, temporary)


def test_a_build_from_the_command_line_leaves_nothing_in_the_temporary_folder(endless):
    content, _, temporary, environment, marker = endless
    subprocess.run([*briefing_command(), "build", str(content), "-o", str(content.parent / "brief.pdf")],
                   cwd=content.parent, env=environment, check=True, capture_output=True, timeout=300)
    assert leftovers(temporary) == []
    assert marked_processes(marker) == []


def test_a_batch_with_two_jobs_leaves_nothing_in_the_temporary_folder(endless):
    content, _, temporary, environment, marker = endless
    write_yaml(content.parent / "second.yaml", minimal_brief())
    folder = content.parent / "briefs"
    folder.mkdir()
    for name in ("brief.yaml", "second.yaml"):
        (content.parent / name).rename(folder / name)
    subprocess.run([*briefing_command(), "build", str(folder), "-j", "2", "--output-dir",
                    str(content.parent / "out")], cwd=content.parent, env=environment, check=True,
                   capture_output=True, timeout=300)
    assert sorted(path.name for path in (content.parent / "out").glob("*.pdf")) == ["brief.pdf", "second.pdf"]
    assert leftovers(temporary) == []
    assert marked_processes(marker) == []


def test_a_print_that_times_out_leaves_nothing_in_the_temporary_folder(endless):
    content, theme, temporary, environment, marker = endless
    result = subprocess.run([*briefing_command(), "build", str(content), "-o", str(content.parent / "b.pdf"),
                             "--theme", str(theme), "--max-pages", "100000", "--timeout", "3"],
                            cwd=content.parent, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert re.search(r"(rendering|printing) took longer than the 3 s limit", result.stderr)  # which step a loaded machine reaches first varies
    assert leftovers(temporary) == []
    assert marked_processes(marker) == []


def test_the_cleaner_removes_registered_folders_when_the_process_is_killed(tmp_path):
    code = ("import sys, time; from briefing.sandbox import scratch; "
            "path = scratch.folder('weasyprint-'); (path / 'font').write_bytes(b'x'); "
            "print(path, flush=True); time.sleep(600)")
    process = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(tmp_path)},
                               stdout=subprocess.PIPE, text=True)
    try:
        made = Path(process.stdout.readline().strip())
        assert made.is_dir() and made.parent == tmp_path
        process.kill()
        process.wait(timeout=60)
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert wait_for(lambda: not made.exists())
    assert leftovers(tmp_path) == []


def test_the_cleaner_never_removes_a_path_outside_the_temporary_folder(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "file").write_text("precious")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    code = f"from briefing.sandbox import scratch; scratch.register({str(keep)!r})"
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(temporary)}, check=True,
                   timeout=120)
    assert (keep / "file").read_text() == "precious"


def test_a_watch_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    from briefing.commands.watch import watch

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    stop = threading.Event()
    seen = []

    def report(rebuild):
        seen.append(rebuild)
        stop.set()

    watch(content, tmp_path / "brief.pdf", report=report, stop=stop)
    assert seen and seen[0].result is not None
    from briefing.printing.typeset import forget_caches
    from briefing.sandbox import workers

    workers.shutdown()  # what the end of the process does
    forget_caches()
    assert leftovers(temporary) == []


def test_scratch_remove_takes_files_and_folders(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "x").write_text("x")
    part = tmp_path / ".brief.pdf.abc.part"
    part.write_text("x")
    scratch.remove(folder)
    scratch.remove(part)
    scratch.remove(tmp_path / "never-there")
    assert leftovers(tmp_path) == []
