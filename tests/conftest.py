"""Fixtures shared by the whole suite; the helpers themselves live in `tests/helpers/`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers import EXAMPLE

# A suite started in the background of a script (`sh -c 'make test &'`) inherits SIGINT ignored, and
# so would every `briefing` a test starts, which could then never be interrupted. The tests that send
# Ctrl-C need the disposition a terminal gives; Python's own handler becomes the default at exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory) -> Path:
    """The example brief, built once for the whole session."""
    from briefing import build

    out = tmp_path_factory.mktemp("example") / "korea-japan-2021.pdf"
    build(EXAMPLE, out)
    return out


LEFTOVER_PATTERNS = ("weasyprint-*", "briefing-*", "*.part")


@pytest.fixture(scope="session", autouse=True)
def nothing_left_in_the_temporary_folder(tmp_path_factory):
    """The whole suite runs with a temporary folder of its own (`TMPDIR` and `tempfile.tempdir`,
    inherited by every `briefing` process a test starts); after the last test it must hold no
    `weasyprint-*` font folder, no `briefing-*` scratch folder and no `.part` file, and no test's
    folder may hold a `.part` file. A folder of its own, so that other people's builds on the same
    machine do not count; what it held at the start (nothing) is the snapshot."""
    folder = tmp_path_factory.mktemp("TMPDIR")
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    # Compiled templates go to a cache of the suite's own, never the user's (see render/environment.py).
    os.environ.setdefault("BRIEFING_CACHE", str(tmp_path_factory.mktemp("cache")))
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    before = _leftovers(folder)
    yield folder
    if "briefing.sandbox.workers" in sys.modules:  # this process's warm workers, as its exit would
        sys.modules["briefing.sandbox.workers"].shutdown()
    if "briefing.printing.typeset" in sys.modules:  # this process's own fonts, as its exit would
        sys.modules["briefing.printing.typeset"].forget_caches()
    deadline = time.monotonic() + 30  # cleaners of killed processes may still be at work
    while time.monotonic() < deadline and (_leftovers(folder) - before or _parts(tmp_path_factory)):
        time.sleep(0.1)
    if saved[0] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved[0]
    tempfile.tempdir = saved[1]
    left = sorted(_leftovers(folder) - before)
    assert left == [], ("the suite's builds left these in the temporary folder (first seen after): "
                        + ", ".join(f"{name} ({_first_seen.get(name, '?')})" for name in left))
    assert _parts(tmp_path_factory) == [], "the suite's builds left these .part files"


_first_seen: dict[str, str] = {}


_PACKAGE = str(Path(__file__).resolve().parent.parent / "briefing")


@pytest.fixture(autouse=True)
def _the_fast_layer_starts_no_process(request, monkeypatch):
    """A test not marked `pdf` is in the fast layer, which runs in this one process: a test that
    starts a program itself (`run_cli`, a checker, git) fails at once, naming it, so the layer stays
    fast as tests are added. What briefing starts on its own behalf (its cleaner of scratch
    folders, once per process) is let through: whichever test comes first would start it."""
    if request.node.get_closest_marker("pdf") is not None:
        return
    start = subprocess.Popen._execute_child

    def guarded(self, args, *rest, **options):
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename.startswith(_PACKAGE):
                return start(self, args, *rest, **options)
            frame = frame.f_back
        raise AssertionError(f"{request.node.nodeid} starts a process ({args!r:.80}): mark it "
                             "@pytest.mark.pdf, the slow layer")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", guarded)


@pytest.fixture(autouse=True)
def _note_leftovers(request):
    """Remember after which test each leftover first appeared, so that a failure names its test."""
    yield
    folder = tempfile.gettempdir()
    for name in _leftovers(Path(folder)):
        _first_seen.setdefault(name, request.node.nodeid)


def _leftovers(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for pattern in LEFTOVER_PATTERNS for path in folder.rglob(pattern)}


def _parts(tmp_path_factory) -> list[str]:
    return sorted(str(path) for path in tmp_path_factory.getbasetemp().rglob("*.part"))
