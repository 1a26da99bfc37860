"""The back matter of a published brief, in print: read back with pdftotext and pikepdf."""

from __future__ import annotations

import pikepdf
import pytest

from helpers import ROOT, minimal_brief, pdf_text, run_cli, write_yaml

EXAMPLE = ROOT / "docs" / "examples" / "basin-note.yaml"


def _links(path):
    with pikepdf.open(path) as pdf:
        return {str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if annot.get("/Subtype") == "/Link" and "/A" in annot and "/URI" in annot.A}


@pytest.mark.pdf
@pytest.mark.parametrize("theme", ["default", "memo"])
def test_the_example_prints_its_whole_back_matter_after_the_sources(tmp_path, theme):
    out = tmp_path / "basin.pdf"
    result = run_cli("build", str(EXAMPLE), "-o", str(out), "--theme", theme, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_text(out, layout=False).split())  # the back matter is set in columns
    order = [text.index(heading) for heading in ("SOURCES", "ABOUT THE AUTHORS", "HOW TO CITE THIS",
                                                  "LICENCE", "IDENTIFIERS", "DISCLAIMER")]
    assert order == sorted(order)
    assert "Zoë Ångström is a fictional person" in text
    assert "Ångström, Zoë, and Kofi Mensah. 2026." in text  # Chicago author-date: given names whole
    assert "Creative Commons Attribution 4.0 International" in text
    assert "Credit must be given to the creator." in text
    assert "978-0-306-40615-7" in text and "2049-3630" in text and "briefs@example.org" in text
    assert "© 2026 Institute for Transboundary Water Policy (fictional)" in text
    links = _links(out)
    assert {"https://doi.org/10.5555/bgn.2026.07", "https://orcid.org/0000-0002-1825-0097",
            "https://creativecommons.org/licenses/by/4.0/", "mailto:briefs@example.org"} <= links


@pytest.mark.pdf
def test_a_brief_without_publication_fields_prints_no_back_matter(tmp_path):
    path = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief.yaml", "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "out.pdf").upper()
    for heading in ("HOW TO CITE", "ABOUT THE AUTHORS", "LICENCE", "IDENTIFIERS", "DISCLAIMER"):
        assert heading not in text
    assert path.exists()


@pytest.mark.pdf
def test_back_matter_speaks_the_brief_s_language(tmp_path):
    data = minimal_brief()
    data["meta"].update(language="fr", licence="CC-BY-NC-4.0", doi="10.5555/test.1")
    write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("build", "brief.yaml", "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_text(tmp_path / "out.pdf").split())
    assert "COMMENT CITER CETTE NOTE" in text.upper()
    assert "Seules les utilisations non commerciales de l’œuvre sont autorisées." in text
    assert "Analyst, Ada. 2024." in text  # the French CSL locale: "et" would join two authors


def test_every_label_language_words_the_back_matter():
    from briefing.render.language import translations, wording

    for language in translations():  # a regional entry (pt-pt) takes the rest from its language's
        entry = wording(language)
        assert entry["how_to_cite"] and entry["cc_by"], language
    assert translations()["ko"]["about_authors"] == "저자 소개"


def test_all_rights_reserved_names_no_deed():
    from briefing.content.models import Labels
    from briefing.render.publication import licence

    printed = licence("all-rights-reserved", Labels())
    assert printed.name == "All rights reserved." and printed.url is None and printed.badge == ()


def test_a_title_with_markup_is_cited_as_text():
    from briefing.content.models import Brief
    from briefing.render.citation import citation_html

    brief = Brief.model_validate({**minimal_brief(), "meta": {**minimal_brief()["meta"],
                                                              "title": "Dams <script>x</script> & rivers",
                                                              "doi": "10.5555/x.1"}})
    html = citation_html(brief, "apa")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; rivers" in html


def test_apa_formats_a_report_as_the_apa_manual_shows_it():
    """The APA Style website's example of a report by individual authors at a government agency
    (apastyle.apa.org, "Report by individual authors at government agency references", after the
    Publication Manual, 7th edition, section 10.4): authors, year, italic title, the report number
    in parentheses, the publisher, then the address. APA 7 section 9.34-9.35: a work with a DOI
    gives it as https://doi.org/…, in the place of the URL, with no full stop after it."""
    from briefing.render.citation import formatted

    item = {"id": "s", "type": "report", "genre": "Report No.", "number": "NASA/CR-2018-220043",
            "title": "Human exploration of Mars: Preliminary lists of crew tasks",
            "author": [{"family": "Stuster", "given": "J."}, {"family": "Adolf", "given": "J."},
                       {"family": "Byrne", "given": "V."}, {"family": "Greene", "given": "M."}],
            "issued": {"date-parts": [[2018]]}, "publisher": "National Aeronautics and Space Administration",
            "URL": "https://ntrs.nasa.gov/archive/nasa/casi.ntrs.nasa.gov/20190001401.pdf"}
    documented = ("Stuster, J., Adolf, J., Byrne, V., & Greene, M. (2018). Human exploration of Mars: "
                  "Preliminary lists of crew tasks (Report No. NASA/CR-2018-220043). National Aeronautics "
                  "and Space Administration. https://ntrs.nasa.gov/archive/nasa/casi.ntrs.nasa.gov/20190001401.pdf")
    assert formatted([item], "apa", html=False) == [documented]
    assert formatted([item], "apa")[0].startswith(
        "Stuster, J., Adolf, J., Byrne, V., &amp; Greene, M. (2018). <i>Human exploration of Mars: ")
    with_doi = {**item, "DOI": "10.5555/nasa-cr-2018-220043"}
    assert formatted([with_doi], "apa", html=False) == [
        documented.rsplit(" ", 1)[0] + " https://doi.org/10.5555/nasa-cr-2018-220043"]


def test_apa_formats_a_work_with_a_doi_as_the_apa_manual_shows_it():
    """The APA Style website's journal article example ("Journal article references", after the
    Publication Manual, 7th edition, section 10.1), whose DOI closes the entry as https://doi.org/…
    with no full stop. (APA publishes its report examples with URLs; a report's DOI takes the URL's
    place by the same rule, see test_apa_formats_a_report_as_the_apa_manual_shows_it.)"""
    from briefing.render.citation import formatted

    item = {"id": "g", "type": "article-journal",
            "title": "Emotions in storybooks: A comparison of storybooks that represent ethnic and racial "
                     "groups in the United States",
            "author": [{"family": "Grady", "given": "J. S."}, {"family": "Her", "given": "M."},
                       {"family": "Moreno", "given": "G."}, {"family": "Perez", "given": "C."},
                       {"family": "Yelinek", "given": "J."}],
            "container-title": "Psychology of Popular Media Culture", "volume": "8", "issue": "3",
            "page": "207-217", "issued": {"date-parts": [[2019]]}, "DOI": "10.1037/ppm0000185"}
    assert formatted([item], "apa", "en-US", html=False) == [
        "Grady, J. S., Her, M., Moreno, G., Perez, C., & Yelinek, J. (2019). Emotions in storybooks: A "
        "comparison of storybooks that represent ethnic and racial groups in the United States. Psychology "
        "of Popular Media Culture, 8(3), 207–217. https://doi.org/10.1037/ppm0000185"]


def test_chicago_formats_a_work_with_a_doi_as_its_quick_guide_shows_it():
    """The Chicago Manual of Style's author-date Quick Guide journal article (Keng, Lin and Orazem
    2017): the DOI as https://doi.org/… closes the entry, with a full stop; American quotation
    marks take the full stop inside. (The guide prints the issue's season, "(Spring)", which CSL
    data carries in a field citeproc-py does not print; the item here has none.)"""
    from briefing.render.citation import formatted

    item = {"id": "k", "type": "article-journal",
            "title": "Expanding College Access in Taiwan, 1978–2014: Effects on Graduate Quality and Income "
                     "Inequality",
            "author": [{"family": "Keng", "given": "Shao-Hsun"}, {"family": "Lin", "given": "Chun-Hung"},
                       {"family": "Orazem", "given": "Peter F."}],
            "container-title": "Journal of Human Capital", "volume": "11", "issue": "1", "page": "1-34",
            "issued": {"date-parts": [[2017]]}, "DOI": "10.1086/690235"}
    assert formatted([item], "chicago-author-date", "en-US", html=False) == [
        "Keng, Shao-Hsun, Chun-Hung Lin, and Peter F. Orazem. 2017. “Expanding College Access in Taiwan, "
        "1978–2014: Effects on Graduate Quality and Income Inequality.” Journal of Human Capital 11 (1): "
        "1–34. https://doi.org/10.1086/690235."]
    html = formatted([item], "chicago-author-date", "en-US")[0]
    assert "<i>Journal of Human Capital</i>" in html


def test_a_report_with_a_doi_ends_with_its_doi_link_in_apa_and_chicago():
    """The brief itself, a report with a DOI: each style puts https://doi.org/… last, as in its
    published examples above (APA with no full stop after it, Chicago with one)."""
    from briefing.content.models import Brief
    from briefing.render.citation import citation_text

    data = minimal_brief()
    data["meta"].update({"title": "Dams and rivers", "doi": "10.5555/dams.1", "publisher": "Basin Institute",
                         "authors": [{"name": "Ada Lovelace"}], "date": "2026-07-01", "language": "en-US"})
    brief = Brief.model_validate(data)
    assert citation_text(brief, "apa").startswith("Lovelace, A. (2026). Dams and rivers")
    assert citation_text(brief, "apa").endswith("Basin Institute. https://doi.org/10.5555/dams.1")
    assert citation_text(brief, "chicago-author-date").startswith("Lovelace, Ada. 2026. Dams and Rivers.")
    assert citation_text(brief, "chicago-author-date").endswith("Basin Institute. https://doi.org/10.5555/dams.1.")


def test_every_offered_style_ships_with_its_licence():
    from briefing.content.identifiers import CITATION_STYLES
    from briefing.render.citation import STYLES_FOLDER

    for style in CITATION_STYLES:
        text = (STYLES_FOLDER / f"{style}.csl").read_text(encoding="utf-8")
        assert 'license="http://creativecommons.org/licenses/by-sa/3.0/"' in text, style
    assert "Attribution-ShareAlike 3.0" in (STYLES_FOLDER / "LICENSE.md").read_text(encoding="utf-8")
