"""A chart's data from a CSV file beside the content: read confined, checked, put in the chart.

`data: data/flow.csv` names a file inside the content file's folder. It is read through the
one confined read (`sandbox.files.read_inside`), so it is recorded with the hash of its bytes
like every other file a build reads, and the build is redone when it changes. Its first row
names the columns; every other row must have as many values. Values that read as numbers
become numbers; the chart's rows are then checked as inline rows are
(`models.chart_data_problems`), and every problem is located at the chart's `data` field, with
the line of the CSV file it concerns.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..sandbox.files import Refused, read_inside
from .formats import Positions
from .models import CITING, MAX_CHART_ROWS, Brief, Chart, chart_data_problems

#: A chart's CSV file may be at most this large.
MAX_CSV_BYTES = 10 * 1024 * 1024
SECTIONS = tuple(CITING)


def with_chart_files(brief: Brief, path: Path, positions: Positions) -> tuple[Brief, list[Problem]]:
    """`brief` with the rows of every chart's CSV file in place of its name, and the problems found."""
    problems: list[Problem] = []
    changed: dict[str, Any] = {}
    for section_name in SECTIONS:
        section = getattr(brief, section_name, None)
        charts = getattr(section, "charts", None) or []
        if not any(isinstance(chart.data, str) for chart in charts):
            continue
        new_charts = []
        for index, chart in enumerate(charts):
            if isinstance(chart.data, str):
                loc = (section_name, "charts", index, "data")
                rows, found = _read_rows(chart, path, loc, positions)
                problems += found
                chart = chart.model_copy(update={"data": rows}) if not found else chart
            new_charts.append(chart)
        changed[section_name] = section.model_copy(update={"charts": new_charts})
    return (brief.model_copy(update=changed) if changed else brief), problems


def _read_rows(chart: Chart, path: Path, loc: tuple[Any, ...], positions: Positions
               ) -> tuple[list[dict[str, Any]], list[Problem]]:
    line, column = positions.locate(loc)
    field = ".".join(str(step) for step in loc)

    def problem(message: str, code: str, at: tuple[Any, ...] | None = None) -> list[Problem]:
        where_line, where_column = positions.locate(at) if at else (line, column)
        return [Problem(path, message, field=".".join(str(s) for s in at) if at else field,
                        line=where_line, column=where_column, code=code)]

    name = str(chart.data)
    if not path.is_file():
        return [], problem(f"{name}: a chart's CSV file lies beside the content file; content without a "
                           "file of its own (standard input, text) must give its rows inline", "csv_refused")
    folder = path.resolve().parent
    try:
        body = read_inside(folder / name, (folder,), MAX_CSV_BYTES)
    except Refused as refused:
        reason = "outside the brief's folder" if refused.kind == "outside" else refused.reason
        return [], problem(f"{name}: {reason}", f"csv_{refused.kind}")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], problem(f"{name}: not UTF-8 text", "csv_unreadable")
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return [], problem(f"{name}: not a CSV file: {error}", "csv_unreadable")
    header, *records = [row for row in lines if any(cell.strip() for cell in row)] or [[]]
    header = [cell.strip() for cell in header]
    if not header or any(not cell for cell in header):
        return [], problem(f"{name}: the first row must name every column", "csv_header")
    if len(set(header)) < len(header):
        return [], problem(f"{name}: the first row names a column twice", "csv_header")
    if len(records) > MAX_CHART_ROWS:
        return [], problem(f"{name}: {len(records):,} rows of data; a chart holds at most {MAX_CHART_ROWS:,}",
                           "too_many_rows")
    for number, record in enumerate(records, 2):
        if len(record) != len(header):
            return [], problem(f"{name}: row {number} has {len(record)} values, the first row names "
                               f"{len(header)} columns", "csv_ragged")
    rows = [{key: _value(cell) for key, cell in zip(header, record)} for record in records]
    found = []
    for at, kind, message, _ in chart_data_problems(rows, chart.x, chart.series,
                                                    locate=lambda index, column: (index, column)):
        if at and at[0] in ("x", "y"):
            found += problem(message, kind, (*loc[:-1], *at))
        else:
            row = f"row {at[0] + 2}: " if at and at[0] is not None else ""
            found += problem(f"{name}: {row}{message}", kind)
    return rows, found


def _value(cell: str) -> int | float | str:
    """A CSV cell as a number where it reads as one (412, 3.5, -2), else its text."""
    cell = cell.strip()
    for kind in (int, float):
        try:
            value = kind(cell)
        except ValueError:
            continue
        if value == value and value not in (float("inf"), float("-inf")):
            return value
    return cell
