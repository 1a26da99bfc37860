"""Warm workers: one bounded process takes job after job, its limits re-armed for each; a worker
that breaks a limit or dies is killed and replaced, and the next job gets a fresh one."""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import threading
import time
import warnings
from pathlib import Path

import pytest
from helpers import jobs, minimal_brief, write_yaml
from test_hostile_limits import figure_pages, page_breaks

import briefing
from briefing.errors import BriefError
from briefing.printing.typeset import print_pdf
from briefing.sandbox import workers
from briefing.sandbox.limits import Limits, run_limited

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes

MIB = 1024 * 1024
ONE_PAGE = "<html><body><p>One page.</p></body></html>"


def job(function, *args, **limits):
    return run_limited(function, args, Limits(**limits), "brief.yaml", step="testing")


def problems_of(function, *args, **limits) -> list[str]:
    with pytest.raises(BriefError) as raised:
        job(function, *args, **limits)
    return [str(problem) for problem in raised.value.problems]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(autouse=True)
def fresh_workers():
    workers.shutdown()
    yield
    workers.shutdown()


def test_jobs_run_one_after_another_in_one_warm_worker():
    first, second, third = job(jobs.pid), job(jobs.pid), job(jobs.sleep, 0)
    assert first == second == third != os.getpid()
    assert workers.count() == 1 and running(first)
    workers.shutdown()
    assert workers.count() == 0 and not running(first)


def test_limits_are_armed_for_each_job_from_what_the_worker_holds_and_has_used():
    armed = job(jobs.limits_now, timeout=30, max_memory=300)
    assert 0 <= armed["as"] - (armed["size"] + 300 * MIB) <= 4 * MIB
    assert armed["cpu"] == pytest.approx(math.ceil(armed["used"] + 30) + 1, abs=1)
    job(jobs.burn, 1.2)
    later = job(jobs.limits_now, timeout=30, max_memory=300)
    assert later["cpu"] - armed["cpu"] >= 1  # the CPU time used since counts against no later job
    assert 0 <= later["as"] - (later["size"] + 300 * MIB) <= 4 * MIB
    unbounded = job(jobs.limits_now, timeout=None, max_memory=None)  # between jobs they go back
    assert (unbounded["as"], unbounded["cpu"]) == (resource_limit("RLIMIT_AS"), resource_limit("RLIMIT_CPU"))


def resource_limit(name: str) -> int:
    import resource

    return resource.getrlimit(getattr(resource, name))[0]


@pytest.mark.pdf  # the slow layer: it uses 7.5 s of CPU time
def test_cpu_time_used_by_earlier_jobs_does_not_end_a_later_one():
    # Each job may use 5 s; together they use more than any fixed limit of 5 + 1 s would allow.
    pids = {job(jobs.burn, 2.5, timeout=5) for _ in range(3)}
    assert len(pids) == 1


def test_memory_held_before_a_job_does_not_count_against_it():
    assert job(jobs.allocate, 150, max_memory=200) == 150 * MIB
    assert job(jobs.allocate, 150, max_memory=200) == 150 * MIB
    assert problems_of(jobs.allocate, 300, max_memory=200) == [
        "brief.yaml: testing needed more than the 200 MiB memory limit (raise it with --max-memory)"]


def test_a_worker_that_ran_out_of_memory_is_replaced_and_the_next_job_succeeds():
    before = job(jobs.pid)
    problems_of(jobs.allocate, 300, max_memory=200)
    assert not running(before)
    after = job(jobs.pid)
    assert after != before and running(after)


def test_a_worker_that_took_too_long_is_killed_and_the_next_job_gets_a_fresh_one():
    before = job(jobs.pid)
    assert problems_of(jobs.sleep, 30, timeout=0.5) == [
        "brief.yaml: testing took longer than the 0.5 s limit (raise it with --timeout)"]
    assert not running(before) and workers.count() == 0
    assert job(jobs.pid) not in (before, os.getpid())


def test_a_worker_that_dies_during_a_job_is_reported_and_replaced():
    before = job(jobs.pid)
    [problem] = problems_of(jobs.die, int(signal.SIGSEGV))
    assert problem.startswith("brief.yaml: testing was killed by SIGSEGV")
    assert job(jobs.pid) != before


def test_a_worker_killed_while_idle_costs_the_next_job_nothing():
    before = job(jobs.pid)
    os.kill(before, signal.SIGKILL)  # as the kernel's out-of-memory killer might, between two builds
    deadline = time.monotonic() + 30  # a bound on a hang, not a measurement
    while running(before) and time.monotonic() < deadline:
        time.sleep(0.02)
    after = job(jobs.pid)
    assert after != before


def test_a_job_that_fails_unexpectedly_retires_its_worker():
    before = job(jobs.pid)
    [problem] = problems_of(jobs.allocate, "lots")
    assert problem.startswith("brief.yaml: testing failed: TypeError")
    assert not running(before) and job(jobs.pid) != before


def test_an_interrupt_while_a_job_runs_kills_its_worker():
    before = job(jobs.pid)

    def interrupt(*_):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            job(jobs.sleep, 30, timeout=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not running(before) and workers.count() == 0


def test_warnings_raised_in_a_worker_reach_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        job(jobs.warn, "fonts are slow here")
    assert [str(warning.message) for warning in caught] == ["fonts are slow here"]


def test_a_process_with_other_threads_starts_a_fresh_python_instead_of_forking():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert b"serve_spawned" in job(jobs.command_line)
        assert job(jobs.pid) == job(jobs.pid)  # warm too
    finally:
        stop.set()
        other.join()
    workers.shutdown()
    if threading.active_count() == 1:  # one thread again (no other test left one running): forked
        assert b"serve_spawned" not in job(jobs.command_line)


def _build_in_daemon(content: str, output: str, results) -> None:
    try:
        results.put(briefing.build(content, output).pages)
    except BaseException as error:  # noqa: BLE001 - reported to the test
        results.put(repr(error))


@pytest.mark.pdf
def test_a_daemonic_process_builds_with_the_default_limits(tmp_path):
    """Dask's workers and multiprocessing pools run briefs in daemonic processes."""
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_build_in_daemon, args=(str(content), str(tmp_path / "brief.pdf"), results),
                              daemon=True)
    process.start()
    try:
        assert results.get(timeout=240) == 2  # pages, or what went wrong
    finally:
        process.join(timeout=60)
    assert process.exitcode == 0 and (tmp_path / "brief.pdf").is_file()


@pytest.mark.pdf
def test_a_print_that_broke_the_memory_limit_is_followed_by_one_that_succeeds(tmp_path):
    small, huge = figure_pages(tmp_path)
    limits = Limits(max_memory=400)
    assert print_pdf(small, allowed_folders=(tmp_path,), limits=limits).pages == 1
    before = printing_pid()
    with pytest.raises(BriefError) as raised:
        print_pdf(huge, allowed_folders=(tmp_path,), limits=limits, name="brief.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        "brief.yaml: printing needed more than the 400 MiB memory limit (raise it with --max-memory)"]
    assert not running(before)
    assert print_pdf(small, allowed_folders=(tmp_path,), limits=limits).pages == 1
    assert printing_pid() != before


@pytest.mark.pdf
def test_a_print_that_broke_the_time_limit_is_followed_by_one_that_succeeds():
    assert print_pdf(ONE_PAGE, limits=Limits(timeout=60)).pages == 1
    before = printing_pid()
    with pytest.raises(BriefError) as raised:
        print_pdf(page_breaks(30000), limits=Limits(timeout=1, max_pages=None), name="brief.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        "brief.yaml: printing took longer than the 1 s limit (raise it with --timeout)"]
    assert not running(before)
    assert print_pdf(ONE_PAGE, limits=Limits(timeout=60)).pages == 1
    assert printing_pid() != before


@pytest.mark.pdf
def test_a_worker_keeps_its_files_in_its_own_folder_and_takes_them_when_it_goes(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert print_pdf(ONE_PAGE, limits=Limits(timeout=60)).pages == 1
    [folder] = tmp_path.iterdir()
    assert folder.name.startswith("briefing-worker-")
    assert list(folder.glob("weasyprint-*"))  # its fonts, kept warm for the next print
    with pytest.raises(BriefError):  # a problem in the content keeps the worker and its folder
        print_pdf(page_breaks(30), limits=Limits(timeout=60, max_pages=2))
    assert list(tmp_path.iterdir()) == [folder]
    workers.shutdown()
    assert list(tmp_path.iterdir()) == []


def printing_pid() -> int:
    [worker] = workers._idle["printing"]
    return worker.pid


def _pids() -> set[int]:
    return {worker.pid for pool in workers._idle.values() for worker in pool}


@pytest.mark.pdf
def test_repeated_builds_in_one_process_share_one_rendering_and_one_printing_worker(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    briefing.build(content, tmp_path / "brief-0.pdf")
    first = _pids()
    for number in range(1, 3):
        briefing.build(content, tmp_path / f"brief-{number}.pdf", force=True)
    assert workers.count() == 2 and _pids() == first
    assert sorted(workers._idle) == ["printing", "rendering"]
