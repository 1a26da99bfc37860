"""Build: the whole flow for one content file — load, render, print, write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from . import embed, variants
from .errors import BriefError, Problem
from .limits import Limits, run_limited
from .loader import check
from .models import Brief
from .pdf import DEFAULT_LIMITS, print_pdf
from .preview import write_pngs
from .render import render_html
from .theme import Theme, brand_beside, load_theme
from .write import write_pdf


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    html: Path | None = None
    images: tuple[Path, ...] = ()
    warnings: tuple[Problem, ...] = ()


def default_output(content: Path) -> Path:
    return Path("output") / f"{content.stem}.pdf"


def build(content: str | Path, output: str | Path | None = None, *, theme: Theme | str | Path | None = None,
          paper: str | None = None, html: bool = False, templates: str | Path | None = None,
          brand: str | Path | None = None, variant: str | None = None,
          attach: tuple[str | Path, ...] = (), first_page: int | None = None,
          png: int | None = None, allowed_urls: tuple[str, ...] = (),
          limits: Limits | None = DEFAULT_LIMITS, strict: bool = False) -> BuildResult:
    """Build the brief in `content` into a PDF at `output` (default `output/<stem>.pdf`).

    `theme` is a built-in theme name or a theme folder; `templates` a folder of
    files that replace the theme's; `brand` a brand settings file (default: a
    `brand.yaml` beside the content). `paper` defaults to the theme's, else A4.
    With `html=True` the intermediate HTML is written beside the PDF as well.
    `variant` asks for a PDF variant (pdf/a-3b, pdf/ua-1, …); `attach` names
    further files from the brief's folder to embed; `first_page` numbers the
    pages from that number; `png` also writes each page as a PNG at that
    resolution (dots per inch). The brief and its content file are always
    embedded, except in PDF/A-1, PDF/A-2 and PDF/X, which forbid embedded files.
    Resources are read only from the content's folder and the theme's folders, and
    from URLs below the `allowed_urls` prefixes; rendering and printing each run
    within `limits` (see `Limits`; `None` runs them in this process, unbounded).
    The editorial checks' warnings come back in `BuildResult.warnings`; with
    `strict=True` they fail the build. Raises `BriefError` on any problem; an earlier PDF at `output` is then left as it was.
    """
    started = time.perf_counter()
    content = Path(content)
    output = Path(output) if output is not None else default_output(content)
    if not isinstance(theme, Theme):
        theme = load_theme(theme or "default", templates=templates, brand=brand or brand_beside(content))
    paper = paper or theme.paper or "a4"
    checked = check(content, variant=variant)
    if strict and checked.warnings:
        raise BriefError(list(checked.warnings))
    brief = checked.brief
    original = _read(content)
    files = _embedded_files(brief, content, original, variant, attach)
    # The theme's templates run in a bounded child too: a template can loop for ever.
    document = render_html(brief, theme) if limits is None else \
        run_limited(render_html, (brief, theme), limits, content, step="rendering")
    printed = print_pdf(document, theme, paper=paper, allowed_folders=(content.resolve().parent,),
                        variant=variant, attachments=files, first_page=first_page,
                        identifier=embed.identifier(original, variant, paper, theme.name, first_page),
                        allowed_urls=tuple(allowed_urls), limits=limits, name=content)
    html_path = write_pdf(document.encode("utf-8"), output.with_suffix(".html")) if html else None
    write_pdf(printed.pdf, output)
    images = tuple(write_pngs(printed.pdf, output, png)) if png else ()
    return BuildResult(pdf=output, pages=printed.pages, seconds=time.perf_counter() - started,
                       html=html_path, images=images, warnings=checked.warnings)


def _read(content: Path) -> bytes:
    try:
        return content.read_bytes()
    except OSError as error:
        raise BriefError([Problem(content, f"cannot read: {error.strerror or error}")]) from None


def _embedded_files(brief: Brief, content: Path, original: bytes, variant: str | None,
                    attach: tuple[str | Path, ...]) -> list[embed.EmbeddedFile]:
    """The brief's source files, then its attachments, where the variant allows embedded files.

    `--attach` with a variant that forbids embedded files is an error; the
    brief's own source is then silently left out.
    """
    if not variants.embeds_files(variant):
        if attach:
            raise BriefError([Problem(str(path), f"{variant} cannot embed files; use pdf/a-3b or pdf/a-3u",
                                      field="--attach") for path in attach])
        return []
    return [*embed.source_files(brief, content, original), *embed.attachments(brief, content, attach)]
