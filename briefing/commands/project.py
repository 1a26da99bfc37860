"""Project defaults: a `briefing.toml` in the working folder, much as Quarto reads `_quarto.yml`.

    content = ["content/"]        # files or folders that `briefing build` builds with no arguments
    output_dir = "output"
    theme = "default"
    paper = "a4"
    brand = "house/brand.yaml"
    pdf_variant = "pdf/a-3b"
    strict = false
    citation_style = "apa"        # for briefs that set no meta.citation_style; else the theme's

Paths are relative to the file's folder. An option given on the command line wins.
Read without pydantic, so a build with nothing to do stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem, closest

PROJECT = "briefing.toml"
MAX_PROJECT_BYTES = 1024 * 1024

#: Each setting: its type, and the `BuildOptions` field it sets (None: a setting of the project itself).
SETTINGS: dict[str, tuple[type | tuple[type, ...], str | None]] = {
    "content": ((str, list), None), "output_dir": (str, None), "theme": (str, "theme"), "paper": (str, "paper"),
    "brand": (str, "brand"), "pdf_variant": (str, "variant"), "strict": (bool, "strict"),
    "citation_style": (str, "citation_style"),
}

SKELETON = '''\
# Defaults for `briefing build` in this folder; an option given on the command line wins.
# Paths are relative to this file.
content = ["content/"]      # what `briefing build` with no arguments builds: files or folders
output_dir = "output"
theme = "default"           # a built-in theme (see `briefing themes`) or a theme folder
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
        raw = read_inside(path, (path.resolve().parent,), MAX_PROJECT_BYTES)
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
        if name == "content":
            content = tuple(folder / item for item in ([value] if isinstance(value, str) else value))
        elif name == "output_dir":
            output_dir = folder / value
        elif name in ("brand",) or (name == "theme" and ("/" in value or value.startswith("."))):
            options[option] = folder / value
        else:
            options[option] = value
    if not problems:
        problems += _option_problems(path, parsed.positions, options)
    if problems:
        raise BriefError(problems)
    return Project(path=path, content=content, output_dir=output_dir, options=options)


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
