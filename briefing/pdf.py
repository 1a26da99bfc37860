"""Print: typeset HTML into PDF bytes with WeasyPrint.

Resources are read through one confined fetcher: `data:` URIs and files inside
the theme's folders (and any folders the caller adds), nothing else. The parsed
stylesheets and the font configuration are kept between renders in a process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BriefError, Problem
from .theme import Theme, load_theme

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
MAX_RESOURCE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class PrintedBrief:
    pdf: bytes
    pages: int


def print_pdf(html: str, theme: Theme | None = None, *, paper: str = "a4",
              allowed_folders: tuple[Path, ...] = ()) -> PrintedBrief:
    """Typeset `html` with the theme's stylesheets on `paper` (a4 or letter)."""
    import weasyprint

    theme = theme or load_theme()
    if paper not in PAPER_SIZES:
        raise BriefError([Problem("--paper", f"unknown paper size {paper!r} (expected a4 or letter)")])
    roots = tuple(folder.resolve() for folder in (*theme.folders, *allowed_folders))
    fetcher = _fetcher(roots)
    stylesheets = [*_stylesheets(theme.stylesheets, roots), *_settings_css(theme.settings_css, roots),
                   _paper_css(paper, roots)]
    refused: list[str] = []
    fetcher.refused = refused
    with _weasyprint_errors() as failures:
        document = weasyprint.HTML(
            string=html, base_url=str(theme.folders[0]) + "/", url_fetcher=fetcher,
        ).render(stylesheets=stylesheets, font_config=_font_config())
        pdf = document.write_pdf()
    problems = [Problem(url, "resource refused: outside the brief's and theme's folders")
                for url in refused]
    problems += [Problem(theme.name, message) for message in failures]
    if problems:
        raise BriefError(problems)
    return PrintedBrief(pdf=pdf, pages=len(document.pages))


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=32)
def _fetcher(roots: tuple[Path, ...]) -> Any:
    return _confined_fetcher_class()(roots)


@lru_cache(maxsize=64)
def _stylesheets(paths: tuple[Path, ...], roots: tuple[Path, ...]) -> list[Any]:
    from weasyprint import CSS

    return [CSS(filename=str(path), url_fetcher=_fetcher(roots), font_config=_font_config())
            for path in paths]


@lru_cache(maxsize=16)
def _settings_css(css: str, roots: tuple[Path, ...]) -> list[Any]:
    """The theme's and brand's settings as a stylesheet printed after the theme's own."""
    from weasyprint import CSS

    return [CSS(string=css, url_fetcher=_fetcher(roots), font_config=_font_config())] if css else []


@lru_cache(maxsize=8)
def _paper_css(paper: str, roots: tuple[Path, ...]) -> Any:
    from weasyprint import CSS

    return CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", url_fetcher=_fetcher(roots),
               font_config=_font_config())


@lru_cache(maxsize=1)
def _confined_fetcher_class() -> type:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):
        """Reads `data:` URIs and regular files below the allowed roots; nothing else."""

        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                    if path.stat().st_size > MAX_RESOURCE_BYTES:
                        self.refused.append(url)
                        raise FatalURLFetchingError(f"{url} is larger than {MAX_RESOURCE_BYTES} bytes")
                    return URLFetcherResponse(url=path.as_uri(), body=path.read_bytes())
            self.refused.append(url)
            raise ValueError(f"refused: {url}")

    return ConfinedFetcher


class _weasyprint_errors:
    """Collects WeasyPrint's error-level log messages (failed resources, broken CSS)."""

    def __enter__(self) -> list[str]:
        self.messages: list[str] = []
        self.handler = _ListHandler(self.messages)
        logging.getLogger("weasyprint").addHandler(self.handler)
        return self.messages

    def __exit__(self, *exc: Any) -> None:
        logging.getLogger("weasyprint").removeHandler(self.handler)


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]):
        super().__init__(level=logging.ERROR)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
