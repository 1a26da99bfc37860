"""`briefing attach`: put a brief into a report PDF."""

from __future__ import annotations

from pathlib import Path

import click

from ..commands.options import DEFAULT_LIMITS
from .shared import fail


@click.command("attach")
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
    from ..output.report import attach
    from ..errors import BriefError
    from ..sandbox.limits import Limits

    try:
        limits = Limits(timeout=timeout, max_pages=None, max_memory=max_memory)
        result = attach(brief, report, output, mode=mode, at=at, title=title, limits=limits)
    except BriefError as error:
        fail(error)
    where = f", brief from page {result.first_page}" if result.first_page else ", brief embedded as a file"
    click.echo(f"wrote {result.pdf} ({result.pages} pages{where})")
    for note in result.notes:
        click.echo(f"note: {note}")
