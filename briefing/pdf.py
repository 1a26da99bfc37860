"""Print: typeset HTML into PDF bytes with WeasyPrint.

Every resource — the theme's stylesheets, their fonts and imports, images,
attachments — is read through one confined fetcher (`briefing.fetch`): `data:`
URIs and files inside the theme's folders and the folders the caller adds,
URLs only below prefixes the caller allows. A refused resource fails the print
with an error naming it.

The print runs in a child process within `Limits` (`briefing.limits`): a time
limit, a memory limit and a page limit, so pathological content or styles end in
a clear error. `limits=None` prints in this process without those bounds, for
input you trust.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import BriefError, Problem
from .limits import Limits, run_limited
from .theme import Theme, load_theme

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class PrintedBrief:
    pdf: bytes
    pages: int


def print_pdf(html: str, theme: Theme | None = None, *, paper: str = "a4",
              allowed_folders: tuple[Path, ...] = (), allowed_urls: tuple[str, ...] = (),
              limits: Limits | None = DEFAULT_LIMITS, name: str | Path = "brief") -> PrintedBrief:
    """Typeset `html` with the theme's stylesheets on `paper` (a4 or letter).

    Files are read only from the theme's folders and `allowed_folders`; URLs only below
    `allowed_urls` prefixes. `name` (the content file, usually) is what errors point at.
    """
    from .fetch import parse_url_prefix

    theme = theme or load_theme()
    if paper not in PAPER_SIZES:
        raise BriefError([Problem("--paper", f"unknown paper size {paper!r} (expected a4 or letter)")])
    problems = []
    for prefix in allowed_urls:
        try:
            parse_url_prefix(prefix)
        except ValueError as error:
            problems.append(Problem("--allow-url", str(error)))
    if problems:
        raise BriefError(problems)
    folders = tuple(Path(folder).resolve() for folder in (*theme.folders, *allowed_folders))
    job = (html, theme, paper, folders, tuple(allowed_urls), limits.max_pages if limits else None, str(name))
    if limits is None:
        return _print(*job)
    return run_limited(_print, job, limits, name)


def _print(html: str, theme: Theme, paper: str, folders: tuple[Path, ...], allowed_urls: tuple[str, ...],
           max_pages: int | None, name: str) -> PrintedBrief:
    import weasyprint

    from .fetch import ConfinedFetcher, RefusedResource

    fetcher = ConfinedFetcher(folders, allowed_urls)
    font_config = _font_config()
    try:
        with _weasyprint_errors() as failures, _page_limit(max_pages):
            # Every CSS object gets the fetcher: one built without it would read files freely.
            stylesheets = [weasyprint.CSS(url=path.resolve().as_uri(), url_fetcher=fetcher,
                                          font_config=font_config) for path in theme.stylesheets]
            stylesheets.append(weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}",
                                              url_fetcher=fetcher, font_config=font_config))
            document = weasyprint.HTML(
                string=html, base_url=theme.folders[0].resolve().as_uri() + "/", url_fetcher=fetcher,
            ).render(stylesheets=stylesheets, font_config=font_config)
            if fetcher.refused:  # raised inside WeasyPrint but caught somewhere on the way
                raise fetcher.refused[0]
            pdf = document.write_pdf()
            if fetcher.refused:
                raise fetcher.refused[0]
    except RefusedResource as refusal:
        raise BriefError([Problem(refusal.url, f"refused: {refusal.reason}")]) from None
    except TooManyPages as error:
        raise BriefError([Problem(name, f"the brief runs past the {error.limit}-page limit "
                                        "(raise it with --max-pages)")]) from None
    except RecursionError:
        raise BriefError([Problem(name, "the document is nested too deeply to lay out")]) from None
    except MemoryError:
        raise
    except Exception as error:
        raise BriefError([Problem(name, f"WeasyPrint could not print it: {type(error).__name__}: {error}")]) \
            from None
    if failures:
        raise BriefError([Problem(name, message) for message in failures])
    return PrintedBrief(pdf=pdf, pages=len(document.pages))


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


class TooManyPages(BaseException):
    """Raised from inside WeasyPrint's layout when the page limit is passed (not an Exception,
    so no `except Exception` on the way swallows it)."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


class _page_limit:
    """Stops the layout as soon as it starts the page after `limit`.

    WeasyPrint announces each page it lays out on its `weasyprint.progress` logger;
    a handler there is the one hook into the layout loop its API offers.
    """

    def __init__(self, limit: int | None):
        self.limit = limit

    def __enter__(self) -> None:
        if self.limit is None:
            return
        self.logger = logging.getLogger("weasyprint.progress")
        self.saved = (self.logger.level, self.logger.propagate)
        self.handler = _PageCounter(self.limit)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self.handler)

    def __exit__(self, *exc: Any) -> None:
        if self.limit is None:
            return
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]


class _PageCounter(logging.Handler):
    def __init__(self, limit: int):
        super().__init__(level=logging.INFO)
        self.limit = limit

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("Step 5 - Creating layout - Page") and record.args:
            if int(record.args[0]) > self.limit:
                raise TooManyPages(self.limit)


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
        message = record.getMessage()
        if message.endswith(": "):  # WeasyPrint had no reason to give (an image it could not decode)
            message += "not a readable image or file"
        self.messages.append(message)
