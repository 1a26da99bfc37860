"""Build: the whole flow for one content file — load, render, print, write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

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
    options = {name: value for name, value in locals().items() if name not in _NOT_OPTIONS}
    started = time.perf_counter()
    content = Path(content)
    output = Path(output) if output is not None else default_output(content)
    theme = theme if isinstance(theme, Theme) else load_theme(theme or "default")
    options["theme"] = theme
    html_path = output.with_suffix(".html") if html else None
    key = _cache_key(content, theme, options)
    if key and not force and (stamp := cache.lookup(output, key)):
        return BuildResult(pdf=output, pages=stamp.pages, seconds=time.perf_counter() - started,
                           html=html_path, cached=True)

    from .load import load
    from .pdf import print_pdf
    from .render import render_html
    from .write import write_pdf

    cache.forget(output)
    brief = load(content)
    document = render_html(brief, theme)
    printed = print_pdf(document, theme, paper=paper, allowed_folders=(content.resolve().parent,))
    written = {output: printed.pdf}
    if html_path:
        written[write_pdf(document.encode("utf-8"), html_path)] = document.encode("utf-8")
    write_pdf(printed.pdf, output)
    if key:
        cache.record(output, key, printed.pages, written)
    return BuildResult(pdf=output, pages=printed.pages, seconds=time.perf_counter() - started,
                       html=html_path)


# Arguments of `build` that say where or whether to build, not what: every other one is in the cache key.
_NOT_OPTIONS = {"content", "output", "force"}


def _cache_key(content: Path, theme: Theme, options: dict) -> str | None:
    try:
        return cache.build_key(content, theme.folders, options)
    except OSError:
        return None  # unreadable content: the load step reports it, located
