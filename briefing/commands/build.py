"""Build: the whole flow for one content file — load, render, print, write."""

from __future__ import annotations

import importlib
import inspect
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from ..errors import BriefError, Problem
from ..sandbox.limits import Limits

if TYPE_CHECKING:
    from ..printing.embed import EmbeddedFile

DEFAULT_LIMITS = Limits()

# The steps, imported on first use so that a build with nothing to do (see `cache`) stays cheap;
# they are module attributes all the same (`briefing.pipeline.print_pdf`, …).
_STEPS = {
    "embed": ("..printing.embed", None), "variants": ("..printing.variants", None),
    "Brief": ("..content.models", "Brief"), "check": ("..content.load", "check"),
    "render_html": ("..render.html", "render_html"), "print_pdf": ("..printing.typeset", "print_pdf"),
    "write_pngs": ("..output.preview", "write_pngs"), "write_pdf": ("..output.write", "write_pdf"),
    "run_limited": ("..sandbox.limits", "run_limited"), "Theme": ("..themes.theme", "Theme"),
    "brand_beside": ("..themes.theme", "brand_beside"), "load_theme": ("..themes.theme", "load_theme"),
}


def __getattr__(name: str) -> Any:
    if name not in _STEPS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _STEPS[name]
    value = importlib.import_module(module, __package__)
    value = getattr(value, attribute) if attribute else value
    globals()[name] = value
    return value


def _import_steps() -> None:
    """Make every step a module global (one set from outside, as a test does, is kept)."""
    for name in _STEPS:
        if name not in globals():
            __getattr__(name)


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    html: Path | None = None
    images: tuple[Path, ...] = ()
    warnings: tuple[Problem, ...] = ()
    cached: bool = False


def default_output(content: Path) -> Path:
    return Path("output") / f"{content.stem}.pdf"


def build(content: str | Path, output: str | Path | None = None, *, theme: Theme | str | Path | None = None,
          paper: str | None = None, html: bool = False, templates: str | Path | None = None,
          brand: str | Path | None = None, variant: str | None = None,
          attach: tuple[str | Path, ...] = (), first_page: int | None = None,
          png: int | None = None, allowed_urls: tuple[str, ...] = (),
          limits: Limits | None = DEFAULT_LIMITS, strict: bool = False, force: bool = False) -> BuildResult:
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
    `strict=True` they fail the build.
    When nothing the build reads (content, theme files, settings, attachments), none of its
    options and no installed version changed since the last build of `output`, and the files
    it wrote are as it wrote them, nothing is rendered and the result says `cached=True`;
    `force=True` renders anyway.
    Raises `BriefError` on any problem; an earlier PDF at `output` is then left as it was.
    """
    arguments = dict(locals())  # first, so that every argument, and nothing else, is in the cache key
    started = time.perf_counter()
    content = Path(content)
    output = Path(output) if output is not None else default_output(content)
    key = _cache_key(arguments)
    if not force and (result := _cached(content, output, key, html, png, started)):
        return result

    _import_steps()
    if not isinstance(theme, Theme):
        theme = load_theme(theme or "default", templates=templates, brand=brand or brand_beside(content))
    paper = paper or theme.paper or "a4"
    checked = check(content, variant=variant)
    if strict and checked.warnings:
        raise BriefError(list(checked.warnings))
    brief = checked.brief
    original = checked.source  # the very bytes that were validated go into the PDF
    files = _embedded_files(brief, content, original, variant, attach)
    # The theme's templates run in a bounded child too: a template can loop for ever.
    if limits is None:
        document = render_html(brief, theme)
    else:
        document = run_limited(render_html, (brief, theme), limits, content, step="rendering")
        _warm_templates(theme)
    printed = print_pdf(document, theme, paper=paper, allowed_folders=(content.resolve().parent,),
                        variant=variant, attachments=files, first_page=first_page,
                        identifier=embed.identifier(original, variant, paper, theme.name, first_page),
                        allowed_urls=tuple(allowed_urls), limits=limits, name=content)
    cache.forget(output)  # until the new files are in place; a failure before here leaves both as they were
    html_path = write_pdf(document.encode("utf-8"), output.with_suffix(".html")) if html else None
    write_pdf(printed.pdf, output)
    images = tuple(write_pngs(printed.pdf, output, png)) if png else ()
    written = {output: printed.pdf, **({html_path: document.encode("utf-8")} if html_path else {})}
    written.update((image, image.read_bytes()) for image in images)
    cache.record(output, key, printed.pages, written, _inputs(content, theme, brief, attach),
                 folders=theme.folders, warnings=checked.warnings)
    return BuildResult(pdf=output, pages=printed.pages, seconds=time.perf_counter() - started,
                       html=html_path, images=images, warnings=checked.warnings)


def _warm_templates(theme: Any) -> None:
    """Compile the theme's templates here too, so that the next rendering child starts with them.

    Only after a rendering in a bounded child succeeded with these very files; compiling runs
    none of a template's code (its loops run only when it renders, in the child).
    """
    from ..render.html import FILTERS
    from ..render.environment import environment

    env = environment(theme.folders, tuple(sorted(FILTERS.items())))
    try:
        for name in env.list_templates(filter_func=lambda name: name.endswith(".j2")):
            env.get_template(name)
    except Exception:  # noqa: BLE001 - only a head start; the child compiles what it needs itself
        pass


def up_to_date(content: str | Path, output: str | Path | None = None, **options: Any) -> BuildResult | None:
    """What `build()` with these arguments would return without rendering, or None if it must render."""
    started = time.perf_counter()
    bound = inspect.signature(build).bind(content, output, **options)
    bound.apply_defaults()
    arguments = bound.arguments
    if arguments["force"]:
        return None
    content = Path(content)
    output = Path(output) if output is not None else default_output(content)
    return _cached(content, output, _cache_key(arguments), arguments["html"], arguments["png"], started)


# Arguments of `build` that say where or whether to build, not what.
_NOT_OPTIONS = {"content", "output", "force"}


def _cache_key(arguments: dict[str, Any]) -> str:
    options = {name: value for name, value in arguments.items() if name not in _NOT_OPTIONS}
    options["content file"] = Path(arguments["content"]).resolve()
    return cache.build_key(options)


def _cached(content: Path, output: Path, key: str, html: bool, png: int | None,
            started: float) -> BuildResult | None:
    stamp = cache.lookup(output, key)
    if stamp is None:
        return None
    folder = output.parent
    images = tuple(sorted(folder / name for name in stamp.outputs if name.endswith(".png"))) if png else ()
    return BuildResult(pdf=output, pages=stamp.pages, seconds=time.perf_counter() - started,
                       html=output.with_suffix(".html") if html else None, images=images,
                       warnings=tuple(Problem(**{**warning, "path": Path(warning["path"])})
                                      for warning in stamp.warnings), cached=True)


def _inputs(content: Path, theme: Any, brief: Any, attach: tuple[str | Path, ...]) -> list[Path]:
    """Every file a build of `content` reads, or would read if it appeared, besides the theme's folders."""
    from ..themes.theme import BRAND

    assets = [asset.source for _, asset in theme.font_faces] + ([theme.logo.source] if theme.logo else [])
    attachments = [content.parent / entry.path for entry in brief.attachments] + [Path(path) for path in attach]
    return [content, content.parent / BRAND, *theme.settings_files, *assets, *attachments]


def _embedded_files(brief: Any, content: Path, original: bytes, variant: str | None,
                    attach: tuple[str | Path, ...]) -> list[EmbeddedFile]:
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
