"""Charts drawn from a brief's own data: validated where written, vector text in print, a Figure
with alt text and a real Table when tagged, an `<svg role="img">` and a `<table>` on the web."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from helpers import minimal_brief, pdf_text, run_cli, write_yaml
from helpers.conformance import pdfua_findings, verapdf_subset

FLOW = [{"year": 2015 + i, "flow": value}
        for i, value in enumerate((412, 405, 399, 390, 384, 371, 365, 360, 352, 345, 338))]
ALT = ("Column chart: dry-season flow at the border by year, 2015 to 2025, in m³/s. "
       "Highest 412 in 2015, lowest 338 in 2025, falling every year.")


def flow_chart(**changes):
    chart = {"title": "Dry-season flow at the border", "kind": "column", "data": FLOW, "x": "year",
             "y": "flow", "unit": "m³/s", "caption": "Mean flow in the driest month.", "source": "mrc"}
    chart.update(changes)
    return {key: value for key, value in chart.items() if value is not None}


def brief_with(*charts, section="background", **overrides):
    data = minimal_brief(**overrides)
    data[section] = {**data[section], "charts": list(charts)}
    return data


def chart_of(data):
    from briefing.content.models import Brief

    brief = Brief.model_validate(data)
    return brief, brief.background.charts[0]


# ---- the text alternative -------------------------------------------------------------------------

def test_alt_text_is_written_from_the_data():
    from briefing.render.charts import alt_text

    _, chart = chart_of(brief_with(flow_chart()))
    assert alt_text(chart, "en") == ALT


def test_alt_text_speaks_the_brief_s_language_and_writes_its_numbers():
    from briefing.render.charts import alt_text

    rows = [{"pays": "Amont", "eau": 1234.5}, {"pays": "Aval", "eau": 800}]
    _, chart = chart_of(brief_with(flow_chart(kind="bar", data=rows, x="pays", y="eau", unit="Mm³")))
    text = alt_text(chart, "fr")
    assert text.startswith("Graphique à barres : dry-season flow at the border par pays, de Amont à Aval, en Mm³.")
    assert "Maximum 1\u202f234,5 en Amont" in text  # CLDR's French grouping and decimal marks
    assert "lowest" not in text
    assert alt_text(chart, "ko").startswith("가로 막대 차트:")


def test_a_description_given_replaces_the_generated_one(tmp_path):
    from briefing.render.html import render_html

    brief, _ = chart_of(brief_with(flow_chart(description="Flow fell by a fifth.")))
    html = render_html(brief)
    assert '<title id="background-charts-0-title">Flow fell by a fifth.</title>' in html


# ---- what validate reports, at the field ----------------------------------------------------------

BAD_CHARTS = {
    "no source": (flow_chart(source=None), "background.charts.0.source", "required"),
    "unknown source": (flow_chart(source="nowhere"), "background.charts.0.source", "not in sources"),
    "x names no column": (flow_chart(x="month"), "background.charts.0.x", "names column 'month'"),
    "y names no column": (flow_chart(y=["flow", "rain"]), "background.charts.0.y.1", "names column 'rain'"),
    "a value is not a number": (flow_chart(data=[{"year": 2015, "flow": "high"}]),
                                "background.charts.0.data.0.flow", "must be a number"),
    "an unknown kind": (flow_chart(kind="pie"), "background.charts.0.kind", "bar"),
    "a colour not #rrggbb": (flow_chart(colors=["blue"]), "background.charts.0.colors.0", "pattern"),
}


@pytest.mark.pdf
@pytest.mark.parametrize("case", sorted(BAD_CHARTS))
def test_a_bad_chart_is_reported_at_its_field(tmp_path, case):
    chart, field, words = BAD_CHARTS[case]
    path = write_yaml(tmp_path / "brief.yaml", brief_with(chart))
    done = run_cli("validate", str(path), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = next((line for line in (done.stdout + done.stderr).splitlines() if f": {field}: " in line), None)
    assert line is not None, done.stdout + done.stderr
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", line) and words in line


CSV_CASES = {
    "ragged rows": ("data/flow.csv", "year,flow\n2015,412\n2016\n", "row 3 has 1 values"),
    "a value is not a number": ("data/flow.csv", "year,flow\n2015,412\n2016,lots\n", "row 3: flow must be a number"),
    "outside the brief's folder": ("../flow.csv", "year,flow\n2015,412\n", "outside the brief's folder"),
    "missing": ("data/none.csv", None, "no such file"),
    "more than 10,000 rows": ("data/flow.csv", "year,flow\n" + "2015,1\n" * 10_001, "at most 10,000"),
}


@pytest.mark.pdf
@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_a_bad_csv_is_reported_at_the_chart_s_data_field(tmp_path, case):
    name, body, words = CSV_CASES[case]
    folder = tmp_path / "brief"
    (folder / "data").mkdir(parents=True)
    if body is not None:
        (folder / name).write_text(body, encoding="utf-8")
    path = write_yaml(folder / "brief.yaml", brief_with(flow_chart(data=name)))
    done = run_cli("validate", str(path), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = next(line for line in (done.stdout + done.stderr).splitlines() if "background.charts.0.data" in line)
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: background\.charts\.0\.data: ", line), line
    assert words in line, line


def test_a_csv_beside_the_brief_gives_the_chart_its_rows(tmp_path):
    from briefing.content.load import load

    (tmp_path / "flow.csv").write_text("year,flow\n2015,412\n2016,405.5\n", encoding="utf-8")
    path = write_yaml(tmp_path / "brief.yaml", brief_with(flow_chart(data="flow.csv")))
    chart = load(path).background.charts[0]
    assert chart.data == [{"year": 2015, "flow": 412}, {"year": 2016, "flow": 405.5}]


# ---- the SVG ----------------------------------------------------------------------------------------

def test_the_svg_avoids_what_weasyprint_cannot_draw_and_is_the_same_every_time():
    from briefing.render.charts import draw
    from briefing.render.html import render_html

    for kind in ("bar", "column", "line", "area", "stacked-bar", "stacked-column"):
        rows = [{"year": 2020 + i, "a": 3 + i, "b": 5 - i} for i in range(4)]
        brief, _ = chart_of(brief_with(flow_chart(kind=kind, data=rows, y=["a", "b"])))
        first = render_html(brief)
        draw.cache_clear()
        assert render_html(brief) == first  # same input, same bytes, cached or not
        svg = re.search(r"<svg.*?</svg>", first, re.S).group(0)
        for gap in ("<clipPath", "<marker", "<use", "<image", "href=", "opacity", "<style"):
            assert gap not in svg, (kind, gap)
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


def test_a_prose_edit_draws_no_chart_again():
    from briefing.render.charts import draw
    from briefing.render.html import render_html

    data = brief_with(flow_chart())
    brief, _ = chart_of(data)
    render_html(brief)
    drawn = draw.cache_info().misses
    data["background"]["body"] = "The river crosses six countries, and more."
    render_html(chart_of(data)[0])
    assert draw.cache_info().misses == drawn


ARABIC_ROWS = [{"البلد": "مصر", "الحصة": 55.5}, {"البلد": "السودان", "الحصة": 18.5}]


def test_in_print_a_label_weasyprint_would_draw_letter_by_letter_is_html_text_over_the_drawing():
    from briefing.render.charts import draw, needs_shaping
    from briefing.render.html import render_html

    assert needs_shaping("مليار م³") and needs_shaping("हिन्दी") and needs_shaping("עברית")
    assert not needs_shaping("m³/s 2025") and not needs_shaping("물 공급 한국어") and not needs_shaping("水")
    brief, _ = chart_of(_in_arabic(brief_with(flow_chart(kind="column", data=ARABIC_ROWS, x="البلد", y="الحصة",
                                                         unit="مليار م³"))))
    printed, web = render_html(brief), render_html(brief, web=_web_page(brief))
    drawing = re.search(r'<div class="chart-drawing".*?</svg>(.*?)</div>', printed, re.S)
    assert drawing is not None
    labels = re.findall(r'<span class="chart-label"( dir="rtl")? style="([^"]*)">([^<]*)</span>', drawing.group(1))
    assert {text for _, _, text in labels} == {"مليار م³", "مصر", "السودان"}
    assert all(rtl and "position:absolute" in style and "%" in style for rtl, style, _ in labels)
    svg = re.search(r"<svg.*?</svg>", printed, re.S).group(0)
    assert not re.search(r"<text[^>]*>[^<]*[\u0600-\u06ff]", svg) and ">50</text>" in svg  # numbers stay SVG text
    assert "chart-label" not in web and "<text" in web and "مصر</text>" in web  # a browser draws it whole
    draw.cache_clear()
    assert render_html(brief) == printed


def _in_arabic(data):
    data["meta"]["language"] = "ar"
    return data


def _web_page(brief):
    from briefing.render.html import web_page

    return web_page(brief, "brief.pdf")


def test_the_theme_s_tokens_size_and_colour_the_chart():
    from briefing.render.charts import style_of
    from briefing.themes.theme import load_theme

    default, memo = style_of(load_theme("default")), style_of(load_theme("memo"))
    assert default.series[0] == "#0b4f6c" and memo.series[0] == "#8c1c13"  # each theme's accent
    assert memo.width < default.width and memo.text < default.text
    assert "Inter" in default.font


# ---- in print --------------------------------------------------------------------------------------

def _build(tmp_path, data, *args):
    folder = tmp_path / "brief"
    folder.mkdir(exist_ok=True)
    path = write_yaml(folder / "brief.yaml", data)
    out = tmp_path / "out" / "brief.pdf"
    done = run_cli("build", str(path), "-o", str(out), *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.pdf
def test_chart_text_stays_text_and_no_picture_is_drawn(tmp_path):
    out = _build(tmp_path, brief_with(flow_chart()))
    text = pdf_text(out)
    for words in ("Dry-season flow at the border", "m³/s", "2015", "2025", "400", "Mean flow in the driest month"):
        assert words in text
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 2  # the header lines only: no raster image
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Inter" in fonts


def _elements(pdf: pikepdf.Pdf):
    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                yield node
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                yield from walk(kid)

    yield from walk(pdf.Root.StructTreeRoot)


@pytest.mark.pdf
def test_arabic_chart_labels_print_joined_in_reading_order(tmp_path):
    """WeasyPrint draws SVG text one code point at a time: an Arabic label would print with its
    letters unjoined and reversed. Set as HTML text, each reads back as the word it is."""
    chart = flow_chart(kind="column", data=ARABIC_ROWS, x="البلد", y="الحصة", unit="مليار م³")
    out = _build(tmp_path, _in_arabic(brief_with(chart)), "--pdf-variant", "pdf/ua-1")
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", pdf_text(out))  # pdftotext's direction marks
    words = text.split()
    assert "مصر" in words and "السودان" in words and "مليار" in text
    assert "رصم" not in words and "نادوسلا" not in words and "رايلم" not in text  # nothing in drawing order
    assert verapdf_subset(out) == [] and pdfua_findings(out) == []


@pytest.mark.pdf
def test_a_tagged_pdf_has_a_figure_with_the_alt_text_and_a_real_table(tmp_path):
    out = _build(tmp_path, brief_with(flow_chart()), "--pdf-variant", "pdf/ua-1")
    with pikepdf.open(out) as pdf:
        elements = list(_elements(pdf))
        figures = [str(e.get("/Alt")) for e in elements if e.get("/S") == "/Figure"]
        assert ALT in figures
        tables = [e for e in elements if e.get("/S") == "/Table"]
        cells = [cell for table in tables for cell in _elements_below(table) if cell.get("/S") == "/TH"]
        scopes = {str(cell.A.Scope) for cell in cells if "/A" in cell and "/Scope" in cell.A}
        assert {"/Column", "/Row"} <= scopes  # the header row and each year's row header
    assert verapdf_subset(out) == [] and pdfua_findings(out) == []
    assert "2 0 2 5" not in pdf_text(out)  # the hidden table's text reads as words, for a screen reader


def _elements_below(node):
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements_below(kid)


@pytest.mark.pdf
def test_table_true_prints_the_data_table(tmp_path):
    hidden = pdf_text(_build(tmp_path, brief_with(flow_chart())))
    shown = pdf_text(_build(tmp_path, brief_with(flow_chart(table=True))))
    assert re.search(r"year\s+flow \(m³/s\)", shown)
    assert re.search(r"2016\s+405", shown)
    assert re.search(r"2016\s+405", hidden)  # not printed, but in the text layer for a screen reader...
    assert _ink_below_caption(tmp_path / "out" / "brief.pdf") > 0  # (the last build: table: true)
    assert _ink_below_caption(_build(tmp_path, brief_with(flow_chart()))) == 0  # ...and nothing drawn


def _ink_below_caption(pdf: Path) -> int:
    """Dark pixels in the 12 pt under the chart's caption, on its page, at 72 dpi (1 pixel a point)."""
    from PIL import Image

    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    page, bottom = next((number, float(m.group(1))) for number, text in enumerate(words.split("<page ")[1:], 1)
                        if (m := re.search(r'yMax="([\d.]+)">month\.<', text)))
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-png", str(pdf),
                    str(pdf.with_suffix(""))], check=True)
    with Image.open(next(pdf.parent.glob(f"{pdf.stem}-*{page}.png"))) as image:
        band = image.convert("L").crop((0, int(bottom) + 4, image.width, int(bottom) + 16))
        return sum(1 for value in band.getdata() if value < 160)


@pytest.mark.pdf
def test_the_build_record_names_the_csv_and_a_changed_csv_builds_again(tmp_path):
    import briefing

    folder = tmp_path / "brief"
    folder.mkdir()
    csv = folder / "flow.csv"
    csv.write_text("year,flow\n2015,412\n2016,405\n", encoding="utf-8")
    path = write_yaml(folder / "brief.yaml", brief_with(flow_chart(data="flow.csv")))
    first = briefing.build(path, tmp_path / "brief.pdf")
    assert csv.resolve() in first.inputs
    assert briefing.build(path, tmp_path / "brief.pdf").cached
    csv.write_text("year,flow\n2015,412\n2016,999\n", encoding="utf-8")
    again = briefing.build(path, tmp_path / "brief.pdf")
    assert not again.cached and "999" in pdf_text(again.pdf)


PROBE = """() => {
  const svg = document.querySelector("svg.chart-svg");
  const details = document.querySelector(".chart-data");
  const table = details.querySelector("table");
  return {
    role: svg.getAttribute("role"), title: svg.querySelector("title").textContent,
    desc: svg.querySelector("desc").textContent, open: details.open,
    headers: [...table.querySelectorAll("thead th")].map(th => th.textContent),
    rows: table.querySelectorAll("tbody tr").length,
    texts: svg.querySelectorAll("text").length, width: svg.getBoundingClientRect().width,
  };
}"""


@pytest.mark.pdf
def test_the_web_page_shows_an_svg_image_and_its_table_in_details(tmp_path):
    from helpers.browser import chromium, open_page, require

    require()
    out = _build(tmp_path, brief_with(flow_chart()), "--html")
    with chromium() as browser:  # the page's own policy forbids script; the test reads it from outside
        context, page, others = open_page(browser, out.with_suffix(".html").as_uri())
        try:
            seen = page.evaluate(PROBE)
        finally:
            context.close()
    assert others == []
    assert seen["role"] == "img" and seen["title"] == ALT and "State of the Basin" in seen["desc"]
    assert seen["open"] is False and seen["headers"] == ["year", "flow (m³/s)"] and seen["rows"] == 11
    assert seen["texts"] > 12 and seen["width"] > 300


# ---- what check finds, at the chart or the theme's field -----------------------------------------

def _findings(tmp_path, data, theme=None):
    import briefing

    folder = tmp_path / "brief"
    folder.mkdir(exist_ok=True)
    path = write_yaml(folder / "brief.yaml", data)
    result = briefing.build(path, tmp_path / "out.pdf", force=True, **({"theme": theme} if theme else {}))
    return [problem for problem in result.warnings if problem.code.startswith("chart_")], path


@pytest.mark.pdf
def test_a_pale_series_is_found_at_its_colour(tmp_path):
    found, path = _findings(tmp_path, brief_with(flow_chart(colors=["#dddddd"])))
    assert [(p.code, p.field) for p in found] == [("chart_contrast", "background.charts.0.colors.0")]
    assert found[0].line and "1.36:1" in found[0].message and "SC 1.4.11" in found[0].message


@pytest.mark.pdf
def test_red_and_green_series_are_found_alike_for_deuteranopia(tmp_path):
    rows = [{"year": 2020 + i, "a": i, "b": 4 - i} for i in range(4)]
    found, _ = _findings(tmp_path, brief_with(flow_chart(data=rows, y=["a", "b"], colors=["#d62728", "#2ca02c"])))
    assert [(p.code, p.field) for p in found] == [("chart_colour_blind", "background.charts.0.colors.1")]
    assert "deuteranopia" in found[0].message and found[0].line


@pytest.mark.pdf
def test_the_default_palette_passes_every_chart_check(tmp_path):
    rows = [{"year": 2020 + i, "a": i, "b": 4 - i, "c": 2, "d": 3} for i in range(4)]
    for theme in ("default", "memo"):
        found, _ = _findings(tmp_path, brief_with(flow_chart(data=rows, y=["a", "b", "c", "d"])), theme)
        assert found == [], theme


@pytest.mark.pdf
def test_too_many_categories_are_found_at_the_data(tmp_path):
    rows = [{"year": 1800 + i, "flow": i % 7 + 1} for i in range(400)]
    found, _ = _findings(tmp_path, brief_with(flow_chart(data=rows)))
    assert [(p.code, p.field) for p in found] == [("chart_crowded", "background.charts.0.data")]


@pytest.mark.pdf
def test_chart_text_below_7_pt_is_found(tmp_path):
    theme = tmp_path / "small"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\nstylesheets: [brief.css, small.css]\n", encoding="utf-8")
    (theme / "small.css").write_text(":root { --chart-text: 6pt; }\n", encoding="utf-8")
    found, _ = _findings(tmp_path, brief_with(flow_chart()), theme)
    assert [(p.code, p.field) for p in found] == [("chart_text_small", "background.charts.0")]
    assert "6 pt" in found[0].message
