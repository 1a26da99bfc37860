"""Problems found in a brief, each pointing at a file, a line and a field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as it can be known."""

    path: Path | str
    message: str
    field: str = ""
    line: int | None = None
    column: int | None = None
    code: str = ""
    """A stable name for the kind of problem: pydantic's error type (`missing`, `extra_forbidden`, …)
    or briefing's own (`unknown_source`, `uncited_source`, …), for editors and CI."""
    severity: str = "error"
    """`error` stops a build; `warning` does not, unless the build is strict."""
    example: tuple[str, ...] = ()
    """The expected form, as lines of content, shown indented under the message (a value of the wrong shape)."""

    def as_dict(self) -> dict[str, object]:
        """The problem as plain data (`briefing validate --format json`)."""
        return {"path": str(self.path), "line": self.line, "column": self.column, "field": self.field,
                "code": self.code, "severity": self.severity, "message": self.message,
                **({"example": list(self.example)} if self.example else {})}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Problem:
        """The problem `as_dict` gave; a malformed one raises ValueError."""
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            raise ValueError("not a problem")
        number = lambda value: value if value is None or (isinstance(value, int) and not isinstance(value, bool)) \
            else int("x")  # noqa: E731 - ValueError on anything but an int or None
        return cls(path=Path(str(data.get("path", ""))), message=data["message"], field=str(data.get("field") or ""),
                   line=number(data.get("line")), column=number(data.get("column")),
                   code=str(data.get("code") or ""), severity=str(data.get("severity") or "error"),
                   example=tuple(str(line) for line in data.get("example") or ()))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        # The example's lines follow, indented, so no line of them reads as another problem.
        return "\n".join([escape_controls(text), *(f"    {escape_controls(line)}" for line in self.example)])


_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\n`), so that a message
    quoting hostile input can neither move the cursor, retitle the terminal nor forge a line."""
    return _CONTROLS.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class BriefError(Exception):
    """A brief could not be loaded, rendered or written; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known name a mistyped `word` most likely meant, for a "did you mean" hint."""
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return found[0] if found else None
