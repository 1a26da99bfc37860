"""What one brief of a batch is given back, and what every task does first, wherever it runs:
in this process, in a pool of our own (`batch`) or on any executor, Dask's included (`remote`)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from .build import BuildResult


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one brief in a batch: a result, or the problems that stopped it."""

    content: Path
    result: BuildResult | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.result is not None


_fonts_owner = os.getpid()


def own_fonts() -> None:
    """A forked process must not share its parent's fonts: forget anything it inherited.

    This runs in every task, so it holds for any executor, not only our own pool.
    """
    global _fonts_owner
    if _fonts_owner != os.getpid():
        _fonts_owner = os.getpid()
        # Workers of any multiprocessing pool end without atexit but run these finalisers:
        # the fonts this worker makes for itself and its print workers go with it.
        from multiprocessing.util import Finalize

        from ..sandbox import workers

        if "briefing.printing.typeset" in sys.modules:
            typeset = sys.modules["briefing.printing.typeset"]
            typeset.disown_caches()
            Finalize(None, typeset.forget_caches, exitpriority=10)
        Finalize(None, workers.shutdown, exitpriority=10)
