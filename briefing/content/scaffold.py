"""Scaffold: a complete skeleton brief to start writing from.

The skeleton has every section and, beside each field, a comment or a
placeholder that says what goes there. It validates, passes the editorial
checks and builds as written, so an analyst can replace the text piece by
piece and build at any point.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import BriefError, Problem

FORMATS = ("yaml", "md", "json", "toml")
_SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".md": "md", ".markdown": "md", ".json": "json", ".toml": "toml"}
_SUFFIXES = {"yaml": ".yaml", "md": ".md", "json": ".json", "toml": ".toml"}
_NAMES = {"yaml": "YAML", "md": "Markdown", "json": "JSON", "toml": "TOML"}


def skeleton(title: str = "Title of the brief", *, format: str = "yaml", date: dt.date | None = None) -> str:
    """The text of a skeleton brief in `format` (yaml, md, json or toml), dated `date` (default today).

    JSON and TOML hold the same data as the YAML skeleton; they have no comments to carry its hints.
    """
    if format not in FORMATS:
        raise BriefError([Problem("options", f"unknown format {format!r} (expected {', '.join(FORMATS)})",
                                  field="format", code="invalid_option")])
    date = date or dt.date.today()
    title = title.strip() or "Title of the brief"
    fields = {"title": _quoted(title), "date": date.isoformat(), "year": str(date.year)}
    if format == "md":
        return _fill(_MARKDOWN, fields)
    text = _fill(_YAML_HEAD + _YAML_SECTIONS + _YAML_TAIL, fields)
    if format == "yaml":
        return text
    from .formats import parse_yaml

    data = parse_yaml(text, "skeleton.yaml").data
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import tomli_w

    return tomli_w.dumps(data)


def new(path: str | Path, title: str | None = None, *, format: str | None = None, date: dt.date | None = None,
        force: bool = False) -> Path:
    """Write a skeleton brief to `path`; the format follows `format` or else the file's suffix."""
    path = Path(path)
    format = format or _SUFFIX_FORMATS.get(path.suffix.lower())
    if format is None:
        raise BriefError([Problem(path, f"cannot tell the format from {path.suffix or 'no suffix'!r}; "
                                        "name the file .yaml, .md, .json or .toml, or pass --format")])
    if format not in FORMATS:
        skeleton("", format=format)  # the error that lists the formats
    if _SUFFIX_FORMATS.get(path.suffix.lower()) != format:
        raise BriefError([Problem(path, f"a {_NAMES[format]} brief needs a file name ending in {_SUFFIXES[format]}")])
    return write_new(path, skeleton(title or "Title of the brief", format=format, date=date), force=force)


def write_new(path: Path, text: str, *, force: bool = False) -> Path:
    """Write a new file the user will edit; an existing one is replaced only with `force`."""
    if path.exists() and not force:
        raise BriefError([Problem(path, "already exists; choose another name or pass --force")])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BriefError([Problem(path, f"cannot write: {error.strerror or error}")]) from None
    return path


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


def _fill(template: str, fields: dict[str, str]) -> str:
    for name, value in fields.items():
        template = template.replace("{{" + name + "}}", value)
    return template


_YAML_HEAD = """\
# A policy brief for `briefing`. Build it with:  briefing build THIS-FILE
# Check it while writing with:                   briefing validate THIS-FILE
# Every field is explained in docs/content-format.md. Prose fields are Markdown
# (**bold**, *italic*, [links](https://example.org)); raw HTML is shown as text.
# Dates are written 2021, 2021-02 or 2021-02-28. Every value is read as text as
# written, so NO, yes or 1.10 stay exactly that. Unknown keys are errors.
# For completion and checking in an editor, run `briefing schema -o brief.schema.json`
# and put the yaml-language-server $schema line from the docs at the top of this file.

meta:
  title: {{title}}
  subtitle: One sentence that says what the reader should take away   # optional
  short_title: Short title for the running header                     # optional; defaults to the title
  series: Series name                  # optional: the publication series in the masthead
  identifier: BR-{{year}}-01             # optional: reference in the footer, metadata and file name
  date: {{date}}                     # the date of the brief, YYYY-MM-DD
  language: en                         # BCP 47 tag: en, en-GB, fr, ko …
  authors:                             # in credit order; may be empty if `publisher` is set
    - name: Author Name
      role: Senior Fellow              # optional
      affiliation: Institute Name      # optional
  publisher: Institute Name            # optional: the publishing organisation
  keywords: [first keyword, second keyword]   # for the PDF metadata

# Key takeaways, shown in a box on page 1: two to five points, about 150 words together.
summary:
  - "**The first point in bold.** Then one or two sentences that explain it."
  - "**The second point in bold.** Then one or two sentences that explain it."
  - "**The third point in bold.** Then one or two sentences that explain it."
"""

_YAML_SECTIONS = """
# Section 1 (required): how things came to this point.
background:
  title: Background                    # optional: the heading, to rename the section
  body: |-
    The prose of the section, in Markdown. Leave a blank line between paragraphs.

    A second paragraph.
  timeline:                            # dated events, oldest first
    - date: {{year}}-01                  # 1965, 2019-07 or 1965-06-22
      when: Early {{year}}               # optional: how to show the date
      event: What happened, in a sentence.
      source: source-one               # optional: the id of a source below
  figures:                             # key figures; each must name its source
    - value: "40%"                     # the number as printed
      label: of something, as measured by the source
      source: source-one

# Section 2 (optional; delete it to leave it out): positions, agreements and rulings.
legal_deadlock:
  body: The prose of the section, in Markdown.   # optional
  positions:                           # each party's stance, shown side by side
    - party: First party
      stance: What the first party holds.
      source: source-one               # optional
    - party: Second party
      stance: What the second party holds.
  agreements:                          # treaties and agreements, oldest first
    - date: {{year}}-01-15
      name: Name of the agreement
      summary: What it settled, and what is disputed about it.
      source: source-one               # optional
  rulings:                             # court rulings, oldest first, shown as a table
    - date: {{year}}-02
      court: Name of the court
      holding: What the court held.
      source: source-one               # optional

# Section 3 (optional): one card per expert, with a pull quote.
expert_proposals:
  body: An introduction to the proposals.   # optional
  proposals:
    - expert:
        name: Expert Name
        role: Professor                # optional
        affiliation: University Name   # optional
      proposal: "**The proposal in bold.** Then how it would work, in the brief's words."
      quote: The expert's own words, verbatim.   # optional; needs `source`
      source: source-one

# Section 4 (optional): what comes next.
outlook:
  body: The prose of the section, in Markdown.
  signposts:                           # what to watch, soonest first
    - date: {{year}}-12                  # optional
      item: Something to watch for.
    - when: Next year                  # optional: how to show the date
      item: Something else to watch for.
"""

_YAML_TAIL = """
# Every work the brief cites. `source` fields above name these ids.
sources:
  - id: source-one                     # letters, digits, dot, dash, underscore
    title: Title of the source
    author: Author of the source       # optional
    publisher: Publisher of the source # optional
    date: {{date}}                     # optional: 2021, 2021-02 or 2021-02-28
    url: https://example.org/source    # optional: http, https or mailto
    note: Anything else a reader needs to find it.   # optional

# Optional: the fixed wording of the layout, to rename or translate.
# labels:
#   takeaways: Key takeaways
#   timeline: Timeline
#   figures: Key figures
#   positions: Positions
#   agreements: Agreements
#   rulings: Court rulings
#   signposts: What to watch
#   sources: Sources
#   page: Page
#   of: of
#   cited_by: Cited for
"""

_MARKDOWN = """\
---
# A policy brief for `briefing`, written as Markdown with YAML front matter.
# Build it with `briefing build THIS-FILE`; check it with `briefing validate THIS-FILE`.
# The front matter (between the --- lines) holds the facts and short fields; each
# `## ` heading below starts a section, and the prose under it is that section's body.
# Every field is explained in docs/content-format.md. Dates are 2021, 2021-02 or
# 2021-02-28; values are read as text as written; unknown keys are errors.
meta:
  title: {{title}}
  subtitle: One sentence that says what the reader should take away   # optional
  short_title: Short title for the running header                     # optional
  series: Series name                  # optional
  identifier: BR-{{year}}-01             # optional
  date: {{date}}                     # the date of the brief, YYYY-MM-DD
  language: en                         # BCP 47 tag: en, en-GB, fr, ko …
  authors:
    - name: Author Name
      role: Senior Fellow              # optional
      affiliation: Institute Name      # optional
  publisher: Institute Name            # optional
  keywords: [first keyword, second keyword]

# Key takeaways, page 1: two to five points, about 150 words together.
summary:
  - "**The first point in bold.** Then one or two sentences that explain it."
  - "**The second point in bold.** Then one or two sentences that explain it."
  - "**The third point in bold.** Then one or two sentences that explain it."

# The lists of each section; their prose is under the headings below.
background:
  timeline:                            # dated events, oldest first
    - date: {{year}}-01
      when: Early {{year}}               # optional: how to show the date
      event: What happened, in a sentence.
      source: source-one               # optional
  figures:                             # key figures; each must name its source
    - value: "40%"
      label: of something, as measured by the source
      source: source-one

legal_deadlock:
  positions:                           # each party's stance, side by side
    - party: First party
      stance: What the first party holds.
      source: source-one
    - party: Second party
      stance: What the second party holds.
  agreements:                          # oldest first
    - date: {{year}}-01-15
      name: Name of the agreement
      summary: What it settled, and what is disputed about it.
      source: source-one
  rulings:                             # oldest first
    - date: {{year}}-02
      court: Name of the court
      holding: What the court held.
      source: source-one

expert_proposals:
  proposals:
    - expert:
        name: Expert Name
        role: Professor
        affiliation: University Name
      proposal: "**The proposal in bold.** Then how it would work, in the brief's words."
      quote: The expert's own words, verbatim.   # needs `source`
      source: source-one

outlook:
  signposts:                           # soonest first
    - date: {{year}}-12
      item: Something to watch for.
    - when: Next year
      item: Something else to watch for.

sources:
  - id: source-one
    title: Title of the source
    author: Author of the source       # optional
    publisher: Publisher of the source # optional
    date: {{date}}                     # optional
    url: https://example.org/source    # optional
    note: Anything else a reader needs to find it.   # optional
---

## Background

The prose of the section, in Markdown. Leave a blank line between paragraphs.
A heading that is not a section's name takes its kind in braces, as in
`## How we got here {#background}`; the heading then becomes the section's title.

## Legal deadlock

The prose of the section, in Markdown. Leave out the heading and the
`legal_deadlock` fields above to leave the section out.

## Expert proposals

An introduction to the proposals.

## Outlook

The prose of the section, in Markdown.
"""
