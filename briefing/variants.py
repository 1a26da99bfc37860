"""PDF variants: the archival and accessible standards briefing writes, and what each needs.

Only variants whose output passes independent checkers are offered (see the
table in docs/attaching.md). WeasyPrint can write more; those it writes in a
way that fails their standard are refused with the name of the closest variant
that is offered (`WITHDRAWN`).

A request is one variant or two: one PDF/A and one PDF/UA variant of the same
PDF version (`pdf/a-3b` + `pdf/ua-1`, `pdf/a-4f` + `pdf/ua-2`) make one file that
claims both. The names are WeasyPrint's own, plus `pdf/a-4` (PDF/A-4 without
a conformance level, which WeasyPrint calls `pdf/a-4u`); they are listed here
so that the command line can offer them without importing WeasyPrint.

These are facts about the standards, plain data below every step: the content's
models check what a variant needs from the content, the print writes it
(`briefing.printing.variants` adds what WeasyPrint is told).
"""

from __future__ import annotations

from collections.abc import Sequence

PDF_A = ("pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4",
         "pdf/a-1a", "pdf/a-2a", "pdf/a-3a", "pdf/a-4e", "pdf/a-4f")
PDF_UA = ("pdf/ua-1", "pdf/ua-2")
VARIANTS = PDF_A + PDF_UA

# Variants WeasyPrint writes but which fail their standard, and the closest one offered.
WITHDRAWN = {
    "pdf/a-4u": ("pdf/a-4", "ISO 19005-4 has no level U"),
    "pdf/x-1a": ("pdf/a-2b", "it has no PDF/X output intent and draws in RGB, and no checker here can "
                             "prove a PDF/X file"),
    "pdf/x-3": ("pdf/a-2b", "it has no PDF/X output intent, and no checker here can prove a PDF/X file"),
    "pdf/x-4": ("pdf/a-2b", "it has no PDF/X output intent, and no checker here can prove a PDF/X file"),
    "pdf/x-5g": ("pdf/a-2b", "it has no PDF/X output intent, and no checker here can prove a PDF/X file"),
}

# The PDF/UA part each PDF/A part can be combined with (the same PDF version).
_UA_FOR_PART = {"2": "pdf/ua-1", "3": "pdf/ua-1", "4": "pdf/ua-2"}

# Relationships of an embedded file to the PDF, as PDF/A-3 and PDF 2.0 name them.
RELATIONSHIPS = ("Source", "Data", "Alternative", "Supplement", "Unspecified")

Variant = str | Sequence[str] | None


def names(variant: Variant) -> tuple[str, ...]:
    """The variant names of a request: `None`, one name or several, as a tuple."""
    if variant is None:
        return ()
    if isinstance(variant, str):
        return (variant,)
    return tuple(dict.fromkeys(variant))


def check(variant: Variant) -> tuple[str, ...]:
    """The request's names if briefing offers them together, else a ValueError that says what is."""
    requested = names(variant)
    for name in requested:
        if name in WITHDRAWN:
            closest, reason = WITHDRAWN[name]
            raise ValueError(f"{name} is not offered: {reason}; the closest variant offered is {closest}")
        if name not in VARIANTS:
            raise ValueError(f"unknown PDF variant {name!r} (expected one of {', '.join(VARIANTS)})")
    archival = [name for name in requested if name in PDF_A]
    accessible = [name for name in requested if name in PDF_UA]
    if len(archival) > 1 or len(accessible) > 1:
        raise ValueError(f"{label(requested)}: give at most one PDF/A and one PDF/UA variant")
    if archival and accessible and _UA_FOR_PART.get(part(archival[0])) != accessible[0]:
        partner = _UA_FOR_PART.get(part(archival[0]))
        raise ValueError(f"{label(requested)}: {archival[0]} combines only with {partner} (the same PDF version)"
                         if partner else f"{label(requested)}: PDF/A-1 (PDF 1.4) combines with no PDF/UA variant")
    return tuple(archival + accessible)


def label(variant: Variant) -> str:
    """The request as a reader names it: `pdf/a-3b + pdf/ua-1`."""
    return " + ".join(names(variant)) or "a plain PDF"


def archival(variant: Variant) -> str | None:
    """The PDF/A variant of the request, if any."""
    return next((name for name in names(variant) if name in PDF_A), None)


def accessible(variant: Variant) -> str | None:
    """The PDF/UA variant of the request, if any."""
    return next((name for name in names(variant) if name in PDF_UA), None)


def part(name: str) -> str:
    """The part of the standard: `3` for pdf/a-3b, `1` for pdf/ua-1."""
    return name.split("-")[1][0]


def level(name: str) -> str | None:
    """The PDF/A conformance level (`B`, `U`, `A`, `E`, `F`), or None for pdf/a-4 and PDF/UA."""
    suffix = name.split("-")[1][1:]
    return suffix.upper() or None


def is_tagged(variant: Variant) -> bool:
    """Whether the variant writes a structure tree: PDF/UA and the accessible PDF/A levels."""
    return any(name in PDF_UA or name in ("pdf/a-1a", "pdf/a-2a", "pdf/a-3a") for name in names(variant))


def is_archival(variant: Variant) -> bool:
    return archival(variant) is not None


def embeds_files(variant: Variant) -> bool:
    """Whether the variant may carry embedded files (the brief's source, attachments).

    PDF/A-1 forbids embedded files; PDF/A-2, PDF/A-4 and PDF/A-4e allow only PDF/A
    files; PDF/A-3 and PDF/A-4f allow any file, with its relationship to the
    document. PDF/UA allows files with a name (F and UF), which every file has.
    """
    name = archival(variant)
    if name is None:
        return True
    return name.startswith("pdf/a-3") or name == "pdf/a-4f"
