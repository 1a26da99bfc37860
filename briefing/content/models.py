"""The content of a brief, as an analyst names it.

These models only describe and validate: they know nothing of files, HTML or
PDF. Every model rejects unknown keys, so a typo is an error rather than a
silently ignored field. Prose fields hold Markdown, which the theme renders
with raw HTML switched off.

Unlike the rest of the package, this module has no `from __future__ import annotations`:
its annotations are objects when a class is made, so pydantic need not evaluate some 160
strings to build the schemas (about 10 ms of every command's start-up). A class named before
it is defined is written in quotes.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, ValidationInfo,
                      model_validator)
from .formats import SHORTHAND_LISTS
from .identifiers import CITATION_STYLES, Doi, Email, Https, Isbn, Issn, Licence, Orcid
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema


def _empty() -> list:
    """A new empty list, the default of every list field. (A function of this module rather than
    `list` itself: pydantic reads a default factory's signature, and reading a built-in's means
    tokenizing its text signature, about 5 ms of the models' import.)"""
    return []


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

Language = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(description="A BCP 47 language tag, such as en, en-GB, ko, ja or zh-Hant."),
]

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(value: Any) -> Any:
    """Only a real calendar day written YYYY-MM-DD (or a date object): not a year, a timestamp or a time."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date without a time, written YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DAY.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"not a real date: {error}") from None
    raise ValueError("expected a date written YYYY-MM-DD, such as 2021-02-28")


Day = Annotated[dt.date, BeforeValidator(_day)]

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
    def parse(cls, value: Any) -> "PartialDate":
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

    name: Text = Field(description="The author's name as it should be printed.")
    role: Text | None = Field(None, description="The author's position, such as 'Senior Fellow'.")
    affiliation: Text | None = Field(None, description="The author's institution.")
    language: Language | None = Field(
        None, description="The language of the name, where it is not the brief's, such as ja for 菅義偉.")
    # --- publication: who the author is, for the back matter (issue 23) ---
    orcid: Orcid | None = Field(None, description="The author's ORCID iD, such as 0000-0002-1825-0097; "
                                                  "printed as a link to https://orcid.org/.")
    email: Email | None = Field(None, description="The author's e-mail address.")
    bio: Markdown | None = Field(None, description="A few sentences about the author, printed under "
                                                   "'About the authors' (Markdown).")
    # --- end publication ---


class Revision(Model):
    """One published version of the brief, listed in the revision history."""

    version: Text = Field(description="The version's name, such as 1.1.")
    date: Day = Field(description="When the version was published (YYYY-MM-DD).")
    note: Markdown | None = Field(None, description="What changed in it, in a sentence (Markdown).")


class Meta(Model):
    """What the brief is: shown in the masthead and written into the PDF metadata."""

    title: Text = Field(description="The headline of the brief.")
    subtitle: Text | None = Field(None, description="One sentence under the title; also the PDF description.")
    short_title: Text | None = Field(None, description="Running header text; defaults to the title.")
    series: Text | None = Field(None, description="The publication series, shown in the masthead.")
    identifier: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] | None = Field(
        None, description="A short reference such as AI-2021-02, shown in the footer and metadata.")
    date: Day = Field(description="The date of the brief (YYYY-MM-DD).")
    language: Language = Field(
        "en", description="BCP 47 language tag of the text, such as en, en-GB or ko: it sets the labels, "
                          "the dates, the quotation marks, hyphenation and, for ar, he, fa or ur, "
                          "right-to-left layout.")
    authors: list[Author] = Field(default_factory=_empty, description="Who wrote the brief, in credit order.")
    publisher: Text | None = Field(
        None, description="The organisation that publishes the brief; credited when no author is named.")
    keywords: list[Text] = Field(default_factory=_empty, description="Subject keywords for the PDF metadata.")
    page_budget: int | None = Field(None, ge=1, description="Pages the brief may take; `briefing check` reports "
                                                            "a longer brief, with the pages each section takes.")
    word_budget: int | None = Field(None, ge=1, description="Words the summary and sections may hold together "
                                                            "(meta, sources and labels do not count).")
    # --- publication: identifiers, rights and back matter (issue 23) ---
    doi: Doi | None = Field(None, description="The brief's DOI, such as 10.5555/bgn.2026.07: printed as a "
                                              "https://doi.org/ link, written into the PDF's metadata.")
    isbn: Isbn | None = Field(None, description="The brief's ISBN (ISBN-10 or ISBN-13), check digit checked.")
    issn: Issn | None = Field(None, description="The ISSN of the series the brief belongs to, check digit checked.")
    licence: Licence | None = Field(
        None, description="The brief's licence: an SPDX licence id (CC-BY-4.0, CC-BY-NC-ND-4.0, CC0-1.0, …) "
                          "or all-rights-reserved; printed with its name and deed link, and in the PDF's rights.")
    copyright: Text | None = Field(None, description="The copyright line, such as '© 2026 Institute for "
                                                     "Transboundary Water Policy'; also the right holder.")
    url: Https | None = Field(None, description="The brief's home on the web (https).")
    version: Text | None = Field(None, description="The brief's version, such as '1.0'.")
    acknowledgements: Markdown | None = Field(None, description="Thanks, printed in the back matter (Markdown).")
    funding: Markdown | None = Field(None, description="Who funded the work, printed in the back matter "
                                                       "(Markdown).")
    disclaimer: Markdown | None = Field(None, description="Whose views the brief states, printed last "
                                                          "(Markdown).")
    contact: Email | None = Field(None, description="Where readers write to, such as briefs@example.org.")
    citation_style: Literal[CITATION_STYLES] | None = Field(  # type: ignore[valid-type]
        None, description="The CSL style of 'How to cite': " + ", ".join(CITATION_STYLES)
                          + " (default chicago-author-date).")
    # --- end publication ---
    revisions: list[Revision] = Field(default_factory=_empty, description="The published versions, oldest first, "
                                                                        "each with its version, date and note.")


class Event(Model):
    """One dated entry of a timeline."""

    date: PartialDate = Field(description="When it happened: 1965, 2019-07 or 1965-06-22.")
    when: Text | None = Field(None, description="How to show the date, such as 'Summer 2019'.")
    event: Markdown = Field(description="What happened, in a sentence or two (Markdown).")
    source: SourceId | None = Field(None, description="The id of the source that reports it.")


class Figure(Model):
    """A key figure, shown large with its label; it must name its source."""

    value: Text = Field(description="The number as printed, such as '40.4%' or '60 million'.")
    label: Markdown = Field(description="What the number measures, read after the value (Markdown).")
    source: SourceId = Field(description="The id of the source the figure comes from (required).")


# ---- Charts (issue 22): a chart drawn from the brief's own data ------------------------------------

CHART_KINDS = ("bar", "column", "line", "area", "stacked-bar", "stacked-column")
#: A chart holds at most this many rows of data, inline or from its CSV file.
MAX_CHART_ROWS = 10_000
Cell = Annotated[int | float | str, Field(union_mode="left_to_right", description="A value: text for the categories, a number for a series.")]
Colour = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^#[0-9A-Fa-f]{6}$"),
                   Field(description="A colour written #rrggbb.")]


def chart_data_problems(rows: list[dict[str, Any]], x: str, ys: list[str],
                        locate: Any = None) -> list[tuple[tuple[Any, ...], str, str, Any]]:
    """What is wrong with a chart's rows: too many or none, a column `x` or `ys` names that a row
    lacks (located at `x` or `y`), a series value that is not a number. `locate(row, column)` gives
    a value's place (row None: the data as a whole); by default the rows are the chart's inline `data`."""
    locate = locate or (lambda index, column: ("data", *(() if index is None else (index,)),
                                               *(() if column is None else (column,))))
    if len(rows) > MAX_CHART_ROWS:
        return [(locate(None, None), "too_many_rows",
                 f"{len(rows):,} rows of data; a chart holds at most {MAX_CHART_ROWS:,}", None)]
    if not rows:
        return [(locate(None, None), "no_chart_data", "a chart needs at least one row of data", None)]
    problems = []
    fields = [(("x",), x), *((("y",) if len(ys) == 1 else ("y", number), name) for number, name in enumerate(ys))]
    for field_loc, name in fields:  # located at the field that names the column
        lacking = next((index for index, row in enumerate(rows) if name not in row), None)
        if lacking is not None:
            known = ", ".join(sorted({key for row in rows for key in row})) or "none"
            where = "the data have" if lacking == 0 else f"row {lacking + 1} of the data has"
            problems.append((field_loc, "unknown_column", f"names column {name!r}, which {where} not "
                                                          f"(columns: {known})", name))
    for index, row in enumerate(rows):
        for name in ys:
            value = row.get(name)
            if name in row and (isinstance(value, bool) or not isinstance(value, int | float)
                                or value != value or value in (float("inf"), float("-inf"))):
                problems.append((locate(index, name), "not_a_number",
                                 f"{name} must be a number, got {value!r}", value))
                break
    return problems


class Chart(Model):
    """A chart drawn from data the brief carries: vector in print, with alt text and a data table."""

    title: Text = Field(description="What the chart shows, printed above it (required).")
    kind: Literal[CHART_KINDS] = Field(  # type: ignore[valid-type]
        "column", description="bar, column, line, area, stacked-bar or stacked-column.")
    data: Annotated[list[dict[Text, Cell]], Field(max_length=MAX_CHART_ROWS)] | Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"(?i)^[^:]*\.csv$")] = Field(
        description="The rows, inline as mappings, or a CSV file (with a header row) beside the content file, "
                    "such as data/flow.csv.")
    x: Text = Field(description="The column of the categories or dates along the axis.")
    y: Text | Annotated[list[Text], Field(min_length=1, max_length=12)] = Field(
        description="The column of the values, or a list of columns, one series each.")
    unit: Text | None = Field(None, description="The unit of the values, such as m³/s or %.")
    caption: Markdown | None = Field(None, description="A sentence under the chart (Markdown).")
    source: SourceId = Field(description="The id of the source of the data (required).")
    description: Text | None = Field(
        None, description="The text alternative; written from the data in the brief's language when left out.")
    colors: list[Colour] | None = Field(
        None, description="The series' colours, in order; default: the theme's series-1, series-2, … tokens.")
    table: bool = Field(False, description="Also print the data table under the chart (it is always in "
                                           "the tagged PDF's structure and in the web page).")

    @property
    def series(self) -> list[str]:
        return [self.y] if isinstance(self.y, str) else list(self.y)

    @model_validator(mode="after")
    def _data_fits(self) -> "Chart":
        if isinstance(self.data, list) and (problems := chart_data_problems(self.data, self.x, self.series)):
            raise _located(problems)
        return self

# ---- end of charts ----------------------------------------------------------------------------------


class Background(Model):
    """Section 1: how things came to this point."""

    title: Text = Field("Background", description="The section heading.")
    body: Markdown = Field(description="The prose of the section (Markdown).")
    timeline: list[Event] = Field(default_factory=_empty, description="Dated events, oldest first.")
    figures: list[Figure] = Field(default_factory=_empty, description="Key figures shown beside the prose.")
    charts: list[Chart] = Field(default_factory=_empty, description="Charts drawn from the brief's data.")


class Position(Model):
    """One party's stance, shown side by side with the others."""

    party: Text = Field(description="Who holds the position, such as a government.")
    stance: Markdown = Field(description="What the party holds (Markdown).")
    source: SourceId | None = Field(None, description="The id of the source for the stance.")


class Agreement(Model):
    """A treaty or agreement that bears on the dispute."""

    date: PartialDate = Field(description="When it was signed or announced.")
    name: Text = Field(description="The agreement's name.")
    summary: Markdown = Field(description="What it settled, and what is disputed about it (Markdown).")
    source: SourceId | None = Field(None, description="The id of the source for the summary.")


class Ruling(Model):
    """A court decision, shown as a row of the rulings table."""

    date: PartialDate = Field(description="When the court ruled.")
    court: Text = Field(description="The court's name.")
    holding: Markdown = Field(description="What the court held (Markdown).")
    source: SourceId | None = Field(None, description="The id of the source for the ruling.")


class LegalDeadlock(Model):
    """Section 2: where law and politics block each other."""

    title: Text = Field("Legal deadlock", description="The section heading.")
    body: Markdown | None = Field(None, description="The prose of the section (Markdown).")
    positions: list[Position] = Field(default_factory=_empty, description="Each party's stance, side by side.")
    agreements: list[Agreement] = Field(default_factory=_empty, description="Treaties and agreements, oldest first.")
    rulings: list[Ruling] = Field(default_factory=_empty, description="Court rulings, oldest first.")
    charts: list[Chart] = Field(default_factory=_empty, description="Charts drawn from the brief's data.")


class Expert(Model):
    """The person behind a proposal."""

    name: Text = Field(description="The expert's name.")
    role: Text | None = Field(None, description="The expert's title or position, such as 'Professor'.")
    affiliation: Text | None = Field(None, description="The expert's institution.")
    language: Language | None = Field(
        None, description="The language of the name, where it is not the brief's, such as ko for 김민.")


class Proposal(Model):
    """What one expert proposes, with a verbatim quote as the pull quote."""

    expert: Expert = Field(description="Who proposes it.")
    proposal: Markdown = Field(description="The proposal in the brief's words (Markdown).")
    quote: Text | None = Field(None, description="Verbatim words of the expert; needs `source`.")
    source: SourceId | None = Field(None, description="The id of the source of the quote and proposal.")

    @model_validator(mode="after")
    def _quote_needs_source(self) -> "Proposal":
        if self.quote is not None and self.source is None:
            raise _located([("source", "quote_without_source", QUOTE_WITHOUT_SOURCE, None)])
        return self


def _or_plain_list(field_name: str) -> Any:
    """A schema hook: the section may also be written as a plain list, which is its `field_name`."""
    def extend(schema: dict[str, Any], model: type) -> None:
        written_out = dict(schema)
        plain = {**written_out["properties"][field_name],
                 "description": f"A plain list: the {field_name} alone."}
        schema.clear()
        schema.update(title=written_out.pop("title", model.__name__),
                      description=written_out.pop("description", ""), anyOf=[written_out, plain])
    return extend


def _or_text(field_name: str) -> Any:
    """A schema hook: the item may also be written as plain text, which is its `field_name`."""
    def extend(schema: dict[str, Any], model: type) -> None:
        written_out = dict(schema)
        schema.clear()
        schema.update(title=written_out.pop("title", model.__name__),
                      description=written_out.pop("description", ""),
                      anyOf=[written_out, {"type": "string", "minLength": 1,
                                           "description": f"Plain text: the {field_name} alone."}])
    return extend


class ExpertProposals(Model):
    """Section 3: ways out, one card per expert; a plain list of proposals is the same as `proposals:`."""

    model_config = ConfigDict(json_schema_extra=_or_plain_list("proposals"))

    title: Text = Field("Expert proposals", description="The section heading.")
    body: Markdown | None = Field(None, description="An introduction to the proposals (Markdown).")
    proposals: list[Proposal] = Field(min_length=1, description="One entry per expert proposal.")
    charts: list[Chart] = Field(default_factory=_empty, description="Charts drawn from the brief's data.")

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, data: Any) -> Any:
        return {SHORTHAND_LISTS["expert_proposals"]: data} if isinstance(data, list) else data


class Signpost(Model):
    """Something to watch, with its date where known; plain text is the `item` alone."""

    model_config = ConfigDict(json_schema_extra=_or_text("item"))

    date: PartialDate | None = Field(None, description="When it is due, if known.")
    when: Text | None = Field(None, description="How to show the date, such as 'Spring 2022'.")
    item: Markdown = Field(description="What to watch for (Markdown).")

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        return {"item": data} if isinstance(data, str) else data


class Outlook(Model):
    """Section 4: what comes next."""

    title: Text = Field("Outlook", description="The section heading.")
    body: Markdown = Field(description="The prose of the section (Markdown).")
    signposts: list[Signpost] = Field(default_factory=_empty, description="What to watch, soonest first.")
    charts: list[Chart] = Field(default_factory=_empty, description="Charts drawn from the brief's data.")


class Source(Model):
    """A work the brief draws on; quotes, figures and events cite it by `id`."""

    id: SourceId = Field(description="A short name that `source` fields use, such as st-2021.")
    title: Text = Field(description="The title of the work.")
    author: Text | None = Field(None, description="Who wrote it.")
    publisher: Text | None = Field(None, description="Who published it.")
    date: PartialDate | None = Field(None, description="When it was published: 2021, 2021-02 or 2021-02-28.")
    url: Url | None = Field(None, description="Where to read it (http, https or mailto).")
    note: Text | None = Field(None, description="Anything else a reader needs to find or judge it.")
    language: Language | None = Field(
        None, description="The language of the title, where it is not the brief's.")
    archive: Text | None = Field(
        None, description="A local copy of the source's text (plain text or Markdown), relative to the content "
                          "file's folder: quotes citing the source are checked against it word for word.")


class Labels(Model):
    """Fixed wording of the layout, to rename or translate per brief.

    Each field left out takes the wording of the brief's language (`meta.language`)
    where briefing knows it, else the English shown here."""

    takeaways: Text = Field("Key takeaways", description="Heading of the key takeaways box.")
    timeline: Text = Field("Timeline", description="Heading of the timeline.")
    figures: Text = Field("Key figures", description="Heading of the key figures.")
    positions: Text = Field("Positions", description="Heading of the parties' positions.")
    agreements: Text = Field("Agreements", description="Heading of the agreements list.")
    rulings: Text = Field("Court rulings", description="Heading of the rulings table.")
    signposts: Text = Field("What to watch", description="Heading of the signposts.")
    sources: Text = Field("Sources", description="Heading of the sources list.")
    page: str = Field("Page", description="The word before the page number in the footer (may be empty).")
    of: Text = Field("of", description="The word between page number and page count.")
    page_end: str = Field("", description="The word after the page count, where the language needs one.")
    cited_by: Text = Field("Cited for", description="Lead-in to where a source is cited.")
    date: Text = Field("Date", description="Heading of a date column or row.")
    court: Text = Field("Court", description="Heading of the rulings table's court column.")
    holding: Text = Field("Holding", description="Heading of the rulings table's holding column.")
    memo: Text = Field("Memo", description="The word that heads a memo (memo theme).")
    subject: Text = Field("Subject", description="The memo's subject row.")
    sender: Text = Field("From", description="The memo's row of authors.")
    series: Text = Field("Series", description="The memo's series row.")
    # --- publication: the back matter's wording (issue 23) ---
    about_authors: Text = Field("About the authors", description="Heading of the authors' biographies.")
    acknowledgements: Text = Field("Acknowledgements", description="Heading of the acknowledgements.")
    funding: Text = Field("Funding", description="Heading of the funding statement.")
    how_to_cite: Text = Field("How to cite this brief", description="Heading of the brief's own citation.")
    licence: Text = Field("Licence", description="Heading of the licence and copyright.")
    identifiers: Text = Field("Identifiers", description="Heading of the DOI, ISBN, ISSN and reference.")
    reference: Text = Field("Reference", description="The label of the brief's identifier (meta.identifier).")
    version: Text = Field("Version", description="The label of the brief's version.")
    contact: Text = Field("Contact", description="The label of the contact address.")
    disclaimer: Text = Field("Disclaimer", description="Heading of the disclaimer.")
    all_rights_reserved: Text = Field("All rights reserved.", description="The statement of a work whose "
                                                                          "rights are all reserved.")
    cc_by: Text = Field("Credit must be given to the creator.", description="Creative Commons BY, in words.")
    cc_nc: Text = Field("Only noncommercial uses of the work are permitted.",
                        description="Creative Commons NC, in words.")
    cc_sa: Text = Field("Adaptations must be shared under the same terms.",
                        description="Creative Commons SA, in words.")
    cc_nd: Text = Field("No derivatives or adaptations of the work are permitted.",
                        description="Creative Commons ND, in words.")
    cc_zero: Text = Field("The work is dedicated to the public domain.", description="CC0, in words.")
    # --- end publication ---
    contents: Text = Field("Contents", description="Heading of the web page's table of contents.")
    skip_to_content: Text = Field("Skip to the brief", description="The web page's skip link, for keyboards.")
    download_pdf: Text = Field("Download the PDF", description="The web page's link to the PDF built with it.")
    comma: Annotated[str, StringConstraints(min_length=1, max_length=3)] = Field(
        ", ", description="What separates the parts of a source entry or of a name's details.")
    colon: Annotated[str, StringConstraints(min_length=1, max_length=3)] = Field(
        ":", description="What follows a lead-in such as \"Cited for\" (：in Chinese and Japanese).")
    full_stop: Annotated[str, StringConstraints(min_length=1, max_length=3)] = Field(
        ".", description="What ends a source entry (。in Chinese and Japanese).")
    ruling_date: Text = Field("Date", description="Heading of the rulings table's date column "
                              "(the date a judgment was given); defaults to `date` where a brief sets that.")
    attribution: Annotated[str, StringConstraints(min_length=1, max_length=3)] = Field(
        "—", description="The dash before the name under a pull quote (– in German).")
    quotes: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=3)]],
                      Field(min_length=4, max_length=4)] = Field(
        ["“", "”", "‘", "’"], description="Quotation marks: opening, closing, then the inner pair.")


class Attachment(Model):
    """A file embedded in the PDF, such as a data table or an annex, from the brief's own folder."""

    path: Text = Field(description="The file, relative to the content file's folder.")
    description: Text | None = Field(None, description="What the file holds; defaults to its name.")
    relationship: Literal["Data", "Supplement", "Source", "Alternative", "Unspecified"] = Field(
        "Supplement", description="How the file relates to the brief, as PDF/A-3 names it.")


class Brief(Model):
    """A whole policy brief."""

    meta: Meta = Field(description="Title, date, authors and other facts about the brief.")
    summary: list[Markdown] = Field(min_length=1, description="Key takeaways, shown on page 1 (2 to 5).")
    background: Background = Field(description="Section 1: background, timeline and key figures.")
    legal_deadlock: LegalDeadlock | None = Field(
        None, description="Section 2: positions, agreements and rulings.")
    expert_proposals: ExpertProposals | None = Field(None, description="Section 3: the experts' proposals.")
    outlook: Outlook | None = Field(None, description="Section 4: outlook and what to watch.")
    sources: list[Source] = Field(default_factory=_empty, description="Every work the brief cites.")
    labels: Labels = Field(default_factory=Labels, description="Fixed wording of the layout, to translate.")
    attachments: list[Attachment] = Field(default_factory=_empty,
                                          description="Further files to embed in the PDF.")

    @model_validator(mode="after")
    def _variant_requirements(self, info: ValidationInfo) -> "Brief":
        """What the PDF variant asked for at build time (`context={"variant": …}`) needs from the content."""
        from ..variants import embeds_files, is_tagged, label

        variant = (info.context or {}).get("variant")
        name = label(variant)
        problems = []
        if is_tagged(variant) and "language" not in self.meta.model_fields_set:
            problems.append((("meta", "language"), "language_required",
                             f"{name} needs the language of the text: set meta.language (such as en or en-GB)",
                             None))
        if not embeds_files(variant) and self.attachments:
            problems.append((("attachments",), "attachments_not_allowed",
                             f"{name} cannot embed files; use pdf/a-3b, pdf/a-3u or pdf/a-4f", None))
        if problems:
            raise _located(problems)
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> "Brief":
        problems = []
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                problems.append((("sources", index, "id"), "duplicate_source",
                                 "source id {id!r} is used twice", source.id))
            seen.add(source.id)
        for loc, source_id in self.citations():
            if source_id not in seen:
                problems.append((loc, "unknown_source", unknown_source(source_id, seen), source_id))
        if problems:
            raise _located(problems)
        return self

    def citations(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every `source` reference in the brief, with where it stands."""
        found = []
        for name, fields in CITING.items():
            section = getattr(self, name)
            if section is None:
                continue
            for field_name in fields:
                for index, item in enumerate(getattr(section, field_name)):
                    if item.source is not None:
                        found.append(((name, field_name, index, "source"), item.source))
        return found


#: The lists whose items cite a source, by section: the one map of where citations stand.
CITING = {"background": ("timeline", "figures", "charts"),
          "legal_deadlock": ("positions", "agreements", "rulings", "charts"),
          "expert_proposals": ("proposals", "charts"), "outlook": ("charts",)}
QUOTE_WITHOUT_SOURCE = "a quote must name its source"
#: Sections that may be written as a plain list, which then stands for this one list field.


def unknown_source(source_id: str, known: Any) -> str:
    """The message for a citation of a source the brief does not list."""
    return f"cites source {source_id!r}, which is not in sources (known: {', '.join(sorted(known)) or 'none'})"


def _located(problems: list[tuple[Any, str, str, Any]]) -> ValidationError:
    """A ValidationError whose entries point at the offending fields."""
    details = []
    for loc, kind, message, value in problems:
        loc = loc if isinstance(loc, tuple) else (loc,)
        message = message.replace("{id!r}", repr(value))
        details.append(InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value))
    return ValidationError.from_exception_data("Brief", details)
