"""Batch: build many briefs, one after another or in worker processes.

One document cannot be laid out in parallel, but many documents can: each
brief is one task. With `jobs`, tasks go to a pool of processes on this
machine, which build from the files here; each pool process keeps its own warm
print worker (`briefing.sandbox.workers`). Tasks given to any other
`concurrent.futures.Executor` — a Dask client's `client.get_executor()` — carry
their files as bytes and bring the PDF back (`briefing.commands.remote`), so
the workers need no shared file system; this process writes and records.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem
from .build import build, default_output, up_to_date
from .options import BuildOptions
from .tasks import BatchItem, own_fonts


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Content files named directly, and the briefs directly inside folders.

    A brief in a folder is a file in a format `load` reads, other than the folder's brand
    settings (`brand.yaml`), a README and hidden files.
    """
    from ..content.formats import SUFFIXES
    from ..themes.theme import BRAND

    def is_brief(child: Path) -> bool:
        return (child.suffix.lower() in SUFFIXES and child.name != BRAND and not child.name.startswith(".")
                and child.stem.lower() != "readme" and child.is_file())

    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(child for child in path.iterdir() if is_brief(child)))
        else:
            found.append(path)
    return found


def build_many(contents: Iterable[str | Path], output_dir: str | Path | None = None,
               options: BuildOptions | None = None, *, jobs: int = 1, executor: Executor | None = None,
               force: bool = False, **changes: Any) -> list[BatchItem]:
    """Build every content file (folders are expanded) into `output_dir/<stem>.pdf`.

    Runs in this process when `jobs` is 1 and no `executor` is given; in a pool of `jobs`
    processes otherwise (0 means one per CPU); or on `executor` when one is given, which is
    then left running: its tasks carry the briefs' files as bytes, and the PDFs are written
    here. `options` and `changes` are those of `build()`. One brief's problems do
    not stop the others: every item says how its brief went, in the order given.
    """
    options = BuildOptions.of(options, **changes)
    files = expand(contents)
    outputs = [default_output(content, output_dir if output_dir is not None else "output",
                              review=options.redline is not None) for content in files]
    _refuse_clashes(files, outputs)
    if executor is None and jobs == 1:
        return [_build_one(content, output, options, force) for content, output in zip(files, outputs)]
    # Briefs already built from the same inputs need no worker.
    items: list[BatchItem | None] = [None if force else _up_to_date(content, output, options)
                                     for content, output in zip(files, outputs)]
    todo = [index for index, item in enumerate(items) if item is None]
    workers = min(jobs if jobs > 0 else os.cpu_count() or 1, len(todo))
    if executor is None and workers == 1:
        _fill(items, todo, (_build_one(files[i], outputs[i], options, force) for i in todo))
    elif executor is None and todo:
        from ..printing.engine import weasyprint

        weasyprint()  # imported (and any warning given) once here; forked workers inherit both
        with worker_pool(workers) as pool:
            try:
                with _signals_held():  # the pool's threads and processes start without them
                    futures = _submit(pool, [files[i] for i in todo], [outputs[i] for i in todo], options, force)
                _fill(items, todo, _results([files[i] for i in todo], futures))
            except BaseException:  # Ctrl-C, SIGTERM (SystemExit) or a failure here: the batch stops now
                stop_pool(pool)
                raise
    elif todo:  # the caller's executor: its workers may share no files with this process
        from .remote import run_remote

        _fill(items, todo, run_remote(executor, [files[i] for i in todo], [outputs[i] for i in todo], options, force))
    return items


def _fill(items: list, todo: list[int], results: Iterator[BatchItem]) -> None:
    for index, item in zip(todo, results):
        items[index] = item


def _up_to_date(content: Path, output: Path, options: BuildOptions) -> BatchItem | None:
    try:
        result = up_to_date(content, output, options)
    except BriefError:
        return None  # the worker reports it
    return BatchItem(content, result=result) if result else None


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of processes that each set up WeasyPrint for themselves."""
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: pending briefs are cancelled and running ones killed, with their print workers.

    A killed worker writes nothing more: an output it was writing is still a `.part` file, which the
    cleaner removes (`sandbox.scratch`); the earlier PDF at that path stays as it was. Every worker
    is waited for, so none outlives this process.
    """
    kill = getattr(pool, "kill_workers", None)  # Python 3.14
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    if kill is not None:
        kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if kill is None:
            try:
                process.kill()  # SIGKILL; its print workers die with it (PR_SET_PDEATHSIG)
            except (OSError, ValueError):
                pass
        process.join(timeout=10)


class _signals_held:
    """Hold SIGINT and SIGTERM back in this thread while the pool starts its threads and processes.

    A thread starts with the signal mask of the thread that starts it. Python handles a signal in
    the main thread, but the kernel gives a signal sent to the process to any thread that does not
    block it; one given to the pool's manager thread would wake the main thread only when the next
    brief came back, written. Started with both held, the pool's threads never take them, and the
    main thread, waiting for a result, is woken at once. A signal sent meanwhile arrives on leaving.
    """

    SIGNALS = {signal.SIGINT, signal.SIGTERM}

    def __enter__(self) -> None:
        import threading

        self.saved = None
        if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
            self.saved = signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)

    def __exit__(self, *exc: Any) -> None:
        if self.saved is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.saved)


def _submit(executor: Executor, files: list[Path], outputs: list[Path], options: BuildOptions,
            force: bool) -> list[Future]:
    return [executor.submit(_build_one, content, output, options, force)
            for content, output in zip(files, outputs)]


def _results(files: list[Path], futures: list[Future]) -> Iterator[BatchItem]:
    for content, future in zip(files, futures):
        try:
            yield future.result()
        except Exception as error:  # noqa: BLE001 - a crashed worker fails its brief, not the batch
            yield BatchItem(content, problems=(Problem(content, f"build failed: {error!r}"),))


def _build_one(content: Path, output: Path, options: BuildOptions, force: bool = False) -> BatchItem:
    own_fonts()
    # Problems travel back as plain data: they pickle, whatever the executor.
    try:
        return BatchItem(content, result=build(content, output, options, force=force))
    except BriefError as error:
        return BatchItem(content, problems=tuple(error.problems))


def _start_worker() -> None:
    """Set up a worker of our own pool: its own fonts now, and their cleanup at exit."""
    from multiprocessing.util import Finalize

    from ..printing.typeset import forget_caches
    from ..sandbox import workers
    from ..sandbox.limits import die_with_parent

    die_with_parent()  # a worker waits for tasks for ever; it must not outlive the batch
    # The batch decides what a signal ends (`stop_pool`): Ctrl-C in a terminal reaches every process
    # of the group, and a worker that took it as the end of one brief would go on to the next.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _signals_held.SIGNALS)  # held while the pool forked
    own_fonts()
    Finalize(None, forget_caches, exitpriority=10)  # workers end without running atexit
    Finalize(None, workers.shutdown, exitpriority=10)  # nor do they end their print workers


def _refuse_clashes(files: list[Path], outputs: list[Path]) -> None:
    seen: dict[Path, Path] = {}
    problems = []
    for content, output in zip(files, outputs):
        key = output.resolve()
        if key in seen:
            problems.append(Problem(content, f"would overwrite {output}, also built from {seen[key]}"))
        seen.setdefault(key, content)
    if problems:
        raise BriefError(problems)
