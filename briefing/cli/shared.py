"""What the commands share: reporting problems and results, the build options, the project file.

Only click is imported here; the options' own definitions are imported by the commands that take
them, so `briefing --help` and `briefing cite` stay fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click


#: The command-line flag of each field of `BuildOptions` and `Limits`, for their errors.
FLAGS = {"paper": "--paper", "theme": "--theme", "templates": "--templates", "brand": "--brand", "html": "--html",
         "variant": "--pdf-variant", "attach": "--attach", "first_page": "--first-page", "png": "--resolution",
         "resolution": "--resolution", "allowed_urls": "--allow-url", "timeout": "--timeout",
         "max_pages": "--max-pages", "max_memory": "--max-memory", "strict": "--strict"}


def warn(warnings, strict: bool = False) -> None:
    for warning in shown(warnings, strict):
        click.echo(f"warning: {warning}", err=True)


def shown(problems, strict: bool) -> list:  # noqa: ANN001
    """Findings of severity `info` (an unverified quote) count only with --strict."""
    return [problem for problem in problems if strict or getattr(problem, "severity", "") != "info"]


def fail(error: Exception) -> None:
    for problem in getattr(error, "problems", [error]):
        click.echo(f"error: {as_flag(problem)}", err=True)
    sys.exit(2)


def as_flag(problem):  # noqa: ANN001, ANN202
    """An option's problem as the command line names it: `--paper: …` rather than `options: paper: …`."""
    if str(getattr(problem, "path", "")) in ("options", "limits") and problem.field in FLAGS:
        from ..errors import escape_controls

        return escape_controls(f"{FLAGS[problem.field]}: {problem.message}")
    return problem


def variant(context: click.Context, parameter: click.Parameter, given: tuple[str, ...]) -> str | tuple | None:
    """`--pdf-variant`, given once or twice: one name, two names, or None; an error names what is offered."""
    from ..variants import check

    try:
        names = check(given)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return names[0] if len(names) == 1 else (names or None)


def shared_build_options(command):  # noqa: ANN001, ANN202
    """The options `build` and `watch` share, in the order `--help` shows them."""
    from ..commands.options import DEFAULT_LIMITS, DEFAULT_RESOLUTION, PAPERS, RESOLUTIONS
    from ..content.styles import CITATION_STYLES
    from ..variants import VARIANTS

    for option in reversed([
        click.option("--paper", type=click.Choice(PAPERS, case_sensitive=False), default=None,
                     help=f"Paper size (default: the theme's, else {PAPERS[0]})."),
        click.option("--theme", default="default", show_default=True,
                     help="A built-in theme name (see `briefing themes`) or a theme folder."),
        click.option("--templates", type=click.Path(path_type=Path), default=None,
                     help="A folder whose files replace the theme's files of the same name."),
        click.option("--brand", type=click.Path(path_type=Path), default=None,
                     help="Brand settings (colours, fonts, logo); default: brand.yaml beside CONTENT."),
        click.option("--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF."),
        click.option("--pdf-variant", "variant", multiple=True, callback=variant, metavar="VARIANT",
                     help=f"Write an archival or accessible variant: {', '.join(VARIANTS)}; give one PDF/A "
                          "and one PDF/UA variant for a file that claims both."),
        click.option("--attach", "attach", multiple=True, type=click.Path(path_type=Path),
                     help="Embed this file from the brief's folder in the PDF (repeatable)."),
        click.option("--first-page", type=click.IntRange(min=1), metavar="N",
                     help="Number the pages from N, for a brief that sits inside a report."),
        click.option("--png", "png", is_flag=True, help="Also write each page as <name>-<page>.png beside the PDF."),
        click.option("--resolution", type=click.IntRange(*RESOLUTIONS), default=DEFAULT_RESOLUTION,
                     show_default=True, help="Resolution of the PNG pages, in dots per inch."),
        click.option("--allow-url", "allowed_urls", multiple=True, metavar="PREFIX",
                     help="Allow fetching resources below this http(s) URL prefix (repeatable); "
                          "by default nothing is fetched from the network."),
        click.option("--timeout", type=float, default=DEFAULT_LIMITS.timeout, show_default=True, metavar="SECONDS",
                     help="Seconds that rendering and printing may each take."),
        click.option("--max-pages", type=int, default=DEFAULT_LIMITS.max_pages, show_default=True,
                     help="Pages the brief may have."),
        click.option("--max-memory", type=int, default=DEFAULT_LIMITS.max_memory, show_default=True, metavar="MIB",
                     help="MiB of memory that rendering and printing may each add."),
        click.option("--strict", is_flag=True, help="Treat the editorial checks' warnings as errors."),
        click.option("--citation-style", type=click.Choice(CITATION_STYLES), default=None,
                     help="The CSL style of the sources and of \"How to cite\" for a brief that names none "
                          "(default: the theme's, else chicago-author-date)."),
    ]):
        command = option(command)
    return command


def build_options(paper: str | None, theme: str, templates: Path | None, brand: Path | None, write_html: bool,
                   variant: str | None, attach: tuple[Path, ...], first_page: int | None, png: bool,
                   resolution: int, allowed_urls: tuple[str, ...], timeout: float, max_pages: int,
                   max_memory: int, strict: bool, citation_style: str | None = None):  # noqa: ANN202
    """The shared command-line options as one `BuildOptions`."""
    from ..commands.options import BuildOptions
    from ..errors import BriefError
    from ..sandbox.limits import Limits

    try:
        return BuildOptions(theme=theme, paper=paper, html=write_html, templates=templates, brand=brand,
                            variant=variant, attach=attach, first_page=first_page,
                            png=resolution if png else None, allowed_urls=allowed_urls,
                            limits=Limits(timeout=timeout, max_pages=max_pages, max_memory=max_memory),
                            strict=strict, citation_style=citation_style)
    except BriefError as error:
        fail(error)


def project_defaults(context: click.Context, shared: dict) -> object:
    """The briefing.toml of the working folder, its defaults filled into the options not given here."""
    from ..commands.project import find_project
    from ..errors import BriefError

    try:
        project = find_project()
    except BriefError as error:
        fail(error)
    if project is None:
        return None
    for option, value in project.options.items():  # the command line's names are the options' own
        if context.get_parameter_source(option) in (click.core.ParameterSource.DEFAULT, None):
            shared[option] = value
    return project


def read_stdin(format_: str) -> Path:
    """Standard input as the content `<stdin>` in this folder: errors say `<stdin>:line:col`."""
    from ..content.source import MAX_CONTENT_BYTES, STDIN, provide
    from ..errors import BriefError, Problem

    stream = getattr(sys.stdin, "buffer", None)
    try:
        data = stream.read(MAX_CONTENT_BYTES + 1) if stream is not None else None
    except (OSError, ValueError) as error:  # closed, or not readable
        data, reason = None, f": {getattr(error, 'strerror', None) or error}"
    else:
        reason = ""
    if data is None:
        fail(BriefError([Problem(STDIN, f"standard input is closed or cannot be read{reason}; give the content "
                                        "on standard input, or name a content file")]))
    if len(data) > MAX_CONTENT_BYTES:
        fail(BriefError([Problem(STDIN, f"larger than the {MAX_CONTENT_BYTES} byte limit")]))
    provide(data, format_)
    return STDIN


def report_result(result) -> None:  # noqa: ANN001
    warn(result.warnings)
    pages = "page" if result.pages == 1 else "pages"
    done = "up to date:" if result.cached else "wrote"
    click.echo(f"{done} {result.pdf} ({result.pages} {pages}, {result.seconds:.2f} s)")
    if result.html:
        click.echo(f"wrote {result.html}")
    for image in result.images:
        click.echo(f"wrote {image}")
