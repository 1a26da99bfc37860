"""Render: turn a `Brief` into HTML through the theme's Jinja2 templates.

Templates only present. Everything they show is prepared here: the sections
in order, source numbers, and for each source the places that cite it.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape as html_unescape
from urllib.parse import quote
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .. import __version__
from ..content.markdown import DEFAULT_QUOTES, LANGUAGE_SPAN, LINK_SCHEMES, parser, written_link  # noqa: F401
from ..content.diff import Diff
from ..content.models import Brief, PartialDate
from .charts import chart_views, chart_words
from .language import direction, format_date, layout_labels, section_title
from .typography import CJK_LANGUAGES, pair_quotes, set_type
from .citation import source_entries
from .publication import back_matter, citation_tags, json_ld
from .environment import ThemeInfo, environment, render_template  # noqa: F401 - environment kept for callers
from ..sandbox import workers
from ..themes.theme import SECTION_KINDS, Theme, load_theme

workers.declare("rendering", (__name__,))  # a rendering worker imports this module first

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


@dataclass(frozen=True)
class WebPage:
    """What only the web edition shows (`web` in the templates; None when printing): a skip link,
    the table of contents, a footer, a link to the PDF beside the page, metadata for link previews."""

    pdf: str | None = None
    """The file name of the PDF built with the page, in the same folder; None: no link."""
    description: str = ""

    @property
    def pdf_href(self) -> str | None:
        return quote(self.pdf) if self.pdf else None


def render_html(brief: Brief, theme: Theme | None = None, web: WebPage | None = None, *,
                changes: Diff | None = None, previous: Brief | None = None, redline: Diff | None = None) -> str:
    """The brief as a complete HTML document, ready for printing; with `web`, its web edition.

    With `changes` (a `Diff` from `previous` to `brief`), the "What changed in this version" box
    follows the key takeaways. With `redline` (a `Diff` from `previous` to `brief`), the document is
    a review copy: inserted words underlined, deleted words struck, a legend, "review copy" in the
    running header."""
    from .redline import mark_up, redlined

    theme = theme or load_theme()
    entry = ENTRY if theme.find(ENTRY) else "base.html.j2"
    if redline is None:
        return set_type(render_template(theme, entry, context(brief, theme, web, changes=changes,
                                                              previous=previous), filters=FILTERS))
    if previous is None:
        raise ValueError("a review copy (redline=) needs the earlier brief as previous=")
    shown = context(redlined(previous, brief, redline), theme, web)
    shown["changes"] = context(brief, theme, web, changes=changes, previous=previous)["changes"] if changes else None
    shown["review"] = shown["revision_words"]
    return mark_up(set_type(render_template(theme, entry, shown, filters=FILTERS)))


def web_page(brief: Brief, pdf: str | None = None) -> WebPage:
    """The web edition's details: the PDF's name, and a description (the subtitle, else the first takeaway)."""
    if brief.meta.subtitle:
        description = plain(brief.meta.subtitle)
    else:
        first = brief.summary[0] if brief.summary else ""
        description = re.sub(r"<[^>]*>", "", _markdown().renderInline(plain(first)))
        description = html_unescape(description)
    return WebPage(pdf=pdf, description=" ".join(description.split()))


def context(brief: Brief, theme: Theme | None = None, web: WebPage | None = None, *,
            changes: Diff | None = None, previous: Brief | None = None) -> dict[str, Any]:
    """The variables every template receives."""
    from .revisions import changes_box, revision_words

    shown = theme.sections if theme is not None else SECTION_KINDS
    labels = layout_labels(brief)
    citation_style = theme.citation_style if theme is not None else None  # the brief's own wins
    return {
        "changes": changes_box(changes, brief, previous, item_label=_citation_label) if changes is not None else None,
        "revision_words": revision_words(brief),
        "review": None,  # a review copy's words (render_html(..., redline=)): the legend and running header
        "web": web,
        "brief": brief,
        "meta": brief.meta,
        "labels": labels,
        "direction": direction(brief.meta.language),
        "sections": [Section(kind, kind.replace("_", "-"), getattr(brief, kind), section_title(brief, kind))
                     for kind in SECTION_KINDS if getattr(brief, kind) is not None and kind in shown],
        "sources": {source.id: source for source in brief.sources},
        "source_number": {source.id: number for number, source in enumerate(brief.sources, 1)},
        "cited_by": _cited_by(brief, shown),
        "charts": chart_views(brief, theme, shown, printing=web is None),
        "theme": ThemeInfo.of(theme),
        "version": __version__,
        "source_entries": source_entries(brief, default=citation_style),
        "back_matter": back_matter(brief, labels, citation_style),
        "citation_tags": citation_tags(brief),
        "json_ld": json_ld(brief),
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


@lru_cache(maxsize=16)
def _markdown(quotes: tuple[str, ...] = DEFAULT_QUOTES, language: str = "") -> MarkdownIt:
    # The content's Markdown parser, with the language's quotation marks paired as it writes them.
    return parser(quotes, direction, pair_quotes(language))


def _quotes(context: Any) -> tuple[str, ...]:
    labels = context.get("labels") if context is not None else None
    return tuple(labels.quotes) if labels is not None else DEFAULT_QUOTES


def _language(context: Any) -> str:
    meta = context.get("meta") if context is not None else None
    return meta.language if meta is not None else "en"


def markdown(text: str, quotes: tuple[str, ...] = DEFAULT_QUOTES, language: str = "") -> Markup:
    """Markdown prose as HTML paragraphs, with `quotes` as its quotation marks, paired as
    `language` pairs them."""
    return Markup(_markdown(quotes, _quote_rules(language)).render(text))


def markdown_inline(text: str, quotes: tuple[str, ...] = DEFAULT_QUOTES, language: str = "") -> Markup:
    """Markdown within one line (emphasis, links, code) as HTML without a paragraph."""
    return Markup(_markdown(quotes, _quote_rules(language)).renderInline(text))


def _quote_rules(language: str) -> str:
    """The part of a language tag that decides how quotes pair (one parser per kind, not per tag)."""
    base = language.lower().split("-")[0]
    return base if base in CJK_LANGUAGES or base == "he" else ""


@pass_context
def _markdown_filter(context: Any, text: str) -> Markup:
    return markdown(text, _quotes(context), _language(context))  # the marks of the brief's language


@pass_context
def _markdown_inline_filter(context: Any, text: str) -> Markup:
    return markdown_inline(text, _quotes(context), _language(context))


@pass_context
def long_date(context: Any, value: dt.date | PartialDate | None) -> str:
    """A date as the brief's language writes it (CLDR, through Babel): 28 February 2021,
    28 février 2021, 2021년 2월 28일; a partial date as its month and year, or its year."""
    return format_date(value, _language(context))


def lang_attr(tag: str | None) -> Markup:
    """` lang="ja" dir="ltr"` for an element in another language than the brief's; nothing for
    None. The direction keeps a Latin title whole inside right-to-left text (and the other way
    round): "What next?" does not become "?What next"."""
    if not tag:
        return Markup("")
    return Markup(f' lang="{escape(tag)}" dir="{direction(tag)}"')


def text(value: str | None) -> Markup:
    """A plain text field (a title, a name) escaped, with its `[菅義偉]{lang=ja}` spans marked up."""
    if not value:
        return Markup("")
    return Markup(LANGUAGE_SPAN.sub(lambda m: f"<span{lang_attr(m.group(2))}>{m.group(1)}</span>",
                                     str(escape(value))))


def plain(value: str | None) -> str:
    """A plain text field without its `[…]{lang=…}` marks, for metadata and running heads."""
    return LANGUAGE_SPAN.sub(lambda m: m.group(1), value or "")


FILTERS = {"markdown": _markdown_filter, "markdown_inline": _markdown_inline_filter, "long_date": long_date,
           "date": long_date, "lang_attr": lang_attr,
           "text": text, "plain": plain}
