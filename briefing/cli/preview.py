"""`briefing preview`: a PDF's pages as PNG pictures."""

from __future__ import annotations

from pathlib import Path

import click

from ..commands.options import DEFAULT_RESOLUTION, RESOLUTIONS
from .shared import fail


@click.command()
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
    from ..errors import BriefError, Problem
    from ..output.preview import write_pngs

    try:
        try:
            data = pdf.read_bytes()
        except OSError as error:
            raise BriefError([Problem(pdf, f"cannot read: {error.strerror or error}")]) from None
        images = write_pngs(data, output or pdf, resolution, name=pdf)
    except BriefError as error:
        fail(error)
    for image in images:
        click.echo(f"wrote {image}")
