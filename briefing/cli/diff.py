"""`briefing diff`: what changed between two versions of a brief, by meaning.

Kept light on purpose: it loads and compares content only, so neither the templates
(Jinja2) nor the printer (WeasyPrint) is imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("diff")
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--since", "revision", metavar="REV",
              help="Compare CONTENT with itself at this git revision (read with git show, never checked out).")
@click.option("--format", "format_", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Editor's notes, a JSON list of changes, or a Markdown list.")
def diff_command(contents: tuple[Path, ...], revision: str | None, format_: str) -> None:
    """What changed between OLD and NEW (or CONTENT --since REV), by meaning.

    Items are matched by what they are (proposals by expert, sources by id, figures by label,
    takeaways by likeness), so a reordering is a move and formatting is no change.
    Exits 0 when the briefs are the same, 1 when they differ, 2 on a problem.
    """
    from ..content.diff import as_markdown, as_text, diff, read_revision, read_version
    from ..errors import BriefError, escape_controls

    if len(contents) != (1 if revision is not None else 2):
        raise click.UsageError("give OLD and NEW, or one CONTENT with --since REV")
    try:
        old = read_revision(contents[0], revision) if revision is not None else read_version(contents[0])
        found = diff(old, read_version(contents[-1]))
    except BriefError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    if format_ == "json":
        click.echo(json.dumps([change.model_dump(mode="json") for change in found.changes], indent=2,
                              ensure_ascii=False))
    elif found.changes:
        shown = as_text(found) if format_ == "text" else as_markdown(found)
        click.echo("\n".join(escape_controls(line) for line in shown.split("\n")))
    sys.exit(0 if found.same else 1)
