"""Revisions for the reader: the changes since an earlier version, as sentences in the brief's language.

`changes_box` turns a `Diff` (see briefing/content/diff.py) into the lines of the "What changed
in this version" box: where each change stands (a link to it), and what happened there — a
figure with its old and new value, a corrected quote, a part added, removed, revised or moved.
The words come from the `revisions` entry of labels.yaml for the brief's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from ..content.diff import Change, Diff
from ..content.models import Agreement, Brief, Event, Figure, Position, Proposal, Ruling
from .language import layout_labels, section_title, translations, wording

#: The list fields whose items the box names, with the model of their items.
ITEMS = {"timeline": Event, "figures": Figure, "positions": Position, "agreements": Agreement,
         "rulings": Ruling, "proposals": Proposal}
#: Parts of the brief a reader is not told about: the facts of the edition itself, and the layout's words.
UNTOLD = {"meta", "labels", "attachments"}
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class ChangeLine:
    """One line of the changes box: where (with the anchor it links to, if it still stands) and what."""

    where: str
    what: str
    anchor: str | None = None


def revision_words(brief: Brief) -> dict[str, str]:
    """The box's and the history's words in the brief's language (English where a word is missing)."""
    return {**translations()["en"]["revisions"], **wording(brief.meta.language).get("revisions", {})}


def loc_of(path: str) -> tuple[Any, ...]:
    """`expert_proposals.proposals[2].quote` as ("expert_proposals", "proposals", 2, "quote")."""
    return tuple(int(index) if index else name for name, index in _STEP.findall(path))


def changes_box(found: Diff, brief: Brief, old: Brief | None = None, *,
                item_label: Callable[[Brief, str, Any], tuple[str, str]]) -> list[ChangeLine]:
    """The lines of the changes box for the changes `found` from `old` to `brief`; `item_label`
    names an item of a list (the group it is in, and its own short name), as the sources' index does."""
    words = revision_words(brief)
    lines: dict[tuple[str, str | None], list[str]] = {}
    for change in found.changes:
        loc = loc_of(change.path)
        if not loc or loc[0] in UNTOLD:
            continue
        where, anchor = _where(loc, brief if change.kind != "removed" else old, change, words, item_label)
        what = _what(change, loc, words)
        said = lines.setdefault((where, anchor), [])
        if what not in said:
            said.append(what)
    return [ChangeLine(where, "; ".join(what), anchor) for (where, anchor), what in lines.items()]


def _what(change: Change, loc: tuple[Any, ...], words: dict[str, str]) -> str:
    if change.kind != "changed":
        return words[change.kind]
    if loc[-1] == "value" and "figures" in loc:
        return f"{change.after} ({words['was']} {change.before})"
    if loc[-1] == "quote":
        return words["quote"]
    return words["changed"]


def _where(loc: tuple[Any, ...], brief: Brief | None, change: Change, words: dict[str, str],
           item_label: Callable[[Brief, str, Any], tuple[str, str]]) -> tuple[str, str | None]:
    """The name a reader knows the changed part by (in `brief`, the old one for a removal), and its anchor."""
    if brief is None:  # a removal given without the old brief: name it by its path
        return change.path, None
    labels = layout_labels(brief)
    head = loc[0]
    if head == "summary":
        number = loc[1] + 1 if len(loc) > 1 else 1
        anchor = f"takeaway-{loc[1]}" if change.kind != "removed" and len(loc) > 1 else None
        return f"{words['takeaway']} {number}", anchor
    if head == "sources":
        if len(loc) > 1 and loc[1] < len(brief.sources):
            source = brief.sources[loc[1]]
            anchor = f"source-{source.id}" if change.kind != "removed" else None
            return f"{labels.sources}: {_short(source.title)}", anchor
        return labels.sources, None
    section = getattr(brief, head, None)
    title = section_title(brief, head) if section is not None else head
    anchor = head.replace("_", "-") if change.kind != "removed" else None
    if len(loc) >= 3 and isinstance(loc[2], int) and loc[1] in ITEMS and section is not None:
        items = getattr(section, loc[1])
        if loc[2] < len(items):
            group, label = item_label(brief, loc[1], items[loc[2]])
            if loc[1] == "figures":  # a figure is known by what it measures: its value may be what changed
                label = _short(items[loc[2]].label)
            item_anchor = f"{head}-{loc[1]}-{loc[2]}" if change.kind != "removed" else None
            return f"{group}: {label}", item_anchor
    if len(loc) >= 3 and loc[1] == "signposts" and isinstance(loc[2], int):
        return f"{labels.signposts} {loc[2] + 1}", anchor
    return title, anchor


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
