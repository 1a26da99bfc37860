"""`briefing watch`: build again on every save."""

from __future__ import annotations

from pathlib import Path

import click

from .shared import build_options, fail, report_result, shared_build_options


@click.command()
@click.argument("content", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: output/<content name>.pdf).")
@shared_build_options
def watch(content: Path, output: Path | None, **shared: object) -> None:
    """Build CONTENT, then again on every save of it or its theme, until Ctrl-C."""
    import time

    from ..errors import BriefError
    from ..commands.watch import watch as watch_brief

    options = build_options(**shared)

    def report(rebuild) -> None:  # noqa: ANN001
        stamp = time.strftime("%H:%M:%S")
        if rebuild.result is not None:
            click.echo(f"{stamp} ", nl=False)
            report_result(rebuild.result)
        for problem in rebuild.problems:
            click.echo(f"{stamp} error: {problem}", err=True)

    click.echo(f"watching {content} and its theme; Ctrl-C stops")
    try:
        watch_brief(content, output, options, report=report)
    except BriefError as error:
        fail(error)
    except KeyboardInterrupt:
        click.echo("stopped")
