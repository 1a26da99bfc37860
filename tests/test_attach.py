"""Attaching a brief to a report: as an annex (pages and outline merged) or as an embedded file."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
import weasyprint

from briefing import attach
from briefing import build
from briefing.errors import BriefError
from helpers import minimal_brief, outline_titles, run_cli, write_yaml
from helpers.tools import tool

pytestmark = pytest.mark.pdf

REPORT_HTML = """<html lang="en"><head><title>Annual report</title></head><body>
<h1>Chapter 1</h1><p>Opening.</p>
<h1 style="break-before: page">Chapter 2</h1><p>Middle.</p>
<h1 style="break-before: page">Chapter 3</h1><p>End.</p>
</body></html>"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("attach")
    report = folder / "report.pdf"
    weasyprint.HTML(string=REPORT_HTML).write_pdf(report)
    brief = build(write_yaml(folder / "mekong.yaml", minimal_brief()), folder / "mekong.pdf").pdf
    return {"folder": folder, "report": report, "brief": brief}


def outline(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every outline entry, in order."""
    reader = pypdf.PdfReader(str(path))
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def page_text(path: Path, number: int) -> str:
    return pypdf.PdfReader(str(path)).pages[number - 1].extract_text()


def test_annex_appends_the_brief_pages_after_the_report(files, tmp_path):
    result = attach(files["brief"], files["report"], tmp_path / "out.pdf")
    brief_pages = len(pypdf.PdfReader(str(files["brief"])).pages)
    assert result.pages == 3 + brief_pages == len(pypdf.PdfReader(str(result.pdf)).pages)
    assert result.first_page == 4
    assert "Chapter 3" in page_text(result.pdf, 3)
    assert "Water sharing on the Mekong" in page_text(result.pdf, 4)


def test_annex_keeps_the_report_outline_and_nests_the_brief_outline_under_one_bookmark(files, tmp_path):
    result = attach(files["brief"], files["report"], tmp_path / "out.pdf")
    entries = outline(result.pdf)
    top = [(title, page) for depth, title, page in entries if depth == 0]
    assert top == [("Chapter 1", 1), ("Chapter 2", 2), ("Chapter 3", 3), ("Water sharing on the Mekong", 4)]
    nested = [title for depth, title, _ in entries if depth > 0]
    assert nested == outline_titles(files["brief"])
    assert all(page >= 4 for depth, _, page in entries if depth > 0)


def test_annex_at_a_page_inserts_the_brief_there_and_places_its_bookmark_in_order(files, tmp_path):
    result = attach(files["brief"], files["report"], tmp_path / "out.pdf", at=2, title="Annex A: Mekong")
    brief_pages = len(pypdf.PdfReader(str(files["brief"])).pages)
    assert result.first_page == 2
    assert "Water sharing on the Mekong" in page_text(result.pdf, 2)
    assert "Chapter 2" in page_text(result.pdf, 2 + brief_pages)
    top = [(title, page) for depth, title, page in outline(result.pdf) if depth == 0]
    assert top == [("Chapter 1", 1), ("Annex A: Mekong", 2), ("Chapter 2", 2 + brief_pages),
                   ("Chapter 3", 3 + brief_pages)]


def test_annex_keeps_the_brief_links_working(files, tmp_path):
    result = attach(files["brief"], files["report"], tmp_path / "out.pdf", at=2)
    with pikepdf.open(result.pdf) as pdf:
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        page_number = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
        targets = []
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                if isinstance(annotation.get("/Dest"), pikepdf.String):
                    destination = names[str(annotation.Dest)]
                    targets.append(page_number[destination[0].objgen])
        assert targets, "the brief cites its source with internal links"
        brief_pages = len(pypdf.PdfReader(str(files["brief"])).pages)
        assert all(2 <= target < 2 + brief_pages for target in targets)


def test_annex_carries_the_brief_source_files_into_the_report(files, tmp_path):
    result = attach(files["brief"], files["report"], tmp_path / "out.pdf")
    with pikepdf.open(result.pdf) as pdf:
        assert set(pdf.attachments) == {"mekong.validated.json", "mekong.yaml"}
        assert b"Water sharing" in pdf.attachments["mekong.yaml"].get_file().read_bytes()


def test_attachment_embeds_the_brief_pdf_in_the_report(files, tmp_path):
    result = attach(files["brief"], files["report"], tmp_path / "out.pdf", mode="attachment")
    assert result.pages == 3
    with pikepdf.open(result.pdf) as pdf:
        spec = pdf.attachments["mekong.pdf"]
        assert spec.get_file().read_bytes() == files["brief"].read_bytes()
        assert spec.description == "Water sharing on the Mekong"
        assert spec.obj.AFRelationship == pikepdf.Name.Supplement
        assert [title for _, title, _ in outline(result.pdf)] == ["Chapter 1", "Chapter 2", "Chapter 3"]


def test_attach_gives_the_same_bytes_twice(files, tmp_path):
    first = attach(files["brief"], files["report"], tmp_path / "one.pdf").pdf.read_bytes()
    second = attach(files["brief"], files["report"], tmp_path / "two.pdf").pdf.read_bytes()
    assert first == second


def test_attach_refuses_a_page_outside_the_report(files, tmp_path):
    with pytest.raises(BriefError) as caught:
        attach(files["brief"], files["report"], tmp_path / "out.pdf", at=9)
    assert "between 1 and 4" in str(caught.value)
    assert not (tmp_path / "out.pdf").exists()


def test_cli_attach_writes_the_merged_report(files, tmp_path):
    result = run_cli("attach", str(files["brief"]), "--to", str(files["report"]), "-o", "out.pdf",
                     "--as", "annex", "--at", "4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "brief from page 4" in result.stdout
    assert (tmp_path / "out.pdf").is_file()


def test_cli_attach_reports_a_missing_report_without_traceback(files, tmp_path):
    result = run_cli("attach", str(files["brief"]), "--to", "missing.pdf", "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: missing.pdf: no such file\n"


def test_cli_attach_reports_a_file_that_is_not_a_pdf(files, tmp_path):
    (tmp_path / "notes.pdf").write_text("not a PDF")
    result = run_cli("attach", "notes.pdf", "--to", str(files["report"]), "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: notes.pdf: not a readable PDF")
    assert "Traceback" not in result.stderr


def test_first_page_brief_at_a_page_keeps_the_report_labels_and_labels_the_brief_as_its_footers(files, tmp_path):
    brief = build(write_yaml(tmp_path / "mekong.yaml", minimal_brief()), tmp_path / "mekong-41.pdf",
                  first_page=41).pdf
    report = tmp_path / "labelled.pdf"
    with pikepdf.open(files["report"]) as pdf:  # the report numbers its pages i, 1, 2
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
            0, pikepdf.Dictionary(S=pikepdf.Name.r), 1, pikepdf.Dictionary(S=pikepdf.Name.D)]))
        pdf.save(report)
    result = attach(brief, report, tmp_path / "out.pdf", at=2)
    brief_pages = len(pypdf.PdfReader(str(brief)).pages)
    with pikepdf.open(result.pdf) as pdf:
        labels = [page.label for page in pdf.pages]
    assert labels == ["i", *(str(41 + number) for number in range(brief_pages)), "1", "2"]
    footer = page_text(result.pdf, 2)
    assert "Page 41" in footer.replace("\n", " ")


def test_attaching_twice_gives_unique_names_without_slashes_and_keeps_params(files, tmp_path):
    once = attach(files["brief"], files["report"], tmp_path / "once.pdf").pdf
    twice = attach(files["brief"], once, tmp_path / "twice.pdf").pdf
    with pikepdf.open(files["brief"]) as original, pikepdf.open(twice) as pdf:
        names = set(pdf.attachments)
        assert names == {"mekong.validated.json", "mekong.yaml", "mekong-2-mekong.validated.json",
                         "mekong-2-mekong.yaml"}
        before = original.attachments["mekong.yaml"].obj.EF.F.Params
        for name in ("mekong.yaml", "mekong-2-mekong.yaml"):
            spec = pdf.attachments[name].obj
            assert str(spec.UF) == str(spec.F) == name
            params = spec.EF.F.Params
            assert params.ModDate == before.ModDate and params.CheckSum == before.CheckSum
            assert spec.AFRelationship == pikepdf.Name.Source
            assert spec.objgen in {item.objgen for item in pdf.Root.AF}
    detached = subprocess.run([tool("pdfdetach"), "-saveall", "-o", str(tmp_path), str(twice)],
                              capture_output=True, text=True)
    assert detached.returncode == 0, detached.stderr
    assert (tmp_path / "mekong-2-mekong.yaml").read_bytes() == (tmp_path / "mekong.yaml").read_bytes()


def _with_javascript(source: Path, target: Path) -> Path:
    with pikepdf.open(source) as pdf:
        script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
        pdf.Root.OpenAction = script
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=script)
        pdf.Root.Names = pdf.Root.get("/Names", pikepdf.Dictionary())
        pdf.Root.Names.JavaScript = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), script]))
        pdf.save(target)
    return target


@pytest.mark.parametrize("mode", ["annex", "attachment"])
def test_attach_removes_javascript_from_brief_and_report_and_says_so(files, tmp_path, mode):
    report = _with_javascript(files["report"], tmp_path / "report-js.pdf")
    brief = _with_javascript(files["brief"], tmp_path / "brief-js.pdf")
    result = attach(brief, report, tmp_path / "out.pdf", mode=mode)
    assert any(note.startswith("removed active content from the brief") for note in result.notes)
    assert any(note.startswith("removed active content from the report") for note in result.notes)
    with pikepdf.open(result.pdf) as pdf:
        embedded = [spec.get_file().read_bytes() for spec in pdf.attachments.values()]
        data = result.pdf.read_bytes()
        assert b"app.alert" not in data and all(b"app.alert" not in item for item in embedded)
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.pages[0].obj


def test_cli_attach_prints_what_it_removed(files, tmp_path):
    report = _with_javascript(files["report"], tmp_path / "report-js.pdf")
    result = run_cli("attach", str(files["brief"]), "--to", str(report), "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: removed active content from the report: JavaScript run on opening (OpenAction)" in result.stdout


def test_attach_refuses_an_encrypted_report(files, tmp_path):
    encrypted = tmp_path / "encrypted.pdf"
    with pikepdf.open(files["report"]) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="owner", user=""))
    with pytest.raises(BriefError) as caught:
        attach(files["brief"], encrypted, tmp_path / "out.pdf")
    assert "the PDF is encrypted; briefing does not merge encrypted PDFs" in str(caught.value)
    assert not (tmp_path / "out.pdf").exists()


def _without_file_data(source: Path, target: Path) -> Path:
    """`source` with the data of its first embedded file gone: the entry names a file with no /EF."""
    with pikepdf.open(source) as pdf:
        tree = pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles)
        first = next(iter(tree.keys()))
        del tree[first]["/EF"]
        pdf.save(target)
    return target


@pytest.mark.parametrize("mode", ["annex", "attachment"])
def test_attach_of_a_brief_whose_embedded_file_has_no_data_leaves_it_out_and_says_so(files, tmp_path, mode):
    brief = _without_file_data(files["brief"], tmp_path / "brief-no-ef.pdf")
    with pikepdf.open(brief) as pdf:
        [empty] = [name for name, spec in pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles).items()
                   if "/EF" not in spec]
    result = attach(brief, files["report"], tmp_path / "out.pdf", mode=mode)
    assert f"removed an embedded file with no data from the brief: {empty}" in result.notes
    check = subprocess.run([tool("qpdf"), "--check", str(result.pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(result.pdf) as pdf:
        carried = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        assert all(carried.values())  # every attachment left has its data
        if mode == "attachment":
            [inner] = [data for name, data in carried.items() if name.endswith(".pdf")]
            with pikepdf.open(io.BytesIO(inner)) as embedded:
                assert empty not in embedded.attachments and embedded.attachments
        else:
            assert not any(name.endswith(empty) for name in carried if name.startswith("brief-no-ef"))
