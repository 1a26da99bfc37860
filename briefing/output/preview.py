"""Preview: pictures of a PDF's pages as PNG, for emails, slides and web pages."""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import BriefError, Problem
from .write import write_pdf

DEFAULT_RESOLUTION = 96
CONTENT_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".md", ".markdown")


def page_images(pdf: bytes, resolution: int = DEFAULT_RESOLUTION, *, name: str | Path = "PDF") -> list[bytes]:
    """Every page of `pdf` as PNG bytes, `resolution` pixels per inch; `name` is what errors point at."""
    import pypdfium2

    if not 10 <= resolution <= 1200:
        raise BriefError([Problem("options", f"must be between 10 and 1200 dpi, got {resolution}",
                                  field="resolution", code="invalid_option")])
    if b"%PDF-" not in pdf[:1024]:  # where PDF readers look for the header
        raise BriefError([_not_a_pdf(name)])
    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise BriefError([Problem(name, f"not a readable PDF ({error})", code="not_a_pdf")]) from None
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


def _not_a_pdf(name: str | Path) -> Problem:
    """Preview takes a built PDF; a content file is built into pictures with `build --png`."""
    if Path(name).suffix.lower() in CONTENT_SUFFIXES:
        return Problem(name, "a content file, not a PDF; preview takes a PDF that briefing build wrote. "
                             f"To build it and write its pages as PNG in one step: briefing build {name} --png",
                       code="not_a_pdf")
    return Problem(name, "not a PDF (preview takes a PDF that briefing build wrote)", code="not_a_pdf")


def png_paths(output: str | Path, images: list[bytes]) -> list[Path]:
    """Where the page pictures of `output` go: `<stem>-1.png`, `<stem>-2.png`, … beside it."""
    output = Path(output)
    width = len(str(len(images)))
    return [output.with_name(f"{output.stem}-{number:0{width}d}.png") for number in range(1, len(images) + 1)]


def write_pngs(pdf: bytes, output: str | Path, resolution: int = DEFAULT_RESOLUTION, *,
               name: str | Path | None = None) -> list[Path]:
    """Write the pages of `pdf` beside `output` as `<stem>-1.png`, `<stem>-2.png`, …

    `name` (default: `output`) is the file errors point at.
    """
    images = page_images(pdf, resolution, name=name if name is not None else output)
    return [write_pdf(image, path) for path, image in zip(png_paths(output, images), images)]
