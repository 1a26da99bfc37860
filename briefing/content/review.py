"""Checks an editor would make: provenance and house rules.

Two kinds live here. `reference_problems` finds citations of sources that do
not exist in plain, not yet validated data, so that a file with other errors
still gets them reported in the same run (the models reject them too).
`review` looks at a valid `Brief` and returns warnings — things that are
allowed but probably wrong — each located like an error. Warnings never stop
a build unless the user asks for `--strict`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Problem
from .formats import Positions
from .markdown import parser, written_link
from .models import CITING, QUOTE_WITHOUT_SOURCE, SHORTHAND_LISTS, Brief, PartialDate, unknown_source

#: Key takeaways: how many, and how many words together, before the editor complains.
TAKEAWAYS_MIN, TAKEAWAYS_MAX, TAKEAWAYS_WORDS = 2, 5, 150

_WORD = re.compile(r"[\w’'-]+")


def reference_problems(data: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """(loc, kind, message) for every `source` in plain brief data that names no listed source,
    and every quote without a source."""
    if not isinstance(data, dict):
        return []
    sources = data.get("sources")
    known = ({entry["id"] for entry in sources if isinstance(entry, dict) and isinstance(entry.get("id"), str)}
             if isinstance(sources, list) else set())
    found = []
    for section_name, fields in CITING.items():
        section = data.get(section_name)
        if isinstance(section, list) and section_name in SHORTHAND_LISTS:
            section = {SHORTHAND_LISTS[section_name]: section}
        if not isinstance(section, dict):
            continue
        for field_name in fields:
            items = section.get(field_name)
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                source = item.get("source") if isinstance(item, dict) else None
                if field_name == "proposals" and isinstance(item, dict) and item.get("quote") is not None \
                        and source is None:
                    found.append(((section_name, field_name, index, "source"), "quote_without_source",
                                  QUOTE_WITHOUT_SOURCE))
                if isinstance(source, str) and source not in known:
                    found.append(((section_name, field_name, index, "source"), "unknown_source",
                                  unknown_source(source, known)))
    return found


def review(brief: Brief, path: Path | str = "<brief>", positions: Positions | None = None) -> list[Problem]:
    """Warnings about a valid brief, located where `positions` knows the fields."""
    positions = positions or Positions()
    warnings: list[Problem] = []

    def warn(loc: tuple[Any, ...], code: str, message: str) -> None:
        line, column = positions.locate(loc)
        warnings.append(Problem(path, message, field=".".join(map(str, loc)), line=line, column=column,
                                code=code, severity="warning"))

    _takeaways(brief, warn)
    _uncited_sources(brief, warn)
    _order(brief, warn)
    _dates(brief, warn)
    _links(brief, warn)
    _word_budget(brief, warn)
    _prose_marks(brief, warn)
    _publication(brief, warn)
    return sorted(warnings, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


def glyph_problems(brief: Brief, positions: Positions | None, path: Path | str,
                   missing: Iterable[str]) -> list[Problem]:
    """A warning for each content field holding characters that no installed font could draw
    (`PrintedBrief.missing_glyphs`), naming them and the package that draws them.

    Characters that no field holds came from the layout's own wording in the brief's
    language; they are reported at `meta.language`.
    """
    missing = list(dict.fromkeys(missing))
    if not missing:
        return []
    positions = positions or Positions()
    problems: list[Problem] = []
    placed: set[str] = set()
    for loc, text in _strings(brief.model_dump(exclude_defaults=False)):
        found = [char for char in missing if char in text]
        if found:
            placed.update(found)
            problems.append(_glyph_problem(path, positions, loc, found))
    if rest := [char for char in missing if char not in placed]:
        problems.append(_glyph_problem(path, positions, ("meta", "language"), rest,
                                       f"the layout's wording in {brief.meta.language!r}: "))
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


def _glyph_problem(path: Path | str, positions: Positions, loc: tuple[Any, ...], chars: list[str],
                   lead: str = "") -> Problem:
    line, column = positions.locate(loc)
    shown = ", ".join(chars[:12]) + (f" and {len(chars) - 12} more" if len(chars) > 12 else "")
    packages = ", ".join(dict.fromkeys(font_package(char) for char in chars))
    return Problem(path, f"{lead}no installed font can draw {shown} (install {packages})",
                   field=".".join(map(str, loc)), line=line, column=column, code="missing_glyphs",
                   severity="warning")


def font_package(char: str) -> str:
    """The Debian package whose fonts draw `char`: fonts-noto-cjk for Chinese, Japanese and
    Korean, fonts-noto-core (most other living scripts) otherwise."""
    name = unicodedata.name(char, "")
    if name.startswith(_CJK_NAMES) or "\u3000" <= char <= "\u30ff" or "\uff00" <= char <= "\uffef":
        return "fonts-noto-cjk"
    return "fonts-noto-core"


_CJK_NAMES = ("CJK", "HANGUL", "HIRAGANA", "KATAKANA", "BOPOMOFO", "IDEOGRAPHIC", "KANGXI", "HALFWIDTH",
              "FULLWIDTH")


def _strings(value: Any, loc: tuple[Any, ...] = ()) -> Iterable[tuple[tuple[Any, ...], str]]:
    """Every text in the brief's data, with where it stands."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))


def words(text: str) -> int:
    """Words as a reader counts them (Markdown marks are not words)."""
    return len(_WORD.findall(re.sub(r"[*_`#>\[\]()]", " ", text)))


def _takeaways(brief: Brief, warn: Any) -> None:
    count = len(brief.summary)
    if not TAKEAWAYS_MIN <= count <= TAKEAWAYS_MAX:
        warn(("summary",), "too_many_takeaways", f"{count} key takeaway{'s' if count != 1 else ''}; a brief reads best with "
                           f"{TAKEAWAYS_MIN} to {TAKEAWAYS_MAX}")
    total = sum(words(item) for item in brief.summary)
    if total > TAKEAWAYS_WORDS:
        warn(("summary",), "long_takeaways", f"key takeaways run to {total} words together; keep them to about "
                           f"{TAKEAWAYS_WORDS} so they fit the first page")


def _uncited_sources(brief: Brief, warn: Any) -> None:
    cited = {source_id for _, source_id in brief.citations()}
    for index, source in enumerate(brief.sources):
        if source.id not in cited:
            warn(("sources", index, "id"), "uncited_source", f"source {source.id!r} is never cited")


def _publication(brief: Brief, warn: Any) -> None:
    """A brief published on the web or under a DOI says who may reuse it, and where each author works."""
    meta = brief.meta
    published_as = "doi" if meta.doi else "url" if meta.url else None
    if published_as is None:
        return
    how = "a DOI" if published_as == "doi" else "a url"
    if meta.licence is None:
        warn(("meta", published_as), "published_without_licence",
             f"the brief is published ({how}) but names no licence: set meta.licence to an SPDX id such as "
             "CC-BY-4.0, or to all-rights-reserved, so readers know what they may do with it")
    for index, author in enumerate(meta.authors):
        if author.affiliation is None:
            warn(("meta", "authors", index, "name"), "author_without_affiliation",
                 f"author {author.name!r} of a published brief ({how}) has no affiliation: "
                 "readers and indexes credit the institution too")


def _order(brief: Brief, warn: Any) -> None:
    lists = [(("background", "timeline"), brief.background.timeline)]
    if brief.legal_deadlock is not None:
        lists += [(("legal_deadlock", "agreements"), brief.legal_deadlock.agreements),
                  (("legal_deadlock", "rulings"), brief.legal_deadlock.rulings)]
    for loc, items in lists:
        for index in range(1, len(items)):
            before, after = items[index - 1].date, items[index].date
            if _earliest(after) < _earliest(before):
                warn((*loc, index, "date"), "out_of_order", f"{after} comes after {before} in the list; "
                                            "dates should run oldest first")


def _dates(brief: Brief, warn: Any) -> None:
    published = brief.meta.date
    for index, source in enumerate(brief.sources):
        if source.date is not None and _earliest(source.date) > published:
            warn(("sources", index, "date"), "source_after_brief", f"source is dated {source.date}, after the brief "
                                             f"itself ({published.isoformat()})")


def _links(brief: Brief, warn: Any) -> None:
    """Markdown links that the PDF will show as text only: anything but http, https, mailto and #anchor."""
    for loc, text in _strings(brief.model_dump(mode="python", by_alias=True), ()):
        if "](" not in text and "<" not in text and "]:" not in text:
            continue
        for href in _link_targets(text):
            if not written_link(href):
                warn(loc, "link_not_written", f"link to {href!r} is shown as text without the link: only http, https, "
                          "mailto and #anchor links are written into the PDF")


def _link_targets(text: str) -> list[str]:
    """The target of every Markdown link in `text`, as the renderer's parser reads them."""
    found = []
    for block in _link_parser().parse(text):
        for token in block.children or ():
            if token.type == "link_open":
                found.append(str(token.attrGet("href") or ""))
    return found


@lru_cache(maxsize=1)
def _link_parser() -> Any:
    from markdown_it import MarkdownIt

    reader = MarkdownIt("commonmark", {"html": False})
    reader.validateLink = lambda url: True  # see every link, even those the renderer keeps as text
    return reader


def _earliest(date: PartialDate) -> dt.date:
    return dt.date(date.year, date.month or 1, date.day or 1)


#: Top-level parts whose words count towards `meta.word_budget`, as a reader meets them.
COUNTED = {"summary": "Key takeaways", "background": "Background", "legal_deadlock": "Legal deadlock",
           "expert_proposals": "Expert proposals", "outlook": "Outlook"}
#: Link text that says nothing about where the link goes (WCAG 2.2 SC 2.4.4).
VAGUE_LINKS = {"click here", "click", "here", "read more", "more", "learn more", "this link", "link", "this",
               "this page", "go", "details", "more info", "see here", "website", "source"}


def prose(brief: Brief) -> list[tuple[tuple[Any, ...], str]]:
    """Every text a reader reads in the summary and the sections, with where it stands."""
    found: list[tuple[tuple[Any, ...], str]] = []

    def walk(value: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(value, str):
            found.append((loc, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("source", "date"):
                    walk(item, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    data = brief.model_dump(mode="json", exclude_none=True)
    for part in COUNTED:
        if data.get(part) is not None:
            walk(data[part], (part,))
    return found


def _word_budget(brief: Brief, warn: Any) -> None:
    budget = brief.meta.word_budget
    if budget is None:
        return
    counts: dict[str, int] = {}
    for loc, text in prose(brief):
        counts[loc[0]] = counts.get(loc[0], 0) + words(text)
    total = sum(counts.values())
    if total > budget:
        parts = ", ".join(f"{COUNTED[part]} {count:,}" for part, count in counts.items())
        warn(("meta", "word_budget"), "word_budget", f"the brief runs to {total:,} words, {total - budget:,} over "
             f"its budget of {budget:,} ({parts}) — the publisher's limit; fix: cut the longest sections, or "
             "raise meta.word_budget")


def _prose_marks(brief: Brief, warn: Any) -> None:
    """Images without alt text and links whose text says nothing, in the Markdown of the prose."""
    titles = {source.url.rstrip("/"): source.title for source in brief.sources if source.url}
    for loc, text in prose(brief):
        if "](" not in text and "<" not in text:
            continue
        for token in parser().parseInline(text):
            children = token.children or []
            for index, child in enumerate(children):
                if child.type == "image" and not child.content.strip():
                    src = child.attrGet("src")
                    warn(loc, "image_without_alt", f"the image {src!r} has no alt text — readers who cannot see it "
                                                   "hear nothing (WCAG 2.2 SC 1.1.1; Matterhorn 13-004); fix: write "
                                                   f"what it shows between the brackets, ![…]({src})")
                if child.type != "link_open":
                    continue
                href = str(child.attrGet("href") or "")
                label = _link_label(children, index)
                if label.strip().lower().strip(".:!") in VAGUE_LINKS:
                    warn(loc, "vague_link", f"the link text “{label.strip()}” says nothing about where it goes — "
                                            "a link read out of context must say so (WCAG 2.2 SC 2.4.4); "
                                            "fix: name the page or document in the link text")
                elif _looks_like_url(label) and href.rstrip("/") in titles:
                    warn(loc, "bare_url_link", f"the link shows the bare address {label.strip()!r} though its title is "
                                               "known — an address read aloud says little (WCAG 2.2 SC 2.4.4); "
                                               f"fix: write [{titles[href.rstrip('/')]}]({href}), or cite the source")


def _link_label(children: list[Any], start: int) -> str:
    label, depth = [], 0
    for item in children[start + 1:]:
        if item.type == "link_close" and depth == 0:
            break
        if item.type == "link_open":
            depth += 1
        elif item.type == "link_close":
            depth -= 1
        elif item.type in ("text", "code_inline"):
            label.append(item.content)
    return "".join(label)


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^\s*(https?://|www\.)\S+\s*$", text))
