"""Briefs in any language: fonts for every script, located missing glyphs, right to left,
labels, dates and quotation marks in the brief's language.

The PDFs are read back with pikepdf (which glyph each font draws, from its Encoding,
CIDToGIDMap and ToUnicode), pdftotext (the text, and with -bbox where words stand)
and pdfinfo.
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from helpers import ROOT, run_cli, write_yaml
from helpers.fonts import drawn_glyphs, glyph_ids, notdef_text
from helpers.tools import tool

KOREAN = ROOT / "content" / "korea-japan-claims-ko.yaml"
ARABIC = ROOT / "content" / "arab-league-ar.yaml"


def brief_data(language: str = "en", **overrides) -> dict:
    data = {
        "meta": {"title": "Test brief", "date": "2021-02-28", "language": language, "identifier": "T-1",
                 "authors": [{"name": "Ada Analyst"}]},
        "summary": ["One point.", "Another point."],
        "background": {"body": "Some prose.", "timeline": [{"date": 1965, "event": "Something happened."}]},
        "sources": [],
    }
    data.update(overrides)
    return data


def text_of(path: Path, *options: str) -> str:
    """pdftotext's text without the bidi marks it inserts around right-to-left runs."""
    raw = subprocess.run([tool("pdftotext"), *options, str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return "".join(char for char in raw if unicodedata.category(char) != "Cf")


def squeezed(text: str) -> str:
    """Text without white space: pdftotext places the spaces around numbers in right-to-left
    lines, and between a page number and its slash, as it sees fit."""
    return "".join(text.split())


def words(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word on `page`, as poppler places them."""
    import re

    xml = subprocess.run([tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), word) for a, b, c, d, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml)]


def page_width(path: Path) -> float:
    with pikepdf.open(path) as pdf:
        return float(pdf.pages[0].mediabox[2])


def build(content: Path, out: Path, *args: str) -> Path:
    result = run_cli("build", str(content), "-o", str(out), *args, cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def korean_pdf(tmp_path_factory) -> Path:
    return build(KOREAN, tmp_path_factory.mktemp("ko") / "ko.pdf")


@pytest.fixture(scope="module")
def arabic_pdf(tmp_path_factory) -> Path:
    return build(ARABIC, tmp_path_factory.mktemp("ar") / "ar.pdf")


# ---- fast: wording, dates, markup ----------------------------------------------------------

def test_dates_are_written_as_cldr_writes_them_for_the_language():
    import datetime as dt

    from briefing.content.models import PartialDate
    from briefing.render.language import format_date

    day = dt.date(2021, 2, 28)
    assert format_date(day, "en") == "28 February 2021"  # the house style: British English
    assert format_date(day, "en-US") == "February 28, 2021"
    assert format_date(day, "ko") == "2021년 2월 28일"
    assert format_date(day, "fr") == "28 février 2021"
    assert format_date(day, "ja") == "2021年2月28日"
    assert format_date(day, "ar") == "28 فبراير 2021"
    assert format_date(PartialDate(2021, 1), "ko") == "2021년 1월"
    assert format_date(PartialDate(1965), "ja") == "1965年"
    assert format_date(day, "xx") == "28 February 2021"  # unknown languages fall back to English


def test_every_language_gives_every_label_and_section_title():
    from briefing.content.models import Labels
    from briefing.render.language import SECTION_TITLES, translations

    table = translations()
    for language in ("en", "fr", "de", "es", "pt", "ko", "ja", "zh", "ar", "he"):
        entry = table[language]
        nested = ("sections", "revisions", "charts")
        assert set(entry) - set(nested) == set(Labels.model_fields), language
        Labels.model_validate({name: value for name, value in entry.items() if name not in nested})
        assert set(entry["revisions"]) == set(table["en"]["revisions"]), language
        assert set(entry["sections"]) == set(SECTION_TITLES), language
        assert set(entry["charts"]) == set(table["en"]["charts"]), language  # a chart's alt text and table
    assert table["en"] == {**Labels().model_dump(), "sections": table["en"]["sections"],
                           "revisions": table["en"]["revisions"], "charts": table["en"]["charts"]}


def test_labels_file_reads_as_yaml_1_2_reads_it():
    """labels.yaml is read with libyaml (YAML 1.1); a `no` or `on` that 1.1 would turn into a
    boolean would read differently from YAML 1.2's reading, which this compares with."""
    from ruamel.yaml import YAML

    from briefing.render.language import LABELS_FILE, translations

    assert translations() == YAML(typ="safe", pure=True).load(LABELS_FILE.read_text(encoding="utf-8"))


def test_the_brief_s_own_labels_and_titles_win_over_its_language():
    from briefing.content.models import Brief
    from briefing.render.language import layout_labels, section_title

    brief = Brief.model_validate(brief_data("ko", labels={"sources": "참고 문헌"}))
    labels = layout_labels(brief)
    assert labels.sources == "참고 문헌" and labels.takeaways == "핵심 요약"
    assert section_title(brief, "background") == "배경"
    titled = Brief.model_validate(brief_data("ko", background={"title": "역사", "body": "본문."}))
    assert section_title(titled, "background") == "역사"
    assert layout_labels(Brief.model_validate(brief_data("zh-TW"))).sources == "資料來源"
    assert layout_labels(Brief.model_validate(brief_data("nl"))).sources == "Sources"


def test_html_carries_language_direction_and_language_spans():
    from briefing.content.models import Brief
    from briefing.render.html import render_html

    data = brief_data("ar", summary=["قال [菅義偉]{lang=ja} و[Yoshihide Suga]{lang=en}.", "نقطة."])
    data["meta"]["authors"] = [{"name": "菅義偉", "language": "ja"}]
    html = render_html(Brief.model_validate(data))
    assert '<html lang="ar" dir="rtl">' in html
    assert '<span lang="ja" dir="ltr">菅義偉</span>' in html
    assert '<span lang="en" dir="ltr">Yoshihide Suga</span>' in html  # isolated in right-to-left text
    assert '<span class="author-name" lang="ja" dir="ltr">菅義偉</span>' in html
    assert "أبرز النقاط" in html and "28 فبراير 2021" in html
    assert '<html lang="en" dir="ltr">' in render_html(Brief.model_validate(brief_data("en")))


def test_quotation_marks_follow_the_language():
    from briefing.content.models import Brief
    from briefing.render.html import render_html

    for language, opening, closing in (("fr", "«\u00a0", "\u00a0»"), ("ja", "「", "」"), ("en", "“", "”")):
        data = brief_data(language, summary=['Il a dit "oui".', "Deux."])
        data["expert_proposals"] = {"proposals": [{"expert": {"name": "X"}, "proposal": "P.",
                                                   "quote": "Q", "source": "s"}]}
        data["sources"] = [{"id": "s", "title": "S"}]
        html = render_html(Brief.model_validate(data))
        assert f"{opening}oui{closing}" in html, language
        assert f"<p>{opening}Q{closing}</p>" in html, language


def test_a_language_span_cannot_carry_other_attributes():
    from briefing.render.html import markdown_inline, text

    rendered = str(markdown_inline('[x]{lang=ja onclick=alert(1)} [y]{lang="ja"}'))
    assert "<span" not in rendered
    assert str(text('<b>[名]{lang=ja}</b>')) == '&lt;b&gt;<span lang="ja" dir="ltr">名</span>&lt;/b&gt;'


def test_missing_glyphs_are_located_at_the_field_that_holds_them(tmp_path):
    from briefing.content.load import check
    from briefing.content.review import glyph_problems

    data = brief_data("ko")
    data["meta"]["authors"] = [{"name": "김민"}]
    content = write_yaml(tmp_path / "brief.yaml", data)
    checked = check(content)
    problems = glyph_problems(checked.brief, checked.positions, content, ["김", "민", "핵"])
    shown = [str(problem) for problem in problems]
    assert any(line.endswith("meta.authors.0.name: no installed font can draw 김, 민 (install fonts-noto-cjk)")
               and ":" in line.split(" ")[0] for line in shown), shown
    assert any("meta.language: the layout's wording in 'ko': no installed font can draw 핵" in line
               for line in shown), shown
    author = next(problem for problem in problems if problem.field == "meta.authors.0.name")
    assert (author.line, author.column) == (7, 11)  # "  - name: 김민"


# ---- real renders ------------------------------------------------------------------------

@pytest.mark.pdf
def test_korean_example_has_no_empty_boxes_korean_dates_labels_and_lang(korean_pdf):
    glyphs = drawn_glyphs(korean_pdf)
    assert glyphs and notdef_text(korean_pdf) == []
    assert any("CJK" in glyph.font for glyph in glyphs)
    assert not any("Oblique" in glyph.font for glyph in glyphs)  # no slanted copy stands in for italic
    text = text_of(korean_pdf)
    for expected in ("2021년 2월 28일", "핵심 요약", "연표", "1965년 6월 22일", "법원 판결", "출처"):
        assert expected in text, expected
    assert "1/2" in squeezed(text)
    assert "Key takeaways" not in text and "February" not in text
    with pikepdf.open(korean_pdf) as pdf:
        assert str(pdf.Root.Lang) == "ko"


@pytest.mark.pdf
def test_arabic_example_is_mirrored_with_arabic_dates_labels_and_lang(arabic_pdf):
    assert notdef_text(arabic_pdf) == []
    fonts = {glyph.font for glyph in drawn_glyphs(arabic_pdf)}
    assert any("Naskh-Arabic" in font for font in fonts) and not any("DejaVu" in font for font in fonts)
    assert not any("Oblique" in font for font in fonts)
    text = squeezed(text_of(arabic_pdf))
    for expected in ("أبرز النقاط", "22 مارس 2025", "التسلسل الزمني", "المصادر", "صفحة 1 من 2"):
        assert squeezed(expected) in text, expected
    with pikepdf.open(arabic_pdf) as pdf:
        assert str(pdf.Root.Lang) == "ar"

    width = page_width(arabic_pdf)
    first, second = words(arabic_pdf, 1), words(arabic_pdf, 2)
    # pdftotext -bbox gives Arabic words in visual order: compare them reversed.
    placed = {word[::-1]: (x_min, x_max) for x_min, _, x_max, _, word in first}
    heading = placed["النقاط"]
    assert heading[1] > width * 0.8, heading  # the takeaways heading hugs the right margin
    page_word = placed["صفحة"]
    assert page_word[1] < width * 0.3, page_word  # page numbers sit bottom left
    title_words = [x_max for x_min, y_min, x_max, _, word in second if y_min < 80]
    assert max(title_words) > width * 0.8  # the running title stands top right
    latin = [word for *_, word in first if word.startswith("EX-AR-1")]
    assert latin, "a Latin identifier keeps its own order inside right-to-left text"
    # the timeline's dates stand right of its events, as the rule does
    event = placed["توقيع"]
    date = next((x_min, x_max) for x_min, _, x_max, _, word in first if word == "1945" and x_min > event[1])
    assert date[0] > event[1]


@pytest.mark.pdf
def test_english_example_keeps_its_layout_left_to_right(example_pdf):
    width = page_width(example_pdf)
    page = [(x_min, x_max) for x_min, _, x_max, _, word in words(example_pdf, 1) if word == "Page"]
    assert page and page[0][0] > width * 0.7
    assert "28 February 2021" in text_of(example_pdf)


@pytest.mark.pdf
def test_japanese_name_in_a_korean_brief_takes_japanese_forms(tmp_path):
    """偉 has a Korean and a Japanese form; marked ja, it is drawn as a Japanese brief draws it."""
    def han_glyphs(language: str, summary: str) -> set[int]:
        data = brief_data(language, summary=[summary, "x."])
        content = write_yaml(tmp_path / f"{language}-{len(summary)}.yaml", data)
        pdf = build(content, tmp_path / f"{content.stem}.pdf")
        assert notdef_text(pdf) == []
        return glyph_ids(pdf, "Serif-CJK", "偉")

    marked = han_glyphs("ko", "일본 총리 [菅義偉]{lang=ja}.")
    japanese = han_glyphs("ja", "菅義偉首相。")
    korean = han_glyphs("ko", "위인 偉人.")
    assert marked and marked == japanese
    assert korean and korean != japanese


@pytest.mark.pdf
def test_mixed_english_hangul_and_kanji_brief_draws_every_script(tmp_path):
    data = brief_data("en", summary=["Moon Jae-in (문재인) met [菅義偉]{lang=ja} over [徴用工]{lang=ja}.",
                                     "Both sides cite the 1965 treaty."])
    data["meta"]["authors"] = [{"name": "김민", "language": "ko"}, {"name": "Ada Analyst"}]
    pdf = build(write_yaml(tmp_path / "mixed.yaml", data), tmp_path / "mixed.pdf")
    assert notdef_text(pdf) == []
    drawn = {glyph.text for glyph in drawn_glyphs(pdf)}
    assert set("문재인菅義偉徴用工김민") <= drawn
    text = text_of(pdf)
    assert "28 February 2021" in text and "KEY TAKEAWAYS" in text.upper()


@pytest.mark.pdf
def test_a_character_no_font_has_is_a_located_warning_and_strict_fails(tmp_path):
    """A machine with DejaVu alone (a fresh Debian): Hangul is drawn as .notdef, and said so."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                      "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
                      f"  <cachedir>{tmp_path / 'cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    data = brief_data("en")
    data["meta"]["authors"] = [{"name": "김민"}]
    content = write_yaml(tmp_path / "brief.yaml", data)
    env = {"FONTCONFIG_FILE": str(config)}
    built = run_cli("build", "brief.yaml", "-o", "brief.pdf", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    expected = "brief.yaml:7:11: meta.authors.0.name: no installed font can draw 김, 민 (install fonts-noto-cjk)"
    assert expected in built.stderr
    assert notdef_text(tmp_path / "brief.pdf") == ["김", "민"]  # what the warning says is what the PDF shows

    before = (tmp_path / "brief.pdf").read_bytes()
    strict = run_cli("build", "brief.yaml", "-o", "brief.pdf", "--strict", "--force", cwd=tmp_path, env=env)
    assert strict.returncode == 2 and "Traceback" not in strict.stderr
    assert expected in strict.stderr
    assert (tmp_path / "brief.pdf").read_bytes() == before
    assert content.exists()


@pytest.mark.pdf
def test_pages_can_be_looked_at(korean_pdf, arabic_pdf, tmp_path):
    for pdf in (korean_pdf, arabic_pdf):
        subprocess.run([tool("pdftoppm"), "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / pdf.stem)],
                       check=True)
    assert len(list(tmp_path.glob("*.png"))) == 2
