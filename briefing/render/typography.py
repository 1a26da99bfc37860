"""Typography by script and language, set on the rendered HTML's text, never stored in the content.

`set_type(html)` walks the text of a rendered brief with the language of each piece
(the nearest `lang` attribute) and applies what WeasyPrint does not do by itself:

- **Korean** breaks lines only at spaces: every space-separated word that holds Hangul is
  kept whole by a U+2060 WORD JOINER between its characters (WeasyPrint 70 ignores
  `word-break: keep-all`). The joiners draw nothing and are left out of the PDF's text
  layer, so text copied from the PDF reads as the plain words.
- **Chinese** quotation marks “ ” ‘ ’ are set full width: each is wrapped in
  `<span class="cjk-mark">`, which the theme draws with the CJK face (the Latin face
  before it in the font list would draw them half width).
- **French** puts a narrow no-break space (U+202F) before `; ! ?`, a no-break space
  (U+00A0) before `:` and inside « », so that no such mark, and no «, ends a line alone.

Only text between tags changes: attributes, the document's head, `<style>`, `<script>`,
`<code>` and `<pre>` are left as they are. A document that can hold none of these cases (no
Hangul, written or as a character reference, and no `lang` naming French or Chinese) is
returned as it is without being walked: the walk is most of the render step of a brief with
charts, whose SVG is all tags.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from typing import Any

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


#: A `lang` attribute whose value may name French or Chinese (a superset of what `_LANG` reads).
_MAY_NEED_SETTING = re.compile(r"""lang\s*=\s*["']?\s*(?:fr|zh)""", re.IGNORECASE)
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")


def _needs_setting(document: str) -> bool:
    """Whether any rule of `set_type` may change `document`: Hangul in it, written or as a numeric
    character reference, or a `lang` that may name French or Chinese."""
    if HANGUL.search(document) or _MAY_NEED_SETTING.search(document):
        return True
    for hexadecimal, decimal in _NUMERIC_REFERENCE.findall(document):
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code <= 0x10FFFF and HANGUL.match(chr(code)):
            return True
    return False


def set_type(document: str) -> str:
    """`document` (HTML) with its text set by the rules of each piece's script and language."""
    if not _needs_setting(document):
        return document
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
    marked = {position for position, char in enumerate(full) if char in CJK_MARKS
              and run[owner[position]].language.split("-")[0] == "zh" and not _inside_latin_word(full, position)}
    if not inserts and not replaced and not marked:
        return False
    for piece_number, piece in enumerate(run):
        start = sum(len(other.text) for other in run[:piece_number])
        out = []
        for offset, char in enumerate(piece.text):
            position = start + offset
            out.append(_html.escape(inserts.get(position, "") + replaced.get(position, char), quote=False))
            if position in marked:
                out[-1] = f'<span class="cjk-mark">{out[-1]}</span>'
        tokens[piece.index] = "".join(out)
    return True


#: Quotation marks that Chinese sets full width: in Chinese text, `<span class="cjk-mark">`
#: lets the theme draw them with the CJK face rather than the Latin one before it.
CJK_MARKS = frozenset("‘’“”")


def _inside_latin_word(text: str, position: int) -> bool:
    """An apostrophe between two Latin letters or digits (Korea’s), which stays Latin."""
    def latin(char: str) -> bool:
        return char.isascii() and char.isalnum() or "À" <= char <= "ɏ"

    return 0 < position < len(text) - 1 and latin(text[position - 1]) and latin(text[position + 1])


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


# ---- quotation marks that touch a letter ------------------------------------------------------

#: Languages written without spaces between words (or, in Korean, with particles glued to the
#: word before): a straight quote there touches a letter on both sides, and pairs by order.
CJK_LANGUAGES = frozenset({"ja", "zh", "ko", "yue"})
#: The one-letter words that Hebrew writes joined to the next word, even before a quotation mark:
#: ו (and), ה (the), ב (in), כ (as), ל (to), מ (from), ש (that).
HEBREW_PREFIXES = frozenset("ובכלמשה")


def _is_hebrew_letter(char: str) -> bool:
    return "\u05d0" <= char <= "\u05ea"


def pair_quotes(language: str) -> Any:
    """A markdown-it core rule, run before `smartquotes`: the double quotes it cannot pair.

    `smartquotes` leaves a straight quote between two letters as it is, as in English it would
    be an inch mark or a typo. In Chinese, Japanese and Korean the marks touch the words around
    them (`、"透明性"を`, `"청구권"이라는`): there the double quotes of a paragraph pair in order.
    In Hebrew a prefix letter stands before an opening mark (`ל"קו האדום"`): such a quote
    opens, and the next quote that a word does not continue closes it; a quote inside a word
    (צה"ל) is an abbreviation mark and stays.
    """
    base = language.lower().split("-")[0]

    def rule(state: Any) -> None:
        if not state.md.options.typographer or base not in CJK_LANGUAGES | {"he"}:
            return
        opening, closing = state.md.options.quotes[0], state.md.options.quotes[1]
        for block in state.tokens:
            if block.type != "inline" or '"' not in block.content or not block.children:
                continue
            places, text = _quote_places(block.children)
            pairs = _cjk_pairs(places) if base in CJK_LANGUAGES else _hebrew_pairs(places, text)
            marks = {places[index][:2]: mark for first, second in pairs
                     for index, mark in ((first, opening), (second, closing))}
            for child_number, position in sorted(marks, reverse=True):  # from the end: marks may be longer
                child = block.children[child_number]
                child.content = child.content[:position] + marks[(child_number, position)] + \
                    child.content[position + 1:]

    return rule


def _quote_places(children: list[Any]) -> tuple[list[tuple[int, int, int]], str]:
    """Every straight double quote of a paragraph's text as (child, position in it, position in
    the paragraph's text), and that text (code stands in as letters; line breaks as spaces)."""
    places, text = [], []
    length = 0
    for child_number, child in enumerate(children):
        if child.type == "text":
            for position, char in enumerate(child.content):
                if char == '"':
                    places.append((child_number, position, length + position))
            piece = child.content
        elif child.type == "code_inline":
            piece = "x" * len(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            piece = " "
        else:
            piece = ""
        text.append(piece)
        length += len(piece)
    return places, "".join(text)


def _cjk_pairs(places: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    if not places or len(places) % 2:
        return []  # an odd count: leave them to smartquotes rather than guess
    return [(index, index + 1) for index in range(0, len(places), 2)]


def _hebrew_pairs(places: list[tuple[int, int, int]], text: str) -> list[tuple[int, int]]:
    pairs = []
    taken: set[int] = set()
    for index, (_, _, at) in enumerate(places):
        if index in taken:
            continue
        start = at
        while start > 0 and _is_hebrew_letter(text[start - 1]):
            start -= 1
        prefix = text[start:at]
        opens = 1 <= len(prefix) <= 3 and set(prefix) <= HEBREW_PREFIXES and \
            (start == 0 or not text[start - 1].isalnum()) and at + 1 < len(text) and text[at + 1].isalpha()
        if not opens:
            continue
        for later in range(index + 1, len(places)):
            after = places[later][2] + 1
            before = text[places[later][2] - 1]
            if not before.isspace() and (after >= len(text) or not text[after].isalpha()):
                pairs.append((index, later))
                taken.update({index, later})
                break
    return pairs
