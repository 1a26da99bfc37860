"""Build: the whole flow for one content file — load, render, print, write."""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache
from .theme import Theme, load_theme


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    html: Path | None = None
    cached: bool = False


def default_output(content: Path) -> Path:
    return Path("output") / f"{content.stem}.pdf"


def build(content: str | Path, output: str | Path | None = None, *, theme: Theme | str | None = None,
          paper: str = "a4", html: bool = False, force: bool = False) -> BuildResult:
    """Build the brief in `content` into a PDF at `output` (default `output/<stem>.pdf`).

    With `html=True` the intermediate HTML is written beside the PDF as well.
    When the content, theme files, options and versions are those of the last build of
    `output` and its files are unchanged, nothing is rendered (`cached=True`); `force=True`
    renders anyway. Raises `BriefError` on any problem; an earlier PDF at `output` is then
    left as it was.
    """
    arguments = dict(locals())  # first, so that every argument, and nothing else, is in the cache key
    started = time.perf_counter()
    plan = _Plan.of(arguments)
    if not force and (result := plan.cached(started)):
        return result

    from .load import load
    from .pdf import print_pdf
    from .render import render_html
    from .write import write_pdf

    content, output, theme = plan.content, plan.output, plan.theme
    brief = load(content)
    document = render_html(brief, theme)
    printed = print_pdf(document, theme, paper=paper, allowed_folders=(content.resolve().parent,))
    cache.forget(output)  # until the new files are in place; a failure before here leaves both as they were
    written = {output: printed.pdf}
    if plan.html:
        written[write_pdf(document.encode("utf-8"), plan.html)] = document.encode("utf-8")
    write_pdf(printed.pdf, output)
    if plan.key:
        cache.record(output, plan.key, printed.pages, written)
    return BuildResult(pdf=output, pages=printed.pages, seconds=time.perf_counter() - started,
                       html=plan.html)


def up_to_date(content: str | Path, output: str | Path | None = None, **options: Any) -> BuildResult | None:
    """What `build()` with these arguments would return without rendering, or None if it must render."""
    started = time.perf_counter()
    arguments = inspect.signature(build).bind(content, output, **options)
    arguments.apply_defaults()
    if arguments.arguments["force"]:
        return None
    return _Plan.of(arguments.arguments).cached(started)


# Arguments of `build` that say where or whether to build, not what: every other one is in the cache key.
_NOT_OPTIONS = {"content", "output", "force"}


@dataclass(frozen=True)
class _Plan:
    content: Path
    output: Path
    theme: Theme
    html: Path | None
    key: str | None

    @classmethod
    def of(cls, arguments: dict[str, Any]) -> _Plan:
        options = {name: value for name, value in arguments.items() if name not in _NOT_OPTIONS}
        content = Path(arguments["content"])
        output = Path(arguments["output"]) if arguments["output"] is not None else default_output(content)
        theme = options["theme"]
        options["theme"] = theme = theme if isinstance(theme, Theme) else load_theme(theme or "default")
        try:
            key = cache.build_key(content, theme.folders, options)
        except OSError:
            key = None  # unreadable content: the load step reports it, located
        html = output.with_suffix(".html") if options.get("html") else None
        return cls(content=content, output=output, theme=theme, html=html, key=key)

    def cached(self, started: float) -> BuildResult | None:
        stamp = cache.lookup(self.output, self.key) if self.key else None
        if stamp is None:
            return None
        return BuildResult(pdf=self.output, pages=stamp.pages, seconds=time.perf_counter() - started,
                           html=self.html, cached=True)
