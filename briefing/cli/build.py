"""`briefing build`: content files, folders of them or standard input into PDFs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .shared import build_options, fail, project_defaults, read_stdin, report_result, shared_build_options


@click.command()
@click.argument("contents", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF of one content file (default: output/<content name>.pdf); "
                   "a last argument ending in .pdf says the same.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs of several content files or folders (default: output/).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Build several briefs in N worker processes (0: one per CPU).")
@click.option("--dask", metavar="ADDRESS",
              help="Build the briefs on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); "
                   "its workers need no access to these files. Needs: pip install 'briefing[dask]'.")
@click.option("--dask-security", type=click.Path(path_type=Path), metavar="FILE",
              help="With --dask tls://…: a TOML or YAML file naming this client's TLS certificates "
                   "(ca_file, cert, key; paths relative to it). Only a client and workers holding "
                   "certificates signed by that authority join the cluster.")
@click.option("--force", is_flag=True, help="Render even if nothing changed since the last build.")
@click.option("--from", "stdin_format", type=click.Choice(["yaml", "json", "toml", "markdown"]), default="yaml",
              show_default=True, help="The format of content read from standard input (CONTENTS is -).")
@click.option("--changes-since", type=click.Path(path_type=Path), metavar="OLD",
              help="Print a 'What changed in this version' box: the changes since the earlier version OLD.")
@click.option("--since", metavar="REV",
              help="The same box, for the changes since the content file at this git revision.")
@click.option("--redline", type=click.Path(path_type=Path), metavar="OLD",
              help="Write a review copy (default output/<name>-review.pdf): the changes since the earlier "
                   "version OLD marked, inserted words underlined, deleted words struck. Never a PDF/A file.")
@shared_build_options
@click.pass_context
def build(context: click.Context, contents: tuple[Path, ...], output: Path | None, output_dir: Path | None,
          jobs: int, dask: str | None, dask_security: Path | None, force: bool, stdin_format: str,
          changes_since: Path | None, since: str | None, redline: Path | None, **shared: object) -> None:
    """Build CONTENTS (content files, or folders of them; - for standard input) into PDFs.

    With no CONTENTS, builds the `content` of the briefing.toml in this folder.
    """
    from ..errors import BriefError, Problem

    project = project_defaults(context, shared)
    if not contents:
        if project is None or not project.content:
            fail(BriefError([Problem("CONTENTS", "name a content file or folder, or write a briefing.toml "
                                                  "whose `content` lists them (briefing new briefing.toml)")]))
        contents = project.content
    if len(contents) == 2 and contents[1].suffix.lower() == ".pdf" and output is None and output_dir is None \
            and not contents[1].is_dir():
        contents, output = contents[:1], contents[1]  # `briefing build brief.yaml out.pdf`, as typst compile takes it
    if output_dir is None and output is None and project is not None:
        output_dir = project.output_dir
    options = build_options(**shared)
    if changes_since is not None or since is not None:
        from ..commands.options import BuildOptions

        if len(contents) != 1 or contents[0].is_dir() or str(contents[0]) == "-":
            fail(BriefError([Problem("--changes-since" if since is None else "--since",
                                     "compares one content file with its earlier version")]))
        try:
            options = BuildOptions.of(options, changes_since=changes_since, since=since)
        except BriefError as error:
            fail(error)
    if redline is not None:
        from ..commands.options import BuildOptions

        if len(contents) != 1 or contents[0].is_dir() or str(contents[0]) == "-":
            fail(BriefError([Problem("--redline", "compares one content file with its earlier version")]))
        try:
            options = BuildOptions.of(options, redline=redline)
        except BriefError as error:  # named as the command line names it
            fail(BriefError([Problem("--redline", problem.message) for problem in error.problems]))
    if dask_security is not None and dask is None:
        fail(BriefError([Problem("--dask-security", "is for a Dask cluster: give --dask ADDRESS too")]))
    if dask is not None and str(contents[0]) == "-":
        fail(BriefError([Problem("--dask", "takes content files or folders, not standard input")]))
    if len(contents) > 1 or contents[0].is_dir() or dask is not None \
            or (output_dir is not None and str(contents[0]) != "-"):
        if output is not None:
            fail(BriefError([Problem("--output", "names one PDF; use --output-dir for several content files")]))
        build_batch(contents, output_dir, jobs, options, force, dask, dask_security)
        return
    from ..commands.build import build as build_brief

    content = contents[0]
    if str(content) == "-":
        content = read_stdin(stdin_format)
        output = output or (output_dir or Path("output")) / "stdin.pdf"
        force = True  # standard input is never the same file twice: nothing to compare with
    try:
        result = build_brief(content, output, options, force=force)
    except BriefError as error:
        fail(error)
    report_result(result)


def build_batch(contents: tuple[Path, ...], output_dir: Path | None, jobs: int, options, force: bool,  # noqa: ANN001
                dask: str | None = None, dask_security: Path | None = None) -> None:
    import time

    from ..commands.batch import build_many
    from ..errors import BriefError

    started = time.perf_counter()
    try:
        if dask is None:
            items = build_many(contents, output_dir, options, jobs=jobs, force=force)
        else:
            from ..commands.remote import dask_executor

            with dask_executor(dask, security=dask_security) as executor:
                items = build_many(contents, output_dir, options, executor=executor, force=force)
    except BriefError as error:
        fail(error)
    for item in items:
        if item.ok:
            report_result(item.result)
        for problem in item.problems:
            click.echo(f"error: {problem}", err=True)
    failed = sum(not item.ok for item in items)
    cached = sum(item.ok and item.result.cached for item in items)
    built = len(items) - failed - cached
    briefs = "brief" if len(items) == 1 else "briefs"
    counts = [*([f"built {built}"] if built else []), *([f"{cached} up to date"] if cached else []),
              *([f"{failed} failed"] if failed else [])]
    summary = f"{len(items)} {briefs}: {', '.join(counts)}, in {time.perf_counter() - started:.2f} s"
    click.echo(summary + (f" on {dask}" if dask else f" with {jobs} jobs" if jobs != 1 else ""))
    if failed:
        sys.exit(2)
