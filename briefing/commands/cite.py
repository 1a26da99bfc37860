"""Cite: the brief's own citation, for a reader or a reference manager.

    cite("brief.yaml", format="bibtex")

loads and validates the content, then writes its citation as text in a CSL
style, BibTeX, RIS or CSL-JSON (`briefing.render.citation`). Nothing is
rendered or printed, so WeasyPrint is never imported.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BriefError, Problem


def cite(content: str | Path, format: str = "text", style: str | None = None) -> str:
    """The citation of the brief in `content`, in `format` (text, bibtex, ris or csl-json); `style`
    (a CSL style offered) replaces the brief's `citation_style` for text. Raises `BriefError`."""
    from ..content.identifiers import CITATION_STYLES
    from ..content.load import load
    from ..render.citation import FORMATS, export

    if format not in FORMATS:
        raise BriefError([Problem("options", f"unknown format {format!r} (expected {', '.join(FORMATS)})",
                                  field="format", code="invalid_option")])
    if style is not None and style not in CITATION_STYLES:
        raise BriefError([Problem("options", f"unknown citation style {style!r} "
                                             f"(offered: {', '.join(CITATION_STYLES)})",
                                  field="style", code="invalid_option")])
    return export(load(content), format, style)
