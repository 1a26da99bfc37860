"""The template environment: a sandbox on the theme's search path, and errors that point at the line.

User templates run in Jinja2's immutable sandbox with strict undefined
variables. A template is read only from inside the folder it was found in
(a symbolic link out of that folder is refused). Any failure while loading or
rendering becomes a `BriefError` naming the template file, its line, the
unknown name or failing expression, and the variables available there.
"""

from __future__ import annotations

import marshal
import os
import pickle
import re
import secrets
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.compiler
import jinja2.sandbox
from pydantic import BaseModel

from ..errors import BriefError, Problem, closest
from ..themes.theme import SECTION_KINDS, Theme, builtin_themes

MAX_LISTED = 40


@dataclass(frozen=True)
class ThemeInfo:
    """What templates may know of the theme: `theme.name`, `theme.logo` (a data: URI), …"""

    name: str
    logo: str | None
    logo_alt: str
    sections: tuple[str, ...]

    @classmethod
    def of(cls, theme: Theme | None) -> ThemeInfo:
        if theme is None:
            return cls(name="default", logo=None, logo_alt="", sections=SECTION_KINDS)
        return cls(name=theme.name, logo=theme.logo_uri, logo_alt=theme.logo_alt, sections=theme.sections)


class ConfinedLoader(jinja2.FileSystemLoader):
    """A search-path loader that refuses files whose real path leaves the folder they were found in."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        found = Path(filename)
        for folder in self.searchpath:
            folder_path = Path(folder)
            if found.is_relative_to(folder_path):
                if not found.resolve().is_relative_to(folder_path.resolve()):
                    raise jinja2.TemplateNotFound(
                        template, f"{template!r} in {folder} leads outside that folder; refused")
                break
        return source, filename, uptodate


class _Unfolded(jinja2.compiler.CodeGenerator):
    """Code generation that never evaluates an `{% autoescape expression %}` in advance."""

    def visit_EvalContextModifier(self, node: Any, frame: Any) -> None:
        for keyword in node.options:
            self.writeline(f"context.eval_ctx.{keyword.key} = ")
            self.visit(keyword.value, frame)
        frame.eval_ctx.volatile = True  # decided when the template renders


class BoundedSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, with nothing of a template evaluated while it is compiled.

    Jinja2 folds constant expressions at compile time: `{{ 9**(9**9) }}` in a template
    that never renders would run wherever the template is compiled, outside any limit.
    Here no expression is folded: the optimizer is off, every operator is intercepted
    (intercepted operators are never folded, and run through `call_binop` when the
    template renders), and output goes through a `finalize` that needs the render's
    context, so no output is computed in advance; nor is an `{% autoescape %}` switch. Everything a template computes is
    computed while it renders, in the bounded child.
    """

    code_generator_class = _Unfolded
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(self, **options: Any):
        super().__init__(optimized=False, finalize=_finalize, **options)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return self.binop_table[operator](left, right)

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:
        return self.unop_table[operator](arg)


@jinja2.pass_eval_context
def _finalize(eval_context: Any, value: Any) -> Any:
    return value


@lru_cache(maxsize=16)
def environment(folders: tuple[Path, ...], filters: tuple[tuple[str, Callable[..., Any]], ...] = ()
                ) -> jinja2.Environment:
    """One sandboxed Jinja2 environment per search path, reused across renders."""
    env = BoundedSandbox(
        loader=ConfinedLoader([str(folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=True,
        bytecode_cache=bytecode_cache(),
    )
    env.filters.update(dict(filters))
    return env


#: Compiled templates kept in the user's cache folder, at most this many files.
MAX_CACHED_TEMPLATES = 2000


@lru_cache(maxsize=1)
def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Templates compiled by an earlier process, so a new one starts without compiling them again.

    They live in `$BRIEFING_CACHE` (default `$XDG_CACHE_HOME/briefing`, else `~/.cache/briefing`),
    in a folder named after the code that compiles them: briefing's own files, Jinja2 and Python,
    so a template compiled by other code is never run. Jinja2 keys each entry by the template's
    file and checks it against the hash of the template's source, so an edited template is
    compiled again. Compiled code is run as it is found, so every load checks the folder and
    the file again (`CheckedBytecodeCache`); `BRIEFING_CACHE=off` switches the cache off.
    """
    root = os.environ.get("BRIEFING_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "briefing")
    if root == "off" or not os.path.isabs(root):
        return None
    folder = Path(root) / f"templates-{_compiler_key()}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        cache = CheckedBytecodeCache(folder)
        descriptor = cache.open_folder()
        if descriptor is None:
            return None
        os.close(descriptor)
        _prune(folder)
    except (OSError, AttributeError):  # not writable, or no getuid: compile every time
        return None
    return cache


#: The largest compiled template read from the cache; a larger file is compiled again instead.
MAX_BYTECODE_BYTES = 16 * 1024 * 1024
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | \
    getattr(os, "O_CLOEXEC", 0)


def _private(info: os.stat_result, kind: Callable[[int], bool]) -> bool:
    """Whether `info` is of that kind, this user's, and writable by no one else."""
    return kind(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


class CheckedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates in `folder`, checked at every load and every store, not once per process.

    The folder's parent and the folder are opened in turn without following a link
    (`O_NOFOLLOW`), each judged by `fstat` on what was opened: a folder of this user that no one
    else can write to. The compiled file is opened inside that very folder (not by its path
    again), without following a link or waiting on a FIFO, and judged the same way on its open
    descriptor: a regular file of this user, with one name, that no one else can write to, and
    of a bounded size. Anything else is ignored and the template is compiled from its source.
    Nothing in the file is unpickled: its header must be, byte for byte, what `dump_bytecode`
    writes for the template's current source.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def open_folder(self) -> int | None:
        """A descriptor of the cache folder if it and its parent pass the checks, else None."""
        parent = os.open(self.folder.parent, _FOLDER_FLAGS)
        try:
            if not _private(os.fstat(parent), stat.S_ISDIR):
                return None
            descriptor = os.open(self.folder.name, _FOLDER_FLAGS, dir_fd=parent)
        finally:
            os.close(parent)
        if not _private(os.fstat(descriptor), stat.S_ISDIR):
            os.close(descriptor)
            return None
        return descriptor

    @staticmethod
    def file_name(bucket: jinja2.bccache.Bucket) -> str:
        return f"__jinja2_{bucket.key}.cache"

    @staticmethod
    def header(bucket: jinja2.bccache.Bucket) -> bytes:
        return jinja2.bccache.bc_magic + pickle.dumps(bucket.checksum, 2)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            folder = self.open_folder()
        except OSError:
            return
        if folder is None:
            return
        try:
            data = self._read(folder, self.file_name(bucket))
        finally:
            os.close(folder)
        header = self.header(bucket)
        if data is None or not data.startswith(header):
            return  # not ours alone, or compiled from another source: compiled again
        try:
            bucket.code = marshal.loads(data[len(header):])
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    @staticmethod
    def _read(folder: int, name: str) -> bytes | None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
            getattr(os, "O_CLOEXEC", 0)
        try:
            descriptor = os.open(name, flags, dir_fd=folder)
        except OSError:  # missing, a link (ELOOP), unreadable
            return None
        try:
            info = os.fstat(descriptor)
            if not _private(info, stat.S_ISREG) or info.st_nlink != 1 or info.st_size > MAX_BYTECODE_BYTES:
                return None
            with os.fdopen(os.dup(descriptor), "rb") as handle:
                data = handle.read(MAX_BYTECODE_BYTES + 1)
        finally:
            os.close(descriptor)
        return data if len(data) <= MAX_BYTECODE_BYTES else None

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Write under a new name in the checked folder, then rename it over the entry (atomic)."""
        try:
            folder = self.open_folder()
        except OSError:
            return
        if folder is None:
            return
        name = self.file_name(bucket)
        temporary = f".{name}.{secrets.token_hex(8)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            descriptor = os.open(temporary, flags, 0o600, dir_fd=folder)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    bucket.write_bytecode(handle)
                os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                try:
                    os.unlink(temporary, dir_fd=folder)
                except OSError:
                    pass
                raise
        except OSError:  # full disk, a folder removed meanwhile: the next process compiles again
            pass
        finally:
            os.close(folder)


def _compiler_key() -> str:
    import hashlib

    digest = hashlib.sha256(f"{sys.version}\0{jinja2.__version__}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        digest.update(f"{path.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:16]


def _prune(folder: Path) -> None:
    """Keep the cache bounded: past `MAX_CACHED_TEMPLATES` files, the older half goes."""
    entries = [entry for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
    if len(entries) <= MAX_CACHED_TEMPLATES:
        return
    entries.sort(key=lambda entry: entry.stat(follow_symlinks=False).st_mtime_ns)
    for entry in entries[:len(entries) // 2]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def render_template(theme: Theme, name: str, context: dict[str, Any],
                    filters: Mapping[str, Callable[..., Any]] | None = None) -> str:
    """Render template `name` from the theme's search path; raise `BriefError` on any template failure."""
    env = environment(theme.folders, tuple(sorted((filters or {}).items())))
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        path = _shown(error.filename) if error.filename else error.name or name
        raise BriefError([Problem(path, f"template syntax: {error.message}", line=error.lineno)]) from None
    except Exception as error:  # noqa: BLE001 - every template failure becomes a located problem
        raise BriefError([_problem(error, sys.exc_info()[2], theme, name, context)]) from None


def _problem(error: BaseException, tb: TracebackType | None, theme: Theme, name: str,
             context: dict[str, Any]) -> Problem:
    frames = _template_frames(tb)
    unknown = _unknown_name(error)
    frame = _frame_naming(frames, unknown) if unknown else None
    frame = frame or (frames[-1] if frames else (None, None, None))
    filename, line, names = frame
    names = names if names is not None else dict(context)
    path: Path | str = _shown(filename) if filename else _shown(str(theme.folders[0] / name))
    caller = _caller(frames, frame)
    if isinstance(error, jinja2.TemplateNotFound):
        missing = error.name if isinstance(error.name, str) else ", ".join(error.templates)
        folders = ", ".join(_shown(str(folder)) for folder in theme.folders)
        detail = error.message if error.message and error.message != missing and "search path" not in \
            error.message else f"no template {missing!r} on the search path ({folders})"
        return Problem(path, detail, line=line)
    if isinstance(error, jinja2.UndefinedError):
        problem = _undefined_problem(str(error.message or error), path, line, filename, names)
        return Problem(problem.path, problem.message + caller, field=problem.field, line=problem.line)
    if isinstance(error, RecursionError):
        return Problem(path, "templates include or extend each other without end (a template that extends "
                       "a file of its own name extends itself: to replace a block of base.html.j2, "
                       "write main.html.j2)", line=line)
    if isinstance(error, jinja2.sandbox.SecurityError):
        return Problem(path, f"not allowed in a template: {error}", line=line)
    expression = _source_line(filename, line)
    where = f" in `{expression}`" if expression else ""
    return Problem(path, f"{type(error).__name__}: {error}{where}{caller}; {_available(names)}", line=line)


Frame = tuple[str | None, int | None, dict[str, Any] | None]


def _unknown_name(error: BaseException) -> str | None:
    if not isinstance(error, jinja2.UndefinedError):
        return None
    match = re.search(r"'([^']+)' is undefined$|has no attribute '([^']+)'$", str(error.message or error))
    return (match.group(1) or match.group(2)) if match else None


def _frame_naming(frames: list[Frame], unknown: str) -> Frame | None:
    """The innermost template frame whose line mentions `unknown`: where the typo was written."""
    for frame in reversed(frames):
        if re.search(r"\b%s\b" % re.escape(unknown), _source_line(frame[0], frame[1])):
            return frame
    return None


def _caller(frames: list[Frame], frame: Frame) -> str:
    """Where a failure inside a built-in theme file was reached from, when that is another file."""
    if frame not in frames or not frame[0] or not Path(frame[0]).resolve().is_relative_to(builtin_themes()):
        return ""
    for outer in reversed(frames[:frames.index(frame)]):
        if outer[0] and outer[0] != frame[0]:
            return f" (reached from {_shown(outer[0])}:{outer[1]})"
    return ""


def _undefined_problem(message: str, path: Path | str, line: int | None, filename: str | None,
                       names: dict[str, Any]) -> Problem:
    plain = re.fullmatch(r"'([^']+)' is undefined", message)
    if plain:
        unknown = plain.group(1)
        hint = _did_you_mean(unknown, names)
        return Problem(path, f"undefined variable{hint}; {_available(names)}", field=unknown, line=line)
    attribute = re.fullmatch(r"'(.+)' has no attribute '([^']+)'", message) or \
        re.fullmatch(r"'(.+)' object has no attribute '([^']+)'", message)
    if attribute:
        unknown = attribute.group(2)
        owner, value = _owner(filename, line, unknown, names)
        fields = _fields_of(value)
        hint = _did_you_mean(unknown, fields)
        label = f"{owner}.{unknown}" if owner else unknown
        listing = f"; {owner or 'it'} has: {', '.join(fields[:MAX_LISTED])}" if fields else \
            f"; {_available(names)}"
        return Problem(path, f"no such field{hint}{listing}", field=label, line=line)
    return Problem(path, f"{message}; {_available(names)}", line=line)


def _template_frames(tb: TracebackType | None) -> list[Frame]:
    """The template file, line and variables of each template frame in `tb`, outermost first.

    Jinja2 rewrites the traceback of a render: each template frame becomes a
    stand-in whose code names the template file and line, and whose locals are
    the template's variables at that point.
    """
    frames: list[Frame] = []
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if "__jinja_exception__" in frame.f_globals:
            frames.append((frame.f_code.co_filename, tb.tb_lineno, _visible(dict(frame.f_locals))))
        elif template is not None and template.filename:
            frames.append((template.filename, template.get_corresponding_lineno(tb.tb_lineno),
                           _template_locals(frame.f_locals)))
        tb = tb.tb_next
    return frames


def _visible(names: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in names.items()
            if not key.startswith("_") and not isinstance(value, jinja2.Undefined)}


def _template_locals(real: Mapping[str, Any]) -> dict[str, Any]:
    from jinja2.debug import get_template_locals

    try:
        names = get_template_locals(real)
    except Exception:  # noqa: BLE001 - the listing is a courtesy
        return {}
    return _visible(names)


def _available(names: Mapping[str, Any]) -> str:
    listed = sorted(key for key in names if key not in _JINJA_GLOBALS)
    more = f", … ({len(listed) - MAX_LISTED} more)" if len(listed) > MAX_LISTED else ""
    return f"available here: {', '.join(listed[:MAX_LISTED])}{more}"


_JINJA_GLOBALS = frozenset(jinja2.Environment().globals)


def _did_you_mean(unknown: str, known: Any) -> str:
    close = closest(unknown, known)
    return f" (did you mean {close!r}?)" if close else ""


def _owner(filename: str | None, line: int | None, attribute: str,
           names: Mapping[str, Any]) -> tuple[str, Any]:
    """The dotted expression before `.attribute` on the template line, and its value."""
    text = _source_line(filename, line) or ""
    match = re.search(r"([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\.%s\b" % re.escape(attribute), text)
    if not match:
        return "", None
    owner = match.group(1)
    head, *rest = owner.split(".")
    value = names.get(head)
    for step in rest:
        value = getattr(value, step, None) if not isinstance(value, Mapping) else value.get(step)
    return owner, value


def _fields_of(value: Any) -> list[str]:
    if isinstance(value, BaseModel):
        return list(type(value).model_fields)
    if isinstance(value, Mapping):
        return [str(key) for key in value]
    if value is None:
        return []
    return [name for name in dir(value) if not name.startswith("_")]


def _source_line(filename: str | None, line: int | None) -> str:
    if not filename or not line:
        return ""
    try:
        lines = Path(filename).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _shown(filename: str) -> str:
    """A path relative to the working folder when it lies inside it, else absolute."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative
