"""`briefing validate`: check content files and report every problem, located."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .shared import read_stdin, shown as shown_findings, variant, warn


@click.command()
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--pdf-variant", "variant", multiple=True, callback=variant, metavar="VARIANT",
              help="Also check what this PDF variant needs from the content (such as meta.language).")
@click.option("--from", "stdin_format", type=click.Choice(["yaml", "json", "toml", "markdown"]), default="yaml",
              show_default=True, help="The format of content read from standard input (CONTENTS is -).")
@click.option("--strict", is_flag=True, help="Treat the editorial checks' warnings as errors.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print every problem as an object with path, line, column, field, code, severity "
                   "and message, for editors and CI.")
@click.option("--max-content-size", type=click.IntRange(min=1, max=4096), default=10, show_default=True,
              metavar="MIB", help="MiB a content file may have; larger ones are refused before they are read.")
def validate(contents: tuple[Path, ...], variant: str | None, strict: bool, format_: str,
             stdin_format: str, max_content_size: int) -> None:
    """Check content files (or the briefs in folders; - for standard input) and report every
    problem as path:line:col: field: message.

    Editorial checks (uncited sources, takeaways, date order, quotes against archived
    sources) are printed as warnings and fail only with --strict.
    """
    import json

    from ..commands.batch import expand
    from ..content.load import check
    from ..errors import BriefError

    failed = False
    found = []
    files = [read_stdin(stdin_format) if str(path) == "-" else path for path in expand(contents)]
    for content in files:
        try:
            checked = check(content, variant=variant, max_bytes=max_content_size * 1024 * 1024)
        except BriefError as error:
            failed = True
            found.extend(error.problems)
            if format_ == "text":
                for problem in error.problems:
                    click.echo(f"{problem}", err=True)
        else:
            shown = shown_findings(checked.warnings, strict)
            found.extend(shown)
            refused = strict and bool(shown)
            failed = failed or refused
            if format_ == "text":
                warn(shown, strict)
                count = len(shown)
                note = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
                click.echo(f"{content}: failed{note}, and --strict makes warnings fail" if refused
                           else f"{content}: ok{note}")
    if format_ == "json":
        click.echo(json.dumps([problem.as_dict() for problem in found], indent=2, ensure_ascii=False))
    sys.exit(2 if failed else 0)
