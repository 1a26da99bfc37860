"""Reading a file only if it lies inside given folders: the one check every reader of
theme assets, attachments and print resources goes through.

The path is judged after `..` and every symbolic link are resolved; the file is
opened without following a link swapped in since (`O_NOFOLLOW`) and without
waiting on a FIFO (`O_NONBLOCK`), must be a regular file, and is read no further
than the size cap, so a file that grows after the check cannot slip past it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class Refused(ValueError):
    """A file that may not be read; `kind` is outside, missing, not_regular, too_large or unreadable."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def read_inside(path: str | Path, folders: tuple[Path, ...], max_bytes: int) -> bytes:
    """The bytes of `path` if, resolved, it is a regular file of at most `max_bytes` inside one of `folders`."""
    try:
        resolved = Path(os.path.realpath(path))
    except (OSError, ValueError):
        raise Refused("unreadable", "not a valid file path") from None
    if not any(resolved.is_relative_to(Path(folder).resolve()) for folder in folders):
        raise Refused("outside", "outside the allowed folders")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(resolved, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise Refused("missing", "no such file") from None
    except OSError as error:
        raise Refused("unreadable", f"cannot read: {error.strerror or error}") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise Refused("not_regular", "not a regular file")
    if info.st_size > max_bytes:
        os.close(descriptor)
        raise Refused("too_large", f"larger than the {max_bytes} byte limit")
    with os.fdopen(descriptor, "rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise Refused("too_large", f"larger than the {max_bytes} byte limit")
    return body
