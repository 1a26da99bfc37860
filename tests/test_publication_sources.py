"""The sources list, formatted by the CSL processor in the brief's citation style, and where that style
comes from: the brief, briefing.toml, the theme. Read back from the HTML, from pdftotext and pikepdf."""

from __future__ import annotations

import re

import pikepdf
import pytest

from helpers import minimal_brief, pdf_text, run_cli, write_yaml


def sources_brief(**meta):
    data = minimal_brief()
    data["meta"].update(meta)
    data["sources"] = [
        {"id": "mrc", "title": "State of the Basin", "publisher": "Mekong River Commission", "date": "2023-06-12",
         "url": "https://example.org/basin?year=2023&part=1"},
        {"id": "kim", "title": "Rivers <b>& dams</b>", "author": "Kim Min-jun", "date": 2021,
         "note": "Interview notes"},
        {"id": "undated", "title": "Public record of dam openings"},
    ]
    data["background"]["timeline"][0]["source"] = "kim"
    return data


def sources_html(data, theme=None):
    from briefing.content.models import Brief
    from briefing.render.html import render_html

    html = render_html(Brief.model_validate(data), theme)
    return html[html.index('<section class="sources"'):html.index("</section>", html.index('<section class="sources"'))]


def entries(html):
    """Each list item's text, its tags removed."""
    items = re.findall(r"<li id=\"source-[^\"]+\".*?</li>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).replace("\u2068", "").replace("\u2069", "")
                     .replace("&#x2068;", "").replace("&#x2069;", "").split())
            for item in items]


def test_sources_are_formatted_in_the_brief_s_style_by_the_csl_processor():
    chicago = entries(sources_html(sources_brief()))
    assert chicago[0].startswith("Mekong River Commission. 2023. “State of the Basin.” Mekong River Commission, "
                                 "June 12. https://example.org/basin?year=2023&amp;part=1.")
    assert chicago[1].startswith("Kim Min-jun. 2021. “Rivers &lt;b&gt;&amp; Dams&lt;/b&gt;.” Interview notes.")
    assert chicago[2].startswith("Public record of dam openings. n.d.")
    assert chicago[2].count("Public record of dam openings") == 1  # never the title twice
    apa = entries(sources_html(sources_brief(citation_style="apa")))
    # APA 7, 9.24: when the author and publisher are the same, the publisher is not named again.
    assert apa[0].startswith("Mekong River Commission. (2023, June 12). State of the Basin. "
                             "https://example.org/basin?year=2023&amp;part=1")
    ieee = entries(sources_html(sources_brief(citation_style="ieee")))
    assert not any(entry.startswith("[") for entry in ieee)  # the list numbers them, not the style


def test_a_prose_edit_formats_no_citation_again():
    from briefing.render.citation import _formatted

    data = sources_brief(citation_style="apa")
    first = sources_html(data)
    formatted = _formatted.cache_info().misses
    data["background"]["body"] = "The river crosses six countries, and more."
    assert sources_html(data) == first
    assert _formatted.cache_info().misses == formatted
    data["sources"][0]["title"] = "State of the Basin 2024"  # a changed source is formatted again
    assert "State of the Basin 2024" in sources_html(data)
    assert _formatted.cache_info().misses == formatted + 1


def test_sources_keep_their_anchors_links_and_cited_for():
    html = sources_html(sources_brief(citation_style="apa"))
    assert re.findall(r'<li id="(source-[^"]+)"', html) == ["source-mrc", "source-kim", "source-undated"]
    assert '<a href="https://example.org/basin?year=2023&amp;part=1" class="source-url" dir="ltr">' in html
    assert '<span class="source-title">' in html and "<i><span class=\"source-title\">" in html  # APA: italic
    kim = html[html.index('id="source-kim"'):html.index('id="source-undated"')]
    assert 'class="cited-by"' in kim and 'href="#background-timeline-0"' in kim
    assert "<b>" not in html  # the title's markup is text


def test_a_source_in_another_language_keeps_its_language_on_the_title():
    data = sources_brief()
    data["sources"][1].update(title="강과 댐", language="ko")
    assert '<span class="source-title" lang="ko">' in sources_html(data)


def test_a_title_in_another_language_keeps_its_capitals_and_its_own_question_mark():
    data = sources_brief()
    data["sources"][0].update(title="Que faire du fleuve ?", language="fr")
    data["sources"][1].update(title="What next for the dams?")
    for style in ("chicago-author-date", "apa", "modern-language-association", "harvard-cite-them-right", "ieee"):
        data["meta"]["citation_style"] = style
        listed = entries(sources_html(data))
        assert "Que faire du fleuve ?" in listed[0], (style, listed[0])  # never "Que Faire Du Fleuve"
        for entry in listed[:2]:
            assert not re.search(r"[?!][”’\"]?\.", entry), (style, entry)  # never "dams?.”"


def test_a_brief_in_another_language_lists_its_sources_in_its_own_words():
    """The shipped styles are English-language styles: a French or Japanese brief lists its sources in
    the theme's own form, its dates and punctuation in its language, never "août 22" or "8月 22"."""
    data = sources_brief(language="fr")
    listed = entries(sources_html(data))
    assert listed[0].startswith("State of the Basin, Mekong River Commission, 12 juin 2023. "
                                "https://example.org/basin?year=2023&amp;part=1")
    assert listed[1].startswith("Rivers &lt;b&gt;&amp; dams&lt;/b&gt;, Kim Min-jun, 2021. Interview notes")
    japanese = entries(sources_html(sources_brief(language="ja", citation_style="apa")))
    assert japanese[0].startswith("State of the Basin、Mekong River Commission、2023年6月12日。")


@pytest.mark.pdf
def test_the_printed_sources_read_in_the_style_and_link_back(tmp_path):
    write_yaml(tmp_path / "brief.yaml", sources_brief(citation_style="apa"))
    result = run_cli("build", "brief.yaml", "-o", "brief.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_text(tmp_path / "brief.pdf").split())
    assert "Mekong River Commission. (2023, June 12). State of the Basin. https://example.org" in text
    assert "Kim Min-jun. (2021). Rivers <b>& dams</b>. Interview notes." in text
    with pikepdf.open(tmp_path / "brief.pdf") as pdf:
        annots = [annot for page in pdf.pages for annot in page.get("/Annots", []) if annot.get("/Subtype") == "/Link"]
        uris = {str(annot.A.URI) for annot in annots if "/A" in annot and "/URI" in annot.A}
        internal = [annot for annot in annots if "/Dest" in annot or ("/A" in annot and annot.A.get("/S") == "/GoTo")]
    assert "https://example.org/basin?year=2023&part=1" in uris
    assert internal  # the citation marks and "Cited for" still jump within the brief


# --- where the style comes from --------------------------------------------------------------------

def theme_with(folder, text):
    folder.mkdir()
    (folder / "theme.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_theme_s_citation_style_applies_where_the_brief_names_none(tmp_path):
    from briefing import load_theme

    theme = load_theme(theme_with(tmp_path / "house", "extends: default\ncitation_style: apa\n"))
    assert theme.citation_style == "apa"
    assert entries(sources_html(sources_brief(), theme))[0].startswith("Mekong River Commission. (2023, June 12).")
    chicago = entries(sources_html(sources_brief(citation_style="chicago-author-date"), theme))
    assert chicago[0].startswith("Mekong River Commission. 2023.")  # the brief's own wins


@pytest.mark.pdf
def test_cite_takes_the_style_from_the_brief_then_briefing_toml_then_the_theme(tmp_path):
    theme_with(tmp_path / "house", "extends: default\ncitation_style: ieee\n")
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    write_yaml(tmp_path / "styled.yaml", sources_brief(citation_style="modern-language-association"))

    def text(*args):
        result = run_cli("cite", *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert text("brief.yaml").startswith("Analyst, Ada. 2024.")  # chicago-author-date, the default
    assert text("brief.yaml", "--theme", "./house").startswith("A. Analyst,")  # the theme's IEEE
    (tmp_path / "briefing.toml").write_text('theme = "house"\n', encoding="utf-8")
    assert text("brief.yaml").startswith("A. Analyst,")  # briefing.toml's theme
    (tmp_path / "briefing.toml").write_text('theme = "house"\ncitation_style = "apa"\n', encoding="utf-8")
    assert text("brief.yaml").startswith("Analyst, A. (2024).")  # briefing.toml's style before the theme's
    assert text("styled.yaml").startswith("Analyst, Ada. ")  # the brief's own MLA before both
    assert text("brief.yaml", "--style", "ieee").startswith("A. Analyst,")  # --style before everything


@pytest.mark.pdf
def test_briefing_toml_s_citation_style_reaches_the_printed_brief(tmp_path):
    write_yaml(tmp_path / "brief.yaml", sources_brief(doi="10.5555/tb.1"))
    (tmp_path / "briefing.toml").write_text('citation_style = "apa"\n', encoding="utf-8")
    result = run_cli("build", "brief.yaml", "-o", "brief.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_text(tmp_path / "brief.pdf").split())
    assert "Mekong River Commission. (2023, June 12)." in text
    assert "Analyst, A. (2024)." in text  # "How to cite", in APA too (its column: the words wrap)


@pytest.mark.pdf
def test_an_unknown_style_in_a_theme_is_located(tmp_path):
    theme_with(tmp_path / "house", "extends: default\ncitation_style: vancouver\n")
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("cite", "brief.yaml", "--theme", "./house", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"house/theme\.yaml:2:17: citation_style: .*'chicago-author-date'", result.stderr), result.stderr


@pytest.mark.pdf
def test_an_unknown_style_in_briefing_toml_is_located(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    (tmp_path / "briefing.toml").write_text('paper = "a4"\ncitation_style = "vancover"\n', encoding="utf-8")
    for command in (("cite", "brief.yaml"), ("build", "brief.yaml")):
        result = run_cli(*command, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "briefing.toml:2:18: citation_style: unknown citation style 'vancover'" in result.stderr, result.stderr
    assert not (tmp_path / "brief.pdf").exists()
