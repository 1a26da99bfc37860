"""The build cache: skip rendering when nothing a PDF depends on has changed.

After a good build, a hidden `.NAME.pdf.build` file beside the PDF records

- a key: one SHA-256 over the build's options (every argument of `build()`) and
  the installed briefing, WeasyPrint and pydyf;
- the SHA-256 of every input the build read, as it read it (the record that
  `sandbox.files.recording` keeps: content, settings and brand files, logo and
  fonts, attachments, images and stylesheets), and of every file of the theme's
  folders — and the inputs it looked for and did not find, such as a
  `brand.yaml` beside the content;
- the SHA-256 of every file it wrote.

A record is only a hint: one that is malformed, names no PDF, or vouches for a
PDF that is missing or different means a rebuild, never an error. Checking reads
regular files only, no larger than `MAX_INPUT_BYTES`, and never follows a link
or waits on a FIFO; the record is written through a new file that is never a
link (`O_NOFOLLOW | O_EXCL`).

A later build with the same key whose inputs and outputs are all as recorded
(and whose theme folders hold no new files) returns at once. Checking costs
hashing the inputs (a few milliseconds) and imports neither WeasyPrint nor
pydantic.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..sandbox import scratch

FORMAT = 3
#: An input larger than this is never hashed: it counts as changed, and the build itself refuses it.
MAX_INPUT_BYTES = 256 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Stamp:
    """What a finished build read and wrote, stored beside its PDF."""

    key: str
    pages: int
    outputs: dict[str, str]  # path relative to the stamp's folder -> sha256 of the bytes written there
    inputs: dict[str, str | None]  # absolute path -> sha256, or None for a file that must stay absent
    folders: list[str]  # folders whose list of files must stay the same
    warnings: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # the build's warnings, as problems

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **dataclasses.asdict(self)}, indent=1, sort_keys=True)

    @property
    def problems(self) -> tuple[Any, ...]:
        from ..errors import Problem

        return tuple(Problem.from_dict(warning) for warning in self.warnings)


def stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.build")


def build_key(options: Mapping[str, Any]) -> str:
    """The hash of a build's options and of the code that runs it."""
    digest = hashlib.sha256()
    digest.update(f"briefing-build {FORMAT}\0".encode())
    digest.update(json.dumps(_versions(), sort_keys=True).encode())
    digest.update(json.dumps(canonical(dict(options)), sort_keys=True).encode())
    return digest.hexdigest()


def lookup(output: Path, key: str) -> Stamp | None:
    """The stamp of the last build of `output` if it had `key` and nothing it read or wrote has changed."""
    stamp = read_stamp(output)
    if stamp is None or stamp.key != key:
        return None
    if output.name not in stamp.outputs or stamp.pages < 1:
        return None  # a record must vouch for the PDF itself
    for name, expected in stamp.outputs.items():
        written = (output.parent / name).resolve()
        if not written.is_relative_to(output.parent.resolve()) or digest_of(written) != expected:
            return None
    for name, expected in stamp.inputs.items():
        if digest_of(Path(name)) != expected:
            return None
    listed = {str(path) for folder in stamp.folders for path in _files_below(Path(folder))}
    if not listed <= stamp.inputs.keys():
        return None  # a file was added to a theme folder
    return stamp


def record(output: Path, key: str, pages: int, written: Mapping[Path, bytes], reads: Mapping[Path, str | None],
           folders: Iterable[Path], warnings: Iterable[Any] = ()) -> None:
    """Store the stamp of a finished build beside `output`; a failure to do so only costs a rebuild.

    `reads` is what the build read, with the hash of the bytes it read: a file saved while the
    build ran no longer matches, so the next build renders again. Files of the theme's `folders`
    that the build did not read are hashed now.
    The stamp is replaced atomically but not synced to disk: a stamp lost in a crash, or one
    that outlived the files it describes, fails `lookup` and costs one rebuild.
    """
    folders = sorted({str(Path(folder).resolve()) for folder in folders})
    inputs = {str(path): digest for path, digest in reads.items()}
    for folder in folders:
        for path in _files_below(Path(folder)):
            inputs.setdefault(str(path), digest_of(path))
    stamp = Stamp(key=key, pages=pages,
                  outputs={os.path.relpath(path, output.parent): hashlib.sha256(data).hexdigest()
                           for path, data in written.items()},
                  inputs=dict(sorted(inputs.items())), folders=folders,
                  warnings=[warning.as_dict() for warning in warnings])
    target = stamp_path(output)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.part")
    scratch.register(temporary)  # removed even if this process is killed before it is renamed
    try:
        _unlink(temporary)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        with os.fdopen(os.open(temporary, flags, 0o644), "w", encoding="utf-8") as handle:
            handle.write(stamp.to_json())
        os.replace(temporary, target)
    except OSError:
        for path in (temporary, target):
            try:
                path.unlink()
            except OSError:
                pass


def read_stamp(output: Path) -> Stamp | None:
    """The stamp beside `output` as stored, whatever it vouches for; None if absent or malformed."""
    try:
        stored = json.loads(_read_regular(stamp_path(output), 64 * 1024 * 1024))
        if stored.get("format") != FORMAT:
            return None
        stamp = Stamp(key=str(stored["key"]), pages=int(stored["pages"]),
                      outputs={str(name): str(digest) for name, digest in dict(stored["outputs"]).items()},
                      inputs={str(name): None if digest is None else str(digest)
                              for name, digest in dict(stored["inputs"]).items()},
                      folders=[str(folder) for folder in stored["folders"]],
                      warnings=[dict(warning) for warning in stored["warnings"]])
        stamp.problems  # noqa: B018 - malformed warnings mean a rebuild, not a traceback later
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    return stamp


def read_input(path: Path) -> bytes:
    """The bytes of a regular file the build reads, no more than `MAX_INPUT_BYTES` (else ValueError)."""
    return _read_regular(path, MAX_INPUT_BYTES)


def forget(output: Path) -> None:
    try:
        stamp_path(output).unlink()
    except OSError:
        pass


def canonical(value: Any) -> Any:
    """`value` as plain JSON data, so any build option can be part of the key."""
    if isinstance(value, Path):  # a file given as an option counts by its content too
        return {"path": str(value.resolve()), "sha256": digest_of(value) if value.is_file() else None}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: canonical(dataclasses.asdict(value))}
    if isinstance(value, Mapping):
        return {str(name): canonical(item) for name, item in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [canonical(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "model_dump"):
        return {type(value).__name__: canonical(value.model_dump())}
    return f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"


def digest_of(path: Path) -> str | None:
    """The SHA-256 of a regular file as the record counts it; None if it does not exist."""
    try:
        return _file_digest(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return "unreadable"


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor of `path` if it is a regular file no larger than `MAX_INPUT_BYTES`; never waits or follows."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_INPUT_BYTES:
        os.close(descriptor)
        raise ValueError(f"{path} is not a regular file of at most {MAX_INPUT_BYTES} bytes")
    return descriptor, info


def _read_regular(path: Path, max_bytes: int) -> bytes:
    descriptor, info = _open_regular(path)
    if info.st_size > max_bytes:
        os.close(descriptor)
        raise ValueError(f"{path} is too large")
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(max_bytes)


def files_below(folders: Iterable[Path]) -> list[Path]:
    """Every file below `folders`, as the record counts them."""
    return [path for folder in folders for path in _files_below(Path(folder))]


def _files_below(folder: Path) -> list[Path]:
    found = []
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = sorted(name for name in subdirectories if name != "__pycache__")
        found.extend(Path(directory) / name for name in sorted(names))
    return found


def _file_digest(path: Path) -> str:
    """The SHA-256 of a file, remembered while its size, modification time and inode stay the same.

    A file modified in the last few seconds is hashed every time: two saves within one tick of
    the file system's clock can leave the same size and time behind.
    """
    descriptor, info = _open_regular(path)
    with os.fdopen(descriptor, "rb") as handle:
        seen = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
        if (digest := _digests.get(seen)) is None:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if time.time_ns() - info.st_mtime_ns > 3_000_000_000:
                _digests[seen] = digest
    return digest


_digests: dict[tuple[str, int, int, int], str] = {}


@functools.lru_cache(maxsize=1)
def _versions() -> dict[str, Any]:
    """briefing's version and code, and the installed WeasyPrint and pydyf, told apart cheaply.

    Each package is identified by its files' names, sizes and modification times, which an
    upgrade or an edit changes; reading them costs far less than importing the packages. Read
    once per process: the code running is the code that was there when it started.
    """
    import importlib.util

    versions: dict[str, Any] = {"briefing": __version__}
    for name in ("briefing", "weasyprint", "pydyf"):
        spec = importlib.util.find_spec(name)
        folder = Path(spec.origin).parent if spec and spec.origin else None
        versions[f"{name} files"] = sorted(
            (str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns)
            for path in (folder.rglob("*.py") if folder else ()) for stat in (path.stat(),))
    return versions
