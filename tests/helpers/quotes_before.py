"""The quote check as it was before it was made near-linear (issue 21): the oracle that the
new one must agree with, word for word, on ordinary archives and quotes. Not used by briefing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

MAX_ARCHIVE_BYTES = 4 * 1024 * 1024
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"',
                              "″": '"', "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-",
                              "−": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_TOKEN = re.compile(r"[\w']+(?:-[\w']+)*|[^\w\s]")
_FINAL = ".,;:!?"
#: Passages in double quotation marks inside Markdown prose.
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
_MARKDOWN = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)|^\s*(?:#+|>)\s*", re.MULTILINE)


@dataclass(frozen=True)
class Archive:
    text: str
    tokens: list[tuple[str, int, int]]
    """Each word or punctuation mark, normalised, with where it stands in `text`."""

    @classmethod
    def of(cls, text: str) -> Archive:
        text = _MARKDOWN.sub(" ", text)
        return cls(text, [(match.group().translate(_TYPOGRAPHIC), match.start(), match.end())
                          for match in _TOKEN.finditer(text.translate(_TYPOGRAPHIC))])


def tokens(text: str) -> list[str]:
    words = _TOKEN.findall(_MARKDOWN.sub(" ", text).translate(_TYPOGRAPHIC))
    while words and words[-1] in _FINAL + "\"'":
        words.pop()
    while words and words[0] in "\"'":
        words.pop(0)
    return words


def compare(quote: str, archive: Archive) -> str:
    """"" if `quote` stands verbatim in `archive`, else what differs and the closest passage."""
    words = [word for word, _, _ in archive.tokens]
    start = 0
    for part in filter(None, (piece.strip() for piece in _ELLIPSIS.split(quote))):
        wanted = tokens(part)
        if not wanted:
            continue
        found = _find(words, wanted, start)
        if found is not None:
            start = found + len(wanted)
            continue
        return _difference(wanted, archive, words)
    return ""


def _find(words: list[str], wanted: list[str], start: int) -> int | None:
    first, rest = wanted[0], wanted[1:]
    size = len(wanted)
    for index in range(start, len(words) - size + 1):
        if words[index].lower() == first.lower() and words[index + 1:index + size] == rest:
            return index
    return None


def _difference(wanted: list[str], archive: Archive, words: list[str]) -> str:
    """Name the first words that differ from the closest passage of the archive, and that passage."""
    size = len(wanted)
    wanted_set = {word.lower() for word in wanted}
    best, best_score = 0, -1
    for index in range(0, max(1, len(words) - size + 1)):
        score = sum(1 for word in words[index:index + size] if word.lower() in wanted_set)
        if score > best_score:
            best, best_score = index, score
    low, high = max(0, best - size // 2), min(len(words), best + size + size // 2)
    matcher = difflib.SequenceMatcher(a=[word.lower() for word in wanted], b=[word.lower() for word in words[low:high]],
                                      autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks or sum(block.size for block in blocks) < max(2, size // 3):
        return "is not in the source archive (no passage comes close)"
    first_a, first_b = blocks[0].a, blocks[0].b + low
    last = blocks[-1]
    passage_start, passage_end = first_b - first_a if first_b >= first_a else 0, last.b + low + last.size
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal" or (b1 + low < passage_start and a1 == 0):
            continue
        ours = " ".join(wanted[a1:a2])
        if tag == "replace":
            b2 = min(b2, b1 + (a2 - a1))
        theirs_from, theirs_to = max(0, b1 + low - 2), min(len(words), b2 + low + (0 if b2 > b1 else 1))
        excerpt = _excerpt(archive, theirs_from, theirs_to)
        if tag == "delete":
            return f"differs from the source at “{ours}”, which the source does not have (source: “{excerpt}”)"
        if tag == "insert":
            missing = " ".join(words[b1 + low:b2 + low])
            before = wanted[a1 - 1] if a1 else ""
            return (f"differs from the source after “{before}”: the source has “{missing}” there "
                    f"(source: “{excerpt}”)")
        return f"differs from the source at “{ours}” (source: “{excerpt}”)"
    return f"differs from the source (closest passage: “{_excerpt(archive, passage_start, passage_end)}”)"


def _excerpt(archive: Archive, start: int, end: int) -> str:
    """The archive's own text from token `start` to `end` (exclusive), with its trailing punctuation."""
    tokens_ = archive.tokens
    start, end = max(0, start), max(start + 1, min(len(tokens_), end))
    if end < len(tokens_) and tokens_[end][0] in _FINAL:
        end += 1
    text = " ".join(archive.text[tokens_[start][1]:tokens_[end - 1][2]].split())
    return ("…" if start > 0 else "") + text
