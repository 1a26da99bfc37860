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
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Problem
from .formats import Positions
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
    return sorted(warnings, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


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
            from ..render.html import written_link

            if not written_link(href):
                warn(loc, "link_not_written", f"link to {href!r} is shown as text without the link: only http, https, "
                          "mailto and #anchor links are written into the PDF")


def _strings(value: Any, loc: tuple[Any, ...]) -> Any:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))


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

    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = lambda url: True  # see every link, even those the renderer keeps as text
    return parser


def _earliest(date: PartialDate) -> dt.date:
    return dt.date(date.year, date.month or 1, date.day or 1)
