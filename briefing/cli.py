"""The `briefing` command: a thin layer over the Python API."""

from __future__ import annotations

import signal
import sys
import warnings
from pathlib import Path

import click

from . import __version__
from .commands.options import DEFAULT_LIMITS, DEFAULT_RESOLUTION, PAPERS, RESOLUTIONS
from .printing.variants import VARIANTS

#: The command-line flag of each field of `BuildOptions` and `Limits`, for their errors.
FLAGS = {"paper": "--paper", "theme": "--theme", "templates": "--templates", "brand": "--brand", "html": "--html",
         "variant": "--pdf-variant", "attach": "--attach", "first_page": "--first-page", "png": "--resolution",
         "resolution": "--resolution", "allowed_urls": "--allow-url", "timeout": "--timeout",
         "max_pages": "--max-pages", "max_memory": "--max-memory", "strict": "--strict"}


def _warn(warnings, strict: bool = False) -> None:
    for warning in _shown(warnings, strict):
        click.echo(f"warning: {warning}", err=True)


def _shown(problems, strict: bool) -> list:  # noqa: ANN001
    """Findings of severity `info` (an unverified quote) count only with --strict."""
    return [problem for problem in problems if strict or getattr(problem, "severity", "") != "info"]


def _fail(error: Exception) -> None:
    for problem in getattr(error, "problems", [error]):
        click.echo(f"error: {_as_flag(problem)}", err=True)
    sys.exit(2)


def _as_flag(problem):  # noqa: ANN001, ANN202
    """An option's problem as the command line names it: `--paper: …` rather than `options: paper: …`."""
    if str(getattr(problem, "path", "")) in ("options", "limits") and problem.field in FLAGS:
        from .errors import escape_controls

        return escape_controls(f"{FLAGS[problem.field]}: {problem.message}")
    return problem


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def main() -> None:
    """Build printable policy briefs from validated content."""
    warnings.showwarning = _show_warning
    signal.signal(signal.SIGTERM, _terminated)  # end as Ctrl-C does: children stopped, temporary files removed


def _terminated(number, frame) -> None:  # noqa: ANN001
    raise SystemExit(128 + number)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    click.echo(f"warning: {message}", err=True)


def _variant(context: click.Context, parameter: click.Parameter, given: tuple[str, ...]) -> str | tuple | None:
    """`--pdf-variant`, given once or twice: one name, two names, or None; an error names what is offered."""
    from .printing.variants import check

    try:
        names = check(given)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return names[0] if len(names) == 1 else (names or None)


def _shared_build_options(command):  # noqa: ANN001, ANN202
    """The options `build` and `watch` share, in the order `--help` shows them."""
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
        click.option("--pdf-variant", "variant", multiple=True, callback=_variant, metavar="VARIANT",
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
    ]):
        command = option(command)
    return command


def _build_options(paper: str | None, theme: str, templates: Path | None, brand: Path | None, write_html: bool,
                   variant: str | None, attach: tuple[Path, ...], first_page: int | None, png: bool,
                   resolution: int, allowed_urls: tuple[str, ...], timeout: float, max_pages: int,
                   max_memory: int, strict: bool):  # noqa: ANN202
    """The shared command-line options as one `BuildOptions`."""
    from .commands.options import BuildOptions
    from .errors import BriefError
    from .sandbox.limits import Limits

    try:
        return BuildOptions(theme=theme, paper=paper, html=write_html, templates=templates, brand=brand,
                            variant=variant, attach=attach, first_page=first_page,
                            png=resolution if png else None, allowed_urls=allowed_urls,
                            limits=Limits(timeout=timeout, max_pages=max_pages, max_memory=max_memory),
                            strict=strict)
    except BriefError as error:
        _fail(error)


@main.command()
@click.argument("contents", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF of one content file (default: output/<content name>.pdf); "
                   "a last argument ending in .pdf says the same.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs of several content files or folders (default: output/).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Build several briefs in N worker processes (0: one per CPU).")
@click.option("--dask", metavar="ADDRESS",
              help="Build the briefs on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); "
                   "its workers need no access to these files. Needs: pip install 'briefing[dask]'.")
@click.option("--force", is_flag=True, help="Render even if nothing changed since the last build.")
@click.option("--from", "stdin_format", type=click.Choice(["yaml", "json", "toml", "markdown"]), default="yaml",
              show_default=True, help="The format of content read from standard input (CONTENTS is -).")
@_shared_build_options
@click.pass_context
def build(context: click.Context, contents: tuple[Path, ...], output: Path | None, output_dir: Path | None,
          jobs: int, dask: str | None, force: bool, stdin_format: str, **shared: object) -> None:
    """Build CONTENTS (content files, or folders of them; - for standard input) into PDFs.

    With no CONTENTS, builds the `content` of the briefing.toml in this folder.
    """
    from .errors import BriefError, Problem

    project = _project(context, shared)
    if not contents:
        if project is None or not project.content:
            _fail(BriefError([Problem("CONTENTS", "name a content file or folder, or write a briefing.toml "
                                                  "whose `content` lists them (briefing new briefing.toml)")]))
        contents = project.content
    if len(contents) == 2 and contents[1].suffix.lower() == ".pdf" and output is None and output_dir is None \
            and not contents[1].is_dir():
        contents, output = contents[:1], contents[1]  # `briefing build brief.yaml out.pdf`, as typst compile takes it
    if output_dir is None and output is None and project is not None:
        output_dir = project.output_dir
    options = _build_options(**shared)
    if dask is not None and str(contents[0]) == "-":
        _fail(BriefError([Problem("--dask", "takes content files or folders, not standard input")]))
    if len(contents) > 1 or contents[0].is_dir() or dask is not None \
            or (output_dir is not None and str(contents[0]) != "-"):
        if output is not None:
            _fail(BriefError([Problem("--output", "names one PDF; use --output-dir for several content files")]))
        _build_many(contents, output_dir, jobs, options, force, dask)
        return
    from .commands.build import build as build_brief

    content = contents[0]
    if str(content) == "-":
        content = _read_stdin(stdin_format)
        output = output or (output_dir or Path("output")) / "stdin.pdf"
        force = True  # standard input is never the same file twice: nothing to compare with
    try:
        result = build_brief(content, output, options, force=force)
    except BriefError as error:
        _fail(error)
    _report(result)


def _project(context: click.Context, shared: dict) -> object:
    """The briefing.toml of the working folder, its defaults filled into the options not given here."""
    from .commands.project import find_project
    from .errors import BriefError

    try:
        project = find_project()
    except BriefError as error:
        _fail(error)
    if project is None:
        return None
    for option, value in project.options.items():  # the command line's names are the options' own
        if context.get_parameter_source(option) in (click.core.ParameterSource.DEFAULT, None):
            shared[option] = value
    return project


def _read_stdin(format_: str) -> Path:
    """Standard input as the content `<stdin>` in this folder: errors say `<stdin>:line:col`."""
    from .content.source import MAX_CONTENT_BYTES, STDIN, provide
    from .errors import BriefError, Problem

    data = sys.stdin.buffer.read(MAX_CONTENT_BYTES + 1)
    if len(data) > MAX_CONTENT_BYTES:
        _fail(BriefError([Problem(STDIN, f"larger than the {MAX_CONTENT_BYTES} byte limit")]))
    provide(data, format_)
    return STDIN


def _build_many(contents: tuple[Path, ...], output_dir: Path | None, jobs: int, options, force: bool,  # noqa: ANN001
                dask: str | None = None) -> None:
    import time

    from .commands.batch import build_many
    from .errors import BriefError

    started = time.perf_counter()
    try:
        if dask is None:
            items = build_many(contents, output_dir, options, jobs=jobs, force=force)
        else:
            from .commands.remote import dask_executor

            with dask_executor(dask) as executor:
                items = build_many(contents, output_dir, options, executor=executor, force=force)
    except BriefError as error:
        _fail(error)
    for item in items:
        if item.ok:
            _report(item.result)
        for problem in item.problems:
            click.echo(f"error: {problem}", err=True)
    failed = sum(not item.ok for item in items)
    cached = sum(item.ok and item.result.cached for item in items)
    built = len(items) - failed - cached
    briefs = "brief" if len(items) == 1 else "briefs"
    counts = [*([f"built {built}"] if built else []), *([f"{cached} up to date"] if cached else []),
              *([f"{failed} failed"] if failed else [])]
    summary = f"{len(items)} {briefs}: {', '.join(counts)}, in {time.perf_counter() - started:.2f} s"
    click.echo(summary + (f" on {dask}" if dask else f" with {jobs} jobs" if jobs != 1 else ""))
    if failed:
        sys.exit(2)


def _report(result) -> None:  # noqa: ANN001
    _warn(result.warnings)
    pages = "page" if result.pages == 1 else "pages"
    done = "up to date:" if result.cached else "wrote"
    click.echo(f"{done} {result.pdf} ({result.pages} {pages}, {result.seconds:.2f} s)")
    if result.html:
        click.echo(f"wrote {result.html}")
    for image in result.images:
        click.echo(f"wrote {image}")


@main.command()
@click.argument("content", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: output/<content name>.pdf).")
@_shared_build_options
def watch(content: Path, output: Path | None, **shared: object) -> None:
    """Build CONTENT, then again on every save of it or its theme, until Ctrl-C."""
    import time

    from .errors import BriefError
    from .commands.watch import watch as watch_brief

    options = _build_options(**shared)

    def report(rebuild) -> None:  # noqa: ANN001
        stamp = time.strftime("%H:%M:%S")
        if rebuild.result is not None:
            click.echo(f"{stamp} ", nl=False)
            _report(rebuild.result)
        for problem in rebuild.problems:
            click.echo(f"{stamp} error: {problem}", err=True)

    click.echo(f"watching {content} and its theme; Ctrl-C stops")
    try:
        watch_brief(content, output, options, report=report)
    except BriefError as error:
        _fail(error)
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command("attach")
@click.argument("brief", type=click.Path(path_type=Path))
@click.option("--to", "report", required=True, type=click.Path(path_type=Path), help="The report PDF.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Where to write the result.")
@click.option("--as", "mode", type=click.Choice(["annex", "attachment"]), default="annex", show_default=True,
              help="Append the brief's pages (annex) or embed the brief as a file (attachment).")
@click.option("--at", type=click.IntRange(min=1), metavar="PAGE",
              help="For an annex: insert the brief so that it starts at this page of the report.")
@click.option("--title", help="The bookmark or attachment title (default: the brief's title).")
@click.option("--timeout", type=float, default=DEFAULT_LIMITS.timeout, show_default=True, metavar="SECONDS",
              help="Seconds the merge may take.")
@click.option("--max-memory", type=int, default=DEFAULT_LIMITS.max_memory, show_default=True, metavar="MIB",
              help="MiB of memory the merge may add.")
def attach_command(brief: Path, report: Path, output: Path, mode: str, at: int | None, title: str | None,
                   timeout: float, max_memory: int) -> None:
    """Put the brief PDF BRIEF into a report PDF."""
    from .output.report import attach
    from .errors import BriefError
    from .sandbox.limits import Limits

    try:
        limits = Limits(timeout=timeout, max_pages=None, max_memory=max_memory)
        result = attach(brief, report, output, mode=mode, at=at, title=title, limits=limits)
    except BriefError as error:
        _fail(error)
    where = f", brief from page {result.first_page}" if result.first_page else ", brief embedded as a file"
    click.echo(f"wrote {result.pdf} ({result.pages} pages{where})")
    for note in result.notes:
        click.echo(f"note: {note}")


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("--resolution", type=click.IntRange(*RESOLUTIONS), default=DEFAULT_RESOLUTION, show_default=True,
              help="Resolution of the PNG pages, in dots per inch.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Name the pictures after this path instead of PDF (<stem>-<page>.png).")
def preview(pdf: Path, resolution: int, output: Path | None) -> None:
    """Write each page of PDF as a PNG picture.

    PDF is a file that `briefing build` wrote; to build a content file and picture
    its pages in one step, use `briefing build CONTENT --png`.
    """
    from .errors import BriefError, Problem
    from .output.preview import write_pngs

    try:
        try:
            data = pdf.read_bytes()
        except OSError as error:
            raise BriefError([Problem(pdf, f"cannot read: {error.strerror or error}")]) from None
        images = write_pngs(data, output or pdf, resolution, name=pdf)
    except BriefError as error:
        _fail(error)
    for image in images:
        click.echo(f"wrote {image}")


@main.command()
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--pdf-variant", "variant", multiple=True, callback=_variant, metavar="VARIANT",
              help="Also check what this PDF variant needs from the content (such as meta.language).")
@click.option("--from", "stdin_format", type=click.Choice(["yaml", "json", "toml", "markdown"]), default="yaml",
              show_default=True, help="The format of content read from standard input (CONTENTS is -).")
@click.option("--strict", is_flag=True, help="Treat the editorial checks' warnings as errors.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print every problem as an object with path, line, column, field, code, severity "
                   "and message, for editors and CI.")
@click.option("--max-content-size", type=click.IntRange(min=1, max=4096), default=10, show_default=True,
              metavar="MIB", help="MiB a content file may have; larger ones are refused before they are read.")
def validate(contents: tuple[Path, ...], variant: str | None, strict: bool, format_: str,
             stdin_format: str, max_content_size: int) -> None:
    """Check content files (or the briefs in folders; - for standard input) and report every
    problem as path:line:col: field: message.

    Editorial checks (uncited sources, takeaways, date order, quotes against archived
    sources) are printed as warnings and fail only with --strict.
    """
    import json

    from .commands.batch import expand
    from .content.load import check
    from .errors import BriefError

    failed = False
    found = []
    files = [_read_stdin(stdin_format) if str(path) == "-" else path for path in expand(contents)]
    for content in files:
        try:
            checked = check(content, variant=variant, max_bytes=max_content_size * 1024 * 1024)
        except BriefError as error:
            failed = True
            found.extend(error.problems)
            if format_ == "text":
                for problem in error.problems:
                    click.echo(f"{problem}", err=True)
        else:
            shown = _shown(checked.warnings, strict)
            found.extend(shown)
            refused = strict and bool(shown)
            failed = failed or refused
            if format_ == "text":
                _warn(shown, strict)
                count = len(shown)
                note = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
                click.echo(f"{content}: failed{note}, and --strict makes warnings fail" if refused
                           else f"{content}: ok{note}")
    if format_ == "json":
        click.echo(json.dumps([problem.as_dict() for problem in found], indent=2, ensure_ascii=False))
    sys.exit(2 if failed else 0)


@main.command("check")
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print every finding as an object with path, line, column, field, code, severity "
                   "and message.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs (default: output/, as build writes them, so a build reuses them).")
@_shared_build_options
def check_command(contents: tuple[Path, ...], format_: str, output_dir: Path | None, strict: bool,
                  **shared: object) -> None:
    """Build CONTENTS (content files, or folders of them; or reuse the last build) and report every finding.

    Findings (layout, accessibility, quotes against their archived source, the editorial
    checks) are printed as path:line:col: field: message, located at the content field or
    the brand or theme setting responsible; docs/preflight.md lists them. --strict fails
    on any finding, including quotes whose source has no archive.
    """
    import json

    from .commands.build import build as build_brief
    from .commands.build import default_output
    from .errors import BriefError

    from .commands.batch import expand

    options = _build_options(strict=False, **shared)
    failed, found = False, []
    for content in expand(contents):
        output = default_output(content, output_dir) if output_dir else default_output(content)
        try:
            result = build_brief(content, output, options)
        except BriefError as error:
            failed = True
            found.extend(error.problems)
            if format_ == "text":
                for problem in error.problems:
                    click.echo(f"error: {problem}", err=True)
            continue
        shown = sorted(_shown(result.warnings, strict),
                       key=lambda p: (str(p.path) != str(content), str(p.path), p.line or 0, p.column or 0))
        found.extend(shown)
        failed = failed or (strict and bool(shown))
        if format_ == "text":
            for problem in shown:
                click.echo(str(problem))
            count = len(shown)
            click.echo(f"{content}: {count or 'no'} finding{'s' if count != 1 else ''} "
                       f"({result.pages} page{'s' if result.pages != 1 else ''}"
                       f"{', from the last build' if result.cached else ''})", err=True)
    if format_ == "json":
        click.echo(json.dumps([problem.as_dict() for problem in found], indent=2, ensure_ascii=False))
    sys.exit(2 if failed else 0)


@main.command()
def themes() -> None:
    """List the built-in themes."""
    from .errors import BriefError
    from .themes.theme import themes as builtin_themes

    try:
        found = builtin_themes()
    except BriefError as error:
        _fail(error)
    width = max(len(theme.name) for theme in found)
    for theme in found:
        paper = "Letter" if theme.paper == "letter" else "A4"
        click.echo(f"{theme.name:<{width}}  {paper:<6}  {theme.description}")


@main.group()
def templates() -> None:
    """Work with a theme's templates."""


@templates.command("eject")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--theme", default="default", show_default=True,
              help="A built-in theme name or a theme folder.")
def eject(destination: Path, theme: str) -> None:
    """Copy the theme's templates, stylesheets and fonts into DESTINATION, for use with --templates."""
    from .errors import BriefError
    from .themes.theme import eject as eject_theme
    from .themes.theme import load_theme

    try:
        written = eject_theme(load_theme(theme), destination)
    except BriefError as error:
        _fail(error)
    click.echo(f"wrote {len(written)} files to {destination}")
    click.echo(f"use them with: briefing build CONTENT --theme {theme} --templates {destination}")


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the schema to this file instead of printing it.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a brief, for editors and other tools."""
    from .errors import BriefError
    from .content.schema import json_schema_text
    from .output.write import write_pdf

    text = json_schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_pdf(text.encode("utf-8"), output)
    except BriefError as error:
        _fail(error)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", help="The title of the new brief.")
@click.option("--format", "format_", type=click.Choice(["yaml", "md", "json", "toml"]),
              help="yaml, md for Markdown with front matter, json or toml (default: from PATH's suffix).")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: Path, title: str | None, format_: str | None, force: bool) -> None:
    """Write a complete skeleton brief to PATH, ready to fill in and build.

    A PATH named briefing.toml gets the project defaults that `briefing build` reads instead.
    """
    from .commands.project import PROJECT, new_project
    from .content.scaffold import new as scaffold
    from .errors import BriefError

    try:
        written = (new_project(path, force=force) if path.name == PROJECT and format_ is None
                   else scaffold(path, title, format=format_, force=force))
    except BriefError as error:
        _fail(error)
    click.echo(f"wrote {written}")


if __name__ == "__main__":  # pragma: no cover
    main()
