"""`briefing themes` and `briefing templates eject`: the built-in themes and their files."""

from __future__ import annotations

from pathlib import Path

import click

from .shared import fail


@click.command()
def themes() -> None:
    """List the built-in themes."""
    from ..errors import BriefError
    from ..themes.theme import themes as builtin_themes

    try:
        found = builtin_themes()
    except BriefError as error:
        fail(error)
    width = max(len(theme.name) for theme in found)
    for theme in found:
        paper = "Letter" if theme.paper == "letter" else "A4"
        click.echo(f"{theme.name:<{width}}  {paper:<6}  {theme.description}")


@click.group()
def templates() -> None:
    """Work with a theme's templates."""


@templates.command("eject")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--theme", default="default", show_default=True,
              help="A built-in theme name or a theme folder.")
def eject(destination: Path, theme: str) -> None:
    """Copy the theme's templates, stylesheets and fonts into DESTINATION, for use with --templates."""
    from ..errors import BriefError
    from ..themes.theme import eject as eject_theme
    from ..themes.theme import load_theme

    try:
        written = eject_theme(load_theme(theme), destination)
    except BriefError as error:
        fail(error)
    click.echo(f"wrote {len(written)} files to {destination}")
    click.echo(f"use them with: briefing build CONTENT --theme {theme} --templates {destination}")
