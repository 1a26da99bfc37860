"""Project defaults: a `briefing.toml` in the working folder, much as Quarto reads `_quarto.yml`.

    content = ["content/"]        # files or folders that `briefing build` builds with no arguments
    output_dir = "output"
    theme = "default"
    templates = "overrides"
    paper = "a4"
    brand = "house/brand.yaml"
    pdf_variant = "pdf/a-3b"
    strict = false
    citation_style = "apa"        # for briefs that set no meta.citation_style; else the theme's

Paths are relative to the file's folder and stay inside it: a project folder may come from
anyone (a cloned repository, a downloaded archive), so every path it names is judged after
`..`, `~` and every symbolic link are resolved, and one that leaves the folder is a located
error. A theme folder must look like one and be of a theme's size. An option given on the
command line wins, and may name any path. Read without pydantic, so a build with nothing to
do stays cheap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem, closest

PROJECT = "briefing.toml"
MAX_PROJECT_BYTES = 1024 * 1024

#: Each setting: its type, and the `BuildOptions` field it sets (None: a setting of the project itself).
SETTINGS: dict[str, tuple[type | tuple[type, ...], str | None]] = {
    "content": ((str, list), None), "output_dir": (str, None), "theme": (str, "theme"),
    "templates": (str, "templates"), "paper": (str, "paper"), "brand": (str, "brand"),
    "pdf_variant": (str, "variant"), "strict": (bool, "strict"),
    "citation_style": (str, "citation_style"),
}
OUTSIDE = f"a setting of {PROJECT} names a path inside its folder (the command line may name any path)"
#: The settings that name a path, and what must be there: each stays inside the project folder.
PATHS = {"content": "content", "output_dir": "folder or nothing", "theme": "theme", "templates": "templates",
         "brand": "file"}

SKELETON = '''\
# Defaults for `briefing build` in this folder; an option given on the command line wins.
# Paths are relative to this file and stay inside its folder.
content = ["content/"]      # what `briefing build` with no arguments builds: files or folders
output_dir = "output"
theme = "default"           # a built-in theme (see `briefing themes`) or a theme folder
# templates = "overrides"   # a folder whose files replace the theme's files of the same name
paper = "a4"                # or "letter"
# brand = "brand.yaml"      # colours, fonts and logo
# pdf_variant = "pdf/a-3b"  # an archival or accessible variant
strict = false              # editorial warnings fail the build
# citation_style = "apa"    # sources and "How to cite", where a brief sets no meta.citation_style
'''


@dataclass(frozen=True)
class Project:
    """The defaults a `briefing.toml` holds."""

    path: Path
    content: tuple[Path, ...] = ()
    output_dir: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """`BuildOptions` fields and the values the project gives them."""


def new_project(path: str | Path, *, force: bool = False) -> Path:
    """Write the project defaults that `briefing build` reads to `path` (`briefing new briefing.toml`)."""
    from ..content.scaffold import write_new

    return write_new(Path(path), SKELETON, force=force)


def find_project(folder: str | Path = ".") -> Project | None:
    """The project in `folder`'s `briefing.toml`, or None if there is none."""
    path = Path(folder) / PROJECT
    if not path.is_file():
        return None
    return read_project(path)


def read_project(path: Path) -> Project:
    """Read and check a project file; every problem is located by line and setting."""
    from ..content.formats import parse_toml
    from ..sandbox.files import Refused, read_inside

    try:
        # A link to a project file elsewhere is not this folder's: judged inside the folder it lies in.
        raw = read_inside(path, (Path(os.path.realpath(path.parent)),), MAX_PROJECT_BYTES)
        text = raw.decode("utf-8")
    except Refused as refusal:
        raise BriefError([Problem(path, refusal.reason)]) from None
    except UnicodeDecodeError as error:
        raise BriefError([Problem(path, f"cannot read: {error}")]) from None
    parsed = parse_toml(text, path)
    folder = path.parent  # as the user named it, so that messages name paths as they would
    problems: list[Problem] = []
    content: tuple[Path, ...] = ()
    output_dir = None
    options: dict[str, Any] = {}
    for name, value in parsed.data.items():
        line, column = parsed.positions.locate((name,), key=True)

        def bad(message: str, code: str) -> None:
            problems.append(Problem(path, message, field=name, line=line, column=column, code=code))

        if name not in SETTINGS:
            hint = closest(name, SETTINGS)
            bad("unknown setting" + (f"; did you mean {hint!r}?" if hint else f" (allowed: {', '.join(SETTINGS)})"),
                "extra_forbidden")
            continue
        kind, option = SETTINGS[name]
        if not isinstance(value, kind) or (name == "content" and isinstance(value, list)
                                           and not all(isinstance(item, str) for item in value)):
            expected = {"content": "a path or a list of paths", "strict": "true or false"}.get(name, "text")
            bad(f"expected {expected}, got {type(value).__name__}", "type_error")
            continue
        if name in PATHS:
            if name == "theme" and _is_theme_name(value):
                options["theme"] = value
                continue
            named = []
            for index, item in enumerate([value] if isinstance(value, str) else value):
                where = (name, index) if isinstance(value, list) else (name,)
                problem = _path_problem(folder, item, PATHS[name])
                if problem is None:
                    named.append(folder / item)
                else:
                    at_line, at_column = parsed.positions.locate(where)
                    if isinstance(value, list):
                        at_line, at_column = _item_position(text, at_line, at_column, index, value)
                    problems.append(Problem(path, problem, field=name, line=at_line, column=at_column,
                                            code="outside_project" if "outside" in problem else "invalid_path"))
            if len(named) != (len(value) if isinstance(value, list) else 1):
                continue
            if name == "content":
                content = tuple(named)
            elif name == "output_dir":
                output_dir = named[0]
            else:
                options[option] = named[0]
        else:
            options[option] = value
    if not problems:
        problems += _option_problems(path, parsed.positions, options)
    if problems:
        raise BriefError(problems)
    return Project(path=path, content=content, output_dir=output_dir, options=options)


def _item_position(text: str, line: int | None, column: int | None, index: int, items: list[str]
                   ) -> tuple[int | None, int | None]:
    """Where item `index` of the list `items` that starts at `line`:`column` is written (the TOML
    reader gives no positions inside arrays): the matching string literals found in order."""
    import json

    if line is None:
        return line, column
    lines = text.splitlines(keepends=True)
    at = sum(len(before) for before in lines[:line - 1]) + (column or 1) - 1
    for item in items[:index + 1]:
        literals = [found for found in (text.find(json.dumps(item, ensure_ascii=False), at),
                                        text.find(f"'{item}'", at)) if found >= 0]
        if not literals:
            return line, column
        start = min(literals)
        at = start + len(item) + 2
    before = text[:start]
    return before.count("\n") + 1, start - (before.rfind("\n") + 1) + 1


def _is_theme_name(value: str) -> bool:
    """Whether a `theme` setting names a built-in theme (rather than a folder of the project)."""
    from ..themes.theme import theme_names

    return not ("/" in value or "\\" in value or value.startswith((".", "~"))) and value in theme_names()


def _path_problem(folder: Path, value: str, kind: str) -> str | None:
    """Why the setting `value`, a path relative to the project's `folder`, may not be used, or None.

    It may not leave the folder: not absolute, not through `~`, `..` or a symbolic link (the
    path is judged as the file system resolves it). `kind` says what must be there.
    """
    from ..themes.theme import folder_problem

    inside = Path(os.path.realpath(folder))
    if not value.strip():
        return "expected a path inside the project folder, got nothing"
    if value.startswith("~"):
        return f"{value!r} names a home folder, outside the project folder; {OUTSIDE}"
    if Path(value).is_absolute():
        return f"{value!r} is outside the project folder; {OUTSIDE}"
    try:
        resolved = Path(os.path.realpath(folder / value))
    except (OSError, ValueError):
        return f"{value!r} is not a valid path"
    if not resolved.is_relative_to(inside):
        how = "by .." if ".." in Path(value).parts else "through a symbolic link"
        return f"{value!r} leads outside the project folder ({how}, to {resolved}); {OUTSIDE}"
    if kind == "content":
        return _content_problem(inside, folder / value)
    if kind == "folder or nothing" and not resolved.exists():
        return None
    if kind == "folder or nothing" and not resolved.is_dir():
        return f"{value!r} is not a folder"
    if kind == "file":
        return None if resolved.is_file() else f"{value!r}: no such file in the project folder"
    if not resolved.is_dir():
        if kind == "theme":
            from ..themes.theme import theme_names

            hint = closest(value, theme_names())
            return (f"no such theme {value!r}" + (f"; did you mean {hint!r}?" if hint else "")
                    + f" (built-in themes: {', '.join(theme_names())}; or a theme folder in the project)")
        return f"{value!r}: no such folder in the project folder"
    problem = folder_problem(resolved, theme=kind == "theme")
    return f"{value!r} {problem}" if problem else None


def _content_problem(inside: Path, named: Path) -> str | None:
    """Why the briefs that `named` (a content file or folder) stands for, or the brand files
    beside them that a build reads, reach outside the project folder `inside`, or None."""
    from ..themes.quarto import NAMES
    from ..themes.theme import BRAND
    from .batch import expand

    briefs = expand([named]) if named.is_dir() else [named]
    folders = {brief.parent for brief in briefs} | ({named} if named.is_dir() else set())
    for path in [*briefs, *(folder / name for folder in sorted(folders) for name in (BRAND, *NAMES))]:
        if os.path.lexists(path) and not Path(os.path.realpath(path)).is_relative_to(inside):
            return (f"{path.name!r} in {str(path.parent)!r} is a link to {os.path.realpath(path)}, outside the "
                    f"project folder; {OUTSIDE}")
    return None


def _option_problems(path: Path, positions: Any, options: dict[str, Any]) -> list[Problem]:
    """The options' own checks (a paper size, a variant), located at the project's setting."""
    from .options import BuildOptions

    try:
        BuildOptions(**options)
    except BriefError as error:
        setting = {option: name for name, (_, option) in SETTINGS.items() if option}
        located = []
        for problem in error.problems:
            name = setting.get(problem.field, problem.field)
            line, column = positions.locate((name,))
            located.append(Problem(path, problem.message, field=name, line=line, column=column, code=problem.code))
        return located
    return []
