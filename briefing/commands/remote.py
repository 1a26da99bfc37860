"""Remote builds: briefs built on workers that share no files with this process (a Dask cluster).

    with dask_executor("tls://scheduler:8786", security="dask-security.toml") as executor:
        build_many(["briefs/"], "output", executor=executor)

A task carries its brief as bytes, in a `Parcel`: the content file and the
files its build reads — the brand or settings file beside it, its
attachments, a theme or template folder given by path, an earlier version
given by `changes_since`, and every file the last build of the same PDF read,
as its record beside the PDF lists them. The worker writes them into a private
folder of its own, builds there with the same options, and sends back a
`Delivery`: the PDF (and the web page and page pictures, if asked for), the
warnings, and the record of what it read, named as this process names those
files. This process judges the delivery against what it sent and asked for,
then writes the files and the record, as a build here would (`build.deliver`).

On a first build there is no record yet, so the parcel also carries the files
that the content and brand files name beside them (`map.png`,
`fonts/house.otf`). A build that still looks for a file the parcel did not
carry is sent again with that file, up to `ROUNDS` times.
Built-in themes are not carried: the worker uses its own, which must be the
same version of briefing and WeasyPrint as here.

Both cross as plain bytes (`encode_parcel`, `encode_delivery`): a JSON header
and the files' bytes after it, never pickled objects. Each side reads the
other's bytes as untrusted: the worker refuses a parcel whose names, roots or
options would reach beyond the parcel (`read_parcel`), and this process refuses
a delivery that names anything it did not send or holds anything it did not
ask for (`receive`). Dask itself still pickles the task and unpickles a failed
task's exception on the client, so a Dask cluster stays one trust domain
(docs/security.md).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import BriefError, Problem, closest
from . import cache
from .build import BuildResult, deliver, key_of
from .options import BuildOptions
from .tasks import BatchItem, own_fonts

#: How many times a build is sent again with files it looked for and the parcel lacked.
ROUNDS = 4
#: A parcel carries at most this many files, of at most this many bytes together.
MAX_FILES = 10_000
MAX_BYTES = 512 * 1024 * 1024
#: A parcel names at most this many folders of the client (the content's, and one per option naming a place).
MAX_ROOTS = 8
#: A delivery carries at most this many bytes (the PDF, the web page, the page pictures) and this many
#: problems, read files and theme folders.
MAX_DELIVERY_BYTES = 2 * 1024 * 1024 * 1024
MAX_PROBLEMS = 10_000
MAX_READS = 2 * MAX_FILES
MAX_FOLDERS = 64
#: The JSON header of a parcel or a delivery is at most this large; a name at most this long.
MAX_HEADER = 64 * 1024 * 1024
MAX_NAME = 4096
#: The options that name a file or folder of this machine: they travel as (root, relative path) only.
_PLACES = ("theme", "templates", "brand", "changes_since")
#: The options that travel as plain values, each checked by the worker before `BuildOptions` checks it.
_VALUES = ("theme", "paper", "variant", "attach", "first_page", "html", "png", "allowed_urls", "limits", "strict")
_MAGIC = {"parcel": b"briefing-parcel/1\n", "delivery": b"briefing-delivery/1\n"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PNG = b"\x89PNG\r\n\x1a\n"


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
    """The options naming a file or folder (`theme`, `templates`, `brand`, `changes_since`), as
    (root, relative path)."""
    options: BuildOptions
    """The other options; those in `places` are not set here."""
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
def dask_executor(address: str, security: Any = None) -> Iterator[Executor]:
    """An executor whose tasks run on the Dask cluster whose scheduler is at `address`.

    `security` is a `distributed.Security`, or the path of a file naming its certificates
    (`read_security`); without it, Dask's own configuration applies. Its client accepts a
    task's result only as plain bytes (`deserializers=["msgpack"]`): it unpickles no result.
    """
    try:
        from distributed import Client, Security
    except ImportError:
        raise BriefError([Problem("--dask", "needs Dask's distributed scheduler: pip install 'briefing[dask]'",
                                  code="invalid_option")]) from None
    if isinstance(security, (str, Path)):
        security = read_security(Path(security))
    elif security is not None and not isinstance(security, Security):
        raise BriefError([Problem("options", f"expected a distributed.Security or a file, got "
                                             f"{type(security).__name__}", field="security", code="invalid_option")])
    class _Client(Client):
        """A client that, when it cannot connect, closes at once rather than when it is collected
        (which, at exit, waits 20 s and prints a traceback)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().__init__(*args, **kwargs)
            except BaseException:
                try:
                    self.close(timeout=1)
                except Exception:  # noqa: BLE001, S110 - closing what never opened: nothing more to do
                    pass
                raise

    try:
        client = _Client(address, timeout="10s", set_as_default=False, security=security, deserializers=["msgpack"])
    except Exception as error:  # noqa: BLE001 - Dask raises OSError, TypeError, RuntimeError, AssertionError...
        reason = str(error).strip() or type(error).__name__
        if address.startswith("tls://") and security is None:
            reason += "; a tls:// scheduler needs --dask-security (or Dask's TLS configuration)"
        raise BriefError([Problem("--dask", f"cannot reach the scheduler at {address}: {reason}",
                                  code="invalid_option")]) from None
    executor = _DaskExecutor(client)
    try:
        yield executor
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        client.close()


#: How long a task's result may take to come from the cluster once the task has finished.
GATHER_SECONDS = 600


class _DaskExecutor(Executor):
    """A `concurrent.futures.Executor` on a Dask client whose futures always settle.

    Dask's own (`client.get_executor()`) never settles a future whose result the client refuses
    to deserialise: the refusal escapes the coroutine that would pass it on, and `result()` then
    waits for ever. Here each task's result is fetched when Dask says the task is done, and
    whatever that raises (a refused pickle, a lost worker, no data within `GATHER_SECONDS`) becomes
    the future's exception.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pending: dict[Future, Any] = {}

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        task = self.client.submit(fn, *args, pure=False, **kwargs)
        future: Future = Future()
        future.set_running_or_notify_cancel()
        self.pending[future] = task

        def settle(done: Any) -> None:  # in Dask's callback thread, once the task has ended
            try:
                result = done.result(timeout=GATHER_SECONDS)
            except BaseException as error:  # noqa: BLE001 - every outcome settles the future
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(result)
            finally:
                self.pending.pop(future, None)

        task.add_done_callback(settle)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        tasks = list(self.pending.values())
        if cancel_futures and tasks:
            self.client.cancel(tasks)
        elif wait and tasks:
            from distributed import wait as wait_for

            wait_for(tasks)


#: The settings of a `--dask-security` file, and the `distributed.Security` argument each sets.
SECURITY_SETTINGS = {"ca_file": "tls_ca_file", "cert": "tls_client_cert", "key": "tls_client_key"}
MAX_SECURITY_BYTES = 64 * 1024


def read_security(path: Path) -> Any:
    """The `distributed.Security` a small TOML or YAML file names, for a client of a TLS cluster:

        ca_file = "ca.pem"           # the certificate authority that signed the cluster's certificates
        cert = "client.pem"          # this client's certificate, signed by it
        key = "client-key.pem"       # its private key (leave out if `cert` holds it)

    Paths are relative to the file. Encryption is then required: a `tcp://` address is refused.
    Every problem is located at the file's line and setting.
    """
    from distributed import Security

    from ..content.formats import kind_of, parse_text
    from ..sandbox.files import Refused, read_inside

    kind = kind_of(path)
    if kind not in ("toml", "yaml"):
        raise BriefError([Problem(path, "a --dask-security file is TOML (.toml) or YAML (.yaml)",
                                  field="--dask-security", code="invalid_option")])
    try:
        text = read_inside(path, (Path(os.path.realpath(path)).parent,), MAX_SECURITY_BYTES).decode("utf-8")
    except Refused as refusal:
        raise BriefError([Problem(path, refusal.reason, field="--dask-security")]) from None
    except UnicodeDecodeError as error:
        raise BriefError([Problem(path, f"cannot read: {error}", field="--dask-security")]) from None
    parsed = parse_text(text, path, kind)
    if parsed.problems:
        raise BriefError(parsed.problems)
    data = parsed.data if parsed.data is not None else {}
    if not isinstance(data, dict):
        raise BriefError([Problem(path, "expected settings (ca_file, cert, key)", line=1, column=1)])
    problems, found = [], {}
    for name, value in data.items():
        line, column = parsed.positions.locate((name,), key=True)
        if name not in SECURITY_SETTINGS:
            hint = closest(str(name), SECURITY_SETTINGS)
            problems.append(Problem(path, "unknown setting" + (f"; did you mean {hint!r}?" if hint else
                                                               f" (allowed: {', '.join(SECURITY_SETTINGS)})"),
                                    field=str(name), line=line, column=column, code="extra_forbidden"))
            continue
        file = path.parent / value if isinstance(value, str) and value else None
        if file is None or not file.is_file():
            problems.append(Problem(path, f"no such file: {value!r}" if file is not None else
                                    "expected the path of a PEM file", field=name, line=line, column=column))
            continue
        found[SECURITY_SETTINGS[name]] = str(file.resolve())
    for name in ("ca_file", "cert"):
        if SECURITY_SETTINGS[name] not in found and not any(problem.field == name for problem in problems):
            problems.append(Problem(path, "missing: a TLS client needs the authority's certificate (ca_file) and "
                                          "its own (cert)", field=name, line=1, column=1, code="missing"))
    if problems:
        raise BriefError(problems)
    try:
        return Security(require_encryption=True, **found)
    except Exception as error:  # noqa: BLE001 - a file that is not PEM, a key that does not match
        raise BriefError([Problem(path, f"cannot use these certificates: {error}", field="--dask-security")]) from None


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
        sent.append((parcel, executor.submit(build_parcel, encode_parcel(parcel)), ()))
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
    delivery = receive(future.result(), parcel, options, content)
    for _ in range(ROUNDS):
        wanted = _lacking(parcel, delivery)
        if not wanted:
            break
        parcel = _with_files(parcel, wanted)
        delivery = receive(executor.submit(build_parcel, encode_parcel(parcel)).result(), parcel, options, content)
    if delivery.problems:
        raise BriefError(list(delivery.problems))
    if delivery.pdf is None:
        raise BriefError([Problem(content, "the worker sent back no PDF")])
    reads = {Path(path): digest for path, digest in delivery.reads.items()}
    result = deliver(output, key_of(content, options), options, started, pdf=delivery.pdf, pages=delivery.pages,
                     html=delivery.html, pictures=list(delivery.pictures), warnings=delivery.warnings,
                     reads=reads, folders=tuple(Path(folder) for folder in delivery.folders),
                     inputs=packed(parcel))
    if delivery.unmapped:
        cache.forget(output)  # the record would not name everything the build read
    return result


def packed(parcel: Parcel) -> list[Path]:
    """The files of this machine that `parcel` carries: none of them may be overwritten by what comes back."""
    return [Path(parcel.roots[root]) / name for root, name in parcel.files]


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
    if options.since is not None:
        raise BriefError([Problem("options", "a remote worker has no git history; give the earlier version as a "
                                             "file (changes_since, --changes-since) instead", field="since",
                                  code="invalid_option")])
    for path in options.attach:
        if not _plain(PurePosixPath(*path.parts).as_posix() if path.parts else ""):
            raise BriefError([Problem(str(path), "an attachment must lie in the brief's folder", field="attach")])
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


# --- the bytes that cross ------------------------------------------------------------------------

class Malformed(ValueError):
    """Bytes from the other side that are not what they must be: the message says what is wrong."""


def _frame(kind: str, header: dict[str, Any], blobs: list[bytes]) -> bytes:
    """`kind`'s magic line, the length of the JSON header, the header, then each blob's bytes."""
    head = json.dumps({**header, "blobs": [len(blob) for blob in blobs]}, ensure_ascii=True, sort_keys=True,
                      allow_nan=False).encode("ascii")
    return b"".join([_MAGIC[kind], len(head).to_bytes(8, "big"), head, *blobs])


def _unframe(kind: str, data: Any, max_bytes: int) -> tuple[dict[str, Any], list[bytes]]:
    """The header and blobs of bytes `_frame` made, bounded; `Malformed` for anything else."""
    if not isinstance(data, (bytes, bytearray)):
        raise Malformed(f"not bytes but {type(data).__name__}")
    magic = _MAGIC[kind]
    if not data.startswith(magic) or len(data) < len(magic) + 8:
        raise Malformed(f"not a briefing {kind}")
    if len(data) > max_bytes + MAX_HEADER + len(magic) + 8:
        raise Malformed(f"larger than a {kind} may be")
    size = int.from_bytes(data[len(magic):len(magic) + 8], "big")
    start = len(magic) + 8
    if size > MAX_HEADER or start + size > len(data):
        raise Malformed("its header is larger than it may be")
    try:
        header = json.loads(bytes(data[start:start + size]).decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:  # also UnicodeDecodeError, and 4300-digit numbers
        raise Malformed(f"its header is not JSON: {type(error).__name__}") from None
    if not isinstance(header, dict):
        raise Malformed("its header is not an object")
    lengths = header.pop("blobs", None)
    if not isinstance(lengths, list) or not all(_count(length) for length in lengths) \
            or sum(lengths) != len(data) - start - size:
        raise Malformed("its files' lengths do not add up")
    blobs, offset = [], start + size
    for length in lengths:
        blobs.append(bytes(data[offset:offset + length]))
        offset += length
    return header, blobs


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _count(value: Any, low: int = 0, high: int | None = None) -> bool:
    """A whole number (not a bool) from `low` to `high`."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low \
        and (high is None or value <= high)


def _keys(data: Any, required: tuple[str, ...], what: str, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Malformed(f"{what} is not an object")
    missing = [key for key in required if key not in data]
    extra = sorted(str(key) for key in data if key not in required and key not in optional)
    if missing or extra:
        raise Malformed(f"{what} " + "; ".join([*([f"lacks {', '.join(missing)}"] if missing else []),
                                              *([f"has unknown {', '.join(extra)}"] if extra else [])]))
    return data


def _text(value: Any, what: str, longest: int = MAX_NAME) -> str:
    if not isinstance(value, str) or len(value) > longest or "\0" in value:
        raise Malformed(f"{what} is not a name of at most {longest} characters")
    return value


def encode_parcel(parcel: Parcel) -> bytes:
    """The parcel as the bytes a task carries: a JSON header and each file's bytes."""
    options = parcel.options
    limits = options.limits
    names = sorted(parcel.files)
    header = {
        "content": parcel.content, "roots": list(parcel.roots), "builtin": parcel.builtin,
        "versions": dict(parcel.versions), "places": {name: list(place) for name, place in parcel.places.items()},
        "files": [list(key) for key in names],
        "options": {
            "theme": None if "theme" in parcel.places else options.theme, "paper": options.paper,
            "variant": list(options.variant) if isinstance(options.variant, tuple) else options.variant,
            "attach": [PurePosixPath(*path.parts).as_posix() for path in options.attach],
            "first_page": options.first_page, "html": options.html, "png": options.png,
            "allowed_urls": list(options.allowed_urls), "strict": options.strict,
            "limits": None if limits is None else {"timeout": limits.timeout, "max_pages": limits.max_pages,
                                                   "max_memory": limits.max_memory}}}
    return _frame("parcel", header, [parcel.files[key] for key in names])


def read_parcel(data: Any) -> Parcel:
    """The parcel in the bytes a task carried, checked as strictly as untrusted content.

    Every name is a plain relative path below one of at most `MAX_ROOTS` roots; no file is
    also a folder of another; the options that name places name them only as (root, relative
    path) of the parcel, a theme by name is a built-in theme, attachments are plain relative
    paths; every other option has its type, then `BuildOptions` checks it as it checks any.
    Raises `BriefError` naming what is wrong; never writes or reads a file.
    """
    from ..sandbox.limits import Limits
    from ..themes.theme import theme_names

    try:
        header, blobs = _unframe("parcel", data, MAX_BYTES)
        header = _keys(header, ("content", "roots", "builtin", "versions", "places", "files", "options"), "the parcel")
        content = _text(header["content"], "the content's name")
        if not _plain(content) or "/" in content or content == ".":
            raise BriefError([Problem("parcel", f"the parcel names a file outside its folders: {content!r}")])
        roots = header["roots"]
        if not isinstance(roots, list) or not 1 <= len(roots) <= MAX_ROOTS:
            raise Malformed(f"it names {len(roots) if isinstance(roots, list) else 'no list of'} folders, "
                            f"not 1 to {MAX_ROOTS}")
        roots = tuple(_text(root, "a folder") for root in roots)
        builtin = _text(header["builtin"], "the built-in themes' folder")
        versions_ = header["versions"]
        if not isinstance(versions_, dict) or len(versions_) > 8:
            raise Malformed("its versions are not a small object")
        versions_ = {_text(name, "a version", 64): _text(value, "a version", 64) for name, value in versions_.items()}
        problems: list[Problem] = []

        def outside(name: Any) -> None:
            problems.append(Problem(content, f"the parcel names a file outside its folders: {name!r}"))

        def place(value: Any, file: bool = False) -> tuple[int, str] | None:
            if not isinstance(value, list) or len(value) != 2:
                raise Malformed("a place is not [root, path]")
            root, name = value
            if not _count(root, 0, len(roots) - 1) or not _plain(name) or (file and name == "."):
                outside(name)
                return None
            return root, name

        places_ = header["places"]
        if not isinstance(places_, dict) or not set(places_) <= set(_PLACES):
            raise Malformed(f"its places are not among {', '.join(_PLACES)}")
        places = {name: found for name, value in places_.items() if (found := place(value)) is not None}
        keys = header["files"]
        if not isinstance(keys, list) or len(keys) > MAX_FILES or len(keys) != len(blobs):
            raise Malformed(f"it does not list at most {MAX_FILES} files, one per file it carries")
        files: dict[tuple[int, str], bytes] = {}
        for value, blob in zip(keys, blobs):
            key = place(value, file=True)
            if key is None:
                continue
            if key in files or any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in key[1].split("/")):
                raise Malformed(f"it names {key[1]!r} twice, or with a part longer than a file name may be")
            files[key] = blob
        folders = {(root, str(parent)) for root, name in files for parent in PurePosixPath(name).parents}
        for root, name in files:
            if (root, name) in folders:
                problems.append(Problem(content, f"the parcel names {name!r} both as a file and as a folder"))
        if sum(map(len, files.values())) > MAX_BYTES:
            problems.append(Problem(content, "the parcel is larger than a remote build may carry"))
        wire = _keys(header["options"], _VALUES, "its options")
        theme = wire["theme"]
        if "theme" in places:
            theme = None
        elif not isinstance(theme, str) or theme not in theme_names():
            problems.append(Problem(content, f"the parcel names a theme that is not built in: {theme!r}",
                                    field="theme"))
            theme = None
        attach = wire["attach"]
        if not isinstance(attach, list) or len(attach) > MAX_FILES:
            raise Malformed("its attachments are not a list")
        for name in attach:
            if not _plain(name) or name == ".":
                outside(name)
        variant = wire["variant"]
        if isinstance(variant, list) and len(variant) <= 2 and all(isinstance(name, str) for name in variant):
            variant = tuple(variant)
        elif variant is not None and not isinstance(variant, str):
            raise Malformed("its variant is not a name")
        urls = wire["allowed_urls"]
        if not isinstance(urls, list) or len(urls) > 1000 or not all(isinstance(url, str) for url in urls):
            raise Malformed("its allowed URLs are not a list of text")
        limits = wire["limits"]
        if limits is not None:
            limits = Limits(**_keys(limits, (), "its limits", ("timeout", "max_pages", "max_memory")))
        for name, kinds in (("paper", (str, type(None))), ("first_page", (int, type(None))), ("html", (bool,)),
                            ("png", (int, type(None))), ("strict", (bool,))):
            if not isinstance(wire[name], kinds):
                raise Malformed(f"its option {name} is a {type(wire[name]).__name__}")
        options = BuildOptions(theme=theme, paper=wire["paper"], variant=variant,
                               attach=tuple(Path(name) for name in attach if _plain(name) and name != "."),
                               first_page=wire["first_page"], html=wire["html"], png=wire["png"],
                               allowed_urls=tuple(urls), limits=limits, strict=wire["strict"])
    except Malformed as error:
        raise BriefError([Problem("parcel", f"a malformed parcel: {error}")]) from None
    if problems:
        raise BriefError(problems)
    return Parcel(content=content, roots=roots, files=files, places=places, options=options, builtin=builtin,
                  versions=versions_)


def encode_delivery(delivery: Delivery) -> bytes:
    """The delivery as the bytes a task returns: a JSON header, then the PDF, the web page and the pictures."""
    blobs = [*([delivery.pdf] if delivery.pdf is not None else []),
             *([delivery.html.encode("utf-8")] if delivery.html is not None else []), *delivery.pictures]
    header = {"pdf": delivery.pdf is not None, "html": delivery.html is not None,
              "pictures": len(delivery.pictures), "pages": delivery.pages,
              "warnings": [problem.as_dict() for problem in delivery.warnings],
              "problems": [problem.as_dict() for problem in delivery.problems],
              "reads": dict(delivery.reads), "folders": list(delivery.folders), "unmapped": delivery.unmapped}
    return _frame("delivery", header, blobs)


def receive(data: Any, parcel: Parcel, options: BuildOptions, content: Path) -> Delivery:
    """The delivery in the bytes a worker sent back, judged only against what this process sent and asked for.

    It may name as read only files below the parcel's roots or the built-in themes (names
    without `..`), and as theme folders only the folders it was sent as `theme` or
    `templates`, or built-in ones; it brings a PDF with a sane page count, a web page only if
    `options.html` asked for it and exactly one PNG picture per page only if `options.png`
    did. Anything else raises `BriefError` at `content`, and nothing of it is written.
    """
    from ..sandbox.limits import MAX_PAGES

    try:
        return _judged(data, parcel, options, MAX_PAGES)
    except Malformed as error:
        raise BriefError([Problem(content, f"the worker's delivery was refused: {error}")]) from None


def _judged(data: Any, parcel: Parcel, options: BuildOptions, most_pages: int) -> Delivery:
    header, blobs = _unframe("delivery", data, MAX_DELIVERY_BYTES)
    header = _keys(header, ("pdf", "html", "pictures", "pages", "warnings", "problems", "reads", "folders",
                            "unmapped"), "the delivery")
    problems = _problems(header["problems"], "problems")
    warnings = _problems(header["warnings"], "warnings")
    unmapped = header["unmapped"]
    if not isinstance(unmapped, bool) or not isinstance(header["pdf"], bool) or not isinstance(header["html"], bool):
        raise Malformed("pdf, html and unmapped must be true or false")
    if not _count(header["pictures"], 0, _most_pages(options, most_pages)):
        raise Malformed("its count of pictures is not a page count")
    if int(header["pdf"]) + int(header["html"]) + header["pictures"] != len(blobs):
        raise Malformed("it carries other files than it lists")
    roots = [*parcel.roots, parcel.builtin]
    reads = header["reads"]
    if not isinstance(reads, dict) or len(reads) > MAX_READS:
        raise Malformed(f"it lists more than {MAX_READS} files read, or not as an object")
    for name, digest in reads.items():
        if not _below(name, roots):
            raise Malformed(f"it names as read a file it was not sent: {name!r}")
        if digest is not None and not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            raise Malformed(f"the digest of {name!r} is not a SHA-256")
    folders = header["folders"]
    sent = [parcel.roots[root] for name, (root, relative) in parcel.places.items()
            if name in ("theme", "templates") and relative == "."]
    if not isinstance(folders, list) or len(folders) > MAX_FOLDERS:
        raise Malformed(f"it lists more than {MAX_FOLDERS} theme folders, or not as a list")
    for folder in folders:
        if not _below(folder, [*sent, parcel.builtin]):
            raise Malformed(f"it names a theme folder it was not sent: {folder!r}")
    if problems:
        if blobs:
            raise Malformed("it carries files as well as problems")
        return Delivery(problems=problems, warnings=warnings, reads=reads)
    pages = header["pages"]
    if not header["pdf"] or not blobs[0].startswith(b"%PDF-"):
        raise Malformed("it carries no PDF")
    if not _count(pages, 1, _most_pages(options, most_pages)):
        raise Malformed(f"{pages!r} is not a page count from 1 to {_most_pages(options, most_pages)}")
    if header["html"] != options.html:
        raise Malformed("it carries a web page nobody asked for" if header["html"] else "it lacks the web page")
    pictures = blobs[1 + int(header["html"]):]
    if options.png is None and pictures:
        raise Malformed("it carries page pictures nobody asked for")
    if options.png is not None and (len(pictures) != pages or not all(picture.startswith(_PNG)
                                                                     for picture in pictures)):
        raise Malformed(f"it does not carry one PNG picture for each of its {pages} pages")
    try:
        html = blobs[1].decode("utf-8") if header["html"] else None
    except UnicodeDecodeError:
        raise Malformed("its web page is not UTF-8") from None
    return Delivery(pdf=blobs[0], pages=pages, html=html, pictures=tuple(pictures), warnings=warnings,
                    reads=reads, folders=tuple(folders), unmapped=unmapped)


def _most_pages(options: BuildOptions, most: int) -> int:
    """The most pages a delivery may have: the options' page limit, else the largest any limit allows."""
    return options.limits.max_pages if options.limits is not None and options.limits.max_pages else most


def _problems(values: Any, what: str) -> tuple[Problem, ...]:
    if not isinstance(values, list) or len(values) > MAX_PROBLEMS:
        raise Malformed(f"its {what} are not a list of at most {MAX_PROBLEMS}")
    try:
        return tuple(Problem.from_dict(value) for value in values)
    except (ValueError, TypeError):
        raise Malformed(f"its {what} are not problems") from None


def _below(name: Any, folders: list[str]) -> bool:
    """`name` is an absolute, normalised path of this machine inside one of `folders`."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or "\0" in name \
            or not os.path.isabs(name) or os.path.normpath(name) != name:
        return False
    return any(Path(name).is_relative_to(folder) for folder in folders)


# --- on the worker -------------------------------------------------------------------------------

def build_parcel(data: bytes) -> bytes:
    """The task a worker runs: read the parcel's bytes, unpack them into a private folder, build
    there, and send back the delivery's bytes.

    Never raises: problems travel back as data, named as the client names its files.
    """
    from ..sandbox import scratch

    own_fonts()  # a worker forked from another process (a process pool) makes its own fonts and print workers
    try:
        parcel = read_parcel(data)
    except BriefError as error:
        return encode_delivery(Delivery(problems=tuple(error.problems)))
    except Exception as error:  # noqa: BLE001 - whatever the bytes, an answer, not a traceback
        return encode_delivery(Delivery(problems=(Problem("parcel", f"a malformed parcel: {type(error).__name__}"),)))
    problems = _check(parcel)
    if problems:
        return encode_delivery(Delivery(problems=tuple(problems)))
    folder = scratch.folder("briefing-task-")
    names = _Names(parcel, folder)
    try:
        _unpack(parcel, folder)
        delivery = _build_here(parcel, folder, names)
    except BriefError as error:
        delivery = Delivery(problems=tuple(names.problem(problem) for problem in error.problems))
    except Exception as error:  # noqa: BLE001 - a worker's failure is the brief's problem, not a traceback
        delivery = Delivery(problems=(Problem(parcel.content, f"build failed on the worker: {type(error).__name__}: "
                                                              f"{names.text(str(error))}"),))
    finally:
        scratch.remove(folder)
    return encode_delivery(delivery)


def _check(parcel: Parcel) -> list[Problem]:
    """What a well-formed parcel may still be refused for: another version of briefing or WeasyPrint."""
    mine = versions()
    if parcel.versions != mine:
        theirs = ", ".join(f"{name} {value}" for name, value in sorted(parcel.versions.items()))
        return [Problem(parcel.content, f"the worker runs {', '.join(f'{n} {v}' for n, v in sorted(mine.items()))}"
                                        f" but the client {theirs}; install the same on both")]
    return []


def _plain(name: Any) -> bool:
    """A relative path with no `..`, no empty part and nothing a file system would read differently."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or "\0" in name or "\\" in name:
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
