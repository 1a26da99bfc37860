"""Build: the whole flow for one content file — load, render, print, write.

    build("brief.yaml", "output/brief.pdf", BuildOptions(paper="letter"))

reads top to bottom as the flow runs. Before any of it, the build cache is
asked whether the last build of that PDF read the same files and had the same
options; if so, nothing is imported or rendered. Every file the steps read is
recorded with the hash of the very bytes read (`sandbox.files.recording`), and
that record is what the cache stores and what `watch` follows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem
from . import cache
from .options import BuildOptions


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    html: Path | None = None
    images: tuple[Path, ...] = ()
    warnings: tuple[Problem, ...] = ()
    cached: bool = False
    inputs: Mapping[Path, str | None] = field(default_factory=dict, compare=False, repr=False)
    """Every file the build read, with the SHA-256 of the bytes it read (None: looked for, not found)."""


def default_output(content: Path, folder: str | Path = "output", *, review: bool = False) -> Path:
    """`folder/<name>.pdf`, named after the content file (see `output_name`); a review copy
    (`redline`) is `<name>-review.pdf`, so that it never takes the edition's place."""
    name = output_name(content)
    return Path(folder) / (name.removesuffix(".pdf") + "-review.pdf" if review else name)


def output_name(content: Path) -> str:
    """`<stem>.pdf`, unless the same brief lies beside it in another format.

    Of `brief.yaml` and `brief.md` side by side, the first in the order of `SUFFIXES` (YAML,
    JSON, TOML, Markdown) is `brief.pdf` and the others say their format (`brief-md.pdf`), so
    neither build overwrites the other's PDF.
    """
    from ..content.formats import SUFFIXES

    content = Path(content)
    suffix = content.suffix.lower()
    if suffix not in SUFFIXES:
        return f"{content.stem}.pdf"
    first = next((known for known in SUFFIXES if known == suffix or content.with_suffix(known).is_file()), suffix)
    return f"{content.stem}.pdf" if first == suffix else f"{content.stem}-{suffix[1:]}.pdf"


def build(content: str | Path, output: str | Path | None = None, options: BuildOptions | None = None, *,
          force: bool = False, **changes: Any) -> BuildResult:
    """Build the brief in `content` into a PDF at `output` (default `output/<stem>.pdf`).

    `options` holds every setting (see `BuildOptions`); keyword arguments replace single ones,
    so `build(content, output, paper="letter")` works too. The brief and its content file are
    embedded, except in the variants that forbid embedded files.
    When nothing the last build of `output` read has changed, nor its options or the installed
    code, and the files it wrote are as it wrote them, nothing is rendered and the result says
    `cached=True`; `force=True` renders anyway.
    Raises `BriefError` on any problem; an earlier PDF at `output` is then left as it was.
    """
    started = time.perf_counter()
    options = BuildOptions.of(options, **changes)
    content = Path(content)
    output = Path(output) if output is not None else default_output(content, review=options.redline is not None)
    from ..content.source import refuse_unreadable
    from ..sandbox.files import refuse_oversized

    refuse_unreadable(content)  # a device, a FIFO or a huge file: refused before the cache key hashes it
    refuse_oversized(content.parent / path for path in options.attach)  # likewise; attachments lie beside the brief
    key = key_of(content, options)
    # A git revision names a version the key cannot see change (a branch moves): always render then.
    if not force and not options.since and (result := _cached(content, output, key, options, started)):
        return result

    from ..sandbox.files import recording

    if options.limits is not None:
        from ..sandbox import workers

        workers.prestart("printing", preload=("briefing.printing.typeset",))  # imports WeasyPrint meanwhile
    with recording() as reads:
        printed, document, warnings, folders = _render_and_print(content, options, pdf_name=output.name)
    return deliver(output, key, options, started, pdf=printed.pdf, pages=printed.pages,
                   html=document if options.html else None, pictures=page_pictures(printed.pdf, options),
                   warnings=warnings, reads=dict(reads), folders=folders)


def deliver(output: Path, key: str, options: BuildOptions, started: float, *, pdf: bytes, pages: int,
            html: str | None, pictures: list[bytes], warnings: tuple[Problem, ...],
            reads: Mapping[Path, str | None], folders: tuple[Path, ...], inputs: Iterable[Path] = ()) -> BuildResult:
    """Write what a build made, all or none, and record it; for a build here or on a remote worker.

    An output that is one of the build's inputs (the content file, a template, the brand file,
    an attachment, however it is named) is refused before anything is written: those it read,
    and `inputs` (a remote build's: every file it sent, whatever the worker says it read). The old record
    stays true of the old files until `record` replaces it (a crash in between leaves new files
    that the old record no longer matches, so the next build renders).
    """
    from ..output.preview import png_paths
    from ..output.write import refuse_inputs_as_outputs, write_all

    written: dict[Path, bytes] = {output: pdf}
    if html is not None:
        written[output.with_suffix(".html")] = html.encode("utf-8")
    written.update(zip(png_paths(output, pictures), pictures))
    refuse_inputs_as_outputs(written, [*reads, *inputs, *cache.files_below(folders)], field="output")
    write_all(written)
    cache.record(output, key, pages, written, reads, folders=folders, warnings=warnings)
    return BuildResult(pdf=output, pages=pages, seconds=time.perf_counter() - started,
                       html=output.with_suffix(".html") if html is not None else None,
                       images=tuple(path for path in written if path.suffix == ".png"),
                       warnings=warnings, inputs=dict(reads))


def page_pictures(pdf: bytes, options: BuildOptions) -> list[bytes]:
    """The pages as PNG pictures, when the options ask for them."""
    if not options.png:
        return []
    from ..output.preview import page_images

    return page_images(pdf, options.png)


def _render_and_print(content: Path, options: BuildOptions, pdf_name: str | None = None
                      ) -> tuple[Any, str, tuple[Problem, ...], tuple[Path, ...]]:
    """Load, render and print: the PDF, the HTML it was printed from (the web page, with `options.html`,
    linking to the PDF by `pdf_name`), the warnings, the theme's folders."""
    from ..content.load import check
    from ..printing.embed import identifier
    from ..printing.standalone import standalone_html
    from ..printing.typeset import print_pdf
    from ..render.html import render_html, web_page
    from ..sandbox.limits import run_limited
    from ..themes.theme import Theme, brand_beside, load_theme

    theme = options.theme
    if not isinstance(theme, Theme):
        theme = load_theme(theme, templates=options.templates, brand=options.brand or brand_beside(content))
    if options.citation_style is not None:  # the project's style goes before the theme's, after the brief's own
        theme = replace(theme, citation_style=options.citation_style)
    paper = options.paper or theme.paper or "a4"
    checked = check(content, variant=options.variant, limits=options.limits)  # quotes: bounded
    warnings = (*checked.warnings, *theme.warnings)  # the theme's: unused parts of a Quarto _brand.yml
    if options.strict and warnings:
        raise BriefError(list(warnings))
    brief, original = checked.brief, checked.source  # the very bytes that were validated go into the PDF
    files = _embedded_files(brief, content, original, options)
    render = partial(render_html, **_changes(content, brief, options))
    # The theme's templates run in a bounded worker too: a template can loop for ever.
    if options.limits is None:
        document = render(brief, theme)
    else:
        document = run_limited(render, (brief, theme), options.limits, content, step="rendering")
    printed = print_pdf(document, theme, paper=paper, allowed_folders=(content.resolve().parent,),
                        base_folder=content.resolve().parent, variant=options.variant, attachments=files,
                        first_page=options.first_page,
                        identifier=identifier(original, options.variant, paper, theme.name, options.first_page),
                        allowed_urls=options.allowed_urls, limits=options.limits, name=content,
                        publication=publication(brief))
    from ..content.review import glyph_problems  # characters no installed font could draw
    from .preflight import findings  # layout, contrast, alt text, headings: located like the content's warnings

    found = (*glyph_problems(brief, checked.positions, content, printed.missing_glyphs),
             *findings(checked, theme, document, printed, content))
    if options.strict and found:
        raise BriefError(list(found))
    if options.html:  # the web page: its own edition of the HTML, with the stylesheets, settings and fonts
        web = (brief, theme, web_page(brief, pdf_name))
        document = render(*web) if options.limits is None else \
            run_limited(render, web, options.limits, content, step="rendering")  # with the same changes box
        document = standalone_html(document, theme, paper, variant=options.variant, first_page=options.first_page,
                                   allowed_folders=(content.resolve().parent,), base_folder=content.resolve().parent)
    return printed, document, (*warnings, *found), theme.folders


def up_to_date(content: str | Path, output: str | Path | None = None, options: BuildOptions | None = None,
               **changes: Any) -> BuildResult | None:
    """What `build()` with these options would return without rendering, or None if it must render."""
    started = time.perf_counter()
    options = BuildOptions.of(options, **changes)
    content = Path(content)
    output = Path(output) if output is not None else default_output(content, review=options.redline is not None)
    return _cached(content, output, key_of(content, options), options, started)


def key_of(content: Path, options: BuildOptions) -> str:
    """The build cache's key of building `content` with `options`."""
    return cache.build_key({"content file": content.resolve(), "options": options.canonical()})


def _cached(content: Path, output: Path, key: str, options: BuildOptions, started: float) -> BuildResult | None:
    stamp = cache.lookup(output, key)
    if stamp is None:
        return None
    images = tuple(sorted(output.parent / name for name in stamp.outputs if name.endswith(".png")))
    return BuildResult(pdf=output, pages=stamp.pages, seconds=time.perf_counter() - started,
                       html=output.with_suffix(".html") if options.html else None, images=images,
                       warnings=stamp.problems, cached=True,
                       inputs={Path(path): digest for path, digest in stamp.inputs.items()})


def _changes(content: Path, brief: Any, options: BuildOptions) -> dict[str, Any]:
    """What changed since the earlier version the options name, for the changes box (nothing if none)."""
    if options.changes_since is None and options.since is None and options.redline is None:
        return {}
    from ..content.diff import Version, diff, read_revision, read_version

    if options.redline is not None:  # a review copy: the changes marked in the text
        old = read_version(options.redline)
        return {"redline": diff(old, Version(brief, str(content))), "previous": old.brief}

    old = read_version(options.changes_since) if options.since is None else read_revision(content, options.since)
    found = diff(old, Version(brief, str(content)))
    return {"changes": found, "previous": old.brief}


def _embedded_files(brief: Any, content: Path, original: bytes, options: BuildOptions) -> list[Any]:
    """The brief's source files, then its attachments, where the variant allows embedded files.

    `attach` with a variant that forbids embedded files is an error; the
    brief's own source is then silently left out.
    """
    from ..printing import embed, variants

    if not variants.embeds_files(options.variant):
        if options.attach:
            raise BriefError([Problem(str(path), f"{variants.label(options.variant)} cannot embed files; "
                                                 "use pdf/a-3b or pdf/a-3u",
                                      field="attach") for path in options.attach])
        return []
    return [*embed.source_files(brief, content, original), *citation_files(brief, content),
            *embed.attachments(brief, content, options.attach)]


# --- a published brief (issue 23): its citation as an embedded file, its facts in the XMP ---------

def citation_files(brief: Any, content: Path) -> list[Any]:
    """A published brief's citation as CSL-JSON (`<stem>.csl.json`), for reference managers."""
    from ..printing.embed import EmbeddedFile, dates
    from ..render.citation import csl_json
    from ..render.publication import is_published

    if not is_published(brief):
        return []
    created, modified = dates(brief)
    return [EmbeddedFile(f"{content.stem}.csl.json", csl_json(brief).encode("utf-8"),
                         "How to cite this brief, as CSL-JSON", "Supplement", created, modified,
                         "application/vnd.citationstyles.csl+json")]


def publication(brief: Any) -> Any:
    """What the PDF's XMP says of a published brief (None for a brief that is not one)."""
    from ..content.identifiers import licence_facts
    from ..printing.xmp import Publication
    from ..render.html import plain
    from ..render.language import layout_labels
    from ..render.publication import is_published

    if not is_published(brief):
        return None
    meta = brief.meta
    facts = licence_facts(meta.licence) if meta.licence else None
    labels = layout_labels(brief)
    licence_line = (labels.all_rights_reserved if facts.url is None else facts.name) if facts else None
    rights = " ".join(part.rstrip(".") + "." for part in (meta.copyright, licence_line) if part) or None
    identifier = (f"doi:{meta.doi}" if meta.doi else f"urn:isbn:{meta.isbn.replace('-', '')}" if meta.isbn
                  else meta.identifier)
    creators = tuple(plain(author.name) for author in meta.authors) or ((meta.publisher,) if meta.publisher else ())
    return Publication(title=plain(meta.title), creators=creators, identifier=identifier, doi=meta.doi,
                       isbn=meta.isbn, issn=meta.issn, rights=rights,
                       marked=(not facts.public_domain) if facts else None,
                       web_statement=facts.url if facts and facts.elements else None, language=meta.language)
