"""Write: put bytes at a path atomically, so a failure never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import BriefError, Problem


def write_pdf(data: bytes, path: str | Path) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    An earlier file at `path` stays byte-identical unless the whole write succeeds.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise BriefError([Problem(path, f"cannot write: {error.strerror or error}")]) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        _sync_folder(path.parent)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            raise BriefError([Problem(path, f"cannot write: {error.strerror or error}")]) from None
        raise
    return path


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a folder that cannot be opened (or synced) is left as it is."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
