"""Quotes checked against the source they cite.

A source may name a local copy of its text (`sources[].archive: sources/st-2021.txt`,
plain text or Markdown, relative to the content file). Every pull quote citing
that source, and every passage in double quotation marks inside a proposal that
cites it, must then stand in the archive word for word. Typographic quotes and
apostrophes, dashes, spacing, Markdown emphasis and a final punctuation mark are
ignored, and so is the case of the quote's first letter. An ellipsis (… or ...)
in a quote stands for words left out: each part must be found, in order.

The archive is read through the confined read (`sandbox.files.read_inside`), so it
must lie inside the content file's folder and the build cache records it.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate, islice
from operator import sub
from pathlib import Path
from typing import Any

from ..errors import Problem
from .formats import Positions
from .models import Brief

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
_BLOCK_MARKS = re.compile(r"^\s*(?:#+|>)\s*", re.MULTILINE)


class Archive:
    """An archive's text and an index of its words, built once, so that each quote is found in
    time about proportional to the archive's length, whatever the quote's length.

    Each distinct word (or punctuation mark) gets a number; the archive is kept as those numbers,
    and as bytes (`_CODE` bytes a word, the last one a separator no number uses), so that a run of
    words is found by `bytes.find` in C, at a word boundary by construction. The text is read in
    chunks cut at white space (a word never holds any), and where a word stands in the text is
    worked out, within its chunk, only when a quote differs and an excerpt is shown.
    """

    def __init__(self, text: str):
        # Without * or _ only the block marks can match, and that alone is many times faster.
        self.text = (_MARKDOWN if "*" in text or "_" in text else _BLOCK_MARKS).sub(" ", text)
        self._plain = self.text.translate(_TYPOGRAPHIC)  # one character for one: positions agree
        self.words: list[str] = []
        """Each word or punctuation mark, normalised, in the order of the text."""
        self._chunks: list[tuple[int, int]] = []  # (start in the text, end)
        self._firsts: list[int] = []  # the index of each chunk's first word
        position, length = 0, len(self._plain)
        while position < length:
            end = position + _CHUNK
            space = _SPACE.search(self._plain, end) if end < length else None
            end = space.start() if space else length
            self._chunks.append((position, end))
            self._firsts.append(len(self.words))
            self.words += _TOKEN.findall(self._plain, position, end)
            position = end
        self.numbers = {word: number for number, word in enumerate(dict.fromkeys(self.words))}
        self.ids = list(map(self.numbers.__getitem__, self.words))
        self.codes = [_code(number) for number in range(len(self.numbers))]
        self.encoded = b"".join(map(self.codes.__getitem__, self.ids))
        self.spellings: dict[str, list[int]] = {}
        """The numbers of the words that are the same but for their case, by the lower-case word."""
        for word, number in self.numbers.items():
            self.spellings.setdefault(word.lower(), []).append(number)

    @classmethod
    def of(cls, text: str) -> Archive:
        return cls(text)

    def span(self, index: int) -> tuple[int, int]:
        """Where word `index` stands in `text`."""
        chunk = bisect_right(self._firsts, index) - 1
        start, end = self._chunks[chunk]
        words = _TOKEN.finditer(self._plain, start, end)
        return next(islice(words, index - self._firsts[chunk], None)).span()


#: Characters of the text read at once (then on to the next white space).
_CHUNK = 64 * 1024
_SPACE = re.compile(r"\s")
#: Bytes a word takes in `Archive.encoded`: four 7-bit digits of its number, then `_SEPARATOR`.
_CODE = 5
_SEPARATOR = 0xFF
#: Past this many spellings of a quote's first word (Data, data, DATA, …) the words after it are
#: looked for once, with the first word checked at each place they stand (`_occurrences`).
MAX_SPELLINGS = 8


def _code(number: int) -> bytes:
    return bytes(((number >> 21) & 127, (number >> 14) & 127, (number >> 7) & 127, number & 127, _SEPARATOR))


def tokens(text: str) -> list[str]:
    words = _TOKEN.findall(_MARKDOWN.sub(" ", text).translate(_TYPOGRAPHIC))
    while words and words[-1] in _FINAL + "\"'":
        words.pop()
    while words and words[0] in "\"'":
        words.pop(0)
    return words


def has_archived_quotes(brief: Brief) -> bool:
    """Whether `check_quotes` has anything to compare: a proposal citing a source that has an archive."""
    archived = {source.id for source in brief.sources if source.archive is not None}
    return bool(archived) and brief.expert_proposals is not None and any(
        proposal.source in archived for proposal in brief.expert_proposals.proposals)


def check_quotes(brief: Brief, path: Path, positions: Positions | None = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, findings): an archive that cannot be read is an error; a quote that differs is a
    warning; a quote whose source has no archive is `unverified` (severity `info`, reported with --strict)."""
    positions = positions or Positions()
    errors: list[Problem] = []
    findings: list[Problem] = []
    folder = path.resolve().parent
    archives: dict[str, Archive | None] = {}
    for index, source in enumerate(brief.sources):
        if source.archive is None:
            continue
        archives[source.id] = _read(folder, source.archive, path, positions, ("sources", index, "archive"), errors)

    def problem(loc: tuple[Any, ...], code: str, message: str, severity: str) -> Problem:
        line, column = positions.locate(loc)
        return Problem(path, message, field=".".join(map(str, loc)), line=line, column=column, code=code,
                       severity=severity)

    if brief.expert_proposals is None:
        return errors, findings
    for index, proposal in enumerate(brief.expert_proposals.proposals):
        if proposal.source is None:
            continue
        passages = []
        if proposal.quote:
            passages.append((("expert_proposals", "proposals", index, "quote"), proposal.quote, "quote"))
        for match in _QUOTED.finditer(proposal.proposal):
            passages.append((("expert_proposals", "proposals", index, "proposal"), match.group(1) or match.group(2),
                             "passage"))
        if not passages:
            continue
        if proposal.source not in archives:
            loc, _, _ = passages[0]
            findings.append(problem(loc, "unverified_quote",
                                    f"unverified: source {proposal.source!r} has no archive to check "
                                    f"{'the quote' if len(passages) == 1 else f'{len(passages)} quoted passages'} "
                                    "against — nothing shows that it is what the source says; fix: save the "
                                    f"source's text beside the brief and name it in sources.{_index(brief, proposal.source)}"
                                    ".archive", "info"))
            continue
        archive = archives[proposal.source]
        if archive is None:
            continue
        for loc, text, kind in passages:
            difference = compare(text, archive)
            if difference:
                lead = "" if kind == "quote" else f"the quoted passage “{_short(text)}” "
                findings.append(problem(loc, "quote_differs", lead + difference + " — a quote must be the "
                                        "source's exact words; fix: copy them from the source, and mark words left "
                                        "out with …", "warning"))
    return errors, findings


def _read(folder: Path, name: str, path: Path, positions: Positions, loc: tuple[Any, ...],
          errors: list[Problem]) -> Archive | None:
    from ..sandbox.files import Refused, read_inside

    line, column = positions.locate(loc)
    where = dict(field=".".join(map(str, loc)), line=line, column=column, code="archive_unreadable")
    try:
        data = read_inside(folder / name, (folder,), MAX_ARCHIVE_BYTES)
    except Refused as refusal:
        reason = {"missing": f"{name!r} not found beside {path.name}",
                  "outside": f"{name!r} is outside the content file's folder; keep the archive beside the brief"
                  }.get(refusal.kind, f"{name!r}: {refusal.reason}")
        errors.append(Problem(path, reason, **where))
        return None
    try:
        return Archive.of(data.decode("utf-8"))
    except UnicodeDecodeError:
        errors.append(Problem(path, f"{name!r} is not UTF-8 text", **where))
        return None


def compare(quote: str, archive: Archive) -> str:
    """"" if `quote` stands verbatim in `archive`, else what differs and the closest passage."""
    start = 0
    for part in filter(None, (piece.strip() for piece in _ELLIPSIS.split(quote))):
        wanted = tokens(part)
        if not wanted:
            continue
        found = _find(archive, wanted, start)
        if found is not None:
            start = found + len(wanted)
            continue
        return _difference(wanted, archive, archive.words)
    return ""


def _find(archive: Archive, wanted: list[str], start: int) -> int | None:
    """The first place from word `start` on where `wanted` stands (its first word in any case)."""
    spellings = archive.spellings.get(wanted[0].lower())
    rest = [archive.numbers.get(word) for word in wanted[1:]]
    if not spellings or None in rest:
        return None
    tail = b"".join(archive.codes[number] for number in rest)
    if len(spellings) <= MAX_SPELLINGS:
        found = [place for place in (archive.encoded.find(archive.codes[number] + tail, start * _CODE)
                                     for number in spellings) if place >= 0]
        return min(found) // _CODE if found else None
    firsts = set(spellings)
    if not rest:
        return next((index for index in range(start, len(archive.ids)) if archive.ids[index] in firsts), None)
    for index in _occurrences(archive.ids, rest, start + 1):
        if archive.ids[index - 1] in firsts:
            return index - 1
    return None


def _occurrences(ids: list[int], pattern: list[int], start: int) -> Iterator[int]:
    """Every place from `start` on where `pattern` stands in `ids`, in order (Knuth–Morris–Pratt:
    one pass over `ids`, whatever repeats in either)."""
    fallback = [0] * len(pattern)
    length = 0
    for index in range(1, len(pattern)):
        while length and pattern[index] != pattern[length]:
            length = fallback[length - 1]
        if pattern[index] == pattern[length]:
            length += 1
        fallback[index] = length
    matched = 0
    for index in range(start, len(ids)):
        while matched and ids[index] != pattern[matched]:
            matched = fallback[matched - 1]
        if ids[index] == pattern[matched]:
            matched += 1
            if matched == len(pattern):
                yield index - len(pattern) + 1
                matched = fallback[matched - 1]


def _difference(wanted: list[str], archive: Archive, words: list[str]) -> str:
    """Name the first words that differ from the closest passage of the archive, and that passage."""
    size = len(wanted)
    best = _closest(wanted, archive)
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


def _closest(wanted: list[str], archive: Archive) -> int:
    """Where the run of `len(wanted)` archive words holding most of the quote's words begins (the
    first such run): one pass, each run's count taken from running totals."""
    size = len(wanted)
    wanted_set = {number for word in {word.lower() for word in wanted}
                  for number in archive.spellings.get(word, ())}  # every spelling of each
    totals = list(accumulate(map(wanted_set.__contains__, archive.ids), initial=0))
    count = len(archive.words)
    if count <= size:
        return 0
    scores = list(map(sub, totals[size:], totals[:count - size + 1]))
    return scores.index(max(scores))


def _excerpt(archive: Archive, start: int, end: int) -> str:
    """The archive's own text from word `start` to `end` (exclusive), with its trailing punctuation."""
    words = archive.words
    start, end = max(0, start), max(start + 1, min(len(words), end))
    if end < len(words) and words[end] in _FINAL:
        end += 1
    text = " ".join(archive.text[archive.span(start)[0]:archive.span(end - 1)[1]].split())
    return ("…" if start > 0 else "") + text


def _short(text: str) -> str:
    words = text.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")


def _index(brief: Brief, source_id: str) -> int:
    return next(index for index, source in enumerate(brief.sources) if source.id == source_id)
