"""The `briefing` command: a thin layer over the Python API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


def _warn(warnings) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def _fail(error: Exception) -> None:
    for problem in getattr(error, "problems", [error]):
        click.echo(f"error: {problem}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def main() -> None:
    """Build printable policy briefs from validated content."""


@main.command()
@click.argument("content", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: output/<content name>.pdf).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Paper size.")
@click.option("--theme", default="default", show_default=True, help="A built-in theme name or a theme folder.")
@click.option("--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF.")
@click.option("--strict", is_flag=True, help="Treat the editorial checks' warnings as errors.")
def build(content: Path, output: Path | None, paper: str, theme: str, write_html: bool, strict: bool) -> None:
    """Build CONTENT into a PDF."""
    from .build import build as build_brief
    from .errors import BriefError

    try:
        result = build_brief(content, output, theme=theme, paper=paper, html=write_html, strict=strict)
    except BriefError as error:
        _fail(error)
    _warn(result.warnings)
    pages = "page" if result.pages == 1 else "pages"
    click.echo(f"wrote {result.pdf} ({result.pages} {pages}, {result.seconds:.2f} s)")
    if result.html:
        click.echo(f"wrote {result.html}")


@main.command()
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat the editorial checks' warnings as errors.")
def validate(contents: tuple[Path, ...], strict: bool) -> None:
    """Check content files and report every problem as path:line:col: field: message.

    Editorial checks (uncited sources, takeaways, date order) are printed as warnings
    and fail only with --strict.
    """
    from .errors import BriefError
    from .load import check

    failed = False
    for content in contents:
        try:
            checked = check(content)
        except BriefError as error:
            failed = True
            for problem in error.problems:
                click.echo(f"{problem}", err=True)
        else:
            _warn(checked.warnings)
            failed = failed or (strict and bool(checked.warnings))
            count = len(checked.warnings)
            note = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
            click.echo(f"{content}: ok{note}")
    sys.exit(2 if failed else 0)


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the schema to this file instead of printing it.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a brief, for editors and other tools."""
    from .errors import BriefError
    from .schema import json_schema_text
    from .write import write_pdf

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
@click.option("--format", "format_", type=click.Choice(["yaml", "md"]),
              help="yaml, or md for Markdown with front matter (default: from PATH's suffix).")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: Path, title: str | None, format_: str | None, force: bool) -> None:
    """Write a complete skeleton brief to PATH, ready to fill in and build."""
    from .errors import BriefError
    from .scaffold import new as scaffold

    try:
        written = scaffold(path, title, format=format_, force=force)
    except BriefError as error:
        _fail(error)
    click.echo(f"wrote {written}")


if __name__ == "__main__":  # pragma: no cover
    main()
