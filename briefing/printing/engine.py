"""The typesetting engine: WeasyPrint, imported quickly and checked once.

WeasyPrint opens Pango, HarfBuzz and fontconfig by trying several names per
library. On Linux each name it cannot open directly goes through
`ctypes.util.find_library`, which starts `ldconfig`, `gcc` and `ld` in new
processes — about 0.2 s of every cold start, spent on names that fail anyway.
The last name WeasyPrint tries for each library is the Linux soname
(`libpango-1.0.so.0`, …), which the dynamic loader opens without that search,
so `weasyprint()` imports it with the search switched off and falls back to
the ordinary import if that ever fails.

Without `libharfbuzz-subset0` WeasyPrint falls back to fontTools to subset
fonts and writes PDFs about 2.5 times slower, saying so only to its own
logger. `weasyprint()` warns once per process, with the command that fixes it.

The two subsetters also differ in the dates they give a subset font: HarfBuzz
keeps the shipped font's `head.created` and `head.modified`, fontTools stamps
the time it saves the font (or `SOURCE_DATE_EPOCH`). `imported()` has WeasyPrint
open fonts for fontTools with that stamping off, so a brief's fonts carry the
shipped fonts' dates whichever subsetter ran, and a build does not depend on
the clock.
"""

from __future__ import annotations

import ctypes.util
import sys
import warnings
from types import ModuleType

INSTALL_HINT = "sudo apt-get install libharfbuzz-subset0"


class SlowEngineWarning(UserWarning):
    """WeasyPrint runs, but slower than it could on this machine."""


_warned = False


def weasyprint() -> ModuleType:
    """The `weasyprint` module, imported without slow library searches; warns if subsetting is slow."""
    module = imported()
    warn_if_slow()
    return module


def imported() -> ModuleType:
    """The `weasyprint` module, imported without slow library searches, without a warning yet."""
    module = sys.modules.get("weasyprint") or _import_quickly()
    _keep_font_dates()
    return module


def _keep_font_dates() -> None:
    """WeasyPrint's fonts, opened for fontTools, keep their own dates when saved (once per process)."""
    fonts = sys.modules.get("weasyprint.pdf.fonts")
    if fonts is None:
        from weasyprint.pdf import fonts
    opened = fonts.TTFont
    if getattr(opened, "keeps_dates", False):
        return

    class DatedFont(opened):  # type: ignore[misc, valid-type]
        keeps_dates = True

        def __init__(self, *args: object, recalcTimestamp: bool = False, **kwargs: object) -> None:
            super().__init__(*args, recalcTimestamp=recalcTimestamp, **kwargs)

    fonts.TTFont = DatedFont


def warn_if_slow() -> None:
    """Warn once per process when HarfBuzz's subsetter is missing."""
    global _warned
    if _warned or not has_slow_subsetting():
        return
    _warned = True
    warnings.warn(
        "libharfbuzz-subset0 is missing, so fonts are subset with fontTools and every PDF is "
        f"written about 2.5 times slower; on Debian or Ubuntu install it with: {INSTALL_HINT}",
        SlowEngineWarning, stacklevel=3)


def has_slow_subsetting() -> bool:
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is None


def _import_quickly() -> ModuleType:
    if not sys.platform.startswith("linux"):
        import weasyprint

        return weasyprint
    original = ctypes.util.find_library
    ctypes.util.find_library = _no_search
    try:
        import weasyprint
    except OSError:
        # A library only the slow search can find: forget the half import and do the ordinary one.
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = original
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


def _no_search(name: str) -> None:
    return None
