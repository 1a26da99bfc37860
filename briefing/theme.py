"""Themes: where templates, stylesheets and assets are found.

A theme is a folder holding `base.html.j2`, its partials and macros, and a
stylesheet. Templates are looked up along one ordered search path, so an
override is simply a file of the same name earlier on the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BriefError, Problem

STYLESHEET = "brief.css"


def builtin_themes() -> Path:
    """The folder of built-in themes: inside the package when installed, `templates/` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "default" / "base.html.j2").is_file():
            return candidate
    raise BriefError([Problem(here, "the built-in templates are missing from this installation")])


@dataclass(frozen=True)
class Theme:
    """An ordered search path of template folders and the stylesheets to apply."""

    name: str
    folders: tuple[Path, ...]

    @property
    def stylesheets(self) -> tuple[Path, ...]:
        """Every folder's stylesheet, the most general first, so later ones override."""
        return tuple(folder / STYLESHEET for folder in reversed(self.folders)
                     if (folder / STYLESHEET).is_file())


def load_theme(name: str | Path = "default") -> Theme:
    """The built-in theme `name`, or the theme in folder `name`."""
    candidate = Path(name)
    if candidate.is_dir():
        folder = candidate.resolve()
    else:
        folder = builtin_themes() / str(name)
        if not (folder / "base.html.j2").is_file():
            raise BriefError([Problem(str(name), "no such theme")])
    return Theme(name=folder.name, folders=(folder,))
