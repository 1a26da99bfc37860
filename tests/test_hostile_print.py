"""The print step's own settings: HTML attributes never act as styles, and the WeasyPrint
series whose fetcher interface the confinement relies on is pinned."""

from __future__ import annotations

import pytest
import io
import subprocess
from importlib import metadata

import pypdfium2
from PIL import Image

from briefing.printing.typeset import print_pdf
from helpers.tools import tool


@pytest.mark.pdf
def test_html_attributes_never_act_as_styles(tmp_path):
    # With presentational hints on, bgcolor would paint the whole page red.
    printed = print_pdf('<html><body bgcolor="#ff0000"><p>x</p></body></html>')
    (tmp_path / "page.pdf").write_bytes(printed.pdf)
    png = subprocess.run([tool("pdftoppm"), "-r", "10", "-png", "-singlefile", str(tmp_path / "page.pdf")],
                         check=True, capture_output=True).stdout
    assert Image.open(io.BytesIO(png)).convert("RGB").getpixel((2, 2)) == (255, 255, 255)
    assert len(pypdfium2.PdfDocument(printed.pdf)) == 1


def test_weasyprint_is_pinned_to_the_70_series():
    [requirement] = [line for line in metadata.requires("briefing") if line.lower().startswith("weasyprint")]
    assert requirement.replace(" ", "").lower() in ("weasyprint<71,>=70", "weasyprint>=70,<71")
    assert metadata.version("weasyprint").split(".")[0] == "70"
