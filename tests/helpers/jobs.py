"""Jobs for the warm-worker tests: module-level functions, so a worker can unpickle them."""

from __future__ import annotations

import os
import resource
import signal
import time
import warnings


def pid() -> int:
    return os.getpid()


def limits_now() -> dict[str, float]:
    """The soft limits this job runs under, and what the worker held and had used at its start."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    return {"as": resource.getrlimit(resource.RLIMIT_AS)[0], "size": size,
            "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0], "used": used.ru_utime + used.ru_stime}


def burn(seconds: float) -> int:
    """Use `seconds` of CPU time."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return os.getpid()


def die(number: int) -> None:
    os.kill(os.getpid(), number)
    time.sleep(60)


def sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def warn(message: str) -> int:
    warnings.warn(message, UserWarning)
    return os.getpid()


def allocate(mib: int) -> int:
    block = bytearray(mib * 1024 * 1024)
    return len(block)


def command_line() -> bytes:
    with open(f"/proc/{os.getpid()}/cmdline", "rb") as cmdline:
        return cmdline.read()


def ignore_terminate() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
