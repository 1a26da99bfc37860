"""Diff: what changed between two versions of a brief, by meaning.

Two validated `Brief`s are compared part by part. Items of a list are matched by
what they are, not where they stand: proposals by expert, timeline events by date,
agreements by date and name, rulings by date and court, sources by id, figures by
label, positions by party, takeaways and other prose by similarity. Each difference
is one `Change` — `added`, `removed`, `changed` or `moved` — with its content path,
the line and column where it stands (in the new file, or the old one for a removal)
and, for text, a word-level diff that keeps Markdown markup whole.

Since the comparison is between validated briefs, nothing is reported for what does
not change the brief: formatting, key order, quoting, comments, the content format,
or a section written as a plain list.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..errors import BriefError, Problem
from .formats import Positions, kind_of, parse_text
from .load import as_written, parse, validate
from .models import Brief, PartialDate
from .source import MAX_CONTENT_BYTES

Kind = Literal["added", "removed", "changed", "moved"]
#: Two items whose text is at least this similar (difflib's ratio) are taken for one item, edited.
SIMILAR = 0.5


class Piece(BaseModel):
    """A run of words of a text diff: kept, inserted or deleted."""

    model_config = ConfigDict(frozen=True)

    op: Literal["equal", "insert", "delete"]
    text: str


class Change(BaseModel):
    """One difference between the old and the new brief."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    path: str
    """The content path, such as `expert_proposals.proposals[2]`: in the new brief, or the old one
    for a removal."""
    old_path: str | None = None
    """Where the part stood in the old brief, when that differs from `path` (a move, a shifted item)."""
    file: str | None = None
    """The file `line` and `column` are in: the new file, or the old one for a removal."""
    line: int | None = None
    column: int | None = None
    before: Any = None
    """The old value (a text, a date as written in ISO form, or an item as plain data); None when added."""
    after: Any = None
    """The new value; None when removed."""
    diff: list[Piece] | None = None
    """For a changed text, the word-level diff from `before` to `after`."""
    renamed: bool = False
    """A source's `id` that changed while the source stayed the same: its citations follow it."""


class Diff(BaseModel):
    """Every change from `old` to `new`, in the order of the new brief."""

    model_config = ConfigDict(frozen=True)

    old: str
    new: str
    changes: list[Change]

    @property
    def same(self) -> bool:
        return not self.changes


@dataclass
class Version:
    """A validated brief with where its parts stand, to compare."""

    brief: Brief
    name: str = "<brief>"
    positions: Positions = field(default_factory=Positions)
    data: Any = None
    """The data as written, to locate parts of a section written in a shorthand form."""

    def locate(self, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
        return self.positions.locate(as_written(loc, self.data))


def read_version(path: str | Path, text: str | None = None, *, name: str | None = None,
                 max_bytes: int = MAX_CONTENT_BYTES) -> Version:
    """The brief in `path` (or `text`, the contents `path` had, such as at a git revision), validated."""
    path = Path(path)
    if text is None:
        parsed = parse(path, max_bytes=max_bytes)
    else:
        kind = kind_of(path)
        if kind is None:
            raise BriefError([Problem(path, f"unknown content format {path.suffix!r}")])
        parsed = parse_text(text, name or str(path), kind)
    shown = Path(name) if name else path
    brief = validate(parsed.data, shown, parsed.positions, problems=parsed.problems, format=parsed.format)
    return Version(brief, str(shown), parsed.positions, parsed.data)


#: Seconds `git show` may take to give a revision of a content file.
GIT_TIMEOUT = 10.0


def read_revision(path: str | Path, revision: str, *, max_bytes: int = MAX_CONTENT_BYTES,
                  timeout: float = GIT_TIMEOUT) -> Version:
    """The brief in `path` as it stood at git `revision`, read with `git show` (nothing is checked out)."""
    import os
    import subprocess

    path = Path(path)
    name = f"{path}@{revision}"
    if not revision or revision.startswith("-") or any(ch in revision for ch in "\0\n:"):
        raise BriefError([Problem(path, f"{revision!r} is not a git revision", field="--since")])
    folder = path.parent if str(path.parent) else Path(".")
    try:
        shown = subprocess.run(["git", "-C", str(folder), "show", f"{revision}:./{path.name}"],
                               capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL,
                               env={**os.environ, "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0",
                                    "GIT_OPTIONAL_LOCKS": "0"})
    except FileNotFoundError:
        raise BriefError([Problem(path, "--since needs git, which is not installed")]) from None
    except subprocess.TimeoutExpired:
        raise BriefError([Problem(path, f"git show {revision} took longer than {timeout:g} s")]) from None
    if shown.returncode != 0:
        said = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        first = said[0].removeprefix("fatal: ") if said else f"git exited with status {shown.returncode}"
        if "not a git repository" in first:
            first = "is not in a git repository, so --since cannot read an earlier version"
        else:
            first = f"cannot read it at revision {revision!r}: {first}"
        raise BriefError([Problem(path, first, field="--since")])
    if len(shown.stdout) > max_bytes:
        raise BriefError([Problem(name, f"is larger than the {max_bytes} bytes a content file may have",
                                  code="too_large")])
    try:
        text = shown.stdout.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefError([Problem(name, f"cannot read: {error}")]) from None
    return read_version(path, text, name=name)


def diff(old: str | Path | Brief | Version, new: str | Path | Brief | Version) -> Diff:
    """The changes from `old` to `new`: each a content file, a `Brief` or a `Version`.

    A file that does not load raises `BriefError` with its located problems."""
    before, after = _version(old, "old"), _version(new, "new")
    return Diff(old=before.name, new=after.name, changes=_Comparison(before, after).run())


def _version(value: Any, name: str) -> Version:
    if isinstance(value, Version):
        return value
    if isinstance(value, Brief):
        return Version(value, f"<{name}>")
    return read_version(value)


# Matching -------------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """An item as one text, to measure how alike two items are."""
    if isinstance(value, BaseModel):
        return " ".join(_text(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, (list, tuple)):
        return " ".join(_text(item) for item in value)
    return "" if value is None else str(value)


def _similarity(a: Any, b: Any) -> float:
    return difflib.SequenceMatcher(None, _text(a), _text(b), autojunk=False).ratio()


#: What makes an item the same item in two versions, by the model's name (or the list's field).
IDENTITY: dict[str, Any] = {
    "Proposal": lambda item: item.expert.name,
    "Expert": lambda item: item.name,
    "Author": lambda item: item.name,
    "Event": lambda item: (str(item.date), item.event),
    "Agreement": lambda item: (str(item.date), item.name),
    "Ruling": lambda item: (str(item.date), item.court),
    "Source": lambda item: item.id,
    "Figure": lambda item: item.label,
    "Chart": lambda item: getattr(item, "title", None) or getattr(item, "label", None),
    "Position": lambda item: item.party,
    "Signpost": lambda item: item.item,
    "Attachment": lambda item: item.path,
    "Revision": lambda item: item.version,
}
#: Lists whose items are only ever the same when equal (keywords): never paired by similarity.
EXACT = {"keywords"}
#: Lists where position is meaning (the quotation marks): compared place by place.
POSITIONAL = {"quotes"}
#: Fields that name a source: compared through the renames of sources.
CITES = {"source"}


def _identity(item: Any) -> Any:
    key = IDENTITY.get(type(item).__name__)
    return key(item) if key is not None else item


def match(old: list[Any], new: list[Any], *, similar: bool = True,
          identity: Any = _identity) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the same item: equal identities first, in order, then the
    most alike of what is left, most alike first, if at least `SIMILAR` alike."""
    pairs: list[tuple[int, int]] = []
    waiting: dict[Any, list[int]] = {}
    for index, item in enumerate(old):
        waiting.setdefault(_hashable(identity(item)), []).append(index)
    left_new = []
    for index, item in enumerate(new):
        found = waiting.get(_hashable(identity(item)))
        if found:
            pairs.append((found.pop(0), index))
        else:
            left_new.append(index)
    left_old = sorted(index for indices in waiting.values() for index in indices)
    if similar and left_old and left_new:
        scores = sorted(((_similarity(old[i], new[j]), i, j) for i in left_old for j in left_new),
                        key=lambda score: (-score[0], score[1], score[2]))
        taken_old: set[int] = set()
        taken_new: set[int] = set()
        for score, i, j in scores:
            if score < SIMILAR:
                break
            if i not in taken_old and j not in taken_new:
                pairs.append((i, j))
                taken_old.add(i)
                taken_new.add(j)
    return sorted(pairs, key=lambda pair: pair[1])


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def moved(pairs: list[tuple[int, int]]) -> set[int]:
    """The new indices of the pairs that left their order: all but a longest run in the old order."""
    olds = [i for i, _ in pairs]  # pairs are in the new order
    tails: list[int] = []  # patience sorting for the longest increasing subsequence
    previous: list[int] = [-1] * len(olds)
    tail_at: list[int] = []
    for position, value in enumerate(olds):
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if tails[middle] < value:
                low = middle + 1
            else:
                high = middle
        if low == len(tails):
            tails.append(value)
            tail_at.append(position)
        else:
            tails[low] = value
            tail_at[low] = position
        previous[position] = tail_at[low - 1] if low else -1
    keep = set()
    position = tail_at[-1] if tail_at else -1
    while position >= 0:
        keep.add(position)
        position = previous[position]
    return {pairs[position][1] for position in range(len(pairs)) if position not in keep}


# Words ----------------------------------------------------------------------------------------------

#: A Markdown span kept whole (a link, code, emphasis), a run of CJK characters taken one by one,
#: or a word; each with the spaces after it.
_TOKEN = re.compile(r"""
    (?: (?: !?\[[^\]\n]*\]\([^)\n]*\)          # a link or image, whole
          | `[^`\n]+`                          # inline code
          | \*\*[^*\n]+\*\* | __[^_\n]+__         # strong
          | \*[^*\s][^*\n]*\* | (?<!\w)_[^_\s][^_\n]*_(?!\w)   # emphasis
        ) [^\s\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]*    # with the punctuation after it
      | [\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]        # a kana or ideograph
      | [^\s\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+    # a word
    )\s*
    | \s+""", re.VERBOSE)


def words(text: str) -> list[str]:
    """`text` cut into words with their trailing spaces, Markdown spans whole; joined, they are `text`."""
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> list[Piece]:
    """The word-level diff from `before` to `after`, as runs kept, deleted and inserted."""
    old, new = words(before), words(after)
    pieces: list[Piece] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op=op, text=pieces[-1].text + text)
        else:
            pieces.append(Piece(op=op, text=text))

    matcher = difflib.SequenceMatcher(None, [w.rstrip() for w in old], [w.rstrip() for w in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(new[j1:j2]))
        else:
            add("delete", "".join(old[i1:i2]))
            add("insert", "".join(new[j1:j2]))
    return pieces


# Comparing ------------------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """A value as JSON holds it: dates in ISO form, models as mappings."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, (PartialDate, dt.date)):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def dotted(loc: tuple[Any, ...]) -> str:
    """`("expert_proposals", "proposals", 2)` as `expert_proposals.proposals[2]`."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


class _Comparison:
    def __init__(self, old: Version, new: Version):
        self.old, self.new = old, new
        self.changes: list[tuple[tuple[Any, ...], int, Change]] = []
        self.renames: dict[str, str] = {}

    def run(self) -> list[Change]:
        self.sources()
        for name in type(self.new.brief).model_fields:
            if name != "sources":
                self.value(getattr(self.old.brief, name), getattr(self.new.brief, name), (name,), (name,))
        # In the order of the new brief's fields; a removal stands where it stood in the old brief.
        order = list(type(self.new.brief).model_fields)
        return [change for _, _, change in sorted(
            self.changes, key=lambda entry: (_order_key(entry[0], order), entry[1]))]

    def record(self, kind: Kind, new_loc: tuple[Any, ...] | None, old_loc: tuple[Any, ...] | None,
               before: Any = None, after: Any = None, **extra: Any) -> None:
        at, version = (new_loc, self.new) if new_loc is not None else (old_loc, self.old)
        line, column = version.locate(at)
        old_path = dotted(old_loc) if old_loc is not None and new_loc is not None and old_loc != new_loc else None
        change = Change(kind=kind, path=dotted(at), old_path=old_path, file=version.name, line=line,
                        column=column, before=plain(before), after=plain(after), **extra)
        self.changes.append((at, len(self.changes), change))

    def sources(self) -> None:
        """Sources by id; one left without its id that is like one new id is that source, renamed."""
        old, new = self.old.brief.sources, self.new.brief.sources
        pairs = match(old, new)
        for i, j in pairs:
            if old[i].id != new[j].id:
                self.renames[old[i].id] = new[j].id
        self.items(old, new, ("sources",), ("sources",), pairs)

    def value(self, before: Any, after: Any, old_loc: tuple[Any, ...], new_loc: tuple[Any, ...]) -> None:
        if before is None and after is None:
            return
        if before is None:
            self.record("added", new_loc, None, after=after)
        elif after is None:
            self.record("removed", None, old_loc, before=before)
        elif isinstance(before, BaseModel) and type(before) is type(after):
            for name in type(after).model_fields:
                self.value(getattr(before, name), getattr(after, name), (*old_loc, name), (*new_loc, name))
        elif isinstance(before, list) and isinstance(after, list):
            self.list(before, after, old_loc, new_loc)
        elif new_loc[0] == "sources" and new_loc[-1] == "id":
            if before != after:
                self.record("changed", new_loc, old_loc, before, after, renamed=True)
        elif new_loc[-1] in CITES and isinstance(before, str):
            if self.renames.get(before, before) != after:
                self.record("changed", new_loc, old_loc, before, after)
        elif _reads(before) != _reads(after):
            diff = word_diff(before, after) if isinstance(before, str) and isinstance(after, str) else None
            self.record("changed", new_loc, old_loc, before, after, diff=diff)

    def list(self, before: list[Any], after: list[Any], old_loc: tuple[Any, ...], new_loc: tuple[Any, ...]) -> None:
        name = new_loc[-1]
        if name in POSITIONAL:
            if before != after:
                self.record("changed", new_loc, old_loc, before, after)
            return
        self.items(before, after, old_loc, new_loc, match(before, after, similar=name not in EXACT))

    def items(self, before: list[Any], after: list[Any], old_loc: tuple[Any, ...], new_loc: tuple[Any, ...],
              pairs: list[tuple[int, int]]) -> None:
        shifted = moved(pairs)
        matched_old = {i for i, _ in pairs}
        matched_new = {j for _, j in pairs}
        for i, item in enumerate(before):
            if i not in matched_old:
                self.record("removed", None, (*old_loc, i), before=item)
        for j, item in enumerate(after):
            if j not in matched_new:
                self.record("added", (*new_loc, j), None, after=item)
        for i, j in pairs:
            if j in shifted:
                self.record("moved", (*new_loc, j), (*old_loc, i))
            self.value(before[i], after[j], (*old_loc, i), (*new_loc, j))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _reads(value: Any) -> Any:
    """A text as a reader sees it: a line break or a run of spaces inside a paragraph is one space."""
    if not isinstance(value, str):
        return value
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in _PARAGRAPH_BREAK.split(value.strip()))


def _field_order() -> dict[str, int]:
    """Each field name's place in its model (only the fields of one model ever stand side by side)."""
    from . import models

    order: dict[str, int] = {}
    for model in vars(models).values():
        if isinstance(model, type) and issubclass(model, BaseModel):
            for index, name in enumerate(model.model_fields):
                order.setdefault(name, index)
    return order


_FIELD_ORDER = _field_order()


def _order_key(loc: tuple[Any, ...], order: list[str]) -> tuple[Any, ...]:
    """Changes in the order of the brief: fields in their models' order, items in their lists' order."""
    return tuple((0, step) if isinstance(step, int) else (1, _FIELD_ORDER.get(str(step), 99)) for step in loc)


# Showing --------------------------------------------------------------------------------------------

def describe(value: Any) -> str:
    """A short name for an added or removed item: its identity, else its first words."""
    if isinstance(value, dict):
        for key in ("expert", "id", "label", "title", "party", "name", "court", "event", "item", "version", "path"):
            if key in value:
                found = value[key]
                found = found.get("name", found) if isinstance(found, dict) else found
                return _short(str(found))
        return _short(" ".join(str(item) for item in value.values() if isinstance(item, str)))
    return _short(str(value))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def inline(pieces: list[Piece], *, context: int = 4, deleted: tuple[str, str] = ("[-", "-]"),
           inserted: tuple[str, str] = ("{+", "+}")) -> str:
    """A word diff on one line, wdiff style, with `context` words kept on each side of a change."""
    out = []
    for index, piece in enumerate(pieces):
        text = " ".join(piece.text.split())
        if piece.op == "equal":
            kept = text.split(" ")
            first, last = index == 0, index == len(pieces) - 1
            if len(kept) > 2 * context and not (first or last):
                text = " ".join(kept[:context] + ["…"] + kept[-context:])
            elif first and len(kept) > context:
                text = " ".join(["…"] + kept[-context:])
            elif last and len(kept) > context:
                text = " ".join(kept[:context] + ["…"])
            out.append(text)
        elif piece.op == "delete":
            out.append(f"{deleted[0]}{text}{deleted[1]}")
        else:
            out.append(f"{inserted[0]}{text}{inserted[1]}")
    return " ".join(part for part in out if part)


def _where(change: Change) -> str:
    if change.line is None:
        return change.file or ""
    return f"{change.file}:{change.line}:{change.column}" if change.column else f"{change.file}:{change.line}"


def as_text(found: Diff) -> str:
    """The changes as an editor's notes, one a line: `background.figures[0].value: 62% → 64% (v2.yaml:31:14)`."""
    lines = []
    for change in found.changes:
        if change.kind == "changed":
            if change.renamed or change.diff is None or (len(str(change.before)) <= 60 and len(str(change.after)) <= 60):
                what = f"{_short(_scalar(change.before))} → {_short(_scalar(change.after))}"
                if change.renamed:
                    what += " (renamed; its citations follow)"
            else:
                what = inline(change.diff)
        elif change.kind == "moved":
            what = f"moved from {change.old_path}"
        elif change.kind == "added":
            what = f"added: {describe(change.after)}"
        else:
            what = f"removed: {describe(change.before)}"
        lines.append(f"{change.path}: {what} ({_where(change)})")
    return "\n".join(lines)


def _scalar(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


def as_markdown(found: Diff) -> str:
    """The changes as a Markdown list, deletions struck through and insertions in bold."""
    lines = [f"Changes from `{found.old}` to `{found.new}`:", ""] if found.changes else []
    for change in found.changes:
        if change.kind == "changed" and change.diff is not None:
            what = inline(change.diff, deleted=("~~", "~~"), inserted=("**", "**"))
        elif change.kind == "changed":
            what = f"{_scalar(change.before)} → {_scalar(change.after)}"
        elif change.kind == "moved":
            what = f"moved from `{change.old_path}`"
        elif change.kind == "added":
            what = f"added: {describe(change.after)}"
        else:
            what = f"removed: {describe(change.before)}"
        lines.append(f"- `{change.path}` {change.kind}: {what} ({_where(change)})")
    return "\n".join(lines)
