"""Render: turn a `Brief` into HTML through the theme's Jinja2 templates.

Templates only present. Everything they show is prepared here: the sections
in order, source numbers, and for each source the places that cite it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from .. import __version__
from ..content.models import MONTHS, Brief
from .environment import ThemeInfo, environment, render_template  # noqa: F401 - environment kept for callers
from ..themes.theme import SECTION_KINDS, Theme, load_theme

ENTRY = "main.html.j2"


@dataclass(frozen=True)
class Section:
    kind: str
    anchor: str
    content: Any


@dataclass(frozen=True)
class Citation:
    """A place that cites a source: where it is and what to call it."""

    anchor: str
    label: str


@dataclass(frozen=True)
class CitationGroup:
    """The places of one kind (timeline, rulings, …) that cite a source."""

    label: str
    citations: list[Citation]


def render_html(brief: Brief, theme: Theme | None = None) -> str:
    """The brief as a complete HTML document, ready for printing."""
    theme = theme or load_theme()
    entry = ENTRY if theme.find(ENTRY) else "base.html.j2"
    return render_template(theme, entry, context(brief, theme), filters=FILTERS)


def context(brief: Brief, theme: Theme | None = None) -> dict[str, Any]:
    """The variables every template receives."""
    shown = theme.sections if theme is not None else SECTION_KINDS
    return {
        "brief": brief,
        "meta": brief.meta,
        "labels": brief.labels,
        "sections": [Section(kind, kind.replace("_", "-"), getattr(brief, kind))
                     for kind in SECTION_KINDS if getattr(brief, kind) is not None and kind in shown],
        "sources": {source.id: source for source in brief.sources},
        "source_number": {source.id: number for number, source in enumerate(brief.sources, 1)},
        "cited_by": _cited_by(brief, shown),
        "theme": ThemeInfo.of(theme),
        "version": __version__,
    }


def _cited_by(brief: Brief, shown: tuple[str, ...] = SECTION_KINDS) -> dict[str, list[CitationGroup]]:
    """For each source, the places shown that cite it, grouped by the kind of place."""
    cited: dict[str, dict[str, list[Citation]]] = {source.id: {} for source in brief.sources}
    for (kind, field, index, _), source_id in brief.citations():
        if kind not in shown:
            continue
        item = getattr(getattr(brief, kind), field)[index]
        group, label = _citation_label(brief, field, item)
        cited.setdefault(source_id, {}).setdefault(group, []).append(
            Citation(anchor=f"{kind}-{field}-{index}", label=label))
    return {source_id: [CitationGroup(group, items) for group, items in groups.items()]
            for source_id, groups in cited.items()}


def _citation_label(brief: Brief, field: str, item: Any) -> tuple[str, str]:
    labels = brief.labels
    if field == "proposals":
        return brief.expert_proposals.title, item.expert.name
    if field == "figures":
        return labels.figures, item.value
    if field == "timeline":
        return labels.timeline, item.when or item.date.display()
    if field == "positions":
        return labels.positions, item.party
    if field == "agreements":
        return labels.agreements, item.name
    return labels.rulings, f"{item.court}, {item.date.display()}"


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # CommonMark with raw HTML off: content is data, never markup.
    parser = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["replacements", "smartquotes"])
    parser.validateLink = _allowed_link
    parser.core.ruler.push("written_links", _unlink)
    return parser


_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)
LINK_SCHEMES = ("http", "https", "mailto")


def _allowed_link(url: str) -> bool:
    """Links and images in Markdown: http, https and mailto (as in URL fields), or a relative
    reference; anything else (file:, data:, javascript:, …) stays plain text."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in LINK_SCHEMES


def written_link(href: str) -> bool:
    """Whether a Markdown link becomes a link in the PDF: http, https, mailto, or #anchor in the brief.

    Anything else (`notes.txt`, `/etc/passwd`, `//host/x`) would become a `file:` URI, or a
    path relative to the builder's theme folder; its text is shown without the link.
    """
    if href.startswith("#"):
        return True
    scheme = _SCHEME.match(href)
    return scheme is not None and scheme.group(1).lower() in LINK_SCHEMES and not href.lstrip().startswith("//")


def _unlink(state: Any) -> None:
    """Drop the link (keep its text) of every link that is not written; see `written_link`."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, dropped = [], []
        for token in block.children:
            if token.type == "link_open":
                dropped.append(not written_link(str(token.attrGet("href") or "")))
                if dropped[-1]:
                    continue
            elif token.type == "link_close" and dropped:
                if dropped.pop():
                    continue
            kept.append(token)
        block.children = kept


def markdown(text: str) -> Markup:
    """Markdown prose as HTML paragraphs."""
    return Markup(_markdown().render(text))


def markdown_inline(text: str) -> Markup:
    """Markdown within one line (emphasis, links, code) as HTML without a paragraph."""
    return Markup(_markdown().renderInline(text))


def long_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


FILTERS = {"markdown": markdown, "markdown_inline": markdown_inline, "long_date": long_date}
