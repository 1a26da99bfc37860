"""Remote builds: briefs built on workers that share no files with this process (a Dask cluster).

    from distributed import Client
    with Client("tcp://scheduler:8786") as client:
        build_many(["briefs/"], "output", executor=client.get_executor())

A task carries its brief as bytes, in a `Parcel`: the content file and the
files its build reads — the brand or settings file beside it, its
attachments, a theme or template folder given by path, and every file the
last build of the same PDF read, as its record beside the PDF lists them. The
worker writes them into a private folder of its own, builds there with the
same options, and sends back a `Delivery`: the PDF (and the web page and page
pictures, if asked for), the warnings, and the record of what it read, named
as this process names those files. This process writes the files and the
record, as a build here would (`build.deliver`).

On a first build there is no record yet, so the parcel also carries the files
that the content and brand files name beside them (`map.png`,
`fonts/house.otf`). A build that still looks for a file the parcel did not
carry is sent again with that file, up to `ROUNDS` times.
Built-in themes are not carried: the worker uses its own, which must be the
same version of briefing and WeasyPrint as here.

What a worker receives is untrusted too: every name in a parcel must be a
plain relative path, and a parcel is bounded in files and bytes.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import BriefError, Problem
from . import cache
from .build import BuildResult, deliver, key_of
from .options import BuildOptions
from .tasks import BatchItem, own_fonts

#: How many times a build is sent again with files it looked for and the parcel lacked.
ROUNDS = 4
#: A parcel carries at most this many files, of at most this many bytes together.
MAX_FILES = 10_000
MAX_BYTES = 512 * 1024 * 1024
#: The options that name a file or folder of this machine.
_PLACES = ("theme", "templates", "brand")


@dataclass(frozen=True)
class Parcel:
    """One brief and every file its build needs, as bytes; nothing in it names a path to open."""

    content: str
    """The content file's name, in root 0."""
    roots: tuple[str, ...]
    """This machine's folders the files come from: root 0 is the content's folder. Only used to
    name files in what comes back, never opened by the worker."""
    files: dict[tuple[int, str], bytes]
    """(root, path relative to it, with `/`) -> the file's bytes."""
    places: dict[str, tuple[int, str]]
    """The options naming a file or folder (`theme`, `templates`, `brand`), as (root, relative path)."""
    options: BuildOptions
    builtin: str
    """This machine's folder of built-in themes: files a worker reads in its own are named as here."""
    versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What a worker sends back: the files a build made, or the problems that stopped it."""

    pdf: bytes | None = None
    pages: int = 0
    html: str | None = None
    pictures: tuple[bytes, ...] = ()
    warnings: tuple[Problem, ...] = ()
    problems: tuple[Problem, ...] = ()
    reads: dict[str, str | None] = field(default_factory=dict)
    """Every file the build read, named as the client names it, with its SHA-256 (None: looked
    for, not found); files read outside the parcel's roots and built-in themes are left out."""
    folders: tuple[str, ...] = ()
    unmapped: bool = False
    """The build read a file the client has no name for: its record cannot vouch for the PDF."""


@contextmanager
def dask_executor(address: str) -> Iterator[Executor]:
    """An executor whose tasks run on the Dask cluster whose scheduler is at `address`."""
    try:
        from distributed import Client
    except ImportError:
        raise BriefError([Problem("--dask", "needs Dask's distributed scheduler: pip install 'briefing[dask]'",
                                  code="invalid_option")]) from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise BriefError([Problem("--dask", f"cannot reach the scheduler at {address}: {error}",
                                  code="invalid_option")]) from None
    try:
        yield client.get_executor()
    finally:
        client.close()


# --- on this machine -----------------------------------------------------------------------------

def run_remote(executor: Executor, files: list[Path], outputs: list[Path], options: BuildOptions,
               force: bool) -> Iterator[Any]:
    """Build each content file on `executor` and write its PDF here; yields a `BatchItem` per brief."""
    sent: list[tuple[Parcel | None, Future | None, tuple[Problem, ...]]] = []
    for content, output in zip(files, outputs):
        try:
            parcel = pack(content, output, options)
        except BriefError as error:
            sent.append((None, None, tuple(error.problems)))
            continue
        sent.append((parcel, executor.submit(build_parcel, parcel), ()))
    for content, output, (parcel, future, problems) in zip(files, outputs, sent):
        if parcel is None or future is None:
            yield BatchItem(content, problems=problems)
            continue
        try:
            result = _receive(executor, parcel, future, content, output, options)
        except BriefError as error:
            yield BatchItem(content, problems=tuple(error.problems))
        except Exception as error:  # noqa: BLE001 - a lost worker fails its brief, not the batch
            yield BatchItem(content, problems=(Problem(content, f"build failed: {error!r}"),))
        else:
            yield BatchItem(content, result=result)


def _receive(executor: Executor, parcel: Parcel, future: Future, content: Path, output: Path,
             options: BuildOptions) -> BuildResult:
    """Wait for a parcel's delivery, sending it again with the files it lacked; then write it here.

    The result's `seconds` run from the moment this process began to wait for it.
    """
    started = time.perf_counter()
    delivery: Delivery = future.result()
    for _ in range(ROUNDS):
        wanted = _lacking(parcel, delivery)
        if not wanted:
            break
        parcel = _with_files(parcel, wanted)
        delivery = executor.submit(build_parcel, parcel).result()
    if delivery.problems:
        raise BriefError(list(delivery.problems))
    if delivery.pdf is None:
        raise BriefError([Problem(content, "the worker sent back no PDF")])
    reads = {Path(path): digest for path, digest in delivery.reads.items()}
    result = deliver(output, key_of(content, options), options, started, pdf=delivery.pdf, pages=delivery.pages,
                     html=delivery.html, pictures=list(delivery.pictures), warnings=delivery.warnings,
                     reads=reads, folders=tuple(Path(folder) for folder in delivery.folders))
    if delivery.unmapped:
        cache.forget(output)  # the record would not name everything the build read
    return result


def pack(content: Path, output: Path, options: BuildOptions) -> Parcel:
    """The parcel of one brief: its content, the files its options name, and what its last build read."""
    from ..content.source import refuse_unreadable
    from ..sandbox.files import refuse_oversized
    from ..themes.theme import BRAND, Theme, builtin_themes

    content = Path(content)
    refuse_unreadable(content)
    if isinstance(options.theme, Theme):
        raise BriefError([Problem("options", "a loaded Theme cannot be sent to another machine; name the theme "
                                             "or its folder instead", field="theme", code="invalid_option")])
    folder = content.resolve().parent
    roots: list[Path] = [folder]
    places: dict[str, tuple[int, str]] = {}
    wanted: list[tuple[int, Path]] = [(0, content.resolve())]
    for name in _PLACES:
        value = getattr(options, name)
        if not isinstance(value, Path):
            continue  # a built-in theme's name, or not set
        place = value if value.is_absolute() else Path.cwd() / value
        place = place.resolve()
        root_folder = place if place.is_dir() else place.parent
        roots.append(root_folder)
        index = len(roots) - 1
        places[name] = (index, "." if place == root_folder else place.name)
        if place.is_dir():
            wanted.extend((index, path) for path in cache.files_below([place]))
        else:
            wanted.append((index, place))
    attachments = [folder / path for path in options.attach]
    refuse_oversized(attachments)
    wanted.extend((0, path.resolve()) for path in attachments if path.is_file())
    if (folder / BRAND).is_file():
        wanted.append((0, folder / BRAND))
    for text_file in [path for _, path in wanted if path.suffix.lower() in _TEXT]:
        wanted.extend(_named_files(text_file, roots))
    for path in _last_read(output):
        if (root := _root_of(path, roots)) is not None:
            wanted.append((root, path))
    parcel = Parcel(content=content.name, roots=tuple(str(root) for root in roots), files={}, places=places,
                    options=dataclasses.replace(options, **{name: None for name in places if name != "theme"}),
                    builtin=str(builtin_themes().resolve()), versions=versions())
    return _with_files(parcel, wanted)


_TEXT = {".yaml", ".yml", ".json", ".toml", ".md", ".markdown", ".css", ".html", ".j2"}
_NAME = re.compile(r"[^\s()\[\]<>{}\"'`,;=|*]+\.[A-Za-z0-9]{1,8}")
#: How many names a text file may offer, and how large a text file is scanned for them.
_MAX_NAMES = 1000
_MAX_SCANNED = 4 * 1024 * 1024


def _named_files(text_file: Path, roots: list[Path]) -> list[tuple[int, Path]]:
    """Files of the roots that a text file names beside it (`map.png`, `fonts/house.otf`).

    A first guess, so that a first build seldom needs a second round: a name that is not a
    file costs nothing, and a file the build needs but no text names comes in the next round.
    """
    try:
        if text_file.stat().st_size > _MAX_SCANNED:
            return []
        text = text_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for name in list(dict.fromkeys(_NAME.findall(text)))[:_MAX_NAMES]:
        if "://" in name or name.startswith(("data:", "#")):
            continue
        path = (text_file.parent / name.removeprefix("file:")).resolve()
        if (root := _root_of(path, roots)) is not None and path.is_file():
            found.append((root, path))
    return found


def _last_read(output: Path) -> list[Path]:
    """The files the last build of `output` read that exist here, as its record lists them."""
    stamp = cache.read_stamp(output)
    if stamp is None:
        return []
    return [Path(path) for path, digest in stamp.inputs.items() if digest is not None]


def _root_of(path: Path, roots: list[Path]) -> int | None:
    for index, root in enumerate(roots):
        if path.is_relative_to(root):
            return index
    return None


def _with_files(parcel: Parcel, wanted: list[tuple[int, Path]]) -> Parcel:
    """`parcel` with the bytes of more files of this machine, each under its root."""
    files = dict(parcel.files)
    total = sum(map(len, files.values()))
    for root, path in wanted:
        key = _key(path, root, parcel.roots)
        if key in files or not path.is_file():
            continue
        if not path.resolve().is_relative_to(Path(parcel.roots[root]).resolve()):
            continue  # a link out of its folder: a build here would refuse it, so it never leaves this machine
        if len(files) >= MAX_FILES:
            raise BriefError([Problem(path, f"a remote build carries at most {MAX_FILES} files")])
        data = _read(path)
        total += len(data)
        if total > MAX_BYTES:
            raise BriefError([Problem(path, f"a remote build carries at most {MAX_BYTES // 2**20} MiB of files")])
        files[key] = data
    return dataclasses.replace(parcel, files=files)


def _read(path: Path) -> bytes:
    try:
        return cache.read_input(path)
    except (OSError, ValueError) as error:
        raise BriefError([Problem(path, f"cannot be sent to the worker: {error}")]) from None


def _lacking(parcel: Parcel, delivery: Delivery) -> list[tuple[int, Path]]:
    """Files the worker looked for and did not have, which this machine has in one of the roots."""
    roots = [Path(root) for root in parcel.roots]
    found = []
    for name, digest in delivery.reads.items():
        path = Path(name)
        if digest is None and path.is_file() and (root := _root_of(path, roots)) is not None:
            if _key(path, root, parcel.roots) not in parcel.files:
                found.append((root, path))
    return found


def _key(path: Path, root: int, roots: tuple[str, ...]) -> tuple[int, str]:
    """How a parcel names a file of this machine: its root, and its path below it with `/`."""
    return root, PurePosixPath(*path.relative_to(roots[root]).parts).as_posix()


def versions() -> dict[str, str]:
    """The versions a worker must share with the client: briefing's and WeasyPrint's."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    found = {"briefing": __version__}
    try:
        found["weasyprint"] = version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - WeasyPrint is a dependency
        found["weasyprint"] = "?"
    return found


# --- on the worker -------------------------------------------------------------------------------

def build_parcel(parcel: Parcel) -> Delivery:
    """The task a worker runs: unpack the parcel into a private folder, build there, send back the files.

    Never raises: problems travel back as data, named as the client names its files.
    """
    from ..sandbox import scratch

    own_fonts()  # a worker forked from another process (a process pool) makes its own fonts and print workers
    content_name = parcel.content if isinstance(parcel, Parcel) else "parcel"
    try:
        _check(parcel)
    except BriefError as error:
        return Delivery(problems=tuple(error.problems))
    folder = scratch.folder("briefing-task-")
    names = _Names(parcel, folder)
    try:
        _unpack(parcel, folder)
        return _build_here(parcel, folder, names)
    except BriefError as error:
        return Delivery(problems=tuple(names.problem(problem) for problem in error.problems))
    except Exception as error:  # noqa: BLE001 - a worker's failure is the brief's problem, not a traceback
        return Delivery(problems=(Problem(content_name, f"build failed on the worker: {type(error).__name__}: "
                                                        f"{names.text(str(error))}"),))
    finally:
        scratch.remove(folder)


def _check(parcel: Any) -> None:
    if not isinstance(parcel, Parcel):
        raise BriefError([Problem("parcel", "not a briefing parcel")])
    problems = []
    mine = versions()
    if parcel.versions != mine:
        theirs = ", ".join(f"{name} {value}" for name, value in sorted(parcel.versions.items()))
        problems.append(Problem(parcel.content, f"the worker runs {', '.join(f'{n} {v}' for n, v in sorted(mine.items()))}"
                                                f" but the client {theirs}; install the same on both"))
    if len(parcel.files) > MAX_FILES or sum(len(data) for data in parcel.files.values()) > MAX_BYTES:
        problems.append(Problem(parcel.content, "the parcel is larger than a remote build may carry"))
    names = [parcel.content, *(name for _, name in parcel.files), *(name for _, name in parcel.places.values())]
    indexes = [0, *(root for root, _ in parcel.files), *(root for root, _ in parcel.places.values())]
    for name, index in zip(names, indexes):
        if not _plain(name) or not isinstance(index, int) or not 0 <= index < len(parcel.roots):
            problems.append(Problem(parcel.content, f"the parcel names a file outside its folders: {name!r}"))
    if problems:
        raise BriefError(problems)


def _plain(name: Any) -> bool:
    """A relative path with no `..`, no empty part and nothing a file system would read differently."""
    if not isinstance(name, str) or not name or "\0" in name or "\\" in name:
        return False
    if name == ".":
        return True
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in name.split("/"))


def _unpack(parcel: Parcel, folder: Path) -> None:
    for index in range(len(parcel.roots)):
        (folder / f"r{index}").mkdir()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for (index, name), data in sorted(parcel.files.items()):
        target = folder / f"r{index}" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(target, flags, 0o600), "wb") as handle:
            handle.write(data)


def _build_here(parcel: Parcel, folder: Path, names: _Names) -> Delivery:
    from ..sandbox.files import recording
    from .build import _render_and_print, page_pictures

    options = dataclasses.replace(parcel.options, **{
        name: folder / f"r{index}" / relative for name, (index, relative) in parcel.places.items()})
    content = folder / "r0" / parcel.content
    with recording() as reads:
        try:
            printed, document, warnings, folders = _render_and_print(content, options)
        except BriefError as error:  # with what it read: a file it lacked may be sent next time
            return Delivery(problems=tuple(names.problem(problem) for problem in error.problems),
                            reads=names.reads(reads)[0])
    mapped, unmapped = names.reads(reads)
    return Delivery(pdf=printed.pdf, pages=printed.pages, html=document if options.html else None,
                    pictures=tuple(page_pictures(printed.pdf, options)),
                    warnings=tuple(names.problem(problem) for problem in warnings), reads=mapped,
                    folders=tuple(name for folder_ in folders if (name := names.client(Path(folder_))) is not None),
                    unmapped=unmapped)


class _Names:
    """Between the worker's names of the parcel's files and the client's."""

    def __init__(self, parcel: Parcel, folder: Path):
        from ..themes.theme import builtin_themes

        self.pairs = [(str(folder.resolve() / f"r{index}"), root) for index, root in enumerate(parcel.roots)]
        self.builtin = str(builtin_themes().resolve())
        self.pairs.append((self.builtin, parcel.builtin))
        self.pairs.sort(key=lambda pair: len(pair[0]), reverse=True)

    def client(self, path: Path) -> str | None:
        text = str(path)
        for mine, theirs in self.pairs:
            if text == mine or text.startswith(mine + os.sep):
                return theirs + text[len(mine):]
        return None

    def reads(self, reads: dict[Path, str | None]) -> tuple[dict[str, str | None], bool]:
        """The record of what the build read, as the client names the files; and whether it read
        any file the client has no name for (a built-in theme's files are the worker's own)."""
        mapped, unmapped = {}, False
        for path, digest in reads.items():
            name = self.client(path)
            if name is None:
                unmapped = unmapped or not str(path).startswith(self.builtin + os.sep)
            else:
                mapped[name] = digest
        return mapped, unmapped

    def text(self, text: str) -> str:
        for mine, theirs in self.pairs:
            text = text.replace(mine, theirs)
        return text

    def problem(self, problem: Problem) -> Problem:
        data = problem.as_dict()
        return Problem.from_dict({key: self.text(value) if isinstance(value, str) else value
                                  for key, value in data.items()})
