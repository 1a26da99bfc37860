"""Watch: build a brief, then build it again on every save of its content or theme.

Everything stays warm in the one process and its print worker
(`briefing.sandbox.workers`) — the Jinja2 environment and its compiled
templates, the parsed stylesheets, the font configuration, decoded images —
so a rebuild costs little more than WeasyPrint's layout. A change to
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
from .options import BuildOptions


@dataclass(frozen=True)
class Rebuild:
    """One build of a watch: its result, or the problems that stopped it, and what set it off."""

    result: BuildResult | None
    problems: tuple[Problem, ...]
    changed: tuple[Path, ...]
    seconds: float


def watch(content: str | Path, output: str | Path | None = None, options: BuildOptions | None = None, *,
          report: Callable[[Rebuild], Any], stop: Any = None, **changes: Any) -> None:
    """Build `content` now and after each change to a file the last build read, calling `report` with every build.

    What is watched is the build's own record of what it read (content, settings and brand
    files, logo, fonts, attachments, images, stylesheets, and files it looked for and did not
    find) and every file of the theme's folders. Runs until `stop` (a `threading.Event` or
    similar) is set, or until interrupted. `options` and `changes` are those of `build()`.
    """
    from watchfiles import watch as changes_in

    from ..themes.theme import Theme, brand_beside, files_state, load_theme
    from .cache import digest_of

    options = BuildOptions.of(options, **changes)
    content = Path(content).resolve()
    theme = options.theme
    if not isinstance(theme, Theme):
        theme = load_theme(theme, templates=options.templates, brand=options.brand or brand_beside(content))
    theme_folders = tuple(folder.resolve() for folder in theme.folders)
    read: dict[Path, str | None] = {}  # what the last good build read, as it read it

    def once(changed: tuple[Path, ...]) -> None:
        started = time.perf_counter()
        try:
            result = build(content, output, options)
        except BriefError as error:
            report(Rebuild(None, tuple(error.problems), changed, time.perf_counter() - started))
        except Exception as error:  # noqa: BLE001 - a watch reports and keeps going
            problem = Problem(content, f"build failed: {type(error).__name__}: {error}")
            report(Rebuild(None, (problem,), changed, time.perf_counter() - started))
        else:
            read.update(result.inputs)  # a broken save keeps what the last good build read
            report(Rebuild(result, (), changed, time.perf_counter() - started))

    def relevant(_change: Any, name: str) -> bool:
        path = Path(name)
        return path == content or path in read or any(path.is_relative_to(folder) for folder in theme_folders)

    def saved_unseen() -> tuple[Path, ...]:
        """Files changed since the last build read them, or since the theme was first looked at."""
        changed = [path for path, digest in read.items() if digest_of(path) != digest]
        if files_state(theme_folders) != theme_state:
            changed.append(theme_folders[0])
        return tuple(sorted(changed))

    theme_state = files_state(theme_folders)
    once(())
    while not (stop is not None and stop.is_set()):
        folders = _folders(content, theme_folders, set(read))
        watching = changes_in(*folders, watch_filter=relevant, stop_event=stop, recursive=False, debounce=400,
                              yield_on_timeout=True, rust_timeout=1000)
        for number, batch in enumerate(watching):
            if not batch:
                # Saves made before this watcher began (the first build, a restart) are seen here.
                if number == 0 and (unseen := saved_unseen()):
                    theme_state = files_state(theme_folders)
                    _forget_caches(unseen, content)
                    once(unseen)
                if _folders(content, theme_folders, set(read)) != folders:
                    break  # the last build read a file in a folder not yet watched
                continue
            changed = tuple(sorted({Path(name) for _, name in batch}))
            theme_state = files_state(theme_folders)
            _forget_caches(changed, content)
            once(changed)
            if _folders(content, theme_folders, set(read)) != folders:
                break
        else:
            return


def _forget_caches(changed: tuple[Path, ...], content: Path) -> None:
    """A change to anything but the content drops the parsed stylesheets, fonts and images."""
    if any(path != content for path in changed):
        from ..printing.typeset import forget_caches
        from ..sandbox import workers

        forget_caches()
        workers.forget()


def _folders(content: Path, theme_folders: tuple[Path, ...], files: set[Path]) -> list[Path]:
    """The folders of the watched files and every folder of the theme, each watched on its own
    (not the trees below)."""
    folders = [content.parent, *sorted({path.parent for path in files if path.parent.is_dir()})]
    for root in theme_folders:
        for directory, subdirectories, _ in os.walk(root):
            subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
            folders.append(Path(directory))
    return list(dict.fromkeys(folders))
