"""Print: typeset HTML into PDF bytes with WeasyPrint.

Resources are read through one confined fetcher: `data:` URIs and files inside
the theme's folders (and any folders the caller adds), nothing else. The parsed
stylesheets and the font configuration are kept between renders in a process.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import variants
from .embed import EmbeddedFile, source_date_epoch
from .errors import BriefError, Problem
from .theme import Theme, load_theme

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
MAX_RESOURCE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class PrintedBrief:
    pdf: bytes
    pages: int


def print_pdf(html: str, theme: Theme | None = None, *, paper: str = "a4",
              allowed_folders: tuple[Path, ...] = (), variant: str | None = None,
              identifier: bytes | None = None, attachments: Sequence[EmbeddedFile] = (),
              first_page: int | None = None) -> PrintedBrief:
    """Typeset `html` with the theme's stylesheets on `paper` (a4 or letter).

    `variant` is one of WeasyPrint's PDF variants (pdf/a-3b, pdf/ua-1, …);
    `identifier` becomes the PDF's file identifier; `attachments` are embedded
    as files; `first_page` numbers the pages from that number on, for a brief
    that will sit inside a report.
    """
    import weasyprint

    theme = theme or load_theme()
    if paper not in PAPER_SIZES:
        raise BriefError([Problem("--paper", f"unknown paper size {paper!r} (expected a4 or letter)")])
    try:
        variants.check(variant)
    except ValueError as error:
        raise BriefError([Problem("--pdf-variant", str(error))]) from None
    if first_page is not None and first_page < 1:
        raise BriefError([Problem("--first-page", f"must be 1 or more, got {first_page}")])
    roots = tuple(folder.resolve() for folder in (*theme.folders, *allowed_folders))
    fetcher = _fetcher(roots)
    stylesheets = [*_stylesheets(theme.stylesheets, roots), *_settings_css(theme.settings_css, roots),
                   _paper_css(paper, roots)]
    extra_css = variants.stylesheet(variant) + _numbering_css(first_page)
    if extra_css:
        stylesheets.append(_extra_css(extra_css, roots))
    options: dict[str, Any] = {"pdf_variant": variant}
    if variants.is_tagged(variant):
        options["pdf_tags"] = True
    refused: list[str] = []
    fetcher.refused = refused
    with _weasyprint_errors() as failures:
        document = weasyprint.HTML(
            string=html, base_url=str(theme.folders[0]) + "/", url_fetcher=fetcher,
        ).render(stylesheets=stylesheets, font_config=_font_config(), **options)
        if modified := source_date_epoch():
            document.metadata.modified = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
        embedded = [_attachment(item, document.metadata.created) for item in attachments]
        with _font_dates(document.metadata.created):
            pdf = document.write_pdf(attachments=embedded or None, pdf_identifier=identifier,
                                     finisher=_relationships(embedded), **options)
    problems = [Problem(url, "resource refused: outside the brief's and theme's folders")
                for url in refused]
    problems += [_explain(message, variant, theme) for message in failures]
    if problems:
        raise BriefError(problems)
    return PrintedBrief(pdf=pdf, pages=len(document.pages))


def _numbering_css(first_page: int | None) -> str:
    """Page numbers from `first_page` on; the footer then leaves out the total, which is the report's."""
    if first_page is None:
        return ""
    return (f"@page :first {{ counter-reset: page {first_page}; }}\n"
            "@page { @bottom-right { content: string(running-page) \" \" counter(page); } }\n")


def _attachment(item: EmbeddedFile, document_date: str | None) -> Any:
    import datetime as dt
    import io

    from weasyprint import Attachment

    # Without a date of its own, the file takes the document's, never the clock's.
    fallback = dt.datetime.fromisoformat(document_date[:10]) if document_date else None
    attachment = Attachment(file_obj=io.BytesIO(item.data), name=item.name, description=item.description,
                            created=item.created or fallback, modified=item.modified or fallback,
                            relationship=item.relationship)
    attachment.mime_type = item.mime_type
    return attachment


def _relationships(embedded: list[Any]) -> Any:
    """A finisher that gives every embedded file its relationship (`AFRelationship`) and lists it in `AF`.

    WeasyPrint does this itself for PDF/A-3 and PDF/A-4 only; a report editor
    looks for the `Source` relationship in every brief.
    """
    def finish(document: Any, pdf: Any) -> None:
        import pydyf

        by_checksum = {f"<{item.md5}>": item for item in embedded if item.md5}
        listed = list(dict.fromkeys(pdf.catalog.get("AF") or ()))  # PDF/A-3 lists each file twice
        for pdf_object in pdf.objects:
            if not isinstance(pdf_object, dict) or pdf_object.get("Type") != "/Filespec" \
                    or "EF" not in pdf_object:
                continue
            stream = pdf.objects[int(pdf_object["EF"]["F"].split()[0])]
            item = by_checksum.get(stream.extra["Params"]["CheckSum"])
            if item is not None and item.mime_type:
                stream.extra["Subtype"] = "/" + item.mime_type.replace("/", "#2f")
            if "AFRelationship" not in pdf_object:
                pdf_object["AFRelationship"] = f"/{item.relationship if item else 'Unspecified'}"
            if pdf_object.reference not in listed:
                listed.append(pdf_object.reference)
        if listed:
            pdf.catalog["AF"] = pydyf.Array(listed)

    return finish


@contextmanager
def _font_dates(created: str | None) -> Iterator[None]:
    """Without HarfBuzz's subsetter, fontTools stamps subset fonts with the current time
    unless `SOURCE_DATE_EPOCH` is set; set it to the brief's date for the write."""
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is not None or "SOURCE_DATE_EPOCH" in os.environ or not created:
        yield
        return
    import datetime as dt

    day = dt.date.fromisoformat(created[:10])
    epoch = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _explain(message: str, variant: str | None, theme: Theme) -> Problem:
    """WeasyPrint's error as a problem, located at the image where a variant's requirement is missed."""
    if match := re.fullmatch(r'Image "(.*)" has no required alt description', message):
        return Problem(match.group(1), f"{variant or 'a tagged PDF'} needs alt text on every image",
                       field="alt")
    if 'Missing required "lang"' in message:
        return Problem(theme.name, f"{variant or 'a tagged PDF'} needs the document language (meta.language)")
    return Problem(theme.name, message)


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


@lru_cache(maxsize=8)
def _extra_css(text: str, roots: tuple[Path, ...]) -> Any:
    from weasyprint import CSS

    return CSS(string=text, url_fetcher=_fetcher(roots), font_config=_font_config())


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
