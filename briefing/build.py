"""Build: the whole flow for one content file — load, render, print, write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefError, Problem
from .load import check
from .pdf import print_pdf
from .render import render_html
from .theme import Theme, load_theme
from .write import write_pdf


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    html: Path | None = None
    warnings: tuple[Problem, ...] = ()


def default_output(content: Path) -> Path:
    return Path("output") / f"{content.stem}.pdf"


def build(content: str | Path, output: str | Path | None = None, *, theme: Theme | str | None = None,
          paper: str = "a4", html: bool = False, strict: bool = False) -> BuildResult:
    """Build the brief in `content` into a PDF at `output` (default `output/<stem>.pdf`).

    With `html=True` the intermediate HTML is written beside the PDF as well. The editorial
    checks' warnings come back in `BuildResult.warnings`; with `strict=True` they fail the build.
    Raises `BriefError` on any problem; an earlier PDF at `output` is then left as it was.
    """
    started = time.perf_counter()
    content = Path(content)
    output = Path(output) if output is not None else default_output(content)
    theme = theme if isinstance(theme, Theme) else load_theme(theme or "default")
    checked = check(content)
    if strict and checked.warnings:
        raise BriefError(list(checked.warnings))
    brief = checked.brief
    document = render_html(brief, theme)
    printed = print_pdf(document, theme, paper=paper, allowed_folders=(content.resolve().parent,))
    html_path = write_pdf(document.encode("utf-8"), output.with_suffix(".html")) if html else None
    write_pdf(printed.pdf, output)
    return BuildResult(pdf=output, pages=printed.pages, seconds=time.perf_counter() - started,
                       html=html_path, warnings=checked.warnings)
