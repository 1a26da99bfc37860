"""Limits: how much one rendering or print may take, and running it within them.

Pathological content or styles (enormous fonts, deep nesting, thousands of
pages, huge images) can make a layout run for hours or eat all memory, and
much of that time is spent inside C libraries (Pango, HarfBuzz, Pillow) where
no Python signal handler runs; a theme's templates can loop for as long as they
like. So rendering and printing each run as a job of a warm worker process
(`briefing.sandbox.workers`), bounded per job:

- the caller waits at most `timeout` seconds for the result, then kills the
  worker (SIGKILL works whatever the worker is doing);
- the worker limits its own address space (`RLIMIT_AS`) to what it holds at
  the start of the job plus `max_memory` MiB, so an allocation beyond that
  fails inside the worker instead of swapping the machine; and its CPU time
  (`RLIMIT_CPU`) to what it has used plus the timeout, so it dies by itself
  even if its parent was killed;
- `max_pages` is enforced by the print itself, page by page (see `briefing.printing.typeset`);
- a worker that broke a limit is killed and replaced; the next job gets a fresh one;
- a worker never outlives its parent, and its temporary files go into a folder
  of its own, removed when it goes (see `briefing.sandbox.scratch` for when the
  parent itself is killed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import BriefError, Problem
from .files import note_all

MIB = 1024 * 1024
#: The largest values the limits take: a day of wall time, a tebibyte of memory, a million pages.
MAX_TIMEOUT = 24 * 60 * 60.0
MAX_MEMORY = 1024 * 1024
MAX_PAGES = 1_000_000
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """How much one print may take. `None` switches a bound off.

    Each bound must be positive and at most `MAX_TIMEOUT` seconds, `MAX_PAGES` pages or
    `MAX_MEMORY` MiB (values beyond cannot be applied: a timer or a resource limit overflows);
    anything else raises `BriefError` naming the field (`limits: timeout: …`; the command line
    shows it as `--timeout: …`).
    """

    timeout: float | None = 120.0
    """Seconds of wall time for the whole print."""
    max_pages: int | None = 500
    """Pages the laid-out brief may have."""
    max_memory: int | None = 2048
    """MiB of memory the print may allocate on top of what the process already holds."""

    def __post_init__(self) -> None:
        problems = []
        for name, kind, largest, unit in (("timeout", (int, float), MAX_TIMEOUT, " s"),
                                          ("max_pages", (int,), MAX_PAGES, ""),
                                          ("max_memory", (int,), MAX_MEMORY, " MiB")):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, kind):
                message = f"must be {'a number' if float in kind else 'a whole number'}, got {value!r}"
            elif not value > 0:  # also refuses NaN
                message = f"must be positive, got {_shown(value)}"
            elif value > largest:
                message = f"must be at most {_shown(largest)}{unit}, got {_shown(value)}"
            else:
                continue
            problems.append(Problem("limits", message, field=name, code="invalid_option"))
        if problems:
            raise BriefError(problems)


def _shown(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_limited(function: Callable[..., Any], args: tuple[Any, ...], limits: Limits, name: str | Path,
                step: str = "printing") -> Any:
    """`function(*args)` in a warm worker process within `limits`; a `BriefError` there is raised here.

    `name` (the content file) and `step` ("rendering", "printing") say where a problem arose.
    What the job read is recorded here too (`sandbox.files.recording`).
    """
    from . import workers

    try:
        value, reads = workers.run(function, args, limits, name, step)
    except BriefError as error:
        note_all(getattr(error, "reads", {}))
        raise
    note_all(reads)
    return value


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent ends (Linux), and end now if it already has."""
    from .workers import die_with

    die_with(os.getppid())
