"""Preview: pictures of a PDF's pages as PNG, for emails, slides and web pages."""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import BriefError, Problem
from .write import write_pdf

DEFAULT_RESOLUTION = 96


def page_images(pdf: bytes, resolution: int = DEFAULT_RESOLUTION) -> list[bytes]:
    """Every page of `pdf` as PNG bytes, `resolution` pixels per inch."""
    import pypdfium2

    if not 10 <= resolution <= 1200:
        raise BriefError([Problem("--resolution", f"must be between 10 and 1200 dpi, got {resolution}")])
    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for page in document:
            bitmap = page.render(scale=resolution / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG", optimize=False)
            images.append(buffer.getvalue())
            page.close()
    finally:
        document.close()
    return images


def write_pngs(pdf: bytes, output: str | Path, resolution: int = DEFAULT_RESOLUTION) -> list[Path]:
    """Write the pages of `pdf` beside `output` as `<stem>-1.png`, `<stem>-2.png`, …"""
    output = Path(output)
    images = page_images(pdf, resolution)
    width = len(str(len(images)))
    return [write_pdf(image, output.with_name(f"{output.stem}-{number:0{width}d}.png"))
            for number, image in enumerate(images, 1)]
