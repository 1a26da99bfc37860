"""Every offered PDF variant and every kind of merge, read by checkers nobody here wrote.

Each file is built once per session and then read by every checker: the veraPDF
rule subset (tests/helpers/conformance.py), the PyPI package pdfua, qpdf --check,
pdfinfo -struct, pdffonts, pdfdetach -saveall and mutool. Apache PDFBox preflight
checks the PDF/A-1 files (one JVM for both), and is shown to reject what WeasyPrint
alone writes as PDF/A-1b.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
import weasyprint

from helpers import conformance
from briefing import attach, build
from briefing.errors import BriefError
from briefing.printing import variants
from helpers import EXAMPLE, minimal_brief, run_cli, write_yaml

pytestmark = pytest.mark.pdf

COMBINED = (("pdf/a-3b", "pdf/ua-1"), ("pdf/a-2a", "pdf/ua-1"), ("pdf/a-4f", "pdf/ua-2"))
BUILDS = {"plain": None, **{name: name for name in variants.VARIANTS},
          **{" + ".join(pair): pair for pair in COMBINED}}
SOURCES = ["korea-japan-2021.csl.json", "korea-japan-2021.validated.json", "korea-japan-2021.yaml"]  # the citation: a published brief


def _file_name(key: str) -> str:
    return key.replace("/", "-").replace(" + ", "+") + ".pdf"


@pytest.fixture(scope="session")
def variant_pdfs(tmp_path_factory) -> dict[str, Path]:
    """The example brief in every offered variant and combination, built once."""
    folder = tmp_path_factory.mktemp("conformance")
    return {key: build(EXAMPLE, folder / _file_name(key), variant=variant, limits=None).pdf
            for key, variant in BUILDS.items()}


REPORT_HTML = """<html lang="en"><head><title>Annual report</title></head><body>
<h1>Chapter 1</h1><p>Opening.</p>
<h1 style="break-before: page">Chapter 2</h1><p>Middle.</p>
<h1 style="break-before: page">Chapter 3</h1><p>End.</p>
</body></html>"""

REPORTS = {"plain": {}, "pdf/a-3b": {"pdf_variant": "pdf/a-3b"}, "pdf/a-2b": {"pdf_variant": "pdf/a-2b"},
           "pdf/ua-1": {"pdf_variant": "pdf/ua-1"}}
# (report, brief, mode, at, the claims the result keeps)
MERGES = [
    ("plain", "plain", "annex", 2, {}),
    ("plain", "plain", "attachment", None, {}),
    ("pdf/a-3b", "plain", "annex", 2, {}),
    ("pdf/a-3b", "plain", "attachment", None, {"pdfa": "3"}),
    ("pdf/a-3b", "pdf/a-3b", "annex", 2, {"pdfa": "3"}),
    ("pdf/a-3b", "pdf/a-3b", "attachment", None, {"pdfa": "3"}),
    ("pdf/a-3b", "pdf/a-3b + pdf/ua-1", "annex", None, {"pdfa": "3"}),
    ("pdf/a-2b", "pdf/a-2b", "annex", 2, {"pdfa": "2"}),
    ("pdf/a-2b", "pdf/a-2b", "attachment", None, {"pdfa": "2"}),
    ("pdf/a-2b", "plain", "attachment", None, {}),
    ("pdf/a-2b", "pdf/a-3b", "annex", 2, {}),
    ("pdf/ua-1", "pdf/ua-1", "annex", 2, {"pdfua": "1"}),
    ("pdf/ua-1", "pdf/ua-1", "attachment", None, {"pdfua": "1"}),
    ("pdf/ua-1", "plain", "annex", 2, {}),
    ("pdf/ua-1", "pdf/a-3b + pdf/ua-1", "annex", None, {"pdfua": "1"}),
]
MERGE_IDS = [f"{brief} into {report} as {mode}" for report, brief, mode, _, _ in MERGES]


@pytest.fixture(scope="session")
def merged_pdfs(variant_pdfs, tmp_path_factory) -> dict[str, tuple[Path, tuple[str, ...]]]:
    """Every merge kind, once: id -> (merged PDF, the notes attach gave)."""
    folder = tmp_path_factory.mktemp("merges")
    reports = {}
    for name, options in REPORTS.items():
        reports[name] = folder / _file_name(f"report-{name}")
        weasyprint.HTML(string=REPORT_HTML).write_pdf(reports[name], **options)
    found = {}
    for (report, brief, mode, at, _), key in zip(MERGES, MERGE_IDS):
        out = folder / _file_name(key.replace(" ", "_"))
        result = attach(variant_pdfs[brief], reports[report], out, mode=mode, at=at)
        found[key] = (result.pdf, result.notes)
    return found


# --- every variant ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", BUILDS)
def test_variant_passes_the_verapdf_rule_subset(variant_pdfs, key):
    assert conformance.verapdf_subset(variant_pdfs[key]) == []


@pytest.mark.parametrize("key", BUILDS)
def test_variant_claims_exactly_what_was_asked(variant_pdfs, key):
    claimed = conformance.claims(variant_pdfs[key])
    archival, accessible = variants.archival(BUILDS[key]), variants.accessible(BUILDS[key])
    assert claimed.get("pdfa") == (variants.part(archival) if archival else None)
    assert claimed.get("pdfa_level") == (variants.level(archival) if archival else None)
    assert claimed.get("pdfua") == (variants.part(accessible) if accessible else None)


@pytest.mark.parametrize("key", BUILDS)
def test_variant_passes_qpdf_pdfinfo_pdffonts_and_mutool(variant_pdfs, key):
    path = variant_pdfs[key]
    for check in (conformance.qpdf_check, conformance.pdfinfo_struct, conformance.pdffonts_embedded,
                  conformance.mutool_check):
        ok, output = check(path)
        assert ok, f"{check.__name__}: {output}"


@pytest.mark.parametrize("key", BUILDS)
def test_variant_embeds_the_source_exactly_where_it_may(variant_pdfs, key):
    ok, saved = conformance.pdfdetach_saveall(variant_pdfs[key])
    assert ok
    assert saved == (SOURCES if variants.embeds_files(BUILDS[key]) else [])


@pytest.mark.parametrize("key", [key for key in BUILDS if variants.is_tagged(BUILDS[key])])
def test_tagged_variant_passes_pdfua_and_pdfinfo_shows_its_structure(variant_pdfs, key):
    findings = conformance.pdfua_findings(variant_pdfs[key])
    if not variants.accessible(BUILDS[key]):  # PDF/A level A is tagged but does not claim PDF/UA
        findings = [finding for finding in findings if not finding.startswith("UA-28-004 ")]
    if variants.part(variants.archival(BUILDS[key]) or "pdf/a-2") == "4":
        # pdfua reads the title from the Info dictionary only, which PDF/A-4 forbids (6.1.3-t04);
        # the title is in the XMP (dc:title, checked by the rule subset as 7.1-t09).
        findings = [finding for finding in findings if not finding.startswith("UA-07-001 ")]
    assert findings == []
    ok, output = conformance.pdfinfo_struct(variant_pdfs[key])
    assert ok and output.startswith("Document")
    shown = {line.split()[0] for line in output.splitlines() if line.strip()}
    assert {"L", "LI", "LBody", "Table", "TH", "H1", "Link"} <= shown


def test_running_heads_and_footers_are_pagination_artifacts(variant_pdfs):
    with pikepdf.open(variant_pdfs["pdf/ua-1"]) as pdf:
        artifacts = 0
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and operands[0] == pikepdf.Name.Artifact:
                    assert operands[1].Type == pikepdf.Name.Pagination
                    artifacts += 1
        # The head (title, series) and the foot (reference, page number) of every page after the first.
        assert artifacts >= 4 * (len(pdf.pages) - 1)


def test_lists_and_tables_have_the_structure_pdf_ua_asks_for(variant_pdfs):
    with pikepdf.open(variant_pdfs["pdf/ua-1"]) as pdf:
        found = []

        def walk(element, parent):
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                found.append((str(parent.get("/S")), str(element.S), element))
                kids = element.get("/K", [])
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    walk(kid, element)

        walk(pdf.Root.StructTreeRoot.K[0], pdf.Root.StructTreeRoot)
        assert {parent for parent, tag, _ in found if tag == "/LI"} == {"/L"}
        assert {parent for parent, tag, _ in found if tag == "/LBody"} == {"/LI"}
        scopes = [str(element.A.Scope) for _, tag, element in found if tag == "/TH"]
        assert scopes and set(scopes) == {"/Column"}
        assert "/Caption" not in {tag for _, tag, _ in found}  # key figures are text, not image captions


def test_pdf_a_3b_and_pdf_ua_1_in_one_file(variant_pdfs):
    path = variant_pdfs["pdf/a-3b + pdf/ua-1"]
    assert conformance.claims(path) == {"pdfa": "3", "pdfa_level": "B", "pdfua": "1"}
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert set(pdf.attachments) == set(SOURCES)
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>" in xmp


def test_cli_writes_one_pdf_a_and_one_pdf_ua_variant_together(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief.yaml", "-o", "out.pdf", "--pdf-variant", "pdf/a-3b",
                     "--pdf-variant", "pdf/ua-1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert conformance.claims(tmp_path / "out.pdf") == {"pdfa": "3", "pdfa_level": "B", "pdfua": "1"}
    assert conformance.verapdf_subset(tmp_path / "out.pdf") == []


def test_first_page_writes_page_labels_that_start_there(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    pdf_path = build(content, tmp_path / "brief.pdf", first_page=41, limits=None).pdf
    with pikepdf.open(pdf_path) as pdf:
        labels = [page.label for page in pdf.pages]
    assert labels == [str(41 + number) for number in range(len(labels))]


def test_pdf_a_1_variants_pass_apache_pdfbox_preflight(variant_pdfs):
    """Apache PDFBox preflight checks PDF/A-1b; both PDF/A-1 levels are read in one JVM."""
    paths = [variant_pdfs["pdf/a-1b"], variant_pdfs["pdf/a-1a"]]
    assert conformance.pdfbox_preflight(paths) == {path: [] for path in paths}


def test_pdf_a_1_fonts_converted_to_truetype_keep_the_dates_of_the_shipped_fonts(variant_pdfs):
    """So that two builds give the same bytes: the conversion stamps no time of its own."""
    import io

    from fontTools.ttLib import TTFont

    from helpers import ROOT

    shipped = {TTFont(path)["head"].modified
               for path in (ROOT / "templates" / "default" / "fonts").glob("*.otf")}
    with pikepdf.open(variant_pdfs["pdf/a-1b"]) as pdf:
        converted = [font for font in conformance._fonts(pdf) if "/FontFile2" in font[1].get("/FontDescriptor", {})
                     and "Inter" in font[0]]
        assert converted
        for _, font in converted:
            program = TTFont(io.BytesIO(font.FontDescriptor.FontFile2.read_bytes()))
            assert "glyf" in program and "CFF " not in program
            assert program["head"].modified in shipped


def test_pdfbox_preflight_rejects_what_weasyprint_alone_writes_as_pdf_a_1b(tmp_path, monkeypatch):
    """The checker is not blind: WeasyPrint's own PDF/A-1b, without briefing's repairs, fails it."""
    from briefing.printing import conform

    monkeypatch.setattr(conform, "needed", lambda variant, first_page, publication=None: False)
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    pdf_path = build(content, tmp_path / "weasyprint-a1b.pdf", variant="pdf/a-1b", limits=None).pdf
    [(_, errors)] = conformance.pdfbox_preflight([pdf_path]).items()
    assert any(error.startswith("3.1.3") and "/OpenType" in error for error in errors), errors
    assert any(error.startswith("7.3") and "http://www.aiim.org/pdfa/ns/id/" in error for error in errors), errors
    assert any("6.3.4-t01" in failure for failure in conformance.verapdf_subset(pdf_path))


@pytest.mark.parametrize("name, closest", [("pdf/a-4u", "pdf/a-4"), ("pdf/x-1a", "pdf/a-2b"),
                                           ("pdf/x-3", "pdf/a-2b"), ("pdf/x-4", "pdf/a-2b"),
                                           ("pdf/x-5g", "pdf/a-2b")])
def test_withdrawn_variants_are_refused_with_the_closest_offered(tmp_path, name, closest):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief.yaml", "--pdf-variant", name, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{name} is not offered" in result.stderr
    assert f"the closest variant offered is {closest}" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(BriefError) as caught:
        build(tmp_path / "brief.yaml", tmp_path / "api.pdf", variant=name, limits=None)
    assert f"the closest variant offered is {closest}" in str(caught.value)


def test_two_pdf_a_variants_or_mismatched_versions_are_refused():
    with pytest.raises(ValueError, match="at most one PDF/A"):
        variants.check(("pdf/a-2b", "pdf/a-3b"))
    with pytest.raises(ValueError, match="combines only with pdf/ua-1"):
        variants.check(("pdf/a-3b", "pdf/ua-2"))
    with pytest.raises(ValueError, match="combines with no PDF/UA variant"):
        variants.check(("pdf/a-1b", "pdf/ua-1"))


# --- every merge -----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", MERGE_IDS)
def test_merge_passes_the_verapdf_rule_subset_for_what_it_still_claims(merged_pdfs, key):
    path, _ = merged_pdfs[key]
    assert conformance.verapdf_subset(path) == []


@pytest.mark.parametrize("key, expected", [(key, merge[4]) for key, merge in zip(MERGE_IDS, MERGES)])
def test_merge_keeps_only_the_claims_it_keeps_true_and_says_why_it_drops_one(merged_pdfs, key, expected):
    path, notes = merged_pdfs[key]
    claimed = conformance.claims(path)
    assert {standard: claimed.get(standard) for standard in ("pdfa", "pdfua") if standard in claimed} == expected
    report = key.split(" into ")[1].split(" as ")[0]
    dropped = {"pdfa": "PDF/A", "pdfua": "PDF/UA"}
    for standard, name in dropped.items():
        if REPORTS[report].get("pdf_variant", "").startswith(name.lower()) and standard not in expected:
            assert any(note.startswith(f"the report claimed {name}") and "no longer claims it because" in note
                       for note in notes), notes


@pytest.mark.parametrize("key", MERGE_IDS)
def test_merge_passes_qpdf_pdfinfo_pdfdetach_and_mutool(merged_pdfs, key):
    path, _ = merged_pdfs[key]
    for check in (conformance.qpdf_check, conformance.pdfinfo_struct, conformance.mutool_check):
        ok, output = check(path)
        assert ok, f"{check.__name__}: {output}"
    ok, saved = conformance.pdfdetach_saveall(path)
    assert ok
    assert all("/" not in name for name in saved)


@pytest.mark.parametrize("key", [key for key, merge in zip(MERGE_IDS, MERGES) if "pdfua" in merge[4]])
def test_merge_that_keeps_pdf_ua_passes_pdfua(merged_pdfs, key):
    path, _ = merged_pdfs[key]
    assert conformance.pdfua_findings(path) == []


def test_a_tagged_brief_becomes_a_part_of_the_tagged_report_in_its_own_language(merged_pdfs):
    path, _ = merged_pdfs["pdf/ua-1 into pdf/ua-1 as annex"]
    with pikepdf.open(path) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        tags = [str(kid.S) for kid in document.K]
        assert tags.count("/Part") == 1
        part = document.K[tags.index("/Part")]
        assert str(part.Lang) == "en-GB"  # the example brief is written in British English
        assert tags.index("/Part") == 2  # after the report's first chapter (heading and text), before the second
