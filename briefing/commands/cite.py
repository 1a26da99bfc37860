"""Cite: the brief's own citation, for a reader or a reference manager.

    cite("brief.yaml", format="bibtex")

loads and validates the content, then writes its citation as text in a CSL
style, BibTeX, RIS or CSL-JSON (`briefing.render.citation`). Nothing is
rendered or printed, so WeasyPrint and Jinja2 are never imported, and the CSL
processor only for `text`.

The style of `text` is the first of: `style`; the brief's `meta.citation_style`;
`citation_style` (by default the `citation_style` of `briefing.toml` in the
working folder); the `citation_style` of the theme's `theme.yaml` (the theme is
`theme`, by default briefing.toml's, else `default`); chicago-author-date.
The project file and the theme are read only when the style is still open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..content.styles import CITATION_STYLES
from ..errors import BriefError, Problem

FORMATS = ("text", "bibtex", "ris", "csl-json")


def cite(content: str | Path, format: str = "text", style: str | None = None, *, theme: Any = None,
         citation_style: str | None = None, project: bool = True) -> str:
    """The citation of the brief in `content`, in `format` (text, bibtex, ris or csl-json); `style`
    (a CSL style offered) replaces the brief's `citation_style` for text. `theme` and
    `citation_style` give the defaults a build would use; with `project`, those not given come from
    the working folder's briefing.toml. Raises `BriefError`."""
    if format not in FORMATS:
        raise BriefError([Problem("options", f"unknown format {format!r} (expected {', '.join(FORMATS)})",
                                  field="format", code="invalid_option")])
    for name, value in (("style", style), ("citation_style", citation_style)):
        if value is not None and value not in CITATION_STYLES:
            raise BriefError([Problem("options", f"unknown citation style {value!r} "
                                                 f"(offered: {', '.join(CITATION_STYLES)})",
                                      field=name, code="invalid_option")])
    from ..content.load import load
    from ..render.citation import export

    brief = load(content)
    default = None
    if format == "text" and style is None and brief.meta.citation_style is None:
        default = default_style(theme, citation_style, project=project)
    return export(brief, format, style, default)


def default_style(theme: Any = None, citation_style: str | None = None, *, project: bool = True) -> str | None:
    """The style a build would give a brief that names none: the project's, else the theme's."""
    if project and (citation_style is None or theme is None):
        from .project import find_project

        found = find_project()
        if found is not None:
            citation_style = citation_style or found.options.get("citation_style")
            theme = theme if theme is not None else found.options.get("theme")
    if citation_style is not None:
        return citation_style
    from ..themes.theme import Theme, load_theme

    loaded = theme if isinstance(theme, Theme) else load_theme(theme or "default")
    return loaded.citation_style
