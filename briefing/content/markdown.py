"""The Markdown of a brief's prose: one parser, which the checks read and the render step writes out.

CommonMark with raw HTML off: content is data, never markup. Straight quotes become
the language's quotation marks; `[text]{lang=xx}` marks a passage in another language;
only http, https, mailto and #anchor links are written (`written_link`), others keep
their text without the link. The checks (`content.review`) parse with the very parser
that renders, so what they find is what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

DEFAULT_QUOTES = ("“", "”", "‘", "’")


@lru_cache(maxsize=16)
def parser(quotes: tuple[str, ...] = DEFAULT_QUOTES,
           direction: Callable[[str], str] | None = None) -> MarkdownIt:
    """The Markdown parser with `quotes` as its quotation marks; `direction(tag)` ("rtl" or "ltr")
    gives a passage marked with a right-to-left language its `dir` (the render step knows how)."""
    parser = MarkdownIt("commonmark", {"html": False, "typographer": True, "quotes": list(quotes)}).enable(
        ["replacements", "smartquotes"])
    parser.inline.ruler.before("link", "language_span", _language_span_rule(direction))
    parser.validateLink = _allowed_link
    parser.core.ruler.push("written_links", _unlink)
    return parser


#: `[菅義偉]{lang=ja}`: a word or passage in another language than the brief's.
LANGUAGE_SPAN = re.compile(r"\[([^\[\]\n]+)\]\{lang=([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\}")


def _language_span_rule(direction: Callable[[str], str] | None) -> Callable[[Any, bool], bool]:
    def language_span(state: Any, silent: bool) -> bool:
        """The inline form `[text]{lang=xx}`: `text` (Markdown) in a span with that language."""
        if state.src[state.pos] != "[":
            return False
        match = LANGUAGE_SPAN.match(state.src, state.pos)
        if match is None or match.end() > state.posMax:
            return False
        if not silent:
            token = state.push("language_open", "span", 1)
            rtl = direction is not None and direction(match.group(2)) == "rtl"
            token.attrs = {"lang": match.group(2), **({"dir": "rtl"} if rtl else {})}
            saved = state.posMax
            state.pos, state.posMax = match.start(1), match.end(1)
            state.md.inline.tokenize(state)
            state.posMax = saved
            state.push("language_close", "span", -1)
        state.pos = match.end()
        return True

    return language_span


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
