"""The `briefing` command: a thin layer over the Python API, one module per command.

`main` knows each command only by the module that holds it, and imports that
module when the command runs (or when `--help` lists it), the way pip keeps its
commands: a newcomer looking for `briefing attach` opens `cli/attach.py`.
"""

from __future__ import annotations

import importlib
import signal
import warnings

import click

from .. import __version__


#: Each command's name, and the module and function in this folder that hold it, in `--help`'s order.
COMMANDS = {
    "build": ("build", "build"),
    "validate": ("validate", "validate"),
    "check": ("check", "check_command"),
    "cite": ("cite", "cite"),
    "watch": ("watch", "watch"),
    "attach": ("attach", "attach_command"),
    "diff": ("diff", "diff_command"),
    "preview": ("preview", "preview"),
    "new": ("new", "new"),
    "schema": ("schema", "schema"),
    "themes": ("themes", "themes"),
    "templates": ("themes", "templates"),
}


class Commands(click.Group):
    """A group whose commands are imported from their modules when first asked for."""

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, context: click.Context | None, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name]
        return getattr(importlib.import_module(f".{module}", __name__), attribute)

    def invoke(self, context: click.Context) -> object:
        """Run the command; Ctrl-C ends it with click's "Aborted!" and exit status 130 (128 + SIGINT),
        as SIGTERM ends it with 143, so a script can tell an interrupted build from a failed one."""
        try:
            return super().invoke(context)
        except KeyboardInterrupt:
            abort()


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def main() -> None:
    """Build printable policy briefs from validated content."""
    warnings.showwarning = _show_warning
    signal.signal(signal.SIGTERM, _terminated)  # end as Ctrl-C does: children stopped, temporary files removed


def _terminated(number, frame) -> None:  # noqa: ANN001
    raise SystemExit(128 + number)


#: The exit status of a command ended by Ctrl-C: 128 + SIGINT, as a shell reports it.
INTERRUPTED = 128 + signal.SIGINT


def abort() -> None:
    """End the command as Ctrl-C does: "Aborted!" on standard error, exit status 130."""
    import sys

    click.echo("\nAborted!", err=True)
    sys.exit(INTERRUPTED)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    click.echo(f"warning: {message}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
