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
        raise BriefError([Problem("options", f"must be between 10 and 1200 dpi, got {resolution}",
                                  field="resolution", code="invalid_option")])
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


def png_paths(output: str | Path, images: list[bytes]) -> list[Path]:
    """Where the page pictures of `output` go: `<stem>-1.png`, `<stem>-2.png`, … beside it."""
    output = Path(output)
    width = len(str(len(images)))
    return [output.with_name(f"{output.stem}-{number:0{width}d}.png") for number in range(1, len(images) + 1)]


def write_pngs(pdf: bytes, output: str | Path, resolution: int = DEFAULT_RESOLUTION) -> list[Path]:
    """Write the pages of `pdf` beside `output` as `<stem>-1.png`, `<stem>-2.png`, …"""
    images = page_images(pdf, resolution)
    return [write_pdf(image, path) for path, image in zip(png_paths(output, images), images)]
