"""briefing: policy briefs written once as data, printed as PDF.

The flow runs one way — load, render, print, write — and each step is a
function of its own:

    brief = briefing.load("content/korea-japan-2021.yaml")
    html = briefing.render_html(brief)
    printed = briefing.print_pdf(html)
    briefing.write_pdf(printed.pdf, "output/korea-japan-2021.pdf")

or all at once with `briefing.build(...)`. Names are imported on first use,
so `import briefing` (and `briefing --help`) stays fast.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: `briefing --help` and a Ctrl-C at start-up
    from typing import Any  # (see briefing/entry.py) find less to wait for

__version__ = "0.1.0"

_EXPORTS = {
    "Brief": "content.models",
    "BriefError": "errors",
    "Problem": "errors",
    "load": "content.load",
    "load_text": "content.load",
    "check": "content.load",
    "Checked": "content.load",
    "review": "content.review",
    "json_schema": "content.schema",
    "skeleton": "content.scaffold",
    "render_html": "render.html",
    "print_pdf": "printing.typeset",
    "standalone_html": "printing.standalone",
    "PrintedBrief": "printing.typeset",
    "write_pdf": "output.write",
    "build": "commands.build",
    "BuildResult": "commands.build",
    "BuildOptions": "commands.options",
    "Theme": "themes.theme",
    "Limits": "sandbox.limits",
    "load_theme": "themes.theme",
    "attach": "output.report",
    "AttachResult": "output.report",
    "EmbeddedFile": "printing.embed",
    "VARIANTS": "variants",
    "build_many": "commands.batch",
    "dask_executor": "commands.remote",
    "BatchItem": "commands.tasks",
    "watch": "commands.watch",
    "diff": "content.diff",
    "Diff": "content.diff",
    "Change": "content.diff",
    "Rebuild": "commands.watch",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
