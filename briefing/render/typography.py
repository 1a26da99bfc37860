"""Typography by script and language, set on the rendered HTML's text, never stored in the content.

`set_type(html)` walks the text of a rendered brief with the language of each piece
(the nearest `lang` attribute) and applies what WeasyPrint does not do by itself:

- **Korean** breaks lines only at spaces: every space-separated word that holds Hangul is
  kept whole by a U+2060 WORD JOINER between its characters (WeasyPrint 70 ignores
  `word-break: keep-all`). The joiners draw nothing and are left out of the PDF's text
  layer, so text copied from the PDF reads as the plain words.
- **French** puts a narrow no-break space (U+202F) before `; ! ?`, a no-break space
  (U+00A0) before `:` and inside « », so that no such mark, and no «, ends a line alone.

Only text between tags changes: attributes, the document's head, `<style>`, `<script>`,
`<code>` and `<pre>` are left as they are.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass

WORD_JOINER = "\u2060"
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
#: Hangul syllables, jamo and compatibility jamo.
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
#: A "word" longer than this is left free to break, so that it can never run off the page.
LONGEST_KEPT_WORD = 32

_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+", re.DOTALL)
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)([^>]*)>", re.DOTALL)
_LANG = re.compile(r"""\blang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
#: Elements whose text is left exactly as written.
_UNTOUCHED = frozenset({"head", "style", "script", "code", "pre", "textarea", "title"})
#: Elements inside a line: a word may run across them.
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
                     "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


@dataclass
class _Text:
    index: int
    """Where in the token list the text stands."""
    text: str
    language: str


def set_type(document: str) -> str:
    """`document` (HTML) with its text set by the rules of each piece's script and language."""
    tokens = _TOKEN.findall(document)
    stack: list[tuple[str, str | None]] = []
    run: list[_Text] = []
    changed = False
    for index, token in enumerate(tokens):
        if token.startswith("<"):
            tag = _TAG.match(token)
            if tag is None or token.startswith("<!"):
                continue
            closing, name, rest = tag.group(1), tag.group(2).lower(), tag.group(3)
            if name not in _INLINE:
                changed |= _set_run(run, tokens)
                run = []
            if closing:
                for depth in range(len(stack) - 1, -1, -1):
                    if stack[depth][0] == name:
                        del stack[depth:]
                        break
            elif name not in _VOID and not rest.rstrip().endswith("/"):
                found = _LANG.search(rest)
                stack.append((name, next(filter(None, found.groups()), "") if found else None))
            continue
        if any(name in _UNTOUCHED for name, _ in stack):
            continue
        language = next((lang for _, lang in reversed(stack) if lang is not None), "")
        run.append(_Text(index, _html.unescape(token), language.lower()))
    changed |= _set_run(run, tokens)
    return "".join(tokens) if changed else document


def _set_run(run: list[_Text], tokens: list[str]) -> bool:
    """Set one stretch of inline text (a paragraph, a heading, a cell); True if any of it changed."""
    if not run:
        return False
    full = "".join(piece.text for piece in run)
    owner = [piece_number for piece_number, piece in enumerate(run) for _ in piece.text]
    inserts: dict[int, str] = {}  # position in `full` -> what goes before the character there
    replaced: dict[int, str] = {}  # position in `full` -> its new character
    for word in re.finditer(r"\S+", full):
        if HANGUL.search(word.group()) and len(word.group()) <= LONGEST_KEPT_WORD:
            for position in range(word.start() + 1, word.end()):
                if WORD_JOINER not in (full[position - 1], full[position]):
                    inserts[position] = WORD_JOINER
    if any(piece.language.split("-")[0] == "fr" for piece in run):
        _french(full, owner, run, inserts, replaced)
    if not inserts and not replaced:
        return False
    for piece_number, piece in enumerate(run):
        start = sum(len(other.text) for other in run[:piece_number])
        out = []
        for offset, char in enumerate(piece.text):
            position = start + offset
            out.append(inserts.get(position, ""))
            out.append(replaced.get(position, char))
        tokens[piece.index] = _html.escape("".join(out), quote=False)
    return True


_CLOSERS = "»”’)]}.,;:!?…"


def _french(full: str, owner: list[int], run: list[_Text], inserts: dict[int, str],
            replaced: dict[int, str]) -> None:
    """French spaces: U+202F before ; ! ?, U+00A0 before : and inside « », where the text is French."""
    def french(position: int) -> bool:
        return run[owner[position]].language.split("-")[0] == "fr"

    def space_before(position: int, space: str) -> None:
        before = full[position - 1] if position else ""
        if before in (" ", NBSP, NARROW_NBSP, "\t"):
            if before != NARROW_NBSP or space == NARROW_NBSP:
                replaced[position - 1] = space
        elif before and before not in "([{«\n" and not before.isspace() and not full[position - 1] in ";:!?":
            inserts[position] = space

    for position, char in enumerate(full):
        if not french(position):
            continue
        after = full[position + 1] if position + 1 < len(full) else ""
        ends = after == "" or after.isspace() or after in _CLOSERS
        if char in ";!?" and ends:
            space_before(position, NARROW_NBSP)
        elif char == ":" and ends and not (position and full[position - 1].isdigit() and after.isdigit()):
            space_before(position, NBSP)
        elif char == "«":
            if after in (" ", "\t"):
                replaced[position + 1] = NBSP
            elif after and not after.isspace() and after != NBSP:
                inserts[position + 1] = NBSP
        elif char == "»":
            before = full[position - 1] if position else ""
            if before in (" ", "\t"):
                replaced[position - 1] = NBSP
            elif before and not before.isspace() and before != NBSP:
                inserts[position] = NBSP
