"""Limits: run a step in a child process that cannot take more than its share.

Pathological content or styles (enormous fonts, deep nesting, thousands of
pages, huge images) can make a layout run for hours or eat all memory, and
much of that time is spent inside C libraries (Pango, HarfBuzz, Pillow) where
no Python signal handler runs; a theme's templates can loop for as long as they
like. So rendering and printing each run in a child process:

- the parent waits at most `timeout` seconds for the result, then kills the
  child (SIGKILL works whatever the child is doing);
- the child limits its own address space (`RLIMIT_AS`) to what it had at the
  start plus `max_memory` MiB, so an allocation beyond that fails inside the
  child instead of swapping the machine; and its CPU time (`RLIMIT_CPU`) to the
  timeout, so it dies by itself even if its parent was killed;
- `max_pages` is enforced by the print itself, page by page (see `briefing.pdf`);
- the child never outlives its parent: it closes its copy of the parent's end of
  the result pipe (so a write to a parent that is gone fails at once instead of
  blocking for ever) and, on Linux, asks the kernel to kill it when its parent
  dies (`PR_SET_PDEATHSIG`);
- the child's temporary files go into a folder of its own, which the parent
  removes whatever the outcome (see `briefing.sandbox.scratch` for when the
  parent itself is killed).

The child is forked, so it starts warm (no second import of WeasyPrint). A
process with more than one thread is not forked (a lock held by another thread
would stay locked in the child); it uses a fork server instead.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import scratch
from ..errors import BriefError, Problem
from .files import note_all, recording

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
    """`function(*args)` in a child process within `limits`; a `BriefError` in the child is raised here.

    `name` (the content file) and `step` ("rendering", "printing") say where a problem arose.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    temporary = scratch.folder()
    # A forked child's parent is this process; a fork server's child has the fork server instead.
    parent = os.getpid() if context.get_start_method() == "fork" else None
    child = context.Process(target=_child, args=(sender, receiver, parent, temporary, function, args, limits),
                            daemon=True)
    try:
        # An interrupt must neither reach the child before it ignores interrupts, nor the parent
        # between starting the child and being ready to end it: hold it back until both are safe.
        held = _hold_interrupts()
        try:
            child.start()
        finally:
            sender.close()
            _release_interrupts(held)
        if not receiver.poll(limits.timeout):
            raise BriefError([Problem(name, f"{step} took longer than the {limits.timeout:g} s limit "
                                            "(raise it with --timeout)")])
        try:
            kind, value = receiver.recv()
        except EOFError:
            child.join()
            raise BriefError([Problem(name, _death(child.exitcode, limits, step))]) from None
    finally:
        if child.is_alive():
            child.kill()
        if child.pid is not None:
            child.join()
        receiver.close()
        scratch.remove(temporary)
    if kind == "problems":
        raise BriefError(value)
    if kind == "memory":
        raise BriefError([Problem(name, f"{step} needed more than the {limits.max_memory} MiB memory limit "
                                        "(raise it with --max-memory)" if limits.max_memory
                                  else f"{step} ran out of memory")])
    if kind == "failure":
        raise BriefError([Problem(name, f"{step} failed: {value}")])
    value, reads = value
    note_all(reads)
    return value


def _hold_interrupts() -> Any:
    if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return None


def _release_interrupts(held: Any) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _child(sender: Any, receiver: Any, parent: int | None, temporary: Path, function: Callable[..., Any],
           args: tuple[Any, ...], limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt ends
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # whatever handler the parent had
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back while forking
    receiver.close()  # the parent's end: with it open here, a write would wait for ever for a reader
    _die_with_parent(parent)
    tempfile.tempdir = str(temporary)  # WeasyPrint's font folders and any other temporary file go there
    _limit_resources(limits)
    try:
        with recording() as reads:  # what the step read travels back with its result
            value = function(*args)
        outcome: tuple[str, Any] = ("result", (value, reads))
    except BriefError as error:
        outcome = ("problems", error.problems)
    except MemoryError:
        outcome = ("memory", None)
    except BaseException as error:  # reported by the parent as a problem, never as a traceback
        outcome = ("failure", f"{type(error).__name__}: {error}")
    try:
        sender.send(outcome)
    except OSError:  # the parent is gone
        pass
    sender.close()


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent ends (Linux), and end now if it already has."""
    _die_with_parent(os.getppid())


def _die_with_parent(parent: int | None) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the pipe and RLIMIT_CPU remain
            pass
    if parent is not None and os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)


def _limit_resources(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    if limits.max_memory is not None:
        _lower(resource, resource.RLIMIT_AS, _address_space() + limits.max_memory * MIB)
    if limits.timeout is not None:
        _lower(resource, resource.RLIMIT_CPU, math.ceil(limits.timeout) + 1)


def _lower(resource: Any, kind: int, soft: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _death(exitcode: int | None, limits: Limits, step: str) -> str:
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == getattr(signal, "SIGXCPU", None):
            return f"{step} used more than the {limits.timeout:g} s limit of CPU time (raise it with --timeout)"
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        hint = f" (perhaps out of memory: the limit is {limits.max_memory} MiB, see --max-memory)" \
            if limits.max_memory else ""
        return f"{step} was killed by {name}{hint}"
    return f"{step} ended without a result (exit status {exitcode})"


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["briefing.printing.typeset", "weasyprint"])
        return context
    return multiprocessing.get_context("spawn")
