"""Load: read a content file and validate it into a `Brief`.

Every problem comes back at once as a `BriefError` whose problems name the
file, the line and column where the parser knows them, and the field.
"""

from __future__ import annotations

import difflib
import json
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import BriefError, Problem
from .models import Brief

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load(path: str | Path, *, variant: str | None = None) -> Brief:
    """Read and validate the brief in `path`; raise `BriefError` on any problem.

    With a PDF `variant`, the brief must also hold what that variant needs
    (for instance an explicit language for pdf/ua-1).
    """
    path = Path(path)
    data, locate = parse(path)
    return validate(data, path, locate, variant=variant)


def parse(path: Path) -> tuple[Any, Locator]:
    """Read `path` into plain data and a locator for its fields."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise BriefError([Problem(path, f"unknown content format {path.suffix!r} (expected {known})")])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BriefError([Problem(path, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BriefError([Problem(path, f"cannot read: {error}")]) from None
    if kind == "yaml":
        return _parse_yaml(text, path)
    return _parse_json(text, path)


def validate(data: Any, path: Path, locate: Locator | None = None, *, variant: str | None = None) -> Brief:
    """Validate parsed data into a `Brief`, turning pydantic's errors into located problems."""
    locate = locate or Locator(None)
    if not isinstance(data, dict):
        raise BriefError([Problem(path, "expected a mapping of sections (meta, summary, …) at the top",
                                  line=1, column=1)])
    try:
        return Brief.model_validate(data, context={"variant": variant})
    except ValidationError as error:
        raise BriefError([_problem(path, locate, entry) for entry in error.errors()]) from None


class Locator:
    """Finds the line and column of a field in the parsed document."""

    def __init__(self, root: Any):
        self.root = root

    def __call__(self, loc: tuple[Any, ...], *, key: bool = False) -> tuple[int | None, int | None]:
        node, position = self.root, None
        if node is None or not hasattr(node, "lc"):
            return None, None
        position = (node.lc.line, node.lc.col)
        for depth, step in enumerate(loc):
            last = depth == len(loc) - 1
            if isinstance(node, dict) and step in node:
                position = node.lc.key(step) if (key and last) or not _is_scalar(node[step]) \
                    else node.lc.value(step)
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                position = node.lc.item(step)
                node = node[step]
            else:
                break
        return position[0] + 1, position[1] + 1


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _parse_yaml(text: str, path: Path) -> tuple[Any, Locator]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(filter(None, [error.context, error.problem])) or str(error)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise BriefError([Problem(path, f"invalid YAML: {message}", line=line, column=column)]) from None
    except YAMLError as error:
        raise BriefError([Problem(path, f"invalid YAML: {error}")]) from None
    return data, Locator(data)


def _parse_json(text: str, path: Path) -> tuple[Any, Locator]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in pairs:
            if name in result:
                raise ValueError(f"duplicate key {name!r}")
            result[name] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        raise BriefError([Problem(path, f"invalid JSON: {error.msg}", line=error.lineno,
                                  column=error.colno)]) from None
    except ValueError as error:
        raise BriefError([Problem(path, f"invalid JSON: {error}")]) from None
    return data, Locator(None)


def _problem(path: Path, locate: Locator, entry: dict[str, Any]) -> Problem:
    loc = tuple(entry["loc"])
    kind = entry["type"]
    field = ".".join(str(step) for step in loc)
    line, column = locate(loc, key=kind == "extra_forbidden")
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
        allowed = _fields_at(loc[:-1])
        suggestion = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        if suggestion:
            message += f"; did you mean {suggestion[0]!r}?"
        elif allowed:
            message += f" (allowed: {', '.join(allowed)})"
    else:
        message = entry["msg"]
        message = message[0].lower() + message[1:]
        if kind.endswith("_type") or kind.endswith("_parsing"):
            message += f", got {_describe(entry.get('input'))}"
    return Problem(path, message, field=field, line=line, column=column)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at `loc`, found by walking the models' annotations."""
    model: Any = Brief
    for step in loc:
        if isinstance(step, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or step not in model.model_fields:
            return []
        model = _inner_model(model.model_fields[step].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None
