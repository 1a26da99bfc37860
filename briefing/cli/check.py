"""`briefing check`: preflight — build and report every finding, located."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .shared import build_options, shared_build_options, shown as shown_findings


@click.command("check")
@click.argument("contents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print every finding as an object with path, line, column, field, code, severity "
                   "and message.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs (default: output/, as build writes them, so a build reuses them).")
@shared_build_options
def check_command(contents: tuple[Path, ...], format_: str, output_dir: Path | None, strict: bool,
                  **shared: object) -> None:
    """Build CONTENTS (content files, or folders of them; or reuse the last build) and report every finding.

    Findings (layout, accessibility, quotes against their archived source, the editorial
    checks) are printed as path:line:col: field: message, located at the content field or
    the brand or theme setting responsible; docs/preflight.md lists them. --strict fails
    on any finding, including quotes whose source has no archive.
    """
    import json

    from ..commands.build import build as build_brief
    from ..commands.build import default_output
    from ..errors import BriefError

    from ..commands.batch import expand

    options = build_options(strict=False, **shared)
    failed, found = False, []
    for content in expand(contents):
        output = default_output(content, output_dir) if output_dir else default_output(content)
        try:
            result = build_brief(content, output, options)
        except BriefError as error:
            failed = True
            found.extend(error.problems)
            if format_ == "text":
                for problem in error.problems:
                    click.echo(f"error: {problem}", err=True)
            continue
        shown = sorted(shown_findings(result.warnings, strict),
                       key=lambda p: (str(p.path) != str(content), str(p.path), p.line or 0, p.column or 0))
        found.extend(shown)
        failed = failed or (strict and bool(shown))
        if format_ == "text":
            for problem in shown:
                click.echo(str(problem))
            count = len(shown)
            click.echo(f"{content}: {count or 'no'} finding{'s' if count != 1 else ''} "
                       f"({result.pages} page{'s' if result.pages != 1 else ''}"
                       f"{', from the last build' if result.cached else ''})", err=True)
    if format_ == "json":
        click.echo(json.dumps([problem.as_dict() for problem in found], indent=2, ensure_ascii=False))
    sys.exit(2 if failed else 0)
