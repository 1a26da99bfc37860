"""Same input, same bytes: dates come from the brief, the file identifier from the content."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pikepdf
import pytest

from briefing import build
from helpers import minimal_brief, write_yaml

BUILD = "import sys; from briefing import build; build(sys.argv[1], sys.argv[2], variant=sys.argv[3] or None)"


def build_in_new_process(content, output, variant: str | None) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    subprocess.run([sys.executable, "-c", BUILD, str(content), str(output), variant or ""],
                   check=True, env=environment, timeout=300)
    return hashlib.sha256(output.read_bytes()).hexdigest()


@pytest.mark.pdf
@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_two_builds_in_separate_processes_give_the_same_bytes(tmp_path, variant):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    first = build_in_new_process(content, tmp_path / "first.pdf", variant)
    second = build_in_new_process(content, tmp_path / "second.pdf", variant)
    assert first == second


@pytest.mark.pdf
def test_file_identifier_follows_the_content(tmp_path):
    first = build(write_yaml(tmp_path / "a.yaml", minimal_brief()), tmp_path / "a.pdf").pdf
    changed = minimal_brief(summary=["Dams upstream change the river downstream a lot."])
    second = build(write_yaml(tmp_path / "b.yaml", changed), tmp_path / "b.pdf").pdf
    with pikepdf.open(first) as one, pikepdf.open(second) as other:
        assert len(one.trailer.ID) == 2
        assert bytes(one.trailer.ID[0]) != bytes(other.trailer.ID[0])


@pytest.mark.pdf
def test_dates_come_from_the_brief(tmp_path):
    pdf = build(write_yaml(tmp_path / "brief.yaml", minimal_brief()), tmp_path / "brief.pdf").pdf
    with pikepdf.open(pdf) as document:
        assert str(document.docinfo.CreationDate) == "D:20240501"
        assert str(document.docinfo.ModDate) == "D:20240501"
        for name, spec in document.attachments.items():
            params = spec.obj.EF.F.Params
            assert str(params.CreationDate) == "D:20240501000000Z", name
            assert str(params.ModDate) == "D:20240501000000Z", name


@pytest.mark.pdf
def test_source_date_epoch_sets_the_modification_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01T00:00:00Z
    pdf = build(write_yaml(tmp_path / "brief.yaml", minimal_brief()), tmp_path / "brief.pdf",
                variant="pdf/a-3b").pdf
    with pikepdf.open(pdf) as document, document.open_metadata() as meta:
        assert str(document.docinfo.CreationDate) == "D:20240501"
        assert str(document.docinfo.ModDate) == "D:20250101000000Z"
        assert meta["xmp:ModifyDate"] == "2025-01-01T00:00:00Z"
        spec = document.attachments["brief.yaml"]
        assert str(spec.obj.EF.F.Params.ModDate) == "D:20250101000000Z"


WITHOUT_HARFBUZZ_SUBSET = (
    "import sys, weasyprint.text.ffi as ffi, weasyprint.pdf.fonts as fonts; "
    "ffi.harfbuzz_subset = fonts.harfbuzz_subset = None; "  # as on a machine without libharfbuzz-subset0
    "from briefing import build; build(sys.argv[1], sys.argv[2], variant=(sys.argv[3:] or [None])[0])"
)


@pytest.mark.pdf
def test_same_bytes_also_when_fonts_are_subset_by_fonttools(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    digests = []
    for name in ("first.pdf", "second.pdf"):
        subprocess.run([sys.executable, "-c", WITHOUT_HARFBUZZ_SUBSET, str(content), str(tmp_path / name)],
                       check=True, env=environment, timeout=300)
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def font_dates(pdf_path) -> set[tuple[int, int]]:
    """(head.created, head.modified) of every font program embedded in the PDF, read with fontTools."""
    import io

    from fontTools.ttLib import TTFont

    found = set()
    with pikepdf.open(pdf_path) as pdf:
        for item in pdf.objects:
            if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile2", "/FontFile3"):
                    if key in item:
                        head = TTFont(io.BytesIO(item[key].read_bytes()))["head"]
                        found.add((head.created, head.modified))
    return found


@pytest.mark.pdf
@pytest.mark.parametrize("variant", [None, "pdf/a-1b"])
def test_fonts_subset_by_fonttools_keep_the_shipped_fonts_dates(tmp_path, variant):
    """As HarfBuzz's subsetter does: neither the clock, SOURCE_DATE_EPOCH nor the brief's date
    becomes a font's date (pdf/a-1b also converts the fonts to TrueType after subsetting)."""
    from fontTools.ttLib import TTFont

    from helpers import ROOT

    shipped = {(font["head"].created, font["head"].modified)
               for font in map(TTFont, (ROOT / "templates" / "default" / "fonts").glob("*.[ot]tf"))}
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    subprocess.run([sys.executable, "-c", WITHOUT_HARFBUZZ_SUBSET, str(content), str(tmp_path / "brief.pdf"),
                    *([variant] if variant else [])], check=True, timeout=300,
                   env={**os.environ, "SOURCE_DATE_EPOCH": "1000000000"})  # 2001: no shipped font's date
    found = font_dates(tmp_path / "brief.pdf")
    assert found and found <= shipped, found - shipped
