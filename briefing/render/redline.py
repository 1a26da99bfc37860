"""The review copy: the new brief with its changes since an earlier version marked up, for the editor.

`redlined(old, new, found)` returns a copy of the new `Brief` in which every changed text holds
its word diff (deleted words and inserted words between marks), every added item's text is
marked inserted, and every removed item stands again where it stood, its text marked deleted.
The templates render that copy as they render any brief; `mark_up(html)` then turns the marks
into `<del class="redline-del">` and `<ins class="redline-ins">` around the words, closing and
reopening them at element boundaries so that the HTML stays well formed. In attributes, the
document's head, the running header and the charts' SVG, the marks are removed with the deleted
words: there the review copy says what the new brief says.

The marks are four characters of the Tai Xuan Jing block (U+1D300–U+1D303): the Markdown parser
takes them for punctuation, so emphasis next to a mark opens and closes as it would next to a
quotation mark. Any such characters in the content are removed from the review copy first.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from ..content.diff import Diff, Piece
from ..content.models import Brief
from .revisions import loc_of
from .typography import _INLINE, _TAG, _TOKEN, _VOID

INS_OPEN, INS_CLOSE, DEL_OPEN, DEL_CLOSE = "\U0001d300", "\U0001d301", "\U0001d302", "\U0001d303"
_MARKS = re.compile(f"[{INS_OPEN}{INS_CLOSE}{DEL_OPEN}{DEL_CLOSE}]")
_DELETED = re.compile(f"{DEL_OPEN}[^{DEL_CLOSE}]*(?:{DEL_CLOSE}|$)")

#: Fields that name or key something (a source, a language, a chart's column): never marked.
UNMARKED = {"id", "source", "language", "url", "archive", "doi", "isbn", "issn", "orcid", "email", "contact",
            "licence", "citation_style", "identifier", "kind", "x", "y", "data", "colors", "path", "version",
            "page_budget", "word_budget", "keywords", "labels", "attachments"}
#: Lists whose removed items stand again in the review copy, struck through.
RESTORED = {("summary",), ("background", "timeline"), ("background", "figures"), ("legal_deadlock", "positions"),
            ("legal_deadlock", "agreements"), ("legal_deadlock", "rulings"), ("expert_proposals", "proposals"),
            ("outlook", "signposts"), ("sources",)}
#: Elements whose text is shown without marks (deleted words left out): not read as the brief's text.
_PLAIN = frozenset({"head", "title", "style", "script", "svg", "textarea"})
_CJK = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: What opens a line of Markdown (indentation, a list item's or a quotation's mark, a heading's): kept unmarked.
_LINE_START = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|#{1,6}[ \t]+|>[ \t]?)*")


def redlined(old: Brief, new: Brief, found: Diff) -> Brief:
    """`new` with the changes `found` from `old` marked in its text, removed items restored, struck."""
    brief = _unmarked(new)
    old = _unmarked(old)
    removals = []
    for change in found.changes:
        loc = loc_of(change.path)
        if not loc or any(str(step) in UNMARKED for step in loc) or loc[0] == "meta" and len(loc) > 2:
            continue
        if change.kind == "changed" and change.diff is not None:
            brief = _replace(brief, loc, lambda _, pieces=change.diff: marked_text(pieces))
        elif change.kind == "added":
            brief = _replace(brief, loc, lambda value: _wrap_all(value, INS_OPEN, INS_CLOSE))
        elif change.kind == "removed" and loc[:-1] in RESTORED and isinstance(loc[-1], int):
            removals.append(loc)
    for loc in sorted(removals, key=lambda loc: loc[-1]):  # each where it stood, the earlier first
        item = _get(old, loc)
        brief = _replace(brief, loc[:-1], lambda items, loc=loc, item=item: [
            *items[:loc[-1]], _wrap_all(item, DEL_OPEN, DEL_CLOSE), *items[loc[-1]:]])
    return brief


def marked_text(pieces: list[Piece]) -> str:
    """A word diff as one text: deleted and inserted words between marks, line by line, so that
    no mark stands across a paragraph or before a line's Markdown (a list item's `- `)."""
    out = ""
    for piece in pieces:
        if piece.op == "equal":
            out += piece.text
            continue
        opening, closing = (INS_OPEN, INS_CLOSE) if piece.op == "insert" else (DEL_OPEN, DEL_CLOSE)
        wrapped = _wrap(piece.text, opening, closing, at_line_start=not out or out.endswith("\n"))
        if out.endswith(DEL_CLOSE) and opening == INS_OPEN and not _CJK.match(piece.text[:1] or " "):
            out += " "  # "62%" struck, then "64%": a space between them, as an editor would write it
        out += wrapped
    return out


def _wrap(text: str, opening: str, closing: str, *, at_line_start: bool = True) -> str:
    lines = []
    for number, line in enumerate(text.split("\n")):
        start = _LINE_START.match(line).end() if number or at_line_start else 0
        head, body = line[:start], line[start:]
        core = body.strip()
        if not core:
            lines.append(line)
            continue
        before = body[:len(body) - len(body.lstrip())]
        after = body[len(body.rstrip()):]
        lines.append(f"{head}{before}{opening}{core}{closing}{after}")
    return "\n".join(lines)


def _wrap_all(value: Any, opening: str, closing: str, name: str | None = None) -> Any:
    """Every text of `value` (a text, an item, a list of them) marked, but for the fields that name things."""
    if name in UNMARKED:
        return value
    if isinstance(value, str):
        return _wrap(value, opening, closing)
    if isinstance(value, list):
        return [_wrap_all(item, opening, closing) for item in value]
    if isinstance(value, BaseModel):
        if type(value).__name__ == "Chart":
            return value
        return value.model_copy(update={field: _wrap_all(getattr(value, field), opening, closing, field)
                                        for field in type(value).model_fields})
    return value


def _get(value: Any, loc: tuple[Any, ...]) -> Any:
    for step in loc:
        value = value[step] if isinstance(step, int) else getattr(value, step)
    return value


def _replace(value: Any, loc: tuple[Any, ...], change: Any) -> Any:
    """`value` with the part at `loc` replaced by `change(part)`; models are copied, never validated again."""
    if not loc:
        return change(value)
    step, rest = loc[0], loc[1:]
    if isinstance(step, int):
        if not isinstance(value, list) or step >= len(value):
            return value
        return [*value[:step], _replace(value[step], rest, change), *value[step + 1:]]
    if not isinstance(value, BaseModel) or step not in type(value).model_fields:
        return value
    return value.model_copy(update={step: _replace(getattr(value, step), rest, change)})


def _unmarked(value: Any) -> Any:
    """`value` with any mark characters the content itself holds removed."""
    if isinstance(value, str):
        return _MARKS.sub("", value) if _MARKS.search(value) else value
    if isinstance(value, list):
        return [_unmarked(item) for item in value]
    if isinstance(value, dict):
        return {_unmarked(key): _unmarked(item) for key, item in value.items()}
    if isinstance(value, BaseModel):
        return value.model_copy(update={field: _unmarked(getattr(value, field)) for field in type(value).model_fields})
    return value


def plain_text(text: str) -> str:
    """`text` as the new brief has it: deleted words left out, marks removed."""
    return _MARKS.sub("", _DELETED.sub("", text))


def mark_up(document: str) -> str:
    """The rendered review copy with its marks turned into `<del>` and `<ins>` elements."""
    if not _MARKS.search(document):
        return document
    out: list[str] = []
    stack: list[str] = []
    plain_from: int | None = None  # the depth of the element whose text is shown without marks
    want: str | None = None  # "ins" or "del" while between marks
    opened: int | None = None  # the depth at which the open <ins> or <del> was written

    def close() -> None:
        nonlocal opened
        if opened is not None:
            out.append(f"</{want}>")
            opened = None

    for token in _TOKEN.findall(document):
        if token.startswith("<"):
            tag = _TAG.match(token)
            token = plain_text(token)  # attributes say what the new brief says
            if tag is None or token.startswith("<!"):
                out.append(token)
                continue
            closing, name, rest = tag.group(1), tag.group(2).lower(), tag.group(3)
            if closing:
                depth = next((at for at in range(len(stack) - 1, -1, -1) if stack[at] == name), None)
                if depth is not None:
                    if opened is not None and depth < opened:
                        close()
                    del stack[depth:]
                    if plain_from is not None and depth <= plain_from:
                        plain_from = None
            else:
                if name not in _INLINE:
                    close()
                if name not in _VOID and not rest.rstrip().endswith("/"):
                    if plain_from is None and (name in _PLAIN or re.search(r'\bclass="running"', rest)):
                        plain_from = len(stack)
                    stack.append(name)
            out.append(token)
            continue
        if plain_from is not None:
            out.append(plain_text(token))
            continue
        for part in re.split(f"({_MARKS.pattern})", token):
            if part in (INS_OPEN, DEL_OPEN):
                close()
                want = "ins" if part == INS_OPEN else "del"
            elif part in (INS_CLOSE, DEL_CLOSE):
                close()
                want = None
            elif part:
                if want is not None and opened is None and part.strip():
                    out.append(f'<{want} class="redline-{want}">')
                    opened = len(stack)
                out.append(part)
    close()
    return "".join(out)
