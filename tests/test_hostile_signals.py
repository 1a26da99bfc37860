"""Ctrl-C or SIGTERM during a `-j 2` batch stops it: pending briefs are cancelled, running ones
killed with their print workers, nothing is written after the command ends, it exits 130 (SIGINT)
or 143 (SIGTERM) without a traceback, no process of it stays behind, no temporary or `.part` file
is left, and an earlier PDF at an output path is kept byte for byte."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pikepdf
import pytest
from helpers import minimal_brief, write_yaml
from test_hostile_processes import briefing_command, leftovers, marked_processes, wait_for

pytestmark = pytest.mark.pdf

BRIEFS = 40


def group_members(group: int) -> list[int]:
    """Live processes of the process group `group`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == group:
                found.append(int(entry.name))
    return found


def pdfs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.pdf"))}


@pytest.mark.parametrize(("number", "to_group", "status"), [
    (signal.SIGINT, True, 130),    # Ctrl-C in a terminal: the whole foreground group
    (signal.SIGINT, False, 130),   # kill -INT of the command alone
    (signal.SIGTERM, False, 143),  # kill of the command alone
    (signal.SIGTERM, True, 143),   # a service manager ending the group
], ids=["ctrl-c", "sigint", "sigterm", "sigterm-group"])
def test_a_signal_stops_a_batch_at_once_and_leaves_nothing_behind(tmp_path, number, to_group, status):
    folder = tmp_path / "briefs"
    folder.mkdir()
    for index in range(BRIEFS):
        data = minimal_brief()
        data["meta"]["title"] = f"Brief number {index}"
        write_yaml(folder / f"brief-{index:02}.yaml", data)
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / f"brief-{BRIEFS - 1:02}.pdf"  # the last brief of the batch, far from done at the signal
    with pikepdf.new() as document:
        document.add_blank_page()
        document.save(earlier)
    kept = earlier.read_bytes()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    marker = uuid.uuid4().hex
    environment = {**os.environ, "TMPDIR": str(temporary), "BRIEFING_TEST_MARKER": marker}
    process = subprocess.Popen([*briefing_command(), "build", str(folder), "-j", "2", "--output-dir", str(out)],
                               cwd=tmp_path, env=environment, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: len(pdfs(out)) > 1 or process.poll() is not None, 240), "no PDF was written"
        assert process.poll() is None, process.communicate()
        if to_group:
            os.killpg(process.pid, number)
        else:
            process.send_signal(number)
        _, stderr = process.communicate(timeout=30)  # a bound on a hang, not a measurement
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == status, stderr
    assert "Traceback" not in stderr
    if number == signal.SIGINT:
        assert "Aborted!" in stderr
    written = pdfs(out)
    # Nothing after the end: no process of the build is left (the cleaner included, which removes
    # what the killed workers left in the temporary folder), and no PDF appears later.
    assert wait_for(lambda: not group_members(process.pid))
    assert wait_for(lambda: not marked_processes(marker)), marked_processes(marker)
    assert wait_for(lambda: not leftovers(temporary)), leftovers(temporary)
    time.sleep(1)
    assert pdfs(out) == written
    assert len(written) < BRIEFS  # the batch stopped: most briefs were never built
    assert written[earlier.name] == kept  # the earlier PDF at an output path is kept
    assert not [path.name for path in out.iterdir() if path.name.endswith(".part")]
    for name in written:  # every PDF there is whole
        with pikepdf.open(out / name) as document:
            assert len(document.pages) >= 1
