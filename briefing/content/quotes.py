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
from dataclasses import dataclass
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


def _short(text: str) -> str:
    words = text.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")


def _index(brief: Brief, source_id: str) -> int:
    return next(index for index, source in enumerate(brief.sources) if source.id == source_id)
