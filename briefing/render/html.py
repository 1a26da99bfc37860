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

from jinja2 import pass_context
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .. import __version__
from ..content.models import Brief, PartialDate
from .charts import chart_views, chart_words
from .language import direction, format_date, layout_labels, section_title
from .environment import ThemeInfo, environment, render_template  # noqa: F401 - environment kept for callers
from ..themes.theme import SECTION_KINDS, Theme, load_theme

ENTRY = "main.html.j2"


@dataclass(frozen=True)
class Section:
    kind: str
    anchor: str
    content: Any
    title: str = ""
    """The heading: the brief's own section title, else the default in the brief's language."""


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
        "labels": layout_labels(brief),
        "direction": direction(brief.meta.language),
        "sections": [Section(kind, kind.replace("_", "-"), getattr(brief, kind), section_title(brief, kind))
                     for kind in SECTION_KINDS if getattr(brief, kind) is not None and kind in shown],
        "sources": {source.id: source for source in brief.sources},
        "source_number": {source.id: number for number, source in enumerate(brief.sources, 1)},
        "cited_by": _cited_by(brief, shown),
        "charts": chart_views(brief, theme, shown),
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
    labels = layout_labels(brief)
    language = brief.meta.language
    if field == "proposals":
        return section_title(brief, "expert_proposals"), item.expert.name
    if field == "figures":
        return labels.figures, item.value
    if field == "timeline":
        return labels.timeline, item.when or format_date(item.date, language)
    if field == "positions":
        return labels.positions, item.party
    if field == "agreements":
        return labels.agreements, item.name
    if field == "charts":
        return chart_words(language)["heading"], item.title
    return labels.rulings, f"{item.court}{labels.comma}{format_date(item.date, language)}"


DEFAULT_QUOTES = ("“", "”", "‘", "’")


@lru_cache(maxsize=16)
def _markdown(quotes: tuple[str, ...] = DEFAULT_QUOTES) -> MarkdownIt:
    # CommonMark with raw HTML off: content is data, never markup. "Straight quotes" become
    # the language's quotation marks.
    parser = MarkdownIt("commonmark", {"html": False, "typographer": True, "quotes": list(quotes)}).enable(
        ["replacements", "smartquotes"])
    parser.inline.ruler.before("link", "language_span", _language_span)
    parser.validateLink = _allowed_link
    parser.core.ruler.push("written_links", _unlink)
    return parser


#: `[菅義偉]{lang=ja}`: a word or passage in another language than the brief's.
_LANGUAGE_SPAN = re.compile(r"\[([^\[\]\n]+)\]\{lang=([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\}")


def _language_span(state: Any, silent: bool) -> bool:
    """The inline form `[text]{lang=xx}`: `text` (Markdown) in a span with that language."""
    if state.src[state.pos] != "[":
        return False
    match = _LANGUAGE_SPAN.match(state.src, state.pos)
    if match is None or match.end() > state.posMax:
        return False
    if not silent:
        token = state.push("language_open", "span", 1)
        token.attrs = {"lang": match.group(2), **({"dir": "rtl"} if direction(match.group(2)) == "rtl" else {})}
        saved = state.posMax
        state.pos, state.posMax = match.start(1), match.end(1)
        state.md.inline.tokenize(state)
        state.posMax = saved
        state.push("language_close", "span", -1)
    state.pos = match.end()
    return True


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


def _quotes(context: Any) -> tuple[str, ...]:
    labels = context.get("labels") if context is not None else None
    return tuple(labels.quotes) if labels is not None else DEFAULT_QUOTES


def _language(context: Any) -> str:
    meta = context.get("meta") if context is not None else None
    return meta.language if meta is not None else "en"


def markdown(text: str, quotes: tuple[str, ...] = DEFAULT_QUOTES) -> Markup:
    """Markdown prose as HTML paragraphs, with `quotes` as its quotation marks."""
    return Markup(_markdown(quotes).render(text))


def markdown_inline(text: str, quotes: tuple[str, ...] = DEFAULT_QUOTES) -> Markup:
    """Markdown within one line (emphasis, links, code) as HTML without a paragraph."""
    return Markup(_markdown(quotes).renderInline(text))


@pass_context
def _markdown_filter(context: Any, text: str) -> Markup:
    return markdown(text, _quotes(context))  # the marks of the brief's language


@pass_context
def _markdown_inline_filter(context: Any, text: str) -> Markup:
    return markdown_inline(text, _quotes(context))


@pass_context
def long_date(context: Any, value: dt.date | PartialDate | None) -> str:
    """A date as the brief's language writes it (CLDR, through Babel): 28 February 2021,
    28 février 2021, 2021년 2월 28일; a partial date as its month and year, or its year."""
    return format_date(value, _language(context))


def lang_attr(tag: str | None) -> Markup:
    """` lang="ja"` (and ` dir="rtl"` for a right-to-left language) for an element in another
    language than the brief's; nothing for None."""
    if not tag:
        return Markup("")
    attrs = f' lang="{escape(tag)}"'
    if direction(tag) == "rtl":
        attrs += ' dir="rtl"'
    return Markup(attrs)


def text(value: str | None) -> Markup:
    """A plain text field (a title, a name) escaped, with its `[菅義偉]{lang=ja}` spans marked up."""
    if not value:
        return Markup("")
    return Markup(_LANGUAGE_SPAN.sub(lambda m: f"<span{lang_attr(m.group(2))}>{m.group(1)}</span>",
                                     str(escape(value))))


def plain(value: str | None) -> str:
    """A plain text field without its `[…]{lang=…}` marks, for metadata and running heads."""
    return _LANGUAGE_SPAN.sub(lambda m: m.group(1), value or "")


FILTERS = {"markdown": _markdown_filter, "markdown_inline": _markdown_inline_filter, "long_date": long_date,
           "date": long_date, "lang_attr": lang_attr,
           "text": text, "plain": plain}
