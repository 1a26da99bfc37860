"""Reading a file only if it lies inside given folders: the one check every reader of
theme assets, attachments and print resources goes through.

The path is judged after `..` and every symbolic link are resolved; the file is
opened without following a link swapped in since (`O_NOFOLLOW`) and without
waiting on a FIFO (`O_NONBLOCK`), must be a regular file, and is read no further
than the size cap, so a file that grows after the check cannot slip past it.

A file with more than one hard link is refused too (except below the folders
that the layers above name with `allow_hard_links_below`: the installation's own,
such as the built-in themes, which some installers link from a cache): a hard link cannot be told
from the original, so it may be a file from anywhere on the same file system
that someone linked into the folder. Copy such a file in instead.

Every read, and every file looked for and not found, can be recorded with the
SHA-256 of the very bytes read (`recording()`): that record is what the build
cache and `watch` follow, so a file saved while a build runs is never taken as
built.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..errors import BriefError, Problem

#: What a build read: resolved path -> SHA-256 of the bytes read, or None for a file that was missing.
Reads = dict[Path, "str | None"]
_local = threading.local()  # each thread records its own build's reads: builds in other threads are theirs


def _records() -> list[Reads]:
    if not hasattr(_local, "records"):
        _local.records = []
    return _local.records


@contextmanager
def recording() -> Iterator[Reads]:
    """Record every file read (or found missing) through this module in this thread while the block runs."""
    reads: Reads = {}
    _records().append(reads)
    try:
        yield reads
    finally:
        _records().remove(reads)


def note(path: str | Path, data: bytes | None) -> None:
    """Record that `path` was read as `data` (None: it was looked for and did not exist)."""
    if records := _records():
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        for reads in records:
            reads.setdefault(Path(os.path.realpath(path)), digest)


def note_all(reads: Mapping[Path, str | None]) -> None:
    """Record reads made elsewhere, such as in a bounded worker process."""
    for reads_now in _records():
        for path, digest in reads.items():
            reads_now.setdefault(path, digest)


class Refused(ValueError):
    """A file that may not be read; `kind` is outside, missing, not_regular, too_large or unreadable."""

    # kinds: outside, missing, not_regular, too_large, hard_link, unreadable
    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


_linked_folders: set[Path] = set()


def allow_hard_links_below(folder: Path) -> None:
    """Let files below `folder`, a folder of the installation's own, have several hard links."""
    _linked_folders.add(Path(folder).resolve())


def read_inside(path: str | Path, folders: tuple[Path, ...], max_bytes: int) -> bytes:
    """The bytes of `path` if, resolved, it is a regular file of at most `max_bytes` inside one of `folders`."""
    try:
        resolved = Path(os.path.realpath(path))
    except (OSError, ValueError):
        raise Refused("unreadable", "not a valid file path") from None
    if not _below(resolved, folders):
        raise Refused("outside", "outside the allowed folders")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(resolved, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        note(resolved, None)
        raise Refused("missing", "no such file") from None
    except OSError as error:
        raise Refused("unreadable", f"cannot read: {error.strerror or error}") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise Refused("not_regular", "not a regular file")
    if info.st_nlink > 1 and not _below(resolved, tuple(_linked_folders)):
        os.close(descriptor)
        raise Refused("hard_link", f"has {info.st_nlink} hard links, so it may be a file from outside the "
                                   "folder; copy it in instead of linking it")
    if info.st_size > max_bytes:
        os.close(descriptor)
        raise Refused("too_large", f"larger than the {max_bytes} byte limit")
    with os.fdopen(descriptor, "rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise Refused("too_large", f"larger than the {max_bytes} byte limit")
    note(resolved, body)
    return body


def _below(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path.is_relative_to(Path(folder).resolve()) for folder in folders)


#: The largest file embedded beside a brief (`attachments:`, `--attach`).
MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024


def refuse_oversized(paths: Iterable[str | Path], max_bytes: int = MAX_ATTACHMENT_BYTES) -> None:
    """A `BriefError` for each `--attach` file larger than `max_bytes`, judged by its size alone.

    Called before anything reads or hashes the files (the build cache hashes its inputs), so
    a 4 GiB file is refused at once. Devices, FIFOs and folders are left to the reading, which
    refuses them without reading them.
    """
    problems = []
    for path in paths:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            continue  # missing or unreadable: the reading says so, with the reason
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            problems.append(Problem(path, f"larger than {max_bytes // (1024 * 1024)} MiB", field="attach",
                                    code="too_large"))
    if problems:
        raise BriefError(problems)
