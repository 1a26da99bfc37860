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
import sys
import types
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Brief": "models",
    "BriefError": "errors",
    "Problem": "errors",
    "load": "loader",
    "load_text": "loader",
    "check": "loader",
    "Checked": "loader",
    "review": "checks",
    "json_schema": "schema",
    "skeleton": "scaffold",
    "render_html": "render",
    "print_pdf": "pdf",
    "PrintedBrief": "pdf",
    "write_pdf": "write",
    "build": "pipeline",
    "BuildResult": "pipeline",
    "Theme": "theme",
    "Limits": "limits",
    "load_theme": "theme",
    "attach": "report",
    "AttachResult": "report",
    "EmbeddedFile": "embed",
    "VARIANTS": "variants",
    "build_many": "batch",
    "BatchItem": "batch",
    "watch": "watch",
    "Rebuild": "watch",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        _restore_shadowed()
        return value
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")


def _restore_shadowed() -> None:
    # Importing a submodule sets it as an attribute of the package, so `briefing.load` and
    # `briefing.build` (functions) could be replaced by the modules of the same name.
    import sys

    for export, module in _EXPORTS.items():
        loaded = sys.modules.get(f"{__name__}.{module}")
        if loaded is not None and not callable(globals().get(export)):
            globals()[export] = getattr(loaded, export)


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)


class _Package(types.ModuleType):
    """Keeps `briefing.build`, `briefing.load`, … the functions even after their modules are imported.

    Importing a submodule sets an attribute of the same name on its package; for the steps
    whose function and module share a name, that would replace the function with the module.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _EXPORTS and _EXPORTS[name] == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
