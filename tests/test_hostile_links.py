"""Links in prose: only http, https, mailto and #anchor links reach the PDF; any other link is
shown as its text, with a warning located at the field that holds it."""

from __future__ import annotations

import pikepdf
import pytest
from helpers import minimal_brief, pdf_text, write_yaml

from briefing.content.load import check
from briefing.render.html import markdown, markdown_inline, written_link

NOT_WRITTEN = ["notes.txt", "/etc/passwd", "//host/x", "../theme/brief.css", "file:///etc/passwd",
               "ftp://host/x", "javascript:alert(1)"]
WRITTEN = ["https://example.org/a", "http://example.org", "mailto:desk@example.org", "#sources"]


@pytest.mark.parametrize("href", WRITTEN)
def test_web_mail_and_anchor_links_are_written(href):
    assert written_link(href)
    assert f'href="{href}"' in markdown_inline(f"[text]({href})")


@pytest.mark.parametrize("href", NOT_WRITTEN)
def test_other_links_are_shown_as_text(href):
    assert not written_link(href)
    html = markdown(f"See [the notes]({href}) here.")
    assert "href" not in html and "the notes" in html


def test_a_link_that_is_not_written_keeps_its_formatting():
    assert markdown_inline("[**bold** note](notes.txt)") == "<strong>bold</strong> note"


def test_each_link_that_is_not_written_is_a_located_warning(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(
        summary=["Read [the notes](notes.txt).", "And [the site](https://example.org)."],
        outlook={"body": "See [the file](/etc/passwd) and [sources](#sources).", "signposts": []}))
    warnings = [problem for problem in check(content).warnings if "shown as text" in problem.message]
    lines = content.read_text().splitlines()
    line_of = {needle: next(number for number, line in enumerate(lines, 1) if needle in line)
               for needle in ("notes.txt", "/etc/passwd")}
    assert [(problem.field, problem.line) for problem in warnings] == [
        ("summary.0", line_of["notes.txt"]), ("outlook.body", line_of["/etc/passwd"])]
    assert all(problem.column is not None for problem in warnings)
    assert "'notes.txt'" in warnings[0].message
    assert {(problem.code, problem.severity) for problem in warnings} == {("link_not_written", "warning")}


@pytest.mark.pdf
def test_the_pdf_holds_no_file_link_and_no_builder_path(tmp_path):
    from briefing.commands.build import build

    body = " ".join(f"[link {number}]({href})" for number, href in enumerate(NOT_WRITTEN + WRITTEN))
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(
        outlook={"body": body, "signposts": []}))
    result = build(content, tmp_path / "brief.pdf")
    uris = []
    with pikepdf.open(result.pdf) as pdf:
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                action = annotation.get("/A")
                if action is not None and "/URI" in action:
                    uris.append(str(action["/URI"]))
    assert sorted(uris) == sorted(["https://example.org/a", "http://example.org", "mailto:desk@example.org"])
    data = result.pdf.read_bytes()
    assert b"file:" not in data and b"/etc/passwd" not in data.replace(b"(/etc/passwd)", b"")
    assert "link 0" in pdf_text(result.pdf)
