"""The `briefing` command: a thin layer over the Python API."""

from __future__ import annotations

import sys
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


@main.command()
@click.argument("content", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: output/<content name>.pdf).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Paper size.")
@click.option("--theme", default="default", show_default=True, help="A built-in theme name or a theme folder.")
@click.option("--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF.")
def build(content: Path, output: Path | None, paper: str, theme: str, write_html: bool) -> None:
    """Build CONTENT into a PDF."""
    from .pipeline import build as build_brief
    from .errors import BriefError

    try:
        result = build_brief(content, output, theme=theme, paper=paper, html=write_html)
    except BriefError as error:
        _fail(error)
    pages = "page" if result.pages == 1 else "pages"
    click.echo(f"wrote {result.pdf} ({result.pages} {pages}, {result.seconds:.2f} s)")
    if result.html:
        click.echo(f"wrote {result.html}")


@main.command()
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(contents: tuple[Path, ...]) -> None:
    """Check content files and report every problem as path:line:col: field: message."""
    from .errors import BriefError
    from .loader import load

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
