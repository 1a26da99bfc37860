"""Embedded files: the brief's own source, and the attachments it lists.

A PDF carries the validated brief as JSON and the content file as written,
both with the relationship `Source`, so whoever holds the PDF can recover the
data, wherever its variant allows embedded files (`variants.embeds_files`: a
plain PDF, PDF/UA, PDF/A-3 and PDF/A-4f; not PDF/A-2, PDF/A-4 or PDF/A-4e). Further attachments (data tables, annexes) come from the `attachments:`
list of the content or from `--attach`, and only from the brief's own folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..sandbox.files import MAX_ATTACHMENT_BYTES, Refused, read_inside
from ..errors import BriefError, Problem

if TYPE_CHECKING:  # the printing worker unpickles embedded files without importing the content's models
    from ..content.models import Brief



@dataclass(frozen=True)
class EmbeddedFile:
    """One file to embed in the PDF."""

    name: str
    data: bytes
    description: str
    relationship: str = "Unspecified"
    created: dt.datetime | None = None
    modified: dt.datetime | None = None
    mime_type: str | None = None  # guessed from the name when not given


MIME_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json",
              ".csv": "text/csv", ".md": "text/markdown"}


def source_files(brief: Brief, content: Path, original: bytes) -> list[EmbeddedFile]:
    """The validated brief as JSON and the content file as written, both as `Source`."""
    created, modified = dates(brief)
    validated = brief.model_dump_json(indent=2).encode("utf-8") + b"\n"
    return [
        EmbeddedFile(f"{content.stem}.validated.json", validated,
                     f"The validated content of this brief, as JSON (briefing {__version__})",
                     "Source", created, modified),
        EmbeddedFile(content.name, original, "The content file this brief was built from",
                     "Source", created, modified, MIME_TYPES.get(content.suffix.lower())),
    ]


def attachments(brief: Brief, content: Path, extra: Iterable[str | Path] = ()) -> list[EmbeddedFile]:
    """The files listed under `attachments:` and given as `extra`, read from the brief's folder.

    A path that leaves the folder (through `..`, an absolute path or a symbolic
    link), a missing file or two files of the same name is an error that names
    the place it was asked for.
    """
    folder = content.resolve().parent
    created, modified = dates(brief)
    found: list[EmbeddedFile] = []
    problems: list[Problem] = []
    wanted = [(folder / entry.path, entry.description, entry.relationship, ("attachments", index, "path"))
              for index, entry in enumerate(brief.attachments)]
    wanted += [(folder / path, None, "Supplement", None) for path in extra]  # relative to the brief's folder
    names = {content.name, f"{content.stem}.validated.json"}
    for path, description, relationship, loc in wanted:
        try:
            data = _read_inside(path, folder)
            if path.name in names:
                raise ValueError(f"another embedded file is already named {path.name!r}")
        except ValueError as error:
            problems.append(_problem(content, loc, path, str(error)))
            continue
        names.add(path.name)
        found.append(EmbeddedFile(path.name, data, description or path.name, relationship, created, modified,
                                  MIME_TYPES.get(path.suffix.lower())))
    if problems:
        raise BriefError(problems)
    return found


def identifier(original: bytes, *settings: object) -> bytes:
    """A PDF file identifier that depends only on the content and the build settings."""
    digest = hashlib.sha256(original)
    digest.update(repr((__version__, *settings)).encode("utf-8"))
    return digest.hexdigest()[:32].encode("ascii")


def dates(brief: Brief) -> tuple[dt.datetime, dt.datetime]:
    """Creation and modification dates: the brief's date, or `SOURCE_DATE_EPOCH` for the latter."""
    created = dt.datetime.combine(brief.meta.date, dt.time(), tzinfo=dt.timezone.utc)
    return created, source_date_epoch() or created


def source_date_epoch() -> dt.datetime | None:
    """The time `SOURCE_DATE_EPOCH` names, if it is set to a number of seconds."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)


def _read_inside(path: Path, folder: Path) -> bytes:
    try:
        return read_inside(path, (folder,), MAX_ATTACHMENT_BYTES)
    except Refused as refusal:
        if refusal.kind == "outside":
            raise ValueError(f"attachments must be inside the brief's folder ({folder})") from None
        if refusal.kind == "too_large":
            raise ValueError(f"larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB") from None
        raise


def _problem(content: Path, loc: tuple | None, path: Path, message: str) -> Problem:
    if loc is None:
        return Problem(path, message, field="--attach")
    from ..content.load import parse

    try:
        line, column = parse(content).positions.locate(loc)
    except BriefError:
        line = column = None
    return Problem(content, f"{message}: {path}", field=".".join(str(step) for step in loc),
                   line=line, column=column)
