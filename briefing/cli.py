"""The `briefing` command: a thin layer over the Python API."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from . import __version__


def _fail(error: Exception) -> None:
    for problem in getattr(error, "problems", [error]):
        click.echo(f"error: {problem}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def main() -> None:
    """Build printable policy briefs from validated content."""
    warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    click.echo(f"warning: {message}", err=True)


@main.command()
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF of one content file (default: output/<content name>.pdf).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs of several content files or folders (default: output/).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Build several briefs in N worker processes (0: one per CPU).")
@click.option("--force", is_flag=True, help="Render even if nothing changed since the last build.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Paper size.")
@click.option("--theme", default="default", show_default=True, help="A built-in theme name or a theme folder.")
@click.option("--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF.")
def build(contents: tuple[Path, ...], output: Path | None, output_dir: Path | None, jobs: int, force: bool,
          paper: str, theme: str, write_html: bool) -> None:
    """Build CONTENTS (content files or folders of them) into PDFs."""
    from .errors import BriefError, Problem

    options = {"theme": theme, "paper": paper, "html": write_html, "force": force}
    if len(contents) > 1 or contents[0].is_dir() or output_dir is not None:
        if output is not None:
            _fail(BriefError([Problem("--output", "names one PDF; use --output-dir for several content files")]))
        _build_many(contents, output_dir, jobs, options)
        return
    from .build import build as build_brief

    try:
        result = build_brief(contents[0], output, **options)
    except BriefError as error:
        _fail(error)
    _report(result)


def _build_many(contents: tuple[Path, ...], output_dir: Path | None, jobs: int, options: dict) -> None:
    import time

    from .batch import build_many
    from .errors import BriefError

    started = time.perf_counter()
    try:
        items = build_many(contents, output_dir, jobs=jobs, **options)
    except BriefError as error:
        _fail(error)
    for item in items:
        if item.ok:
            _report(item.result)
        for problem in item.problems:
            click.echo(f"error: {problem}", err=True)
    failed = sum(not item.ok for item in items)
    briefs = "brief" if len(items) == 1 else "briefs"
    summary = f"built {len(items) - failed} of {len(items)} {briefs} in {time.perf_counter() - started:.2f} s"
    click.echo(summary + (f" with {jobs} jobs" if jobs != 1 else ""))
    if failed:
        sys.exit(2)


def _report(result) -> None:  # noqa: ANN001
    pages = "page" if result.pages == 1 else "pages"
    done = "up to date:" if result.cached else "wrote"
    click.echo(f"{done} {result.pdf} ({result.pages} {pages}, {result.seconds:.2f} s)")
    if result.html:
        click.echo(f"wrote {result.html}")


@main.command()
@click.argument("content", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: output/<content name>.pdf).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Paper size.")
@click.option("--theme", default="default", show_default=True, help="A built-in theme name or a theme folder.")
@click.option("--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF.")
def watch(content: Path, output: Path | None, paper: str, theme: str, write_html: bool) -> None:
    """Build CONTENT, then again on every save of it or its theme, until Ctrl-C."""
    import time

    from .errors import BriefError
    from .watch import watch as watch_brief

    def report(rebuild) -> None:  # noqa: ANN001
        stamp = time.strftime("%H:%M:%S")
        if rebuild.result is not None:
            click.echo(f"{stamp} ", nl=False)
            _report(rebuild.result)
        for problem in rebuild.problems:
            click.echo(f"{stamp} error: {problem}", err=True)

    click.echo(f"watching {content} and its theme; Ctrl-C stops")
    try:
        watch_brief(content, output, report=report, theme=theme, paper=paper, html=write_html)
    except BriefError as error:
        _fail(error)
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command()
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(contents: tuple[Path, ...]) -> None:
    """Check content files and report every problem as path:line:col: field: message."""
    from .errors import BriefError
    from .load import load

    failed = False
    for content in contents:
        try:
            load(content)
        except BriefError as error:
            failed = True
            for problem in error.problems:
                click.echo(f"{problem}", err=True)
        else:
            click.echo(f"{content}: ok")
    sys.exit(2 if failed else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
