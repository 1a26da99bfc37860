"""Faults injected into the atomic write: a full disk, as `briefing.output.write` sees it and nowhere else."""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import briefing.output.write


def full(*args, **kwargs):
    """What a call does on a full disk."""
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def fail_in_write(monkeypatch, **replacements) -> None:
    """Replace functions of `os` as `briefing.output.write` sees them, and nowhere else."""
    monkeypatch.setattr(briefing.output.write, "os", SimpleNamespace(**{**vars(os), **replacements}))
