"""Warm workers: bounded child processes that take job after job.

Rendering and printing run outside the calling process, within `Limits`
(`briefing.sandbox.limits`). Starting a new child for every step would cost
more than the step: a forked child copies the pages of its parent it touches
(tens of megabytes of a warm Python process), and lays out text with font,
shaping and hyphenation caches the parent never built. So each process keeps a
few long-lived workers, and each worker keeps its own caches warm:

- a job is a function and its arguments, sent pickled over a socket with the
  caller's environment variables and working folder, which the worker takes
  on before it runs the job; its
  result, or the problems that stopped it, and the record of every file it
  read (`sandbox.files.recording`) come back the same way; warnings it raised
  are raised again in the caller;
- before each job the worker re-arms its limits: the soft `RLIMIT_AS` becomes
  the address space it holds now plus the job's `max_memory`, the soft
  `RLIMIT_CPU` the CPU time it has used so far plus the job's `timeout`; after
  the job both go back to what they were;
- the parent keeps the wall clock: a job not done within its `timeout` has
  its worker killed (SIGKILL works whatever the worker is doing);
- a worker that broke a limit, died, ran out of memory or failed in an
  unexpected way is killed and never used again; the job gets a clear error
  and the next job a fresh worker; a worker that has grown past
  `RETIRE_RESIDENT` or taken `RETIRE_JOBS` jobs is retired too;
- a worker never outlives its parent: the kernel kills it when its parent
  ends (`PR_SET_PDEATHSIG`, Linux) and it ends by itself when its socket
  closes; its temporary files, fonts included, live in a scratch folder of its
  own (`sandbox.scratch`), removed when the worker goes, or by the cleaner if
  the whole build is killed.

Rendering and printing have workers of their own. A worker is forked when
the process has a single thread, so it starts with what its parent has
imported; the printing worker is started early (`prestart`), so that it
imports WeasyPrint while its parent is still reading the content. A process
with other threads (a Dask worker, a service with a thread per request) starts
a fresh Python instead: forking it could copy a
lock held by another thread. Either way the worker lives as long as the
process that started it, so the cost of starting it is paid once.
"""

from __future__ import annotations

import atexit
import ctypes
import math
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import warnings
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from . import scratch
from ..errors import BriefError, Problem

MIB = 1024 * 1024
#: Idle workers a process keeps; more run at once only while more threads build at once.
MAX_IDLE = 4
#: A worker whose resident memory passes this after a job is retired, with its caches.
RETIRE_RESIDENT = 768 * MIB
#: And after this many jobs, whatever its size.
RETIRE_JOBS = 500
#: What a new worker of each step imports before its first job, as each step declares it
#: (`declare`): the step's own module, so that a printing worker imports WeasyPrint and not
#: Jinja2 or the content's models. A module named here may define `worker_started()` (run
#: once the worker has imported it), `disown_caches()` (in a forked worker: drop what was
#: inherited from the parent without deleting the parent's files) and `forget_caches()`
#: (between jobs when asked, and as the worker ends); the worker calls them by those names.
_preloads: dict[str, tuple[str, ...]] = {}
_PR_SET_PDEATHSIG = 1


class Worker:
    """One bounded child process taking jobs over a socket; see the module's description."""

    def __init__(self, preload: tuple[str, ...] = ()):
        self.folder = scratch.folder("briefing-worker-")
        self.jobs = 0
        self.broken = False
        self.owner = os.getpid()
        ours, theirs = socket.socketpair()
        self.pid: int | None = None
        self.process: subprocess.Popen | None = None
        try:
            if _can_fork():
                self._fork(ours, theirs, preload)
            else:
                self._spawn(theirs, preload)
        except BaseException:
            ours.close()
            theirs.close()
            scratch.remove(self.folder)
            raise
        theirs.close()
        self.connection = Connection(ours.detach())

    def _fork(self, ours: socket.socket, theirs: socket.socket, preload: tuple[str, ...]) -> None:
        parent = os.getpid()
        held = scratch.hold_interrupts()  # released in the child once it ignores them
        try:
            pid = os.fork()
            if pid == 0:  # the worker: never returns into the caller's stack
                code = 1
                try:
                    ours.close()
                    _serve(Connection(theirs.detach()), parent, self.folder, preload, forked=True)
                    code = 0
                finally:
                    os._exit(code)
        finally:
            scratch.release_interrupts(held)
        self.pid = pid

    def _spawn(self, theirs: socket.socket, preload: tuple[str, ...]) -> None:
        code = ("import sys; from briefing.sandbox.workers import serve_spawned; "
                "serve_spawned(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:])")
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno()), str(os.getpid()), str(self.folder), *preload],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=environment)
        self.pid = self.process.pid

    def run(self, function: Callable[..., Any], args: tuple[Any, ...], limits: Any, name: str | Path,
            step: str) -> tuple[Any, dict]:
        """`function(*args)` in the worker within `limits`: its value and the record of what it read.

        A `BriefError` raised there is raised here, with what the job read before it as `reads`.
        """
        try:
            job = pickle.dumps(("job", function, args, (limits.timeout, limits.max_memory), _surroundings()),
                               protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 - a value that cannot travel is the caller's mistake
            raise BriefError([Problem(name, f"{step} failed: cannot send the job to a worker: {error}")]) from None
        try:
            self.connection.send_bytes(job)
            if not self.connection.poll(limits.timeout):
                self.kill()
                raise BriefError([Problem(name, f"{step} took longer than the {limits.timeout:g} s limit "
                                                "(raise it with --timeout)")])
            kind, value, caught = self.connection.recv()
        except (EOFError, OSError):
            raise BriefError([Problem(name, _death(self.kill(), limits, step))]) from None
        except BaseException:  # an interrupt, or a result that cannot be read: the job's state is unknown
            self.kill()
            raise
        self.jobs += 1
        for message, category in caught:
            warnings.warn(message, category, stacklevel=4)
        if kind == "problems":
            problems, reads = value
            error = BriefError(problems)
            error.reads = reads  # what it read before it stopped: a file it lacked may be supplied later
            raise error
        if kind == "memory":
            self.kill()
            raise BriefError([Problem(name, f"{step} needed more than the {limits.max_memory} MiB memory limit "
                                            "(raise it with --max-memory)" if limits.max_memory
                                      else f"{step} ran out of memory")])
        if kind == "failure":
            self.kill()
            raise BriefError([Problem(name, f"{step} failed: {value}")])
        value, reads, resident = value
        if resident > RETIRE_RESIDENT or self.jobs >= RETIRE_JOBS:
            self.kill()
        return value, reads

    def forget(self) -> None:
        """Ask the worker to drop its stylesheets, fonts and images (a theme file changed)."""
        try:
            self.connection.send_bytes(pickle.dumps(("forget",)))
        except OSError:
            self.kill()

    def alive(self) -> bool:
        """Whether the worker can take a job: ours, not broken, and still running."""
        if self.broken or self.owner != os.getpid():
            return False
        if self.process is not None:
            ended = self.process.poll() is not None
        else:
            try:
                ended = os.waitpid(self.pid, os.WNOHANG)[0] != 0
            except ChildProcessError:
                ended = True
        if ended:  # killed from outside while idle: reaped, and its folder removed
            self.broken = True
            self.connection.close()
            scratch.remove(self.folder)
        return not ended

    def kill(self) -> int | None:
        """Kill the worker (if it still runs), wait for it and remove its folder; its exit status."""
        status = None
        if not self.broken:
            self.broken = True
            try:
                self.connection.close()
            except OSError:
                pass
            if self.pid is not None:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                status = _reap(self.pid, self.process)
            scratch.remove(self.folder)
        return status


def _reap(pid: int, process: subprocess.Popen | None) -> int | None:
    """Wait for a killed worker; its exit status as `Popen.returncode` gives it (negative: a signal).

    A worker that ended by itself (a CPU limit's SIGXCPU) has the signal that ended it.
    """
    if process is not None:
        return process.wait()
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


# --- the pools of this process ------------------------------------------------------------------

_lock = threading.Lock()
_idle: dict[str, list[Worker]] = {}
_busy: dict[str, list[Worker]] = {}


def run(function: Callable[..., Any], args: tuple[Any, ...], limits: Any, name: str | Path,
        step: str) -> tuple[Any, dict]:
    """Run one job on an idle worker of this process for `step`, starting one if none is idle.

    Each step ("rendering", "printing") has workers of its own, which import only what it needs.
    """
    worker = _take(step)
    try:
        return worker.run(function, args, limits, name, step)
    finally:
        _give_back(step, worker)


def declare(step: str, preload: tuple[str, ...]) -> None:
    """Say which modules a new worker of `step` imports before its first job (see `_preloads`)."""
    with _lock:
        _preloads[step] = tuple(preload)


def prestart(step: str = "printing", preload: tuple[str, ...] | None = None) -> None:
    """Start a worker for `step` now if this process has none, so it warms up while the caller works.

    `preload` declares the step's modules (`declare`) when the step has not declared them yet.
    """
    if preload is not None:
        with _lock:
            _preloads.setdefault(step, tuple(preload))
    with _lock:
        if _idle.get(step) or _busy.get(step):
            return
    _give_back(step, _start(step))


def forget() -> None:
    """Every idle worker drops its stylesheets, fonts and images; busy ones are retired when done."""
    with _lock:
        idle = [worker for workers in _idle.values() for worker in workers]
        busy = [worker for workers in _busy.values() for worker in workers]
    for worker in idle:
        worker.forget()
    for worker in busy:
        worker.jobs = RETIRE_JOBS  # retired when it comes back


def shutdown() -> None:
    """End every worker of this process (they end by themselves when it exits, too)."""
    with _lock:
        workers = [worker for pool in (*_idle.values(), *_busy.values()) for worker in pool]
        _idle.clear()
        _busy.clear()
    for worker in workers:
        if worker.owner == os.getpid():
            worker.kill()


def pids(step: str) -> list[int]:
    """The process ids of this process's workers for `step`, idle or busy."""
    with _lock:
        return [worker.pid for pool in (_idle, _busy) for worker in pool.get(step, ()) if worker.pid is not None]


def count() -> int:
    """How many workers this process has now, idle or busy."""
    with _lock:
        return sum(len(pool) for pool in (*_idle.values(), *_busy.values()))


def _take(step: str) -> Worker:
    with _lock:
        idle = _idle.setdefault(step, [])
        while idle:
            worker = idle.pop()
            if worker.alive():
                _busy.setdefault(step, []).append(worker)
                return worker
    worker = _start(step)
    with _lock:
        _busy.setdefault(step, []).append(worker)
    return worker


def _start(step: str) -> Worker:
    with _lock:
        preload = _preloads.get(step, ())
    return Worker(preload)


def _give_back(step: str, worker: Worker) -> None:
    with _lock:
        busy = _busy.setdefault(step, [])
        if worker in busy:
            busy.remove(worker)
        idle = _idle.setdefault(step, [])
        keep = worker.alive() and worker.jobs < RETIRE_JOBS and len(idle) < MAX_IDLE
        if keep:
            idle.append(worker)
    if not keep:
        worker.kill()


def _forget_inherited() -> None:
    """In a forked child: the parent's workers are the parent's; close our copies of their sockets."""
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    for worker in [worker for pool in (*_idle.values(), *_busy.values()) for worker in pool]:
        worker.broken = True
        try:
            worker.connection.close()
        except OSError:
            pass
    _idle.clear()
    _busy.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)
atexit.register(shutdown)


def _can_fork() -> bool:
    """Fork only a process with one thread: a lock another thread holds would stay locked in the copy."""
    return hasattr(os, "fork") and threading.active_count() == 1


# --- inside the worker ---------------------------------------------------------------------------

def serve_spawned(fd: int, parent: int, folder: str, preload: list[str]) -> None:
    """The worker's main loop in a fresh Python started by `Worker._spawn`."""
    _serve(Connection(fd), parent, Path(folder), tuple(preload), forked=False)


def _serve(connection: Connection, parent: int, folder: Path, preload: tuple[str, ...], forked: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt ends
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # whatever handler the parent had
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back while forking
    die_with(parent)
    tempfile.tempdir = str(folder)  # WeasyPrint's font folders and any other temporary file go there
    global _hooked
    _hooked = (*{name for names in _preloads.values() for name in names}, *preload)
    if forked:
        _call_hooks("disown_caches")  # the parent's fonts are the parent's
    for module in preload:
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - the job that needs it reports the failure
            pass
    _call_hooks("worker_started")
    while True:
        try:
            message = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            break  # the parent closed the socket or is gone
        if message[0] == "forget":
            _call_hooks("forget_caches")
            continue
        _, function, args, (timeout, max_memory), surroundings = message
        _take_on(surroundings, folder)
        outcome = _job(function, args, timeout, max_memory)
        try:
            connection.send(outcome)
        except OSError:
            break
        except Exception as error:  # noqa: BLE001 - a result that cannot be pickled
            connection.send(("failure", f"the result cannot be sent back: {error}", []))
        if outcome[0] in ("memory", "failure"):
            break  # what a failed job left behind is not to be trusted with the next one
    _call_hooks("forget_caches")


def _surroundings() -> tuple[dict[str, str], str | None]:
    """What a job sees of its caller: the environment (SOURCE_DATE_EPOCH, …) and working folder."""
    try:
        folder: str | None = os.getcwd()
    except OSError:
        folder = None
    return dict(os.environ), folder


def _take_on(surroundings: tuple[dict[str, str], str | None], scratch_folder: Path) -> None:
    """Run the next job as its caller would: in its environment and working folder; temporary
    files still go into this worker's own folder."""
    environment, folder = surroundings
    if environment != os.environ:
        os.environ.clear()
        os.environ.update(environment)
    os.environ["TMPDIR"] = tempfile.tempdir = str(scratch_folder)
    if folder is not None:
        try:
            os.chdir(folder)
        except OSError:
            pass


def _job(function: Callable[..., Any], args: tuple[Any, ...], timeout: float | None,
         max_memory: int | None) -> tuple[str, Any, list]:
    from .files import recording

    restore = _arm(timeout, max_memory)
    outcome: tuple[str, Any]
    try:
        with warnings.catch_warnings(record=True) as seen, recording() as reads:
            warnings.simplefilter("always")  # the caller's filters decide what is shown
            value = function(*args)
    except BriefError as error:
        outcome = ("problems", (error.problems, reads))
    except MemoryError:
        return ("memory", None, [])
    except BaseException as error:  # reported by the parent as a problem, never as a traceback
        outcome = ("failure", f"{type(error).__name__}: {error}")
    else:
        outcome = ("result", (value, reads, _resident()))
    finally:
        restore()
    return (*outcome, [(str(warning.message), warning.category) for warning in seen])


def _arm(timeout: float | None, max_memory: int | None) -> Callable[[], None]:
    """Lower the soft limits for one job; returns what puts them back."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return lambda: None
    saved = []
    if max_memory is not None:
        saved.append((resource.RLIMIT_AS, resource.getrlimit(resource.RLIMIT_AS)))
        _lower(resource, resource.RLIMIT_AS, _address_space() + max_memory * MIB)
    if timeout is not None:
        used = resource.getrusage(resource.RUSAGE_SELF)
        saved.append((resource.RLIMIT_CPU, resource.getrlimit(resource.RLIMIT_CPU)))
        _lower(resource, resource.RLIMIT_CPU, math.ceil(used.ru_utime + used.ru_stime + timeout) + 1)

    def restore() -> None:
        for kind, limits in saved:
            resource.setrlimit(kind, limits)

    return restore


def _lower(resource: Any, kind: int, soft: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize)."""
    return _statm(0)


def _resident() -> int:
    """Bytes of memory this process has resident now (VmRSS)."""
    return _statm(1)


def _statm(field: int) -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


#: The modules whose hooks this worker calls: every step's of the parent, and its own preload.
_hooked: tuple[str, ...] = ()


def _call_hooks(name: str) -> None:
    """Call `name()` of each module in `_hooked` that is imported here and defines it."""
    for module_name in dict.fromkeys(_hooked):
        hook = getattr(sys.modules.get(module_name), name, None)
        if callable(hook):
            try:
                hook()
            except Exception:  # noqa: BLE001 - a job that needs what failed here reports it
                pass


def die_with(parent: int | None) -> None:
    """Ask the kernel to kill this process when its parent ends (Linux), and end now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the socket and RLIMIT_CPU remain
            pass
    if parent is not None and os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)


def _death(exitcode: int | None, limits: Any, step: str) -> str:
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == getattr(signal, "SIGXCPU", None):
            return f"{step} used more than the {limits.timeout:g} s limit of CPU time (raise it with --timeout)"
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        hint = f" (perhaps out of memory: the limit is {limits.max_memory} MiB, see --max-memory)" \
            if limits.max_memory else ""
        return f"{step} was killed by {name}{hint}"
    return f"{step} ended without a result (exit status {exitcode})"
