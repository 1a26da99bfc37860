"""What native readers of each language check on the printed page, read back from real PDFs:
where lines break, which marks and spaces stand beside the words, which font draws them,
where right-to-left rules, dots and line ends stand, and the labels.

Readers: pdftotext (the text layer and its line ends), pikepdf (fonts and glyphs) and
pdfplumber (where characters, rules and dots stand).
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ROOT, run_cli, write_yaml

KOREAN = ROOT / "content" / "korea-japan-claims-ko.yaml"
ARABIC = ROOT / "content" / "arab-league-ar.yaml"


def brief_data(language: str, **overrides) -> dict:
    data = {
        "meta": {"title": "Test", "date": "2023-09-01", "language": language, "identifier": "T-1",
                 "series": "Series", "authors": [{"name": "Ada Analyst"}]},
        "summary": ["One.", "Two."],
        "background": {"body": "Prose.", "timeline": [{"date": 1965, "event": "Event."}]},
        "sources": [],
    }
    data.update(overrides)
    return data


def build(tmp_path: Path, data: dict, name: str = "brief") -> Path:
    content = write_yaml(tmp_path / f"{name}.yaml", data)
    result = run_cli("build", content.name, "-o", f"{name}.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / f"{name}.pdf"


def raw_text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def visible(text: str) -> str:
    """Text without the bidi marks pdftotext adds around right-to-left runs."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


# ---- 1. Korean breaks lines only between words ------------------------------------------------

KOREAN_PROSE = ("한국과 일본은 1965년 6월 22일 도쿄에서 「대한민국과 일본국 간의 기본관계에 관한 조약」에 "
                "서명해 국교를 정상화했다. 같은 날 서명된 청구권협정은 양국과 국민 사이의 청구권 문제가 "
                "완전히 그리고 최종적으로 해결된 것으로 확인한다고 규정했다.")


def test_korean_words_are_joined_in_the_html_and_nothing_else_changes():
    from briefing.render.typography import WORD_JOINER, set_type

    html = '<html lang="ko"><head><title>청구권</title></head><body><p title="청구권">청구권협정은 a b</p></body></html>'
    out = set_type(html)
    assert f"<p title=\"청구권\">청{WORD_JOINER}구{WORD_JOINER}권{WORD_JOINER}협{WORD_JOINER}정{WORD_JOINER}은 a b</p>" in out
    assert "<title>청구권</title>" in out  # the head, and every attribute, stay as written
    assert set_type("<p>plain English, nothing to do</p>") == "<p>plain English, nothing to do</p>"


def _walked(document: str) -> str:
    """`set_type` with its shortcut switched off: every document walked."""
    from briefing.render import typography

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typography, "_needs_setting", lambda document: True)
        return typography.set_type(document)


@pytest.mark.parametrize("document", [
    '<html lang="en"><body><p>Plain “quoted” English: nothing to do; none!</p><svg><text>1,200</text></svg></body></html>',
    '<p lang="fr">Il dit : « oui » ; puis non !</p>',
    '<p LANG=FR-CA>Quoi ?</p>',
    '<p lang="zh-Hant">他說“好”</p>',
    "<p>&#xAC00;&#xB098; and &#45208;&#45796;</p>",  # Hangul written as character references
    '<p>&#39;quoted&#39; &amp; &#x27;straight&#x27; &#1114112; &#99999999999;</p>',
    '<a hreflang="fr" href="x">English link text : here ?</a>',
])
def test_the_shortcut_gives_what_the_walk_gives(document):
    from briefing.render.typography import set_type

    assert set_type(document) == _walked(document)


def test_rendered_example_briefs_are_set_as_the_walk_sets_them():
    import briefing
    from briefing.render import typography

    for content in (ROOT / "content" / "korea-japan-2021.yaml", KOREAN, ARABIC):
        html = typography.set_type(briefing.render_html(briefing.load(content)))  # already set: unchanged
        assert typography.set_type(html) == _walked(html)


@given(st.lists(st.tuples(st.sampled_from(["", "en", "fr", "FR-ca", "zh", "ko", "ar"]),
                          st.text(alphabet="ab 가나:;!?«»“”‘’&#x;0123456789AC<>", max_size=24),
                          st.booleans()), max_size=6))
@settings(max_examples=150, deadline=None)
def test_whatever_the_shortcut_passes_over_the_walk_would_leave_as_it_is(pieces):
    """Mixed languages, marks, Hangul (as letters or as character references) and stray
    ampersands: a document the shortcut returns untouched is one the walk would not change."""
    import html as html_module

    from briefing.render import typography

    document = "<body>" + "".join(
        f'<p{f" lang={language!r}" if language else ""}>{html_module.escape(text, quote=False)}'
        f'{"&#xAC00;" if reference else ""}</p>' for language, text, reference in pieces) + "</body>"
    if not typography._needs_setting(document):
        assert _walked(document) == document


@pytest.mark.pdf
def test_korean_lines_end_only_at_spaces_and_the_text_layer_stays_plain(tmp_path):
    """Three position cards make narrow columns: every line still ends at the end of a word."""
    data = brief_data("ko", background={"body": KOREAN_PROSE})
    data["legal_deadlock"] = {"positions": [{"party": party, "stance": KOREAN_PROSE} for party in ("가", "나", "다")]}
    pdf = build(tmp_path, data)
    source_words = set(KOREAN_PROSE.split())
    text = raw_text(pdf)
    assert "\u2060" not in text and not [char for char in text if unicodedata.category(char) == "Cf"]
    lines = [line.split() for line in text.splitlines()]
    prose_lines = [line for line in lines if line and any(word in source_words for word in line)]
    assert len(prose_lines) > 12  # the prose once in the body, three times in the cards
    broken = [line for line in prose_lines if not set(line) <= source_words]
    assert broken == []
    assert "청구권협정은" in text and "최종적으로" in text


# ---- 2. the masthead of a CJK brief is one line ------------------------------------------------

@pytest.mark.pdf
def test_the_korean_example_passes_strict_preflight(tmp_path):
    result = run_cli("check", str(KOREAN), "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dateline" not in result.stdout + result.stderr


@pytest.mark.pdf
@pytest.mark.parametrize("language", ["ja", "zh", "zh-Hant"])
def test_a_cjk_masthead_on_one_line_is_not_reported(tmp_path, language):
    data = brief_data(language)
    data["meta"]["series"] = {"ja": "政策ブリーフ", "zh": "政策简报", "zh-Hant": "政策簡報"}[language]
    content = write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("check", content.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dateline" not in result.stdout + result.stderr


# ---- 3. labels, punctuation, quotation marks ---------------------------------------------------

#: The wording the native readers asked for (issue 26, item 11), label by label.
REVIEWED_LABELS = {
    "ko": {"positions": "당사자별 입장", "signposts": "향후 주목할 사항", "cited_by": "인용된 곳",
           "ruling_date": "선고일", "legal_deadlock": "법적 쟁점"},
    "ja": {"comma": "、", "ruling_date": "判決日", "legal_deadlock": "法的争点", "colon": "："},
    "zh": {"comma": "，", "signposts": "关注要点", "cited_by": "引用于", "ruling_date": "判决日期",
           "subject": "事由", "sender": "撰稿人"},
    "zh-Hant": {"comma": "，", "figures": "關鍵數字", "signposts": "觀察重點", "cited_by": "引用於",
                "ruling_date": "判決日期"},
    "ar": {"cited_by": "استُشهد به في", "holding": "منطوق الحكم"},
    "he": {"positions": "עמדות הצדדים", "cited_by": "מצוטט ב"},
    "fr": {"series": "Collection"},
    "de": {"signposts": "Worauf es jetzt ankommt", "holding": "Kernaussage", "attribution": "–"},
    "es": {"signposts": "Claves a seguir"},
    "pt-PT": {"quotes": ["«", "»", "“", "”"]},
}


@pytest.mark.parametrize("language", sorted(REVIEWED_LABELS))
def test_labels_are_those_native_readers_asked_for(language):
    from briefing.content.models import Brief
    from briefing.render.language import layout_labels, section_title

    brief = Brief.model_validate(brief_data(language))
    labels = layout_labels(brief).model_dump()
    for name, expected in REVIEWED_LABELS[language].items():
        shown = section_title(brief, name) if name == "legal_deadlock" else labels[name]
        assert shown == expected, name


def test_every_language_gives_its_punctuation_and_portugal_keeps_brazil_s_wording():
    from briefing.content.models import Brief
    from briefing.render.language import layout_labels

    def labels(language):
        return layout_labels(Brief.model_validate(brief_data(language)))

    for language in ("ja", "zh", "zh-Hant"):
        assert (labels(language).colon, labels(language).full_stop) == ("：", "。"), language
    assert labels("en").colon == ":" and labels("fr").colon == "\u00a0:"
    assert labels("pt-BR").quotes == ["“", "”", "‘", "’"] and labels("pt").quotes == labels("pt-BR").quotes
    assert labels("pt-PT").takeaways == labels("pt-BR").takeaways == "Pontos principais"
    assert labels("ko").date == "날짜"  # the memo's date row keeps the plain word
    own = layout_labels(Brief.model_validate(brief_data("en", labels={"date": "Dated"})))
    assert own.ruling_date == "Dated"  # a brief that renamed the date column before ruling_date existed


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    import datetime as dt

    from briefing.render.language import format_date

    assert format_date(dt.date(2023, 9, 1), "fr") == "1er septembre 2023"
    assert format_date(dt.date(2023, 9, 2), "fr") == "2 septembre 2023"
    assert format_date(dt.date(2023, 9, 1), "fr-CA") == "1er septembre 2023"
    assert format_date(dt.date(2023, 9, 1), "en") == "1 September 2023"


def plumbed_text(pdf: Path) -> str:
    """Every character of the PDF as its ToUnicode map says (pdftotext turns U+202F into a space)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return "".join(char["text"] for page in document.pages for char in page.chars)


@pytest.mark.pdf
@pytest.mark.parametrize("language, prose, expected", [
    ("ja", '経済産業省は、"透明性"を求めた。', "、「透明性」を"),
    ("ko", '이른바 "청구권"이라는 말.', "“청구권”이라는"),
    ("zh-Hant", '他說"透明性"很重要。', "說「透明性」很"),
    ("he", 'הוא דיבר ל"קו האדום" של צה"ל.', 'ל”קו האדום” של צה"ל'),
])
def test_straight_quotes_touching_letters_pair_as_the_language_does(tmp_path, language, prose, expected):
    pdf = build(tmp_path, brief_data(language, summary=[prose, "2."]))
    assert expected in visible(raw_text(pdf))  # pdftotext: right-to-left text in logical order


@pytest.mark.pdf
def test_cjk_lists_and_source_entries_take_cjk_punctuation(tmp_path):
    data = brief_data("ja", sources=[{"id": "meti", "title": "輸出管理", "publisher": "経済産業省",
                                      "date": "2023-08-22"}])
    data["background"]["timeline"][0]["source"] = "meti"
    data["legal_deadlock"] = {"rulings": [{"date": "2018-10-30", "court": "大法院", "holding": "確定。",
                                           "source": "meti"}]}
    pdf = build(tmp_path, data)
    text = plumbed_text(pdf)
    assert "輸出管理、経済産業省、2023年8月22日。" in text
    assert "引用箇所：" in text and "大法院、2018年10月30日" in text
    assert "判決日" in text and ", " not in text.split("出典")[-1]


@pytest.mark.pdf
def test_chinese_curly_quotes_are_drawn_full_width_by_the_cjk_face(tmp_path):
    import pdfplumber

    data = brief_data("zh", summary=["他说“透明性”很重要，也说 Korea’s。", "二。"])
    pdf = build(tmp_path, data)
    with pdfplumber.open(pdf) as document:
        chars = document.pages[0].chars
    quotes = [char for char in chars if char["text"] in "“”"]
    assert len(quotes) == 2
    for char in quotes:
        assert "CJK" in char["fontname"], char["fontname"]
        assert char["x1"] - char["x0"] == pytest.approx(char["size"], rel=0.05)  # a full em
    apostrophe = next(char for char in chars if char["text"] == "’")
    assert "CJK" not in apostrophe["fontname"]  # inside a Latin word it stays Latin


FRENCH = 'Pourquoi ? Parce que ; voilà ! Note : "oui" et «non» ; enfin «\u00a0si\u00a0».'


@pytest.mark.pdf
def test_french_spaces_before_marks_and_inside_guillemets_and_first_of_the_month(tmp_path):
    data = brief_data("fr", summary=[FRENCH, "Deux."])
    data["legal_deadlock"] = {"positions": [{"party": party, "stance": " ".join(["« Vraiment » ?"] * 12)}
                                            for party in ("A", "B", "C")]}
    pdf = build(tmp_path, data)
    text = plumbed_text(pdf)
    assert ("Pourquoi\u202f? Parce que\u202f; voilà\u202f! Note\u00a0: «\u00a0oui\u00a0» et «\u00a0non\u00a0»"
            "\u202f; enfin «\u00a0si\u00a0».") in text
    assert "1er septembre 2023" in text and "Collection" not in text  # (the series is the brief's own)
    lines = raw_text(pdf).splitlines()
    assert sum("Vraiment" in line for line in lines) >= 12
    assert not [line for line in lines if line.rstrip().endswith("«")]
    assert not [line for line in lines if line.lstrip().startswith(("»", "?", ";", "!", ":"))]


@pytest.mark.pdf
def test_portuguese_of_portugal_quotes_with_guillemets_and_brazil_with_curly_quotes(tmp_path):
    for language, opening, closing in (("pt-PT", "«", "»"), ("pt-BR", "“", "”")):
        data = brief_data(language, summary=['Disse "sim".', "Dois."])
        text = plumbed_text(build(tmp_path, data, language))
        assert f"Disse {opening}sim{closing}." in text, language


# ---- 4. right to left: the timeline, the right margin, Latin inside ---------------------------

MM = 72 / 25.4
RULE = (0.788235, 0.819608, 0.847059)  # --color-rule, #c9d1d8
ACCENT = (0.043137, 0.309804, 0.423529)  # --color-accent, #0b4f6c


def timeline_geometry(pdf: Path):
    """(the rule's middle, the dots' middles, the rows' spans) on page 1, from the drawn shapes.

    WeasyPrint draws a border as one filled path of two rectangles (outer and inner edge): the
    rule is the 1pt between their right (or left) ends."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        shapes = page.rects + page.curves
        dots = [shape for shape in shapes if shape.get("non_stroking_color") == ACCENT
                and abs((shape["x1"] - shape["x0"]) - 2.2 * MM) < 0.3 and abs((shape["bottom"] - shape["top"]) - 2.2 * MM) < 0.3]
        assert len(dots) >= 3, "the timeline's dots"
        top, bottom = min(dot["top"] for dot in dots), max(dot["bottom"] for dot in dots)
        frame = [shape for shape in shapes if shape.get("non_stroking_color") == RULE
                 and shape["top"] <= top and shape["bottom"] >= bottom]
        assert len(frame) == 2, "the rule's two edges"
        chars = page.chars
    return frame, dots, chars


@pytest.mark.pdf
@pytest.mark.parametrize("which", ["ar", "he"])
def test_right_to_left_timeline_dots_sit_on_the_rule_and_dates_stand_clear(tmp_path, which):
    if which == "ar":
        pdf = tmp_path / "ar.pdf"
        result = run_cli("build", str(ARABIC), "-o", str(pdf), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    else:
        data = brief_data("he", background={"body": "רקע.", "timeline": [
            {"date": "1948-05-14", "event": "הכרזת העצמאות."}, {"date": 1967, "event": "מלחמת ששת הימים."},
            {"date": "1979-03-26", "event": "הסכם השלום עם מצרים."}]})
        pdf = build(tmp_path, data)
    frame, dots, chars = timeline_geometry(pdf)
    edges = sorted(shape["x1"] for shape in frame)  # right to left: the border is on the right
    assert edges[1] - edges[0] == pytest.approx(1.0, abs=0.1)
    rule = sum(edges) / 2
    for dot in dots:
        assert abs((dot["x0"] + dot["x1"]) / 2 - rule) < 0.5 * MM, (dot["x0"], rule)  # on the rule
        row = [char for char in chars if char["top"] < dot["bottom"] + 2 and char["bottom"] > dot["top"] - 2
               and char["text"].strip()]
        dates = [char for char in row if char["x0"] > rule]
        events = [char for char in row if char["x1"] < rule]
        assert dates and events
        assert min(char["x0"] for char in dates) > rule + 2 * MM  # the rule runs through no digit
        assert max(char["x1"] for char in events) < dot["x0"]


def overhang(pdf: Path) -> list[tuple[int, float, str]]:
    """Characters standing past the right edge of the text block (21 mm margins), in mm."""
    import pdfplumber

    found = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, 1):
            edge = page.width - 21 * MM
            for char in page.chars:
                if char["text"].strip() and unicodedata.category(char["text"][0]) != "Mn" and char["x1"] > edge + 0.3 * MM:
                    found.append((number, round((char["x1"] - edge) / MM, 2), char["text"]))
    return found


@pytest.mark.pdf
def test_right_to_left_prose_keeps_to_the_right_margin(tmp_path):
    pdf = tmp_path / "ar.pdf"
    assert run_cli("build", str(ARABIC), "-o", str(pdf), cwd=tmp_path).returncode == 0
    assert overhang(pdf) == []
    body = " ".join(["قال الباحث إن 22 دولة وقّعت عام 1945 على الميثاق، ثم علّقت العضوية في 2011."] * 6)
    hebrew = " ".join(["לפי הדו\"ח, 22 מדינות חתמו ב-1945 על האמנה, והחברות הושעתה ב-2011."] * 6)
    for language, prose in (("ar", body), ("he", hebrew)):
        built = build(tmp_path, brief_data(language, background={"body": prose + "\n\n" + prose}), language)
        assert overhang(built) == [], language


@pytest.mark.pdf
def test_latin_inside_right_to_left_keeps_its_punctuation(tmp_path):
    data = brief_data("ar", summary=["سؤال: [What next for the Arab League?]{lang=en} الآن.", "٢."], sources=[
        {"id": "s", "title": "What next for the Arab League?", "publisher": "Example Review",
         "url": "https://example.org/arab-league/", "date": "2023-05-07"}])
    data["background"]["timeline"][0]["source"] = "s"
    pdf = build(tmp_path, data)
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        chars = [char for page in document.pages for char in page.chars]
    rows: dict[int, list] = {}
    for char in chars:
        rows.setdefault(round(char["bottom"]), []).append(char)
    visual = ["".join(char["text"] for char in sorted(row, key=lambda char: char["x0"])) for row in rows.values()]
    shown = "\n".join(visual)  # left to right, as the eye reads the page
    assert shown.count("What next for the Arab League?") == 2, shown
    assert "?What next" not in shown
    assert "https://example.org/arab-league/" in shown and "/https://" not in shown


# ---- 5. dates --------------------------------------------------------------------------------

def test_arabic_dates_take_the_month_names_and_digits_of_the_locale_from_cldr():
    import datetime as dt

    from briefing.render.language import format_date

    day = dt.date(2021, 2, 28)
    assert format_date(day, "ar") == "28 فبراير 2021"  # Egypt and the Gulf, Latin digits
    assert format_date(day, "ar-SY") == "٢٨ شباط ٢٠٢١"  # Levantine months, Arabic-Indic digits
    assert format_date(day, "ar-IQ") == format_date(day, "ar-LB") == "٢٨ شباط ٢٠٢١"
    assert format_date(day, "ar-MA") == "28 فبراير 2021"


@pytest.mark.pdf
@pytest.mark.parametrize("language, date", [("es", "28 de septiembre de 2023"), ("pt", "28 de setembro de 2023")])
def test_long_spanish_and_portuguese_dates_keep_to_one_line_in_the_timeline(tmp_path, language, date):
    data = brief_data(language, background={"body": "Texto.", "timeline": [
        {"date": "2021-12-28", "event": "Un acontecimiento con un texto bastante largo, que ocupa más de una "
                                        "línea en la columna de la cronología."},
        {"date": "2023-09-28", "event": "Otro."}]})
    lines = [line.strip() for line in raw_text(build(tmp_path, data), "-layout").splitlines()]
    assert any(line.startswith(date) for line in lines), lines
    assert not [line for line in lines if line.endswith(" de") or line in ("2021", "2023")]
    import pdfplumber

    with pdfplumber.open(tmp_path / "brief.pdf") as document:
        page = document.pages[0]
        assert min(char["x0"] for char in page.chars) >= 21 * MM - 0.5  # nor into the left margin


# ---- the examples and briefs in Hebrew and French pass strict preflight ------------------------

def small_brief(language: str, texts: dict) -> dict:
    data = brief_data(language, summary=texts["summary"], background={
        "body": texts["body"], "timeline": [{"date": "1948-05-14", "event": texts["event"], "source": "s"}]})
    data["meta"]["series"] = texts["series"]
    data["legal_deadlock"] = {"body": texts["body"], "positions": [
        {"party": party, "stance": texts["body"], "source": "s"} for party in texts["parties"]]}
    data["outlook"] = {"body": texts["body"], "signposts": [{"date": "2024-09-01", "item": texts["event"]}]}
    data["sources"] = [{"id": "s", "title": "Source", "publisher": "Publisher", "date": "2023-09-01",
                        "url": "https://example.org/"}]
    return data


HEBREW = {"series": "סקירת מדיניות", "summary": ['הכנסת דנה ב"קו האדום" של הממשלה.', "הדיון נמשך."],
          "body": 'הממשלה הציגה את עמדתה, והאופוזיציה השיבה: "לא נסכים".', "event": "הכרזת העצמאות.",
          "parties": ["הממשלה", "האופוזיציה"]}
FRENCH_TEXTS = {"series": "Notes de politique", "summary": ["Le gouvernement hésite : pourquoi ?", "La suite !"],
                "body": "Le ministre a déclaré : « nous verrons » ; puis il est parti.", "event": "Un événement.",
                "parties": ["Le gouvernement", "L’opposition"]}


@pytest.mark.pdf
@pytest.mark.parametrize("which", ["ko-example", "ar-example", "he", "fr"])
def test_briefs_in_each_reviewed_language_pass_strict_preflight(tmp_path, which):
    if which == "ko-example":
        content = KOREAN
    elif which == "ar-example":
        content = ARABIC
    else:
        content = write_yaml(tmp_path / f"{which}.yaml", small_brief(which, HEBREW if which == "he" else FRENCH_TEXTS))
    result = run_cli("check", str(content), "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no findings" in result.stdout + result.stderr
