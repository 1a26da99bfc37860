"""The content of a brief, as an analyst names it.

These models only describe and validate: they know nothing of files, HTML or
PDF. Every model rejects unknown keys, so a typo is an error rather than a
silently ignored field. Prose fields hold Markdown, which the theme renders
with raw HTML switched off.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, ValidationError, ValidationInfo,
                      model_validator)
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Markdown = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    Field(description="Markdown text; raw HTML is not allowed and is shown as text."),
]
SourceId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
    Field(description="The id of an entry in `sources`."),
]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^(https?://[^\s]+|mailto:[^\s]+)$"),
    Field(description="An http, https or mailto address."),
]

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day: `1965`, `2021-01`, `2021-03-01`."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            raise ValueError("expected a date without a time")
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, bool):
            raise ValueError("expected a date such as 2021, 2021-02 or 2021-02-28")
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str) or not (match := _PARTIAL_DATE.match(value.strip())):
            raise ValueError("expected a date such as 2021, 2021-02 or 2021-02-28")
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError as error:
            raise ValueError(f"not a real date: {error}") from None
        return cls(year, month, day)

    def isoformat(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def display(self) -> str:
        """The date as a reader expects it: `1965`, `January 2021`, `1 March 2021`."""
        if self.month is None:
            return str(self.year)
        month = MONTHS[self.month - 1]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def __str__(self) -> str:
        return self.isoformat()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda d: d.isoformat()),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "pattern": _PARTIAL_DATE.pattern},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": "A year (1965), a month (2021-01) or a day (2021-03-01).",
        }


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(Model):
    """A person or organisation credited with the brief."""

    name: Text
    role: Text | None = None
    affiliation: Text | None = None


class Meta(Model):
    """What the brief is: shown in the masthead and written into the PDF metadata."""

    title: Text
    subtitle: Text | None = None
    short_title: Text | None = Field(None, description="Running header text; defaults to the title.")
    series: Text | None = Field(None, description="The publication series, shown in the masthead.")
    identifier: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] | None = Field(
        None, description="A short reference such as AI-2021-02, shown in the footer and metadata.")
    date: dt.date = Field(description="The date of the brief (YYYY-MM-DD).")
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = Field(
        "en", description="BCP 47 language tag of the text, such as en, en-GB or ko.")
    authors: list[Author] = Field(default_factory=list)
    publisher: Text | None = None
    keywords: list[Text] = Field(default_factory=list)


class Event(Model):
    """One dated entry of a timeline."""

    date: PartialDate
    when: Text | None = Field(None, description="How to show the date, such as 'Summer 2019'.")
    event: Markdown
    source: SourceId | None = None


class Figure(Model):
    """A key figure, shown large with its label; it must name its source."""

    value: Text
    label: Markdown
    source: SourceId


class Background(Model):
    title: Text = "Background"
    body: Markdown
    timeline: list[Event] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)


class Position(Model):
    """One party's stance, shown side by side with the others."""

    party: Text
    stance: Markdown
    source: SourceId | None = None


class Agreement(Model):
    date: PartialDate
    name: Text
    summary: Markdown
    source: SourceId | None = None


class Ruling(Model):
    date: PartialDate
    court: Text
    holding: Markdown
    source: SourceId | None = None


class LegalDeadlock(Model):
    title: Text = "Legal deadlock"
    body: Markdown | None = None
    positions: list[Position] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    rulings: list[Ruling] = Field(default_factory=list)


class Expert(Model):
    name: Text
    role: Text | None = None
    affiliation: Text | None = None


class Proposal(Model):
    """What one expert proposes, with a verbatim quote as the pull quote."""

    expert: Expert
    proposal: Markdown
    quote: Text | None = Field(None, description="Verbatim words of the expert; needs `source`.")
    source: SourceId | None = None

    @model_validator(mode="after")
    def _quote_needs_source(self) -> Proposal:
        if self.quote is not None and self.source is None:
            raise _located([("source", "quote_without_source",
                             "a quote must name its source", None)])
        return self


class ExpertProposals(Model):
    title: Text = "Expert proposals"
    body: Markdown | None = None
    proposals: list[Proposal] = Field(min_length=1)


class Signpost(Model):
    """Something to watch, with its date where known."""

    date: PartialDate | None = None
    when: Text | None = Field(None, description="How to show the date, such as 'Spring 2022'.")
    item: Markdown


class Outlook(Model):
    title: Text = "Outlook"
    body: Markdown
    signposts: list[Signpost] = Field(default_factory=list)


class Source(Model):
    id: SourceId
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    date: PartialDate | None = None
    url: Url | None = None
    note: Text | None = None


class Labels(Model):
    """Fixed wording of the layout, to rename or translate per brief."""

    takeaways: Text = "Key takeaways"
    timeline: Text = "Timeline"
    figures: Text = "Key figures"
    positions: Text = "Positions"
    agreements: Text = "Agreements"
    rulings: Text = "Court rulings"
    signposts: Text = "What to watch"
    sources: Text = "Sources"
    page: Text = "Page"
    of: Text = "of"
    cited_by: Text = "Cited for"


class Attachment(Model):
    """A file embedded in the PDF, such as a data table or an annex, from the brief's own folder."""

    path: Text = Field(description="The file, relative to the content file's folder.")
    description: Text | None = Field(None, description="What the file holds; defaults to its name.")
    relationship: Literal["Data", "Supplement", "Source", "Alternative", "Unspecified"] = Field(
        "Supplement", description="How the file relates to the brief, as PDF/A-3 names it.")


class Brief(Model):
    """A whole policy brief."""

    meta: Meta
    summary: list[Markdown] = Field(min_length=1, description="Key takeaways, shown on page 1.")
    background: Background
    legal_deadlock: LegalDeadlock | None = None
    expert_proposals: ExpertProposals | None = None
    outlook: Outlook | None = None
    sources: list[Source] = Field(default_factory=list)
    labels: Labels = Field(default_factory=Labels)
    attachments: list[Attachment] = Field(default_factory=list,
                                          description="Further files to embed in the PDF.")

    @model_validator(mode="after")
    def _variant_requirements(self, info: ValidationInfo) -> Brief:
        """What the PDF variant asked for at build time (`context={"variant": …}`) needs from the content."""
        from .variants import embeds_files, is_tagged

        variant = (info.context or {}).get("variant")
        problems = []
        if is_tagged(variant) and "language" not in self.meta.model_fields_set:
            problems.append((("meta", "language"), "language_required",
                             f"{variant} needs the language of the text: set meta.language (such as en or en-GB)",
                             None))
        if not embeds_files(variant) and self.attachments:
            problems.append((("attachments",), "attachments_not_allowed",
                             f"{variant} cannot embed files; use pdf/a-3b or pdf/a-3u", None))
        if problems:
            raise _located(problems)
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Brief:
        problems = []
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                problems.append((("sources", index, "id"), "duplicate_source",
                                 "source id {id!r} is used twice", source.id))
            seen.add(source.id)
        for loc, source_id in self.citations():
            if source_id not in seen:
                known = ", ".join(sorted(seen)) or "none"
                problems.append((loc, "unknown_source",
                                 f"cites source {{id!r}}, which is not in sources (known: {known})",
                                 source_id))
        if problems:
            raise _located(problems)
        return self

    def citations(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every `source` reference in the brief, with where it stands."""
        found = []
        sections = {"background": self.background, "legal_deadlock": self.legal_deadlock,
                    "expert_proposals": self.expert_proposals}
        for name, section in sections.items():
            if section is None:
                continue
            for field_name in type(section).model_fields:
                items = getattr(section, field_name)
                if not isinstance(items, list):
                    continue
                for index, item in enumerate(items):
                    source = getattr(item, "source", None)
                    if source is not None:
                        found.append(((name, field_name, index, "source"), source))
        return found


def _located(problems: list[tuple[Any, str, str, Any]]) -> ValidationError:
    """A ValidationError whose entries point at the offending fields."""
    details = []
    for loc, kind, message, value in problems:
        loc = loc if isinstance(loc, tuple) else (loc,)
        message = message.replace("{id!r}", repr(value))
        details.append(InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value))
    return ValidationError.from_exception_data("Brief", details)
