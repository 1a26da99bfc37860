"""Watch: build a brief, then build it again on every save of its content or theme.

Everything stays warm in the one process — the Jinja2 environment and its
compiled templates, the parsed stylesheets, the font configuration, decoded
images — so a rebuild costs little more than WeasyPrint's layout. A change to
a theme file drops the parsed stylesheets, fonts and images so they are read
again; templates reload themselves. A broken save reports its problems and
the watch goes on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import BuildResult, build
from .cache import build_key
from .errors import BriefError, Problem
from .theme import Theme, load_theme


@dataclass(frozen=True)
class Rebuild:
    """One build of a watch: its result, or the problems that stopped it, and what set it off."""

    result: BuildResult | None
    problems: tuple[Problem, ...]
    changed: tuple[Path, ...]
    seconds: float


def watch(content: str | Path, output: str | Path | None = None, *, report: Callable[[Rebuild], Any],
          stop: Any = None, theme: Theme | str | None = None, **options: Any) -> None:
    """Build `content` now and after each change to it or its theme, calling `report` with every build.

    Runs until `stop` (a `threading.Event` or similar) is set, or until interrupted.
    `options` are those of `build()`.
    """
    from watchfiles import watch as changes

    content = Path(content).resolve()
    theme = theme if isinstance(theme, Theme) else load_theme(theme or "default")
    theme_folders = tuple(folder.resolve() for folder in theme.folders)

    def relevant(_change: Any, name: str) -> bool:
        path = Path(name)
        return path == content or any(path.is_relative_to(folder) for folder in theme_folders)

    def once(changed: tuple[Path, ...]) -> None:
        started = time.perf_counter()
        try:
            result = build(content, output, theme=theme, **options)
        except BriefError as error:
            report(Rebuild(None, tuple(error.problems), changed, time.perf_counter() - started))
        except Exception as error:  # noqa: BLE001 - a watch reports and keeps going
            problem = Problem(content, f"build failed: {type(error).__name__}: {error}")
            report(Rebuild(None, (problem,), changed, time.perf_counter() - started))
        else:
            report(Rebuild(result, (), changed, time.perf_counter() - started))

    def fingerprint() -> str | None:
        try:
            return build_key(content, theme_folders, {"output": output, **options})
        except OSError:
            return None

    built_from = fingerprint()
    once(())
    watching = changes(*_folders(content, theme_folders), watch_filter=relevant, stop_event=stop,
                       recursive=False, debounce=400, yield_on_timeout=True, rust_timeout=1000)
    for number, batch in enumerate(watching):
        if not batch:
            # Saves made before the watch began are seen here, once it has begun.
            if number == 0 and fingerprint() != built_from:
                once(())
            continue
        changed = tuple(sorted({Path(name) for _, name in batch}))
        if any(path != content for path in changed):
            from .pdf import forget_caches

            forget_caches()
        once(changed)


def _folders(content: Path, theme_folders: tuple[Path, ...]) -> list[Path]:
    """The content's folder and every folder of the theme, each watched on its own (not the trees below)."""
    folders = [content.parent]
    for root in theme_folders:
        for directory, subdirectories, _ in os.walk(root):
            subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
            folders.append(Path(directory))
    return list(dict.fromkeys(folders))
