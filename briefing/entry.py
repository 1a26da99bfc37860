"""The `briefing` command's entry point.

Importing the command line (click, the options, the models they name) takes a good part of a
second on a cold start; a Ctrl-C in that time used to end in a traceback and exit status -2,
where one a moment later ends with "Aborted!" and exit status 130 (128 + SIGINT, see
`briefing.cli.abort`). This module imports nothing but the command line, and only inside the
`try`, so both end the same way. (A Ctrl-C
before Python itself has started, in its first few milliseconds, still ends the process by
SIGINT: no program can handle a signal before it has set a handler.)
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the `briefing` command line; an interrupt while it is still loading is an abort, too."""
    try:
        from .cli import main as command_line
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        raise SystemExit(130) from None
    command_line()
