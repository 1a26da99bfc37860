"""`briefing schema`: the JSON Schema of a brief."""

from __future__ import annotations

from pathlib import Path

import click

from .shared import fail


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the schema to this file instead of printing it.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a brief, for editors and other tools."""
    from ..errors import BriefError
    from ..content.schema import json_schema_text
    from ..output.write import write_pdf

    text = json_schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_pdf(text.encode("utf-8"), output)
    except BriefError as error:
        fail(error)
    click.echo(f"wrote {output}")
