"""Write: put bytes at a path atomically, so a failure never leaves half a file.

Each output is written to a temporary `.<name>.<random>.part` file in its own
folder, flushed to disk and renamed over the target only when complete. A
`.part` file of a write that was killed (SIGKILL, a power cut) is removed by
the next write of the same output. `write_all` does the same for several
files at once: every file is written before any is renamed, so a build
writes all its outputs or none.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import BriefError, Problem
from ..sandbox import scratch


def write_pdf(data: bytes, path: str | Path) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    An earlier file at `path` stays byte-identical unless the whole write succeeds.
    """
    return write_all({Path(path): data})[0]


def write_all(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every file of `files` (path → bytes), or none of them.

    Each goes to a temporary `.part` file beside it, flushed to disk; only when all
    are written are they renamed over their targets, one after another. On any
    failure every temporary file is removed and every earlier file at those paths
    stays byte-identical. Returns the paths, in the order given.
    """
    paths = [Path(path) for path in files]
    temporaries: dict[Path, str] = {}
    backups: dict[Path, str] = {}  # earlier files, kept by a second link until every rename is done
    renamed: list[Path] = []
    current = paths[0] if paths else Path(".")
    try:
        for current in paths:
            temporaries[current] = _write_part(current, files[current])
        if len(paths) > 1:
            for current in paths:
                backups.update(_backup(current))
        for current in paths:
            os.replace(temporaries[current], current)
            del temporaries[current]
            renamed.append(current)
        for folder in dict.fromkeys(path.parent for path in paths):
            _sync_folder(folder)
    except BaseException as error:
        for path in reversed(renamed):  # put the earlier files back
            try:
                if path in backups:
                    os.replace(backups.pop(path), path)
                else:
                    os.unlink(path)
            except OSError:
                pass
        for leftover in [*temporaries.values(), *backups.values()]:
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass
        if isinstance(error, OSError):
            raise BriefError([Problem(current, f"cannot write: {error.strerror or error}")]) from None
        raise
    for backup in backups.values():
        try:
            os.unlink(backup)
        except OSError:
            pass
    return paths


def _backup(path: Path) -> dict[Path, str]:
    """A second link to the earlier file at `path` (a `.part` name), so it can be put back."""
    if not os.path.isfile(path):
        return {}
    backup = tempfile.mktemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.link(path, backup)
    except OSError:  # no hard links here (or no room): the earlier file cannot be put back
        return {}
    scratch.register(backup)
    return {path: backup}


def _write_part(path: Path, data: bytes) -> str:
    """`data` in a new, flushed `.part` file beside `path`; stale ones of `path` are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    scratch.register(temporary)  # removed even if this process is killed before it is renamed
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return temporary


def remove_stale_parts(path: str | Path) -> list[Path]:
    """Remove the `.part` files an earlier, killed write of `path` left beside it (regular files only)."""
    path = Path(path)
    pattern = re.compile(r"\.%s\.[A-Za-z0-9_]{8}\.part" % re.escape(path.name))
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def refuse_inputs_as_outputs(outputs: Iterable[str | Path], inputs: Iterable[str | Path],
                             field: str = "--output") -> None:
    """A `BriefError` if any output path is one of the inputs (the same file, however it is named).

    Writing a PDF over the content file, a template, the brand file or an attachment would
    destroy the very thing the brief is built from.
    """
    known: dict[object, Path] = {}
    for path in inputs:
        path = Path(path)
        for key in _identities(path):
            known.setdefault(key, path)
    problems = []
    for output in outputs:
        output = Path(output)
        clash = next((known[key] for key in _identities(output) if key in known), None)
        if clash is not None:
            what = "the same file as" if clash != output else "also"
            problems.append(Problem(output, f"is {what} an input of the build ({clash}); "
                                            "choose another output path", field=field, code="output_is_input"))
    if problems:
        raise BriefError(problems)


def _identities(path: Path) -> list[object]:
    """What makes two names the same file: the resolved path, and the device and inode if it exists."""
    found: list[object] = [os.path.realpath(path)]
    try:
        info = os.stat(path)
        found.append((info.st_dev, info.st_ino))
    except OSError:
        pass
    return found


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
