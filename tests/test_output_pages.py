"""Page numbers for a brief inside a report, and pictures of the pages."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from briefing import build
from briefing.errors import BriefError
from briefing.output.preview import page_images
from helpers import minimal_brief, pdf_text, run_cli, write_yaml


def footers(path) -> list[str]:
    return re.findall(r"Page \d+(?: of \d+)?", pdf_text(path))


@pytest.mark.pdf
def test_first_page_numbers_the_footer_from_that_page_without_the_total(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = build(content, tmp_path / "brief.pdf", first_page=41)
    assert footers(result.pdf) == [f"Page {41 + index}" for index in range(result.pages)]


@pytest.mark.pdf
def test_without_first_page_the_footer_says_page_x_of_y(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = build(content, tmp_path / "brief.pdf")
    assert footers(result.pdf) == [f"Page {index} of {result.pages}" for index in range(1, result.pages + 1)]


def test_first_page_below_one_is_refused(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    with pytest.raises(BriefError, match="^options: first_page: must be a whole number of 1 or more"):
        build(content, tmp_path / "brief.pdf", first_page=0)


@pytest.mark.pdf
def test_cli_png_writes_one_picture_per_page_at_the_resolution(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief.yaml", "-o", "out/brief.pdf", "--png", "--resolution", "50", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pictures = sorted((tmp_path / "out").glob("brief-*.png"))
    assert pictures and all(f"wrote {picture.relative_to(tmp_path)}" in result.stdout for picture in pictures)
    with Image.open(pictures[0]) as image:
        width, height = image.size  # A4 at 50 dpi is 413.4 x 584.6 pixels
        assert abs(width - 210 / 25.4 * 50) < 1 and abs(height - 297 / 25.4 * 50) < 1
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))  # not blank


@pytest.mark.pdf
def test_cli_preview_writes_pictures_of_an_existing_pdf(tmp_path, example_pdf):
    result = run_cli("preview", str(example_pdf), "-o", "pages/example.pdf", "--resolution", "20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "pages").glob("example-*.png"))) == len(page_images(example_pdf.read_bytes(), 10))


@pytest.mark.pdf
def test_cli_preview_of_a_missing_pdf_fails_cleanly(tmp_path):
    result = run_cli("preview", "missing.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: missing.pdf: cannot read")


@pytest.mark.pdf
def test_cli_preview_of_a_content_file_says_what_preview_takes(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("preview", "brief.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert ("error: brief.yaml: a content file, not a PDF; preview takes a PDF that briefing build wrote. "
            "To build it and write its pages as PNG in one step: briefing build brief.yaml --png"
            ) in result.stderr.splitlines()
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.pdf
@pytest.mark.parametrize("data", [b"not a pdf at all", b"%PDF-1.7\ncut short"])
def test_cli_preview_of_a_file_that_is_no_pdf_fails_cleanly(tmp_path, data):
    (tmp_path / "broken.pdf").write_bytes(data)
    result = run_cli("preview", "broken.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert any(line.startswith("error: broken.pdf: not a") for line in result.stderr.splitlines())
