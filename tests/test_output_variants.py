"""PDF variants: archival (PDF/A-3b) and accessible (PDF/UA-1) briefs, read back with pikepdf and qpdf."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from briefing import build
from briefing.errors import BriefError
from briefing import load
from briefing.themes.theme import load_theme
from briefing.printing.variants import VARIANTS, embeds_files
from helpers import ROOT, minimal_brief, run_cli, write_yaml
from helpers.tools import tool

pytestmark = pytest.mark.pdf

LOGO_ALT = "Test Institute logo: a blue square"


def logo_theme(folder: Path, alt: str | None) -> Path:
    """The default theme with a logo image in the masthead, with or without alt text."""
    shutil.copytree(ROOT / "templates" / "default", folder)
    Image.new("RGB", (40, 40), (11, 79, 108)).save(folder / "logo.png")
    masthead = folder / "partials" / "masthead.html.j2"
    alt_attribute = f' alt="{alt}"' if alt is not None else ""
    masthead.write_text(masthead.read_text().replace(
        '<div class="masthead-bar">',
        f'<div class="masthead-bar"><img class="logo" src="logo.png"{alt_attribute} style="width: 8mm">', 1))
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The minimal brief with a logo, built once as pdf/a-3b and once as pdf/ua-1."""
    folder = tmp_path_factory.mktemp("variants")
    content = write_yaml(folder / "mekong.yaml", minimal_brief())
    theme = load_theme(logo_theme(folder / "theme", LOGO_ALT))
    return {variant: build(content, folder / f"{variant.replace('/', '-')}.pdf", theme=theme,
                           variant=variant).pdf
            for variant in ("pdf/a-3b", "pdf/ua-1")}


XMP_FIELDS = ("pdfaid:part", "pdfaid:conformance", "pdfuaid:part", "dc:title", "xmp:CreateDate",
              "xmp:ModifyDate", "xmp:CreatorTool")


def xmp(path: Path) -> dict[str, str]:
    with pikepdf.open(path) as pdf, pdf.open_metadata() as meta:
        return {key: str(meta[key]) for key in XMP_FIELDS if key in meta}


def embedded(path: Path) -> dict[str, tuple[str, str, bytes]]:
    """Embedded files listed in the catalog's AF array: name -> (relationship, description, bytes)."""
    with pikepdf.open(path) as pdf:
        found = {}
        for spec in pdf.Root.AF:
            data = spec.EF.F.read_bytes()
            found[str(spec.UF)] = (str(spec.AFRelationship), str(spec.Desc), data)
        return found


def structure(path: Path) -> list[tuple[str, str | None]]:
    """Every structure element's tag and alt text, in reading order (depth first)."""
    with pikepdf.open(path) as pdf:
        found = []

        def walk(element):
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
                return
            found.append(element)
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

        walk(pdf.Root.StructTreeRoot.K[0])
        return [(str(element.S), str(element.Alt) if "/Alt" in element else None) for element in found]


def test_every_variant_weasyprint_offers_is_offered_or_withdrawn_except_its_broken_debug_variant():
    from weasyprint.pdf import VARIANTS as WEASYPRINT_VARIANTS

    from briefing.printing.variants import WITHDRAWN, weasyprint_variant

    assert {weasyprint_variant(name) for name in VARIANTS} | set(WITHDRAWN) == set(WEASYPRINT_VARIANTS) - {"debug"}
    assert not set(VARIANTS) & set(WITHDRAWN)
    assert all(closest in VARIANTS for closest, _ in WITHDRAWN.values())


@pytest.fixture(scope="module")
def plain_content(tmp_path_factory) -> Path:
    return write_yaml(tmp_path_factory.mktemp("every-variant") / "brief.yaml", minimal_brief())


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_builds_a_pdf_qpdf_accepts(plain_content, variant, tmp_path):
    pdf = build(plain_content, tmp_path / "brief.pdf", variant=variant).pdf
    result = subprocess.run([tool("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    with pikepdf.open(pdf) as document:
        names = set(document.attachments)
    expected = {"brief.validated.json", "brief.yaml"} if embeds_files(variant) else set()
    assert names == expected


def test_pdf_a_3b_is_identified_in_xmp(built):
    meta = xmp(built["pdf/a-3b"])
    assert meta["pdfaid:part"] == "3"
    assert meta["pdfaid:conformance"] == "B"
    assert meta["dc:title"] == "Water sharing on the Mekong"
    assert meta["xmp:CreateDate"] == "2024-05-01"
    assert meta["xmp:ModifyDate"] == "2024-05-01"
    assert meta["xmp:CreatorTool"].startswith("briefing ")


def test_pdf_a_3b_has_an_srgb_output_intent(built):
    with pikepdf.open(built["pdf/a-3b"]) as pdf:
        intents = list(pdf.Root.OutputIntents)
        assert len(intents) == 1
        assert intents[0].S == pikepdf.Name.GTS_PDFA1
        assert "sRGB" in str(intents[0].OutputConditionIdentifier)
        assert intents[0].DestOutputProfile.N == 3


def test_pdf_a_3b_images_are_not_interpolated(built):
    with pikepdf.open(built["pdf/a-3b"]) as pdf:
        images = [image for page in pdf.pages for image in page.get_images().values()]
        assert images, "the logo should be an image"
        assert all(not image.get("/Interpolate", False) for image in images)


@pytest.mark.parametrize("variant", ["pdf/a-3b", "pdf/ua-1"])
def test_variant_embeds_the_validated_brief_and_its_content_file_as_source(built, variant):
    files = embedded(built[variant])
    assert set(files) == {"mekong.validated.json", "mekong.yaml"}
    assert {relationship for relationship, _, _ in files.values()} == {"/Source"}
    import json

    data = json.loads(files["mekong.validated.json"][2])
    assert data["meta"]["title"] == "Water sharing on the Mekong"
    assert data["labels"]["takeaways"] == "Key takeaways"  # defaults are filled in
    assert b"Water sharing on the Mekong" in files["mekong.yaml"][2]


@pytest.mark.parametrize("variant", ["pdf/a-3b", "pdf/ua-1"])
def test_variant_passes_qpdf_check(built, variant):
    result = subprocess.run([tool("qpdf"), "--check", str(built[variant])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pdf_ua_1_is_identified_in_xmp_with_a_title(built):
    meta = xmp(built["pdf/ua-1"])
    assert meta["pdfuaid:part"] == "1"
    assert meta["dc:title"] == "Water sharing on the Mekong"


def test_pdf_ua_1_is_marked_with_language_and_shows_its_title(built):
    with pikepdf.open(built["pdf/ua-1"]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title) == "Water sharing on the Mekong"
        assert pdf.Root.StructTreeRoot.Type == pikepdf.Name.StructTreeRoot


def test_pdf_ua_1_structure_tree_holds_headings_lists_and_the_logo_with_alt_text(built):
    tags = [tag for tag, _ in structure(built["pdf/ua-1"])]
    assert tags[0] == "/Document"
    for tag in ("/H1", "/H2", "/L", "/LI", "/BlockQuote", "/Art", "/Figure"):
        assert tag in tags
    assert [alt for tag, alt in structure(built["pdf/ua-1"]) if tag == "/Figure"] == [LOGO_ALT]


def test_pdf_ua_1_reads_the_pull_quote_after_the_proposal_it_belongs_to(built):
    tags = [tag for tag, _ in structure(built["pdf/ua-1"])]
    card = tags.index("/Art")
    quote = tags.index("/BlockQuote")
    proposal_text = tags.index("/P", card)
    assert card < proposal_text < quote


def test_pdf_ua_1_refuses_an_image_without_alt_text(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    theme = load_theme(logo_theme(tmp_path / "theme", alt=None))
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "brief.pdf", theme=theme, variant="pdf/ua-1")
    [problem] = caught.value.problems
    assert str(problem.path).endswith("logo.png")
    assert problem.field == "alt"
    assert problem.message == "pdf/ua-1 needs alt text on every image"
    assert not (tmp_path / "brief.pdf").exists()


def test_pdf_ua_1_needs_the_language_written_in_the_content(tmp_path):
    data = minimal_brief()
    del data["meta"]["language"]
    content = write_yaml(tmp_path / "brief.yaml", data)
    load(content)  # fine without a variant: the language defaults to en
    with pytest.raises(BriefError) as caught:
        load(content, variant="pdf/ua-1")
    [problem] = caught.value.problems
    assert problem.field == "meta.language"
    assert problem.line == 1
    assert "pdf/ua-1" in problem.message


def test_cli_reports_missing_language_for_pdf_ua_with_file_line_and_field(tmp_path):
    data = minimal_brief()
    del data["meta"]["language"]
    write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("build", "brief.yaml", "--pdf-variant", "pdf/ua-1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: brief.yaml:1:")
    assert "meta.language" in result.stderr
    assert "Traceback" not in result.stderr


def test_pdf_a_2b_refuses_attachments_at_their_line(tmp_path):
    (tmp_path / "table.csv").write_text("year,flow\n2023,100\n")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(attachments=[{"path": "table.csv"}]))
    with pytest.raises(BriefError) as caught:
        load(content, variant="pdf/a-2b")
    [problem] = caught.value.problems
    assert problem.field == "attachments"
    assert problem.line is not None
    assert "pdf/a-3b" in problem.message


def test_cli_rejects_an_unknown_variant(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief.yaml", "--pdf-variant", "pdf/z-9", cwd=tmp_path)
    assert result.returncode == 2
    assert "pdf/z-9" in result.stderr
    assert "Traceback" not in result.stderr


def test_running_header_strings_are_not_read_before_the_title(built):
    text = subprocess.run([tool("pdftotext"), "-f", "1", "-l", "1", str(built["pdf/ua-1"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Page of" not in text
    assert text.lstrip().startswith("TEST BRIEFS")  # the masthead comes first


def test_cli_validate_checks_what_a_variant_needs(tmp_path):
    data = minimal_brief()
    del data["meta"]["language"]
    write_yaml(tmp_path / "brief.yaml", data)
    assert run_cli("validate", "brief.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("validate", "brief.yaml", "--pdf-variant", "pdf/ua-1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("brief.yaml:1:1: meta.language: pdf/ua-1 needs the language")
