"""The example brief, built for real and read back with independent readers."""

from __future__ import annotations

import subprocess

import pikepdf
import pypdf
import pytest

from helpers import EXAMPLE, outline_titles, pdf_text
from helpers.tools import tool

pytestmark = pytest.mark.pdf

SECTION_TITLES = ["Background", "Legal deadlock", "Expert proposals", "Outlook"]
EXPERTS = ["Kan Kimura", "Shin Beom-chul", "Leif-Eric Easley", "Lee Jae-min"]


def test_example_passes_qpdf_check(example_pdf):
    result = subprocess.run([tool("qpdf"), "--check", str(example_pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_embeds_every_font(example_pdf):
    listing = subprocess.run([tool("pdffonts"), str(example_pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing, "the PDF uses no fonts at all"
    for line in listing:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"
    names = " ".join(listing)
    assert "Charis" in names and "Inter" in names


def test_example_text_names_experts_dates_and_figures(example_pdf):
    text = pdf_text(example_pdf)
    for needle in [*EXPERTS, "1965", "2015", "40.4", *SECTION_TITLES]:
        assert needle in text, needle
    # Small headings are set in capitals by the stylesheet.
    for heading in ["Key takeaways", "Timeline", "Positions", "Court rulings", "What to watch", "Sources"]:
        assert heading.upper() in text, heading


def test_example_outline_lists_the_four_sections_in_order(example_pdf):
    titles = outline_titles(example_pdf)
    top = [title for title in titles if title[:1].isdigit()]
    assert [title.split(". ", 1)[1] for title in top] == SECTION_TITLES
    assert "Sources" in titles
    assert "Timeline" in titles and "Court rulings" in titles


def test_example_metadata_has_title_language_and_keywords(example_pdf):
    with pikepdf.open(example_pdf) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        info = pdf.docinfo
        assert str(info.Title).startswith("Meaningful progress in South Korea–Japan relations")
        assert "forced labour" in str(info.Keywords)
        assert str(info.Author) == "The Sunday Times"


def test_example_is_a4_with_page_x_of_y_footer(example_pdf):
    reader = pypdf.PdfReader(str(example_pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    pages = len(reader.pages)
    assert 3 <= pages <= 8
    text = pdf_text(example_pdf)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "AI-2021-02" in text
    # The strings that feed the running header are not printed as text of their own.
    assert "Page of" not in text


def test_every_quote_in_the_example_is_verbatim_from_the_article():
    from briefing import load

    article = (EXAMPLE.parent.parent.parent / "shared" / "seed" / "korea-japan-article.txt")
    if not article.is_file():
        pytest.skip("the source article is not beside the repository")
    normalise = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-"})
    source = " ".join(article.read_text(encoding="utf-8").translate(normalise).split())
    brief = load(EXAMPLE)
    for proposal in brief.expert_proposals.proposals:
        quote = " ".join(proposal.quote.translate(normalise).split()).rstrip(".,")
        assert quote in source, proposal.expert.name


def test_quotes_link_to_their_sources_and_back(example_pdf):
    reader = pypdf.PdfReader(str(example_pdf))
    links = [annotation.get_object() for page in reader.pages
             for annotation in page.get("/Annots", []) if annotation.get_object()["/Subtype"] == "/Link"]
    internal = [link for link in links if "/Dest" in link or
                ("/A" in link and link["/A"].get("/S") == "/GoTo")]
    # Each proposal, the key figure and the timeline cite a source; the sources list links back.
    assert len(internal) >= 20
