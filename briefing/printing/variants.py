"""PDF variants: the archival, accessible and print standards WeasyPrint can write, and what each needs.

The names are WeasyPrint's own (`weasyprint.pdf.VARIANTS`); they are listed here
so that the command line can offer them without importing WeasyPrint.
"""

from __future__ import annotations

PDF_A = ("pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4u",
         "pdf/a-1a", "pdf/a-2a", "pdf/a-3a", "pdf/a-4e", "pdf/a-4f")
PDF_UA = ("pdf/ua-1", "pdf/ua-2")
PDF_X = ("pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g")
# WeasyPrint 70 also lists "debug", whose function it calls with the wrong
# arguments (a TypeError on every use), so it is not offered here.
VARIANTS = PDF_A + PDF_UA + PDF_X

# Relationships of an embedded file to the PDF, as PDF/A-3 and PDF 2.0 name them.
RELATIONSHIPS = ("Source", "Data", "Alternative", "Supplement", "Unspecified")


def check(variant: str | None) -> str | None:
    """`variant` if WeasyPrint knows it, else a ValueError that lists the known ones."""
    if variant is None or variant in VARIANTS:
        return variant
    raise ValueError(f"unknown PDF variant {variant!r} (expected one of {', '.join(VARIANTS)})")


def is_tagged(variant: str | None) -> bool:
    """Whether the variant writes a structure tree: PDF/UA and the accessible PDF/A levels."""
    return variant in PDF_UA or variant in ("pdf/a-1a", "pdf/a-2a", "pdf/a-3a")


def is_archival(variant: str | None) -> bool:
    return variant in PDF_A


def embeds_files(variant: str | None) -> bool:
    """Whether the variant may carry embedded files (the brief's source, attachments).

    PDF/A-1 forbids embedded files and PDF/A-2 allows only PDF/A files; PDF/A-3
    and PDF/A-4 allow any file, with its relationship to the document. PDF/X
    files go to print shops, whose preflight checks refuse file specifications.
    """
    return not (variant or "").startswith(("pdf/a-1", "pdf/a-2", "pdf/x"))


def stylesheet(variant: str | None) -> str:
    """CSS the variant needs on top of the theme's."""
    if is_archival(variant):
        # PDF/A forbids images that ask the viewer to interpolate (smooth) them;
        # WeasyPrint asks for it unless `image-rendering` says otherwise.
        return "*, *::before, *::after { image-rendering: crisp-edges !important; }\n"
    return ""
