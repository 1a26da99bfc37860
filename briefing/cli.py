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
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size (default: the theme's, else a4).")
@click.option("--theme", default="default", show_default=True,
              help="A built-in theme name (see `briefing themes`) or a theme folder.")
@click.option("--templates", type=click.Path(path_type=Path), default=None,
              help="A folder whose files replace the theme's files of the same name.")
@click.option("--brand", type=click.Path(path_type=Path), default=None,
              help="Brand settings (colours, fonts, logo); default: brand.yaml beside CONTENT.")
@click.option("--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF.")
def build(content: Path, output: Path | None, paper: str | None, theme: str, templates: Path | None,
          brand: Path | None, write_html: bool) -> None:
    """Build CONTENT into a PDF."""
    from .pipeline import build as build_brief
    from .errors import BriefError

    try:
        result = build_brief(content, output, theme=theme, paper=paper, html=write_html,
                             templates=templates, brand=brand)
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


@main.command()
def themes() -> None:
    """List the built-in themes."""
    from .errors import BriefError
    from .theme import themes as builtin_themes

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
    from .theme import eject as eject_theme
    from .theme import load_theme

    try:
        written = eject_theme(load_theme(theme), destination)
    except BriefError as error:
        _fail(error)
    click.echo(f"wrote {len(written)} files to {destination}")
    click.echo(f"use them with: briefing build CONTENT --theme {theme} --templates {destination}")


if __name__ == "__main__":  # pragma: no cover
    main()
