"""Print: typeset HTML into PDF bytes with WeasyPrint.

Every resource — the theme's stylesheets, their fonts and imports, images,
attachments — is read through one confined fetcher (`briefing.fetch`): `data:`
URIs and files inside the theme's folders and the folders the caller adds,
URLs only below prefixes the caller allows. A refused resource fails the print
with an error naming it.

The print runs in a warm worker process within `Limits` (`briefing.sandbox.limits`):
a time limit, a memory limit and a page limit, so pathological content or styles
end in a clear error. `limits=None` prints in this process without those bounds, for
input you trust.
"""

from __future__ import annotations

import atexit
import gc
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import conform, variants
from .embed import EmbeddedFile, source_date_epoch
from .layout import Layout, inspect
from .xmp import Publication
from ..errors import BriefError, Problem
from ..sandbox import workers
from ..sandbox.limits import Limits, run_limited
from ..themes.theme import Theme, files_state, load_theme

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class PrintedBrief:
    pdf: bytes
    pages: int
    missing_glyphs: tuple[str, ...] = ()
    """Characters that no installed font could draw, in order of first use: the PDF shows
    them as empty boxes (.notdef). See `briefing.content.review.glyph_problems`."""
    layout: Layout | None = None
    """Where everything fell: findings by content field and page, for the preflight checks."""


def print_pdf(html: str, theme: Theme | None = None, *, paper: str = "a4",
              allowed_folders: tuple[Path, ...] = (), variant: variants.Variant = None,
              identifier: bytes | None = None, attachments: Sequence[EmbeddedFile] = (),
              first_page: int | None = None, allowed_urls: tuple[str, ...] = (),
              limits: Limits | None = DEFAULT_LIMITS, name: str | Path = "brief",
              base_folder: Path | None = None, publication: Publication | None = None) -> PrintedBrief:
    """Typeset `html` with the theme's stylesheets on `paper` (a4 or letter).

    `variant` is one of the PDF variants offered (pdf/a-3b, pdf/ua-1, …), or one
    PDF/A and one PDF/UA variant together (`("pdf/a-3b", "pdf/ua-1")`);
    `identifier` becomes the PDF's file identifier; `attachments` are embedded
    as files; `first_page` numbers the pages from that number on, for a brief
    that will sit inside a report. Files are read only from the theme's folders
    and `allowed_folders`, URLs only below `allowed_urls` prefixes; the print runs
    within `limits` (`None`: in this process, unbounded). `name` (the content
    file, usually) is what errors point at. Relative URLs in `html` (an image in
    the prose) are read from `base_folder`, the content's folder, which must be one
    of `allowed_folders`, or where it lacks them, from the theme's folders. `publication`
    (creators, identifiers, rights) is written into the PDF's XMP.
    """
    from ..sandbox.urls import parse_url_prefix

    theme = theme or load_theme()
    if paper not in PAPER_SIZES:
        raise BriefError([Problem("options", f"unknown paper size {paper!r} (expected a4 or letter)",
                                  field="paper", code="invalid_option")])
    try:
        variant = variants.check(variant) or None
    except ValueError as error:
        raise BriefError([Problem("options", str(error), field="variant", code="invalid_option")]) from None
    if first_page is not None and first_page < 1:
        raise BriefError([Problem("options", f"must be 1 or more, got {first_page}", field="first_page",
                                  code="invalid_option")])
    problems = []
    for prefix in allowed_urls:
        try:
            parse_url_prefix(prefix)
        except ValueError as error:
            problems.append(Problem("options", str(error), field="allowed_urls", code="invalid_option"))
    if problems:
        raise BriefError(problems)
    folders = tuple(Path(folder).resolve() for folder in (*theme.folders, *allowed_folders))
    search = tuple(Path(folder).resolve() for folder in ((base_folder,) if base_folder else ()) + theme.folders)
    job = _PrintJob(html, theme, paper, folders, tuple(allowed_urls), variant, identifier, tuple(attachments),
                    first_page, limits.max_pages if limits else None, str(name), search, publication)
    if limits is None:
        return _print(job)
    return run_limited(_print, (job,), limits, name)


@dataclass(frozen=True)
class _PrintJob:
    html: str
    theme: Theme
    paper: str
    folders: tuple[Path, ...]
    allowed_urls: tuple[str, ...]
    variant: tuple[str, ...] | None
    identifier: bytes | None
    attachments: tuple[EmbeddedFile, ...]
    first_page: int | None
    max_pages: int | None
    name: str
    search: tuple[Path, ...]
    """Where the document's relative URLs are found: the content's folder, then the theme's."""
    publication: Publication | None = None


def _print(job: _PrintJob) -> PrintedBrief:
    """The print itself, in whichever process runs it."""
    from .engine import weasyprint as engine

    weasyprint = engine()

    from .fetcher import ConfinedFetcher, RefusedResource

    theme, variant = job.theme, job.variant
    fetcher = ConfinedFetcher(job.folders, job.allowed_urls, search=job.search)
    warm: _Warm | None = None

    options: dict[str, Any] = {"pdf_variant": variants.weasyprint_variant(variant)}
    if variants.is_tagged(variant):
        options["pdf_tags"] = True
    try:
        with _weasyprint_errors() as failures, _page_limit(job.max_pages), _missing_glyphs() as missing:
            warm = _theme_stylesheets(job, failures)
            font_config, stylesheets = warm.fonts, list(warm.stylesheets)
            stylesheets.append(_css(fetcher, font_config, string=f"@page {{ size: {PAPER_SIZES[job.paper]}; }}"))
            extra_css = variants.stylesheet(variant) + _numbering_css(job.first_page)
            if extra_css:
                stylesheets.append(_css(fetcher, font_config, string=extra_css))
            document = weasyprint.HTML(
                string=job.html, base_url=job.search[0].as_uri() + "/", url_fetcher=fetcher,
            ).render(stylesheets=stylesheets, font_config=font_config, cache=_images(), **options)
            if fetcher.refused:  # raised inside WeasyPrint but caught somewhere on the way
                raise fetcher.refused[0]
            layout = inspect(document)
            if modified := source_date_epoch():
                document.metadata.modified = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
            # WeasyPrint writes the EmbeddedFiles name tree in the order given; a name tree must be
            # sorted by key (ISO 32000-1, 7.9.6), or readers that search it (qpdf) miss files.
            ordered = sorted(job.attachments, key=lambda item: (not item.name.isascii(), item.name.encode("utf-16-be")))
            embedded = [_attachment(item, document.metadata.created) for item in ordered]
            pdf = document.write_pdf(attachments=embedded or None, pdf_identifier=job.identifier,
                                     finisher=_relationships(embedded), **options)
            if fetcher.refused:
                raise fetcher.refused[0]
            if conform.needed(variant, job.first_page, job.publication):
                pdf = conform.finish(pdf, variant, job.first_page, job.publication)
    except RefusedResource as refusal:
        raise BriefError([Problem(refusal.url, f"refused: {refusal.reason}")]) from None
    except TooManyPages as error:
        raise BriefError([Problem(job.name, f"the brief runs past the {error.limit}-page limit "
                                            "(raise it with --max-pages)")]) from None
    except RecursionError:
        raise BriefError([Problem(job.name, "the document is nested too deeply to lay out")]) from None
    except MemoryError:
        raise
    except Exception as error:
        raise BriefError([Problem(job.name, f"WeasyPrint could not print it: {type(error).__name__}: {error}")]) \
            from None
    finally:
        if warm is not None:
            _after_print(warm)
    if failures:
        raise BriefError([_explain(message, variant, theme) for message in failures])
    return PrintedBrief(pdf=pdf, pages=len(document.pages), missing_glyphs=tuple(dict.fromkeys(missing)),
                        layout=layout)


def _numbering_css(first_page: int | None) -> str:
    """Page numbers from `first_page` on; the footer then leaves out the total, which is the report's."""
    if first_page is None:
        return ""
    return (f"@page :first {{ counter-reset: page {first_page}; }}\n"
            "@page { @bottom-right { content: string(running-page) \" \" counter(page); } }\n"
            "@page rtl { @bottom-left { content: string(running-page) \" \" counter(page); } }\n")


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


def _explain(message: str, variant: variants.Variant, theme: Theme) -> Problem:
    """WeasyPrint's error as a problem, located at the image where a variant's requirement is missed."""
    variant = variants.label(variant) if variant else None
    if match := re.fullmatch(r'Image "(.*)" has no required alt description', message):
        return Problem(match.group(1), f"{variant or 'a tagged PDF'} needs alt text on every image",
                       field="alt")
    if 'Missing required "lang"' in message:
        return Problem(theme.name, f"{variant or 'a tagged PDF'} needs the document language (meta.language)")
    if match := re.fullmatch(r"No anchor #(\S+) for internal URI reference", message):
        return Problem(theme.name, f"the sources list links back to #{match.group(1)}, but no template "
                                   "shows an element with that id; a replaced partial must keep every cited "
                                   "item and its id (see docs/templates.md)")
    return Problem(theme.name, message)


def _theme_stylesheets(job: _PrintJob, failures: list[str]) -> _Warm:
    """The theme's stylesheets and the fonts they define, kept warm for as long as no theme file changes.

    Each theme (its files, its stylesheets, its settings, and what the print may read) has a font
    configuration of its own, holding the theme's @font-face rules and no others: a face another
    theme, brand or document defined never reaches it, so a print depends on its own inputs only,
    not on what this process printed before. The stylesheets are parsed with a fetcher of their own,
    confined like the print's. Only a clean parse (nothing refused, nothing logged as an error) is
    kept, so a later print fails as the first did.
    """
    from .fetcher import ConfinedFetcher

    theme = job.theme
    key = (files_state(theme.folders), theme.stylesheets, theme.settings_css, job.folders, job.allowed_urls)
    if (found := _WARM.get(key)) is not None:
        _WARM.move_to_end(key)
        return found
    fetcher = ConfinedFetcher(job.folders, job.allowed_urls)
    errors = len(failures)
    fonts = _font_config()
    stylesheets = [_css(fetcher, fonts, url=path.resolve().as_uri()) for path in theme.stylesheets]
    if theme.settings_css:
        stylesheets.append(_css(fetcher, fonts, string=theme.settings_css))
    if fetcher.refused:
        raise fetcher.refused[0]
    warm = _Warm(fonts, tuple(stylesheets), frozenset(fonts.faces), key)
    if len(failures) == errors:
        _WARM[key] = warm
        while len(_WARM) > MAX_WARM_THEMES:
            _WARM.popitem(last=False)
    return warm


@dataclass(frozen=True)
class _Warm:
    """A theme's parsed stylesheets and the font configuration that holds the faces they define."""

    fonts: Any
    stylesheets: tuple[Any, ...]
    faces: frozenset[str]
    """The @font-face rules of the theme's stylesheets (digests of their descriptors)."""
    key: tuple


def _after_print(warm: _Warm) -> None:
    """A print that defined faces of its own (a `<style>` or stylesheet of the document) leaves
    them in its font configuration: that configuration is then the print's alone, and goes."""
    if warm.fonts.faces != warm.faces and _WARM.get(warm.key) is warm:
        del _WARM[warm.key]


def _css(fetcher: Any, font_config: Any, **source: Any) -> Any:
    """A stylesheet read through `fetcher`: one built without it would read files freely."""
    import weasyprint

    return weasyprint.CSS(url_fetcher=fetcher, font_config=font_config, **source)


def disown_caches() -> None:
    """In a forked process: drop what it inherited, leaving the parent's font files alone.

    A font configuration deletes its temporary folder when it goes; a copy inherited by a
    child would delete the folder its parent still uses.
    """
    for warm in _WARM.values():
        warm.fonts._folder = None
    forget_caches()


def forget_caches() -> None:
    """Drop the stylesheets, fonts and images kept between prints in this process."""
    _WARM.clear()
    _IMAGES.clear()
    gc.collect()  # the font configuration sits in reference cycles; its temporary folder goes with it


# Images decoded by WeasyPrint, by URL, and the theme's parsed stylesheets, shared by the
# prints of this process (with `limits`, of the worker process that prints).
_IMAGES: dict[str, Any] = {}


def _images() -> dict[str, Any]:
    """The decoded images a print may reuse: those of `data:` URIs, which name their own bytes.

    An image read from a file is decoded again by every print: the file may have changed since,
    and a print that reused it would not read it, so the build's record would miss it.
    """
    for url in [url for url in _IMAGES if not url.startswith("data:")]:
        del _IMAGES[url]
    return _IMAGES


#: How many themes (each with its own fonts) a process keeps warm; the least recently used goes first.
MAX_WARM_THEMES = 4
_WARM: OrderedDict[tuple, _Warm] = OrderedDict()


def font_folders() -> list[Path]:
    """The folders where the warm font configurations of this process keep their fonts."""
    return [warm.fonts._folder for warm in _WARM.values() if getattr(warm.fonts, "_folder", None)]

def worker_started() -> None:
    """In a new print worker: import WeasyPrint the quick way before the first job asks for it."""
    from .engine import imported

    imported()  # any warning about it is given in the job that uses it, and sent back


# A print worker imports this module, and nothing of the content or the templates, before its first job.
workers.declare("printing", (__name__,))
# The font configuration removes its temporary font folder only if dropped before shutdown.
atexit.register(forget_caches)


def _font_config() -> Any:
    """A new font configuration that knows which @font-face rules were added to it (`faces`)."""
    from ..sandbox import scratch

    config = _font_class()()
    # WeasyPrint would make this folder itself on the first @font-face and remove it only when the
    # object is finalised; made here, it is registered to go even if this process is killed.
    if getattr(config, "_folder", False) is None:
        config._folder = scratch.folder("weasyprint-")
    return config


@lru_cache(maxsize=1)
def _font_class() -> type:
    import hashlib

    from weasyprint.text.fonts import FontConfiguration

    class Fonts(FontConfiguration):
        """WeasyPrint's font configuration, noting each @font-face rule it is given."""

        def __init__(self) -> None:
            super().__init__()
            self.faces: set[str] = set()

        def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
            self.faces.add(hashlib.sha256(str(rule_descriptors).encode("utf-8", "surrogatepass")).hexdigest())
            return super().add_font_face(rule_descriptors, url_fetcher)

    return Fonts


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


class _missing_glyphs:
    """Collects the characters WeasyPrint draws as .notdef while it writes the PDF.

    Pango marks a character that no font of the fallback list nor any installed font covers
    with its "unknown glyph" flag; WeasyPrint draws those as .notdef and says so, once per
    glyph drawn, on its logger. That is the drawing step itself: exact, and free.
    """

    def __enter__(self) -> list[str]:
        self.found: list[str] = []
        self.handler = _NotdefHandler(self.found)
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        if self.logger.getEffectiveLevel() > logging.WARNING:
            self.logger.setLevel(logging.WARNING)
        self.logger.addHandler(self.handler)
        return self.found

    def __exit__(self, *exc: Any) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


class _NotdefHandler(logging.Handler):
    def __init__(self, found: list[str]):
        super().__init__(level=logging.WARNING)
        self.found = found

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(".notdef glyph rendered") and record.args:
            self.found.append(str(record.args[0]))


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
