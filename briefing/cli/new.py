"""`briefing new`: a skeleton brief or a project file."""

from __future__ import annotations

from pathlib import Path

import click

from .shared import fail


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", help="The title of the new brief.")
@click.option("--format", "format_", type=click.Choice(["yaml", "md", "json", "toml"]),
              help="yaml, md for Markdown with front matter, json or toml (default: from PATH's suffix).")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: Path, title: str | None, format_: str | None, force: bool) -> None:
    """Write a complete skeleton brief to PATH, ready to fill in and build.

    A PATH named briefing.toml gets the project defaults that `briefing build` reads instead.
    """
    from ..commands.project import PROJECT, new_project
    from ..content.scaffold import new as scaffold
    from ..errors import BriefError

    try:
        written = (new_project(path, force=force) if path.name == PROJECT and format_ is None
                   else scaffold(path, title, format=format_, force=force))
    except BriefError as error:
        fail(error)
    click.echo(f"wrote {written}")
