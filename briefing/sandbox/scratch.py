"""Scratch files: temporary folders that go away however the process ends.

WeasyPrint keeps the fonts of every `FontConfiguration` in a `weasyprint-*`
folder of the temporary folder and removes it only when the object is
finalised, which a process ended by `os._exit`, a timeout's SIGKILL or a
crash never does. So every temporary folder briefing makes is registered
here, and a small cleaner process removes what is still registered once the
last process of the build is gone, whether it ended normally or was killed:

- `folder(prefix)` makes a folder in the temporary folder and registers it;
- `register(path)` registers a file or folder made otherwise (a `.part` file
  while it is being written);
- `remove(path)` removes one now, as the normal path does.

The cleaner holds the read end of a pipe whose write end every process of the
build holds (forked children inherit it); it wakes up when the last writer is
gone, which the kernel guarantees for SIGKILL too, removes the registered
paths still there and ends. It runs in a session of its own, so a signal to
the build's process group does not end it first.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# The cleaner: read one path a line until every writer is gone, then remove those still there.
# Only paths inside the temporary folder, or `.part` files, are ever removed.
_CLEANER = r"""
import os, shutil, signal, sys
for name in ("SIGINT", "SIGHUP", "SIGTERM", "SIGPIPE"):
    if hasattr(signal, name):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
root = os.path.realpath(sys.argv[1])
paths = []
for line in sys.stdin.buffer:
    path = line.rstrip(b"\n").decode("utf-8", "surrogateescape")
    if path:
        paths.append(path)
for path in reversed(paths):
    parent = os.path.realpath(os.path.dirname(path))
    inside = parent == root or parent.startswith(root + os.sep)
    if not inside and not os.path.basename(path).endswith(".part"):
        continue
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass
"""

_lock = threading.Lock()
_cleaner: subprocess.Popen | None = None
_owner: int | None = None


def folder(prefix: str = "briefing-") -> Path:
    """A new folder in the temporary folder, removed at the latest when the build's processes are gone.

    An interrupt (Ctrl-C) is held back between making the folder and registering it, so that
    no folder exists that the cleaner does not know of.
    """
    held = hold_interrupts()
    try:
        path = Path(tempfile.mkdtemp(prefix=prefix))
        register(path)
    finally:
        release_interrupts(held)
    return path


def hold_interrupts() -> object:
    """Hold Ctrl-C back (in the main thread) until `release_interrupts`; what to give it."""
    if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return None


def release_interrupts(held: object) -> None:
    """Let an interrupt held back by `hold_interrupts` through."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def register(path: str | Path) -> None:
    """Remove `path` once the last process of this build has ended, unless it is gone by then."""
    line = os.fsencode(os.path.abspath(path)) + b"\n"
    with _lock:
        stream = _stream()
        if stream is None:
            return
        try:
            os.write(stream, line)  # one write of a short line: atomic on a pipe, even from several processes
        except OSError:
            pass


def remove(path: str | Path) -> None:
    """Remove a registered folder or file now."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _stream() -> int | None:
    """The write end of the cleaner's pipe, starting the cleaner in the first process that needs one.

    A forked child uses the cleaner of the process it was forked from (it inherited the pipe).
    """
    global _cleaner, _owner
    if _cleaner is not None and _cleaner.stdin is not None and not _cleaner.stdin.closed:
        return _cleaner.stdin.fileno()
    try:
        _cleaner = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _CLEANER, tempfile.gettempdir()], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        return None
    _owner = os.getpid()
    return _cleaner.stdin.fileno() if _cleaner.stdin is not None else None


def _finish() -> None:
    """At a normal exit: let the cleaner do its work now, so nothing is left running or lying about."""
    if _cleaner is None or _owner != os.getpid():
        return
    try:
        if _cleaner.stdin is not None:
            _cleaner.stdin.close()
        _cleaner.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired):  # a forked child still holds the pipe: it cleans up then
        pass


atexit.register(_finish)
