"""Load: read a content file and validate it into a `Brief`.

Every problem comes back at once as a `BriefError` whose problems name the
file, the line and column where the parser knows them, and the field.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import BriefError, Problem, closest
from .formats import MARKDOWN_SECTIONS, SUFFIXES, Parsed, Positions, kind_of, parse_text
from .models import SHORTHAND_LISTS, Brief
from .source import MAX_CONTENT_BYTES, _provided, read

FORMATS = SUFFIXES
#: A top-level key that editors read to find the JSON Schema; the loader ignores it.
SCHEMA_KEY = "$schema"


@dataclass(frozen=True)
class Checked:
    """A brief that loaded without errors, with the editor's warnings about it."""

    brief: Brief
    warnings: tuple[Problem, ...] = ()
    path: Path | None = None
    source: bytes | None = None
    """The content file's bytes exactly as they were read and validated."""
    positions: Positions | None = None
    """Where each field stands in the content file, to locate findings made later (missing glyphs, layout)."""


def load(path: str | Path, *, variant: str | None = None, max_bytes: int = MAX_CONTENT_BYTES) -> Brief:
    """Read and validate the brief in `path`; raise `BriefError` on any problem.

    With a PDF `variant`, the brief must also hold what that variant needs
    (for instance an explicit language for pdf/ua-1). A file larger than `max_bytes`
    (default `MAX_CONTENT_BYTES`, 10 MiB) is refused before it is read.
    """
    path = Path(path)
    parsed = parse(path, max_bytes=max_bytes)
    return validate(parsed.data, path, parsed.positions, problems=parsed.problems, format=parsed.format,
                    variant=variant)


def check(path: str | Path, *, variant: str | None = None, max_bytes: int = MAX_CONTENT_BYTES,
          limits: Any = None) -> Checked:
    """Load the brief in `path` and run the editorial and provenance checks on it.

    Errors raise `BriefError` as `load` does (so does a source archive that cannot be read);
    warnings come back in `Checked.warnings` and never raise (the CLI's `--strict` turns them
    into a failure). Findings of severity `info` (a quote whose source has no archive) count
    only with `--strict`. With `limits` (`sandbox.limits.Limits`), quotes are checked against
    their archives in a bounded worker, within the same time and memory as rendering.
    """
    from .quotes import check_quotes, has_archived_quotes
    from .review import review

    path = Path(path)
    source = read(path, max_bytes=max_bytes)
    parsed = _parse_bytes(path, source)
    brief = validate(parsed.data, path, parsed.positions, problems=parsed.problems, format=parsed.format,
                     variant=variant)
    if limits is not None and has_archived_quotes(brief):
        from ..sandbox.limits import run_limited

        errors, findings = run_limited(check_quotes, (brief, path, parsed.positions), limits, path,
                                       step="checking quotes")
    else:
        errors, findings = check_quotes(brief, path, parsed.positions)
    if errors:
        raise BriefError(_sorted(errors))
    warnings = _sorted([*review(brief, path, parsed.positions), *findings])
    return Checked(brief, tuple(warnings), path, source, parsed.positions)


def load_text(text: str, format: str = "yaml", path: str | Path = "<text>") -> Brief:
    """Validate a brief given as text in `format` (yaml, json, toml or markdown)."""
    if format not in {"yaml", "json", "toml", "markdown"}:
        raise BriefError([Problem(path, f"unknown content format {format!r} "
                                        "(expected yaml, json, toml or markdown)")])
    parsed = parse_text(text, path, format)
    return validate(parsed.data, Path(str(path)), parsed.positions, problems=parsed.problems,
                    format=format)


def parse(path: Path, *, max_bytes: int = MAX_CONTENT_BYTES, kind: str | None = None) -> Parsed:
    """Read `path` into plain data, the positions of its parts and the problems met while reading."""
    return _parse_bytes(path, read(path, max_bytes=max_bytes, kind=kind))


def _parse_bytes(path: Path, source: bytes) -> Parsed:
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefError([Problem(path, f"cannot read: {error}")]) from None
    return parse_text(text, path, _provided[path][1] if path in _provided else kind_of(path))


def validate(data: Any, path: Path, locate: Positions | None = None, *, problems: list[Problem] = (),
             format: str = "yaml", variant: str | None = None) -> Brief:
    """Validate parsed data into a `Brief`; every problem (with `problems` already found while
    reading) is raised at once as one `BriefError`, sorted by line. `variant` adds what that PDF
    variant needs from the content."""
    positions = locate or Positions()
    found = list(problems)
    if not isinstance(data, dict):
        found.append(Problem(path, "expected a mapping of sections (meta, summary, …) at the top",
                             line=1, column=1))
        raise BriefError(_sorted(found))
    if isinstance(data.get(SCHEMA_KEY), str):  # an editor's pointer to the schema, not content
        data = {key: value for key, value in data.items() if key != SCHEMA_KEY}
    brief = None
    try:
        brief = Brief.model_validate(data, context={"variant": variant})
    except ValidationError as error:
        from .review import reference_problems  # only on failure: review's Markdown parser costs start-up time

        found += validation_problems(error, path, positions, Brief, format=format, data=data)
        reported = {tuple(entry["loc"]) for entry in error.errors()}
        for loc, kind, message in reference_problems(data):
            if loc not in reported:
                loc = as_written(loc, data)
                line, column = positions.locate(loc)
                found.append(Problem(path, message, field=_dotted(loc), line=line, column=column, code=kind))
    if found or brief is None:
        raise BriefError(_sorted(found))
    from .charts import with_chart_files  # charts whose data is a CSV file beside the content

    brief, found = with_chart_files(brief, path, positions)
    if found:
        raise BriefError(_sorted(found))
    return brief


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in loc)


def validation_problems(error: ValidationError, path: Path, positions: Positions, model: type[BaseModel], *,
                        format: str = "yaml", patterns: dict[str, str] | None = None,
                        data: Any = None) -> list[Problem]:
    """Pydantic's errors for `model` as located problems: the one translation for content and settings files.

    `patterns` says, per top-level field, what a value failing its pattern should look like;
    `data`, the data as written, places errors in the shapes a brief may be written in.
    """
    return [_problem(path, positions, entry, model, format, patterns or {}, data) for entry in error.errors()]


def as_written(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """The place `loc` (a field of the models) has in the data as the user wrote it.

    A section written as a plain list (`expert_proposals: [...]`) holds its list
    field's items itself: `expert_proposals.proposals.0` is `expert_proposals.0` there.
    """
    if len(loc) >= 2 and isinstance(data, dict) and SHORTHAND_LISTS.get(loc[0]) == loc[1] \
            and isinstance(data.get(loc[0]), list):
        return (loc[0], *loc[2:])
    return loc


#: What each kind of entry looks like, shown when a value has the wrong shape: a name, then two
#: lines of YAML (a list item gets its dash).
SHAPES: dict[str, tuple[str, str, str]] = {
    "Meta": ("the brief's facts as a mapping", "title: Water sharing on the Mekong", "date: 2024-05-01"),
    "Author": ("an author as a mapping", "name: Ada Analyst", "affiliation: Test Institute"),
    "Background": ("a section as a mapping", "body: The river crosses six countries.",
                   "timeline: [{date: 1995, event: The Mekong Agreement is signed.}]"),
    "Event": ("a timeline event as a mapping", "date: 1995", "event: The Mekong Agreement is signed."),
    "Figure": ("a key figure as a mapping", 'value: "60 million"',
               "label: people depend on the river  # and its source: mrc"),
    "LegalDeadlock": ("a section as a mapping", "body: Both sides cite the 1965 treaty.",
                      "positions: [{party: Japan, stance: The claims were settled in 1965.}]"),
    "Position": ("a party's position as a mapping", "party: Japan", "stance: The claims were settled in 1965."),
    "Agreement": ("an agreement as a mapping", "date: 1965",
                  "name: Treaty on Basic Relations  # and its summary"),
    "Ruling": ("a court ruling as a mapping", "date: 2018", "court: Supreme Court of Korea  # and its holding"),
    "ExpertProposals": ("a list of proposals (or a mapping with proposals:)",
                        "- expert: {name: Kan Kimura, affiliation: Kobe University}",
                        "  proposal: Settle the claims through a joint fund."),
    "Proposal": ("a proposal as a mapping", "expert: {name: Kan Kimura, affiliation: Kobe University}",
                 "proposal: Settle the claims through a joint fund."),
    "Expert": ("an expert as a mapping", "name: Kan Kimura", "affiliation: Kobe University"),
    "Outlook": ("a section as a mapping", "body: Talks resume next year.",
                "signposts: [The next summit.]"),
    "Signpost": ("a signpost as plain text or as a mapping", "date: 2025-01", "item: The next summit."),
    "Source": ("a source as a mapping", "id: mrc-2023", "title: State of the Basin"),
    "Labels": ("the layout's wording as a mapping", "takeaways: Key takeaways", "page: Page"),
    "Revision": ("a revision as a mapping", "version: '1.1'", "date: 2024-06-01"),
    "Attachment": ("an attachment as a mapping", "path: data.csv", "description: The survey's answers."),
}
_SHAPE_ERRORS = {"model_type", "model_attributes_type", "dict_type"}


def _shape(loc: tuple[Any, ...], value: Any) -> tuple[str, tuple[str, str]] | None:
    """'expected …, got …; for example:' and two lines of example, for a value of the wrong shape at `loc`."""
    model = _model_at(loc)
    shape = SHAPES.get(getattr(model, "__name__", ""))
    if shape is None:
        return None
    name, first, second = shape
    if loc and isinstance(loc[-1], int) and not first.startswith("- "):
        first, second = f"- {first}", f"  {second}"
    return f"expected {name}, got {_describe(value)}; for example:", (first, second)


def _problem(path: Path, positions: Positions, entry: dict[str, Any], model: type[BaseModel], format: str,
             patterns: dict[str, str], data: Any = None) -> Problem:
    kind = entry["type"]
    is_key = "[key]" in entry["loc"]  # pydantic marks an error in a mapping's key with a "[key]" step
    model_loc = tuple(step for step in entry["loc"] if step != "[key]")
    loc = as_written(model_loc, data) if model is Brief else model_loc
    field = _dotted(loc)
    line, column = positions.locate(loc, key=kind == "extra_forbidden" or is_key)
    shape = _shape(model_loc, entry.get("input")) if model is Brief and kind in _SHAPE_ERRORS else None
    example: tuple[str, ...] = ()
    if shape is not None:
        message, example = shape
    elif is_key:
        message = f"{entry.get('input')!r} is not a token name (lower-case letters, digits and -)"
    elif kind == "missing":
        message = "required field is missing"
        if format == "markdown" and len(loc) == 2 and loc[1] == "body" and loc[0] in MARKDOWN_SECTIONS:
            message += f" (write it under a `## {MARKDOWN_SECTIONS[loc[0]]}` heading)"
    elif kind == "extra_forbidden":
        message = "unknown field" if model is Brief else "unknown setting"
        allowed = _fields_at(model_loc[:-1], model)
        suggestion = closest(str(loc[-1]), allowed)
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        elif allowed:
            message += f" (allowed: {', '.join(allowed)})"
    elif kind == "too_long" and "max_length" in entry.get("ctx", {}):
        noun = "entries" if isinstance(entry.get("input"), dict) else "items"
        message = f"holds more than {entry['ctx']['max_length']} {noun}; at most {entry['ctx']['max_length']} are allowed"
    elif kind == "string_pattern_mismatch" and loc and str(loc[0]) in patterns:
        message = f"{entry.get('input')!r} is not {patterns[str(loc[0])]}"
    else:
        message = entry["msg"].removeprefix("Value error, ")
        message = message[0].lower() + message[1:]
        if kind.endswith("_type") or kind.endswith("_parsing"):
            message += f", got {_describe(entry.get('input'))}"
    return Problem(path, message, field=field, line=line, column=column, code=kind, example=example)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _fields_at(loc: tuple[Any, ...], model: Any = Brief) -> list[str]:
    """The field names allowed at `loc` of `model`, found by walking the models' annotations."""
    found = _model_at(loc, model)
    return list(found.model_fields) if found is not None else []


def _model_at(loc: tuple[Any, ...], model: Any = Brief) -> type[BaseModel] | None:
    """The model whose entry stands at `loc` of `model`, if one does."""
    for step in loc:
        if isinstance(step, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or step not in model.model_fields:
            return None
        model = _inner_model(model.model_fields[step].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None
