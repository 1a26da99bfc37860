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

from ..errors import BriefError, Problem
from .build import BuildResult, build


@dataclass(frozen=True)
class Rebuild:
    """One build of a watch: its result, or the problems that stopped it, and what set it off."""

    result: BuildResult | None
    problems: tuple[Problem, ...]
    changed: tuple[Path, ...]
    seconds: float


def watch(content: str | Path, output: str | Path | None = None, *, report: Callable[[Rebuild], Any],
          stop: Any = None, **options: Any) -> None:
    """Build `content` now and after each change to it or its theme, calling `report` with every build.

    Runs until `stop` (a `threading.Event` or similar) is set, or until interrupted.
    `options` are those of `build()`; the theme is loaded again for every build, so a change to
    its settings counts as well.
    """
    from watchfiles import watch as changes

    from ..themes.theme import BRAND, Theme, brand_beside, files_state, load_theme

    content = Path(content).resolve()
    theme = options.get("theme")
    if not isinstance(theme, Theme):
        theme = load_theme(theme or "default", templates=options.get("templates"),
                           brand=options.get("brand") or brand_beside(content))
    theme_folders = tuple(folder.resolve() for folder in theme.folders)
    files = {content, content.parent / BRAND, *(Path(path).resolve() for path in theme.settings_files)}
    if options.get("brand"):
        files.add(Path(options["brand"]).resolve())
    folders = _folders(content, theme_folders, files)

    def relevant(_change: Any, name: str) -> bool:
        path = Path(name)
        return path in files or any(path.is_relative_to(folder) for folder in theme_folders)

    def once(changed: tuple[Path, ...]) -> None:
        started = time.perf_counter()
        try:
            result = build(content, output, **options)
        except BriefError as error:
            report(Rebuild(None, tuple(error.problems), changed, time.perf_counter() - started))
        except Exception as error:  # noqa: BLE001 - a watch reports and keeps going
            problem = Problem(content, f"build failed: {type(error).__name__}: {error}")
            report(Rebuild(None, (problem,), changed, time.perf_counter() - started))
        else:
            report(Rebuild(result, (), changed, time.perf_counter() - started))

    def fingerprint() -> tuple:
        return files_state(theme_folders, files)

    built_from = fingerprint()
    once(())
    watching = changes(*folders, watch_filter=relevant, stop_event=stop, recursive=False, debounce=400,
                       yield_on_timeout=True, rust_timeout=1000)
    for number, batch in enumerate(watching):
        if not batch:
            # Saves made before the watch began are seen here, once it has begun.
            if number == 0 and fingerprint() != built_from:
                once(())
            continue
        changed = tuple(sorted({Path(name) for _, name in batch}))
        if any(path != content for path in changed):
            from ..printing.typeset import forget_caches

            forget_caches()
        once(changed)


def _folders(content: Path, theme_folders: tuple[Path, ...], files: set[Path]) -> list[Path]:
    """The folders of the watched files and every folder of the theme, each watched on its own
    (not the trees below)."""
    folders = [content.parent, *sorted(path.parent for path in files if path.parent.is_dir())]
    for root in theme_folders:
        for directory, subdirectories, _ in os.walk(root):
            subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
            folders.append(Path(directory))
    return list(dict.fromkeys(folders))
