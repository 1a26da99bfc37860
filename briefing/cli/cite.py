"""`briefing cite`: print the brief's own citation, for readers and reference managers."""

from __future__ import annotations

from pathlib import Path

import click

from .shared import fail, read_stdin

from ..content.styles import CITATION_STYLES as STYLES

#: Offered here without importing the citation module, so `--help` stays fast;
#: tests/test_publication_cite.py checks they are briefing.render.citation.FORMATS.
FORMATS = ("text", "bibtex", "ris", "csl-json")


@click.command()
@click.argument("content", type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: formatted in a CSL style; bibtex, ris or csl-json: for reference managers.")
@click.option("--style", type=click.Choice(STYLES), default=None,
              help="The CSL style of --format text (default: the brief's meta.citation_style, else "
                   "briefing.toml's citation_style, else the theme's, else chicago-author-date).")
@click.option("--theme", default=None,
              help="The theme whose citation_style applies when neither --style nor the brief names one "
                   "(default: briefing.toml's theme, else default).")
@click.option("--from", "stdin_format", type=click.Choice(["yaml", "json", "toml", "markdown"]), default="yaml",
              show_default=True, help="The format of content read from standard input (CONTENT is -).")
def cite(content: Path, format_: str, style: str | None, theme: str | None, stdin_format: str) -> None:
    """Print how to cite the brief in CONTENT (- for standard input)."""
    from ..commands.cite import cite as cite_brief
    from ..errors import BriefError

    if str(content) == "-":
        content = read_stdin(stdin_format)
    try:
        text = cite_brief(content, format_, style, theme=theme)
    except BriefError as error:
        fail(error)
    click.echo(text, nl=False)
