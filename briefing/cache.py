"""The build cache: skip rendering when nothing a PDF depends on has changed.

A build's key is one SHA-256 over the content file, every file of the theme's
folders (templates, stylesheets, fonts, assets), the build's options and the
installed briefing, WeasyPrint and pydyf. After a good build the key is stored
beside the PDF in a hidden `.NAME.pdf.build` file, with the hashes of what was
written. The next build with the same key finds the PDF still as written and
returns without loading WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import __version__

FORMAT = 1


@dataclasses.dataclass(frozen=True)
class Stamp:
    """What a finished build wrote, stored beside its PDF."""

    key: str
    pages: int
    files: dict[str, str]  # path relative to the stamp's folder -> sha256 of the bytes written there

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "key": self.key, "pages": self.pages, "files": self.files},
                          indent=1, sort_keys=True)


def stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.build")


def build_key(content: Path, folders: tuple[Path, ...], options: Mapping[str, Any]) -> str:
    """The hash of everything a build of `content` with `options` depends on."""
    digest = hashlib.sha256()
    digest.update(f"briefing-build {FORMAT}\0".encode())
    digest.update(json.dumps(_versions(), sort_keys=True).encode())
    digest.update(json.dumps(canonical(dict(options)), sort_keys=True).encode())
    digest.update(b"\0content\0")
    digest.update(_file_digest(content).encode())
    for folder in folders:
        digest.update(f"\0folder\0{folder.resolve()}\0".encode())
        for path in _files_below(folder):
            digest.update(f"{path.relative_to(folder).as_posix()}\0{_file_digest(path)}\0".encode())
    return digest.hexdigest()


def lookup(output: Path, key: str) -> Stamp | None:
    """The stamp of the last build of `output` if it had `key` and its files are still as written."""
    try:
        stored = json.loads(stamp_path(output).read_text(encoding="utf-8"))
        if stored.get("format") != FORMAT or stored.get("key") != key:
            return None
        stamp = Stamp(key=stored["key"], pages=int(stored["pages"]), files=dict(stored["files"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    for name, expected in stamp.files.items():
        try:
            if _file_digest(output.parent / name) != expected:
                return None
        except OSError:
            return None
    return stamp


def record(output: Path, key: str, pages: int, written: Mapping[Path, bytes]) -> None:
    """Store the stamp of a finished build beside `output`; a failure to do so only costs a rebuild.

    The stamp is replaced atomically but not synced to disk: a stamp lost in a crash, or one
    that outlived the files it describes, fails `lookup` and costs one rebuild.
    """
    files = {os.path.relpath(path, output.parent): hashlib.sha256(data).hexdigest()
             for path, data in written.items()}
    target = stamp_path(output)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        temporary.write_text(Stamp(key=key, pages=pages, files=files).to_json(), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        for path in (temporary, target):
            try:
                path.unlink()
            except OSError:
                pass


def forget(output: Path) -> None:
    try:
        stamp_path(output).unlink()
    except OSError:
        pass


def canonical(value: Any) -> Any:
    """`value` as plain JSON data, so any build option can be part of the key."""
    if isinstance(value, Path):  # a file given as an option counts by its content too
        return {"path": str(value.resolve()), "sha256": _file_digest(value) if value.is_file() else None}
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
    stat = path.stat()
    seen = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if (digest := _digests.get(seen)) is None:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if time.time_ns() - stat.st_mtime_ns > 3_000_000_000:
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
            (path.name, stat.st_size, stat.st_mtime_ns)
            for path in (folder.glob("*.py") if folder else ()) for stat in (path.stat(),))
    return versions
