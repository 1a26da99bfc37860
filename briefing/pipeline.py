"""Build: the whole flow for one content file — load, render, print, write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .loader import load
from .pdf import print_pdf
from .render import render_html
from .theme import Theme, brand_beside, load_theme
from .write import write_pdf


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    html: Path | None = None


def default_output(content: Path) -> Path:
    return Path("output") / f"{content.stem}.pdf"


def build(content: str | Path, output: str | Path | None = None, *, theme: Theme | str | Path | None = None,
          paper: str | None = None, html: bool = False, templates: str | Path | None = None,
          brand: str | Path | None = None) -> BuildResult:
    """Build the brief in `content` into a PDF at `output` (default `output/<stem>.pdf`).

    `theme` is a built-in theme name or a theme folder; `templates` a folder of
    files that replace the theme's; `brand` a brand settings file (default: a
    `brand.yaml` beside the content). `paper` defaults to the theme's, else A4.
    With `html=True` the intermediate HTML is written beside the PDF as well.
    Raises `BriefError` on any problem; an earlier PDF at `output` is then left as it was.
    """
    started = time.perf_counter()
    content = Path(content)
    output = Path(output) if output is not None else default_output(content)
    if not isinstance(theme, Theme):
        theme = load_theme(theme or "default", templates=templates, brand=brand or brand_beside(content))
    brief = load(content)
    document = render_html(brief, theme)
    printed = print_pdf(document, theme, paper=paper or theme.paper or "a4",
                        allowed_folders=(content.resolve().parent,))
    html_path = write_pdf(document.encode("utf-8"), output.with_suffix(".html")) if html else None
    write_pdf(printed.pdf, output)
    return BuildResult(pdf=output, pages=printed.pages, seconds=time.perf_counter() - started,
                       html=html_path)
