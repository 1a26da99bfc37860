"""Building small briefs through the API and the command line."""

from __future__ import annotations

import re

import pypdf
import pytest

from helpers import minimal_brief, outline_titles, pdf_text, run_cli, write_yaml


@pytest.fixture(scope="module")
def letter_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("letter")
    content = write_yaml(folder / "mekong.yaml", minimal_brief())
    result = run_cli("build", str(content), "--paper", "letter", "-o", str(folder / "mekong.pdf"),
                     "--html", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result


@pytest.mark.pdf
def test_letter_paper_gives_us_letter_pages(letter_pdf):
    folder, _ = letter_pdf
    box = pypdf.PdfReader(str(folder / "mekong.pdf")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.pdf
def test_build_reports_path_pages_and_seconds(letter_pdf):
    folder, result = letter_pdf
    pages = len(pypdf.PdfReader(str(folder / "mekong.pdf")).pages)
    line = result.stdout.splitlines()[0]
    noun = "page" if pages == 1 else "pages"
    assert re.fullmatch(rf"wrote {re.escape(str(folder / 'mekong.pdf'))} \({pages} {noun}, \d+\.\d\d s\)", line)


@pytest.mark.pdf
def test_html_option_writes_the_intermediate_html(letter_pdf):
    folder, result = letter_pdf
    html = (folder / "mekong.html").read_text(encoding="utf-8")
    assert "<h1 class=\"title\">Water sharing on the Mekong</h1>" in html  # the web page: no preflight marks
    assert str(folder / "mekong.html") in result.stdout


@pytest.mark.pdf
def test_default_output_is_output_folder_named_after_content(tmp_path):
    content = write_yaml(tmp_path / "river-brief.yaml", minimal_brief())
    result = run_cli("build", "river-brief.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "river-brief.pdf").is_file()


@pytest.mark.pdf
def test_renamed_section_titles_appear_in_text_and_outline(tmp_path):
    from briefing import build

    data = minimal_brief()
    data["background"]["title"] = "Context"
    data["outlook"]["title"] = "Looking ahead"
    content = write_yaml(tmp_path / "renamed.yaml", data)
    build(content, tmp_path / "renamed.pdf")
    titles = outline_titles(tmp_path / "renamed.pdf")
    assert "1. Context" in titles and "3. Looking ahead" in titles
    assert "Looking ahead" in pdf_text(tmp_path / "renamed.pdf")


@pytest.mark.pdf
def test_optional_sections_may_be_absent(tmp_path):
    from briefing import build

    data = minimal_brief()
    del data["expert_proposals"], data["outlook"]
    data["background"]["figures"] = []
    data["sources"] = []
    content = write_yaml(tmp_path / "short.yaml", data)
    result = build(content, tmp_path / "short.pdf")
    assert result.pages == 1
    assert [t for t in outline_titles(tmp_path / "short.pdf") if t[0].isdigit()] == ["1. Background"]


def test_content_is_escaped_and_markdown_html_is_shown_as_text(tmp_path):
    from briefing import load, render_html

    data = minimal_brief()
    data["meta"]["title"] = "Tariffs <script>alert(1)</script> & trade"
    data["background"]["body"] = "Plain *emphasis* and <b>raw html</b>."
    content = write_yaml(tmp_path / "escape.yaml", data)
    html = render_html(load(content))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>emphasis</em>" in html
    assert "<b>raw html</b>" not in html and "&lt;b&gt;raw html&lt;/b&gt;" in html


@pytest.mark.pdf
def test_steps_can_be_called_one_by_one(tmp_path):
    import briefing

    content = write_yaml(tmp_path / "steps.yaml", minimal_brief())
    brief = briefing.load(content)
    html = briefing.render_html(brief)
    printed = briefing.print_pdf(html)
    path = briefing.write_pdf(printed.pdf, tmp_path / "steps.pdf")
    assert printed.pages == len(pypdf.PdfReader(str(path)).pages)
    assert "Water sharing on the Mekong" in pdf_text(path)
