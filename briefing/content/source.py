"""Source: the bytes of a content file, read only if it is what it claims to be.

Kept apart from validation and free of pydantic, so that a build can refuse a device, a FIFO
or a huge file before its cache hashes it, at no import cost.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem
from ..sandbox.files import note
from .formats import SUFFIXES, kind_of

FORMATS = SUFFIXES
#: Content given on standard input (`briefing build -`) is read as this file in the working folder.
STDIN = Path("<stdin>")
#: The largest content file (or settings file) read, in bytes; a brief is a few dozen KiB.
MAX_CONTENT_BYTES = 10 * 1024 * 1024
_provided: dict[Path, tuple[bytes, str]] = {}


def provide(data: bytes, format: str, path: Path = STDIN) -> None:
    """Make `data` the content of `path` in `format`, for content that is no file (standard input)."""
    _provided[path] = (data, format)

def read(path: Path, *, max_bytes: int = MAX_CONTENT_BYTES, kind: str | None = None) -> bytes:
    """The bytes of the content file at `path`, or a `BriefError` that says why not.

    Only a regular file is read (a link to one is followed): a device such as `/dev/zero`,
    a FIFO or a socket is refused without waiting on it, and so is a file larger than
    `max_bytes`, before it is read. `kind` names the files in that refusal ("settings files");
    by default it is a content file, whose limit the command line can raise.
    """
    if path in _provided:
        return _provided[path][0]
    with _opened(path, max_bytes, kind) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise BriefError([Problem(path, f"cannot read: {error.strerror or error}")]) from None
    if len(data) > max_bytes:  # it grew since
        raise BriefError([Problem(path, _too_large(len(data), max_bytes, kind), code="too_large")])
    note(path, data)
    return data


def refuse_unreadable(path: str | Path, *, max_bytes: int = MAX_CONTENT_BYTES) -> None:
    """The `BriefError` that `read` would raise for `path`, found without reading the file
    (for callers that hash the file before reading it)."""
    path = Path(path)
    if path in _provided:
        return
    with _opened(path, max_bytes):
        pass


def _opened(path: Path, max_bytes: int, kind: str | None = None) -> Any:
    """`path` opened for reading, once it is known to be a regular file of at most `max_bytes`."""
    if kind_of(path) is None:
        known = ", ".join(sorted(FORMATS))
        raise BriefError([Problem(path, f"unknown content format {path.suffix!r} (expected {known})")])
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BriefError([Problem(path, "no such file")]) from None
    except IsADirectoryError:
        raise BriefError([Problem(path, "is a folder, not a content file")]) from None
    except OSError as error:
        raise BriefError([Problem(path, f"cannot read: {error.strerror or error}")]) from None
    handle = os.fdopen(descriptor, "rb")
    info = os.fstat(descriptor)
    problem = code = None
    if stat.S_ISDIR(info.st_mode):
        problem, code = "is a folder, not a content file", "not_a_file"
    elif not stat.S_ISREG(info.st_mode):
        problem, code = "is not a regular file (a device, FIFO or socket); refused", "not_regular_file"
    elif info.st_size > max_bytes:
        problem, code = _too_large(info.st_size, max_bytes, kind), "too_large"
    if problem is not None:
        handle.close()
        raise BriefError([Problem(path, problem, code=code)])
    return handle


def _too_large(size: int, max_bytes: int, kind: str | None = None) -> str:
    if kind is not None:
        return f"is larger than the {_mib(max_bytes)} limit for {kind} ({_mib(size)}); refused"
    return (f"is larger than the {_mib(max_bytes)} limit for content files ({_mib(size)}); "
            "raise it with --max-content-size")


def _mib(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    return f"{size // 1024} KiB" if size >= 1024 and size % 1024 == 0 else f"{size} bytes"
