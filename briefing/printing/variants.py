"""What the print adds to the PDF variants (`briefing.variants`): WeasyPrint's name for each and its CSS."""

from __future__ import annotations

from ..variants import *  # noqa: F403 - the print step reads the facts of the standards from here too
from ..variants import Variant, accessible, archival, is_archival


def weasyprint_variant(variant: Variant) -> str | None:
    """The variant WeasyPrint is asked to write; the rest is added afterwards (`conform.finish`)."""
    name = archival(variant) or accessible(variant)
    return "pdf/a-4u" if name == "pdf/a-4" else name


def stylesheet(variant: Variant) -> str:
    """CSS the variant needs on top of the theme's."""
    if is_archival(variant):
        # PDF/A forbids images that ask the viewer to interpolate (smooth) them;
        # WeasyPrint asks for it unless `image-rendering` says otherwise.
        return "*, *::before, *::after { image-rendering: crisp-edges !important; }\n"
    return ""
