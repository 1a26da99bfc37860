"""Formats: read YAML, JSON, TOML or Markdown with front matter into plain data.

Each reader returns the same kind of thing — dicts, lists, strings (and, from
JSON and TOML, numbers and dates) — together with `Positions`, which knows the
line and column of every key and value it saw. Problems that do not stop
reading (a duplicate key, a refused YAML tag, a tab used for indentation) are
collected and returned, so that one run reports every mistake in a file; a
syntax error that stops the parser raises `BriefError` with those collected
so far.

YAML is read from PyYAML's parser events (libyaml's, where PyYAML has it) and turned into data here, with every
scalar kept as the string the author wrote (only `null`, `~` and an empty
value mean "nothing"): `NO` stays "NO", `1.10` stays "1.10", and dates are
validated by the models, not guessed by the parser. Tags and aliases are
refused, so neither `!!python/...` objects nor alias bombs can be built.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem, closest

Loc = tuple[Any, ...]
Position = tuple[int, int]

#: Sections that may be written as a plain list of their one list field (`expert_proposals: [...]`).
SHORTHAND_LISTS = {"expert_proposals": "proposals"}

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml",
            ".md": "markdown", ".markdown": "markdown"}

#: The sections whose prose a Markdown brief writes under `## ` headings, with their default titles.
MARKDOWN_SECTIONS = {"background": "Background", "legal_deadlock": "Legal deadlock",
                     "expert_proposals": "Expert proposals", "outlook": "Outlook"}

#: How deeply YAML may nest mappings and lists (a brief needs about six levels). JSON and TOML stop
#: at Python's recursion limit; YAML's scanner slows down with the depth, so it stops much earlier.
MAX_YAML_DEPTH = 100
_YAML_NULLS = {"", "~", "null", "Null", "NULL"}
_YAML_ALLOWED_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class Positions:
    """Where each value (and each mapping key) stands in the file, 1-based."""

    values: dict[Loc, Position] = field(default_factory=dict)
    keys: dict[Loc, Position] = field(default_factory=dict)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of `loc`, or of the nearest enclosing part that has one."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        for depth in range(len(loc), -1, -1):
            found = self.values.get(loc[:depth])
            if found is not None:
                return found
        return None, None

    def shifted(self, lines: int) -> Positions:
        """The same positions `lines` further down (for front matter inside a larger file)."""
        return Positions({loc: (line + lines, col) for loc, (line, col) in self.values.items()},
                         {loc: (line + lines, col) for loc, (line, col) in self.keys.items()})


@dataclass
class Parsed:
    """A file read into plain data, where its parts stand, and the problems met on the way."""

    data: Any
    positions: Positions
    problems: list[Problem] = field(default_factory=list)
    format: str = "yaml"


def kind_of(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


def parse_text(text: str, path: Path | str, kind: str) -> Parsed:
    """Read `text` (the contents of `path`) as `kind`: yaml, json, toml or markdown."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    reader = {"yaml": parse_yaml, "json": parse_json, "toml": parse_toml, "markdown": parse_markdown}[kind]
    parsed = reader(text, path)
    parsed.format = kind
    return parsed


# YAML ---------------------------------------------------------------------------------------------

def parse_yaml(text: str, path: Path | str) -> Parsed:
    from yaml.error import MarkedYAMLError, YAMLError

    problems: list[Problem] = []
    shifts: dict[int, int] = {}  # line (0-based) -> columns removed when a leading tab was replaced
    for _ in range(200):
        composer = _YamlComposer(path)
        try:
            root = composer.compose(text)
            problems += composer.problems
            break
        except BriefError as error:  # nested too deeply: stopped before reading on
            raise BriefError([*problems, *error.problems]) from None
        except MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            if "maximum nesting depth" in str(error.problem):  # libyaml's scanner looked ahead 1000 levels
                raise BriefError([*problems, *composer.problems, composer.too_deep(mark)]) from None
            fixed = _untab(text, mark, path, problems, shifts) if mark is not None else None
            if fixed is None:
                problems += composer.problems  # what the events showed before the error
                message = " ".join(filter(None, [error.context, _found(error.problem, text, mark)])) or str(error)
                line, column = (mark.line + 1, _col(mark, shifts)) if mark else (None, None)
                problems.append(Problem(path, f"invalid YAML: {message}", line=line, column=column))
                raise BriefError(_dedupe(problems)) from None
            text = fixed
        except YAMLError as error:
            line = column = None
            if isinstance(getattr(error, "position", None), int):  # a ReaderError: a character YAML refuses
                position = composer.offset(text, error.position)
                before = text[:position]
                line, column = before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
                character = text[position:position + 1] or " "
                message = f"character {character!r} (U+{ord(character):04X}) is not allowed"
            else:
                message = str(error)
            raise BriefError([*problems, Problem(path, f"invalid YAML: {message}", line=line,
                                                 column=column)]) from None
        except RecursionError:
            raise BriefError([*problems, Problem(path, "invalid YAML: nested too deeply", line=1,
                                                 column=1)]) from None
    else:
        raise BriefError([*problems, Problem(path, "invalid YAML: too many lines indented with tabs",
                                             line=1, column=1)])
    positions = Positions({(): (1, 1)})
    if root is None:
        return Parsed(None, positions, _dedupe(problems))
    builder = _YamlBuilder(path, positions, problems, shifts)
    try:
        data = builder.build(root, ())
    except RecursionError:
        raise BriefError([*problems, Problem(path, "invalid YAML: nested too deeply", line=1,
                                             column=1)]) from None
    positions.values.setdefault((), (1, 1))
    return Parsed(data, positions, _with_fields(_dedupe(problems), positions))


def _with_fields(problems: list[Problem], positions: Positions) -> list[Problem]:
    """Name the field for problems found before there were fields (a tab, a tag): the key on that line."""
    by_line: dict[int, Loc] = {}
    for loc, (line, _) in sorted(positions.keys.items(), key=lambda item: item[1]):
        by_line.setdefault(line, loc)
    named = []
    for problem in problems:
        loc = by_line.get(problem.line) if problem.line is not None and not problem.field else None
        if loc is not None:
            problem = Problem(problem.path, problem.message, field=".".join(map(str, loc)),
                              line=problem.line, column=problem.column)
        named.append(problem)
    return named


def _found(problem: str | None, text: str, mark: Any) -> str | None:
    """libyaml's message, with the character it stopped at named, as a reader needs it."""
    if not problem or mark is None:
        return problem
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    found = line[mark.column:mark.column + 1]
    if problem.startswith("did not find expected"):
        return f"{problem}, but found {found!r}" if found.strip() else f"{problem}, but found the end of the line"
    if problem == "found character that cannot start any token" and found:
        return f"found character {found!r} that cannot start any token"
    if problem == "found unknown escape character":
        return f"found unknown escape character {line[mark.column:mark.column + 2]!r}"
    return problem


def _col(mark: Any, shifts: dict[int, int]) -> int:
    return mark.column + 1 + (shifts.get(mark.line, 0) if mark.column > 0 else 0)


class _YamlComposer:
    """Composes YAML nodes from the parser's events, checking each event as it comes: one pass.

    The events come from libyaml (PyYAML's C parser, about thirty times faster than a parser in
    Python) where PyYAML was built with it, else from PyYAML's own parser; both give the same
    events and marks. Aliases and tags are refused with their position; an alias composes to
    nothing, so nothing is ever expanded. Nesting deeper than `MAX_YAML_DEPTH` stops the parse
    at once, before the scanner reads on (deep nesting is slow to scan).
    """

    def __init__(self, path: Path | str):
        self.path = path
        self.problems: list[Problem] = []
        self.depth = 0
        self.in_c = False

    def compose(self, text: str) -> Any:
        import yaml
        from yaml.composer import ComposerError
        from yaml.events import StreamEndEvent

        loader = getattr(yaml, "CBaseLoader", None)
        self.in_c = loader is not None
        parser = (loader or yaml.BaseLoader)(text)
        try:
            self.parser = parser
            parser.get_event()  # the stream's start
            if parser.check_event(StreamEndEvent):
                return None
            parser.get_event()  # the document's start
            root = self.node()
            parser.get_event()  # the document's end
            if not parser.check_event(StreamEndEvent):
                event = parser.get_event()
                raise ComposerError(None, None, "expected a single document in the stream, "
                                    "but found another document", event.start_mark)
            return root
        finally:
            parser.dispose()

    def offset(self, text: str, position: int) -> int:
        """The index in `text` of a reader error's position (libyaml counts UTF-8 bytes)."""
        if not self.in_c:
            return position
        return len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))

    def node(self) -> Any:
        from yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        event = self.parser.get_event()
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            self.problems.append(Problem(self.path, f"alias *{event.anchor} is not allowed; write the value out",
                                         line=mark.line + 1, column=mark.column + 1))
            return ScalarNode(None, "", mark, event.end_mark, None)  # nothing, in place of the alias
        self.refuse_tag(event)
        if isinstance(event, ScalarEvent):
            return ScalarNode(event.tag, event.value, mark, event.end_mark, event.style or None)
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise BriefError([*self.problems, self.too_deep(mark)])
        if isinstance(event, MappingStartEvent):
            pairs = []
            while not self.parser.check_event(MappingEndEvent):
                key = self.node()
                pairs.append((key, self.node()))
            composed: Any = MappingNode(event.tag, pairs, mark, None)
        else:
            items = []
            while not self.parser.check_event(SequenceEndEvent):
                items.append(self.node())
            composed = SequenceNode(event.tag, items, mark, None)
        composed.end_mark = self.parser.get_event().end_mark
        self.depth -= 1
        return composed

    def too_deep(self, mark: Any) -> Problem:
        return Problem(self.path, f"invalid YAML: nested more than {MAX_YAML_DEPTH} levels deep",
                       line=mark.line + 1, column=mark.column + 1, code="nested_too_deeply")

    def refuse_tag(self, event: Any) -> None:
        if event.tag is not None:
            tag = str(event.tag)
            if tag not in _YAML_ALLOWED_TAGS and tag != "!":
                mark = event.start_mark
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                self.problems.append(Problem(self.path, f"tag {shown} is not allowed; content is plain data",
                                             line=mark.line + 1, column=mark.column + 1))


def _untab(text: str, mark: Any, path: Path | str, problems: list[Problem],
           shifts: dict[int, int]) -> str | None:
    """Replace a tab that stopped the YAML scanner, noting a problem if it was indentation."""
    lines = text.split("\n")
    if mark.line >= len(lines):
        return None
    line = lines[mark.line]
    if mark.column >= len(line) or line[mark.column] != "\t":
        return None
    indent = len(line) - len(line.lstrip(" \t"))
    if mark.column < indent:
        previous = next((candidate for candidate in reversed(lines[:mark.line]) if candidate.strip()), "")
        width = len(previous) - len(previous.lstrip(" "))
        if previous.split(" #")[0].rstrip().endswith(":"):  # the line above opens a block: indent under it
            width += 2
        replacement = " " * width
        problems.append(Problem(path, "tab used for indentation; YAML indents with spaces",
                                line=mark.line + 1, column=mark.column + 1))
        shifts[mark.line] = shifts.get(mark.line, 0) + indent - len(replacement)
        lines[mark.line] = replacement + line[indent:]
    else:
        lines[mark.line] = line[:mark.column] + " " + line[mark.column + 1:]
    return "\n".join(lines)


class _YamlBuilder:
    """Turns composed YAML nodes into plain data, recording positions and duplicate keys."""

    def __init__(self, path: Path | str, positions: Positions, problems: list[Problem],
                 shifts: dict[int, int]):
        self.path, self.positions, self.problems, self.shifts = path, positions, problems, shifts

    def where(self, node: Any) -> Position:
        mark = node.start_mark
        return mark.line + 1, _col(mark, self.shifts)

    def build(self, node: Any, loc: Loc) -> Any:
        from yaml.nodes import MappingNode, SequenceNode

        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, (MappingNode, SequenceNode)):
                    line, column = self.where(key_node)
                    self.problems.append(Problem(self.path, "a key must be a plain name", line=line,
                                                 column=column))
                    continue
                key = str(key_node.value)
                here = (*loc, key)
                if key in result:
                    line, column = self.where(key_node)
                    first = self.positions.keys[here][0]
                    self.problems.append(Problem(
                        self.path, f"duplicate key {key!r} (first given on line {first}); "
                                   "the later value is ignored",
                        field=".".join(map(str, here)), line=line, column=column))
                    continue
                self.positions.keys[here] = self.where(key_node)
                self.positions.values[here] = (self.where(value_node)
                                               if not isinstance(value_node, (MappingNode, SequenceNode))
                                               else self.positions.keys[here])
                result[key] = self.build(value_node, here)
            return result
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions.values[(*loc, index)] = self.where(item)
                items.append(self.build(item, (*loc, index)))
            return items
        if node.style is None and node.value in _YAML_NULLS:
            return None
        return str(node.value)


# JSON ---------------------------------------------------------------------------------------------

def parse_json(text: str, path: Path | str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BriefError([Problem(path, f"invalid JSON: {error.msg}", line=error.lineno,
                                  column=error.colno)]) from None
    except RecursionError:
        raise BriefError([Problem(path, "invalid JSON: nested too deeply", line=1, column=1)]) from None
    except ValueError as error:  # an integer too long to convert (Python's 4300-digit limit)
        line, column = _long_number(text)
        raise BriefError([Problem(path, f"invalid JSON: {_number_message(error)}", line=line,
                                  column=column, code="number_too_long")]) from None
    walker = _JsonWalker(text, path)
    try:
        data = walker.value(walker.skip(0), ())
    except (IndexError, ValueError, RecursionError):  # pragma: no cover - json.loads accepted it
        walker.positions = Positions()
    walker.positions.values.setdefault((), (1, 1))
    return Parsed(data, walker.positions, walker.problems)


class _JsonWalker:
    """Walks JSON text that `json` has accepted, noting where each key and value starts."""

    _SPACE = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str, path: Path | str):
        self.text, self.path = text, path
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.scan = json.scanner.py_make_scanner(json.JSONDecoder())

    def at(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def skip(self, index: int) -> int:
        return self._SPACE.match(self.text, index).end()

    def value(self, index: int, loc: Loc) -> Any:
        text = self.text
        if text[index] == "{":
            result: dict[str, Any] = {}
            index = self.skip(index + 1)
            if text[index] == "}":
                self.end = index + 1
                return result
            while True:
                key, after = json.decoder.scanstring(text, index + 1)
                here = (*loc, key)
                duplicate = key in result
                if duplicate:
                    line, column = self.at(index)
                    self.problems.append(Problem(
                        self.path, f"duplicate key {key!r} (first given on line "
                                   f"{self.positions.keys[here][0]}); the later value is ignored",
                        field=".".join(map(str, here)), line=line, column=column))
                else:
                    self.positions.keys[here] = self.at(index)
                start = self.skip(self.skip(after) + 1)
                if duplicate:
                    _, end = self.scan(text, start)
                else:
                    self.positions.values[here] = self.at(index if text[start] in "{[" else start)
                    result[key] = self.value(start, here)
                    end = self.end
                index = self.skip(end)
                if text[index] == "}":
                    self.end = index + 1
                    return result
                index = self.skip(index + 1)
        if text[index] == "[":
            items = []
            index = self.skip(index + 1)
            if text[index] == "]":
                self.end = index + 1
                return items
            while True:
                self.positions.values[(*loc, len(items))] = self.at(index)
                items.append(self.value(index, (*loc, len(items))))
                index = self.skip(self.end)
                if text[index] == "]":
                    self.end = index + 1
                    return items
                index = self.skip(index + 1)
        result, self.end = self.scan(text, index)
        return result


# TOML ---------------------------------------------------------------------------------------------

_TOML_WHERE = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_TOML_WHERE_EOF = re.compile(r"^(?P<message>.*) \(at end of document\)$")


def parse_toml(text: str, path: Path | str) -> Parsed:
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise BriefError([Problem(path, "invalid TOML: nested too deeply", line=1, column=1)]) from None
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(error, text, path) from None
    except ValueError as error:  # an integer too long to convert (Python's 4300-digit limit)
        line, column = _long_number(text)
        raise BriefError([Problem(path, f"invalid TOML: {_number_message(error)}", line=line,
                                  column=column, code="number_too_long")]) from None
    return Parsed(data, toml_positions(text), [])


def _long_number(text: str) -> tuple[int, int]:
    """Where the first number too long for Python's integer conversion starts (1, 1 if none is found)."""
    match = re.search(r"[0-9][0-9_]{%d,}" % (sys.get_int_max_str_digits() or 4300), text) \
        if hasattr(sys, "get_int_max_str_digits") else None
    if match is None:
        return 1, 1
    before = text[:match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1


def _number_message(error: ValueError) -> str:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
    return f"a number of more than {limit} digits" if "digits" in str(error) else str(error)


def _toml_error(error: Exception, text: str, path: Path | str) -> BriefError:
    message = str(error)
    line = column = None
    if match := _TOML_WHERE.match(message):
        message, line, column = match["message"], int(match["line"]), int(match["column"])
    elif match := _TOML_WHERE_EOF.match(message):
        message, line = match["message"], text.count("\n") + 1
    return BriefError([Problem(path, f"invalid TOML: {message[0].lower()}{message[1:]}", line=line,
                                   column=column)])


_TOML_BARE_KEY = r"[A-Za-z0-9_-]+"
_TOML_KEY = rf"""(?:{_TOML_BARE_KEY}|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_DOTTED = rf"{_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*"
_TOML_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_TOML_DOTTED})\s*\]\]?")
_TOML_ASSIGN = re.compile(rf"^(\s*)({_TOML_DOTTED})\s*=\s*")
_TOML_KEY_PART = re.compile(_TOML_KEY)


def _toml_key_parts(dotted: str) -> list[str]:
    parts = []
    for match in _TOML_KEY_PART.finditer(dotted):
        part = match.group(0)
        if part.startswith('"'):
            part = json.loads(part)
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return parts


def toml_positions(text: str) -> Positions:
    """Positions of the table headers and `key = value` lines of a TOML document.

    `tomllib` keeps no positions, so this scanner finds them: table headers,
    arrays of tables and keys at the start of a line, skipping multi-line
    strings and the inside of multi-line arrays. Values inside an inline array
    or table are located at the line of the key that holds them.
    """
    positions = Positions()
    positions.values[()] = (1, 1)
    table: Loc = ()
    counts: dict[Loc, int] = {}
    lines = text.split("\n")
    skip_until: str | None = None
    depth = 0
    for number, line in enumerate(lines, 1):
        if skip_until is not None:
            if skip_until in line:
                skip_until = None
            continue
        if depth > 0:
            depth += _bracket_balance(line)
            continue
        if match := _TOML_HEADER.match(line):
            parts = tuple(_toml_key_parts(match.group(2)))
            column = match.start(2) + 1
            if match.group(1) == "[[":
                index = counts.get(parts, -1) + 1
                counts[parts] = index
                table = (*_toml_resolve(parts, counts), index)
            else:
                table = _toml_resolve(parts, counts)
            for length in range(1, len(table) + 1):
                positions.values.setdefault(table[:length], (number, column))
                if not isinstance(table[length - 1], int):
                    positions.keys.setdefault(table[:length], (number, column))
            positions.values[table] = (number, column)
            continue
        if match := _TOML_ASSIGN.match(line):
            parts = tuple(_toml_key_parts(match.group(2)))
            loc = (*table, *parts)
            key_column = match.start(2) + 1
            value_column = match.end() + 1
            rest = line[match.end():]
            positions.keys[loc] = (number, key_column)
            positions.values[loc] = ((number, key_column) if rest[:1] in ("[", "{")
                                     else (number, value_column))
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and rest.count(quote) == 1:
                    skip_until = quote
            if skip_until is None and rest[:1] in ("[", "{"):
                depth = _bracket_balance(rest)
    return positions


def _toml_resolve(parts: tuple[str, ...], counts: dict[Loc, int]) -> Loc:
    """A header's path with the current index of every array of tables it passes through."""
    resolved: list[Any] = []
    for depth in range(1, len(parts) + 1):
        resolved.append(parts[depth - 1])
        prefix = parts[:depth]
        if depth < len(parts) and prefix in counts:
            resolved.append(counts[prefix])
    return tuple(resolved)


def _bracket_balance(line: str) -> int:
    """Opening minus closing brackets on a line, outside strings and comments."""
    balance, quote, index = 0, "", 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            balance += 1
        elif char in "]}":
            balance -= 1
        index += 1
    return balance


# Markdown with YAML front matter -------------------------------------------------------------------

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_HEADING_KIND = re.compile(r"\s*\{#([A-Za-z_][A-Za-z0-9_-]*)\}\s*$")


def parse_markdown(text: str, path: Path | str) -> Parsed:
    """Front matter (YAML between `---` lines) holds meta and the short fields; each `## ` heading
    of the body starts a section, and the prose under it becomes that section's `body`."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        raise BriefError([Problem(path, "a Markdown brief starts with front matter: a line `---`, "
                                        "the YAML fields, and another `---`", line=1, column=1)])
    end = next((number for number in range(1, len(lines)) if _FENCE_END.match(lines[number])), None)
    if end is None:
        raise BriefError([Problem(path, "the front matter is not closed by a `---` line", line=1,
                                  column=1)])
    front = parse_yaml("\n".join(lines[1:end]), path)
    problems = [_shift_problem(problem, 1) for problem in front.problems]
    positions = front.positions.shifted(1)
    positions.values[()] = (1, 1)
    data = front.data if front.data is not None else {}
    if not isinstance(data, dict):
        raise BriefError([*problems, Problem(path, "the front matter must be a mapping of fields",
                                             line=2, column=1)])
    body_start = end + 1  # 0-based index of the first body line
    sections, body_problems = _markdown_sections(lines[body_start:], body_start, data, path)
    problems += body_problems
    for kind, (title, body, heading_line, body_line) in sections.items():
        section = data.get(kind)
        if section is None:
            section = data[kind] = {}
            positions.values[(kind,)] = positions.keys[(kind,)] = (heading_line, 1)
        if isinstance(section, list) and body and kind in SHORTHAND_LISTS:  # a plain list has no room for prose
            line, column = positions.locate((kind,), key=True)
            problems.append(Problem(path, f"the prose under the heading on line {heading_line} needs this section "
                                          f"as a mapping; put the list under `{SHORTHAND_LISTS[kind]}:`", field=kind,
                                    line=line, column=column, code="body_without_mapping"))
            continue
        if not isinstance(section, dict):  # the models report it
            continue
        if "body" in section:
            line, column = positions.locate((kind, "body"), key=True)
            problems.append(Problem(path, f"the body is written both here and under the heading on line "
                                          f"{heading_line}; keep one", field=f"{kind}.body", line=line,
                                    column=column))
        if title is not None:
            if "title" in section and section["title"] != title:
                line, column = positions.locate((kind, "title"))
                problems.append(Problem(path, f"the title differs from the heading on line {heading_line} "
                                              f"({title!r}); keep one", field=f"{kind}.title",
                                        line=line, column=column))
            section["title"] = title
            positions.values.setdefault((kind, "title"), (heading_line, 4))
        if body:
            section["body"] = body
            positions.values[(kind, "body")] = (body_line, 1)
    return Parsed(data, positions, problems)


def _shift_problem(problem: Problem, lines: int) -> Problem:
    if problem.line is None:
        return problem
    return Problem(problem.path, problem.message, field=problem.field, line=problem.line + lines,
                   column=problem.column)


def _markdown_sections(lines: list[str], offset: int, front: dict[str, Any], path: Path | str
                       ) -> tuple[dict[str, tuple[str | None, str, int, int]], list[Problem]]:
    """Split the body at its level-2 headings: kind -> (title or None, body, heading line, body line)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse("\n".join(lines))
    headings = []  # (first line, last line (exclusive), text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            headings.append((token.map[0], token.map[1], tokens[index + 1].content.strip()))
    problems: list[Problem] = []
    first = headings[0][0] if headings else len(lines)
    stray = next((number for number in range(first) if lines[number].strip()), None)
    if stray is not None:
        problems.append(Problem(path, "text before the first `## ` section heading belongs to no section",
                                line=offset + stray + 1, column=1))
    sections: dict[str, tuple[str | None, str, int, int]] = {}
    for number, (start, stop, text) in enumerate(headings):
        heading_line = offset + start + 1
        kind, title = _heading_kind(text, front)
        if kind is None:
            known = list(MARKDOWN_SECTIONS)
            suggestion = closest(_slug(text), known)
            hint = f"; did you mean {suggestion!r}?" if suggestion else ""
            problems.append(Problem(path, f"heading {text!r} names no section ({', '.join(known)}); "
                                          f"write its kind after it, as in `## {text} {{#background}}`{hint}",
                                    line=heading_line, column=4))
            continue
        if kind in sections:
            problems.append(Problem(path, f"a second `{kind}` heading (the first is on line "
                                          f"{sections[kind][2]})", field=kind, line=heading_line, column=1))
            continue
        end = headings[number + 1][0] if number + 1 < len(headings) else len(lines)
        body_lines = lines[stop:end]
        lead = next((index for index, line in enumerate(body_lines) if line.strip()), len(body_lines))
        body = "\n".join(body_lines).strip()
        sections[kind] = (title, body, heading_line, offset + stop + lead + 1)
    return sections, problems


def _slug(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _heading_kind(text: str, front: dict[str, Any]) -> tuple[str | None, str | None]:
    """Which section a heading starts, and the title it gives (None when it is the default title)."""
    if match := _HEADING_KIND.search(text):
        kind = match.group(1).replace("-", "_")
        title = text[:match.start()].strip()
        if kind not in MARKDOWN_SECTIONS:
            return None, None
        return kind, (title if title and title != MARKDOWN_SECTIONS[kind] else None)
    for kind, default in MARKDOWN_SECTIONS.items():
        section = front.get(kind)
        custom = section.get("title") if isinstance(section, dict) else None
        if text == custom:
            return kind, text
        if _slug(text) in (kind, _slug(default)):
            return kind, (text if text != default else None)
    return None, None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    result = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result
