"""`--html` writes a web page that stands on its own.

Its stylesheets, settings and fonts are inside it; `python -m weasyprint page.html` with no
other arguments prints the same pages; a real browser (Debian's chromium, headless) shows
it with the brief's fonts and colours and without the running strings.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import minimal_brief, pdf_text, write_yaml
from helpers.tools import tool
from PIL import Image

from briefing import build, load, load_theme, render_html
from briefing.printing.standalone import standalone_html

ACCENT = "#c8102e"
BRAND = f'colors:\n  accent: "{ACCENT}"\n  accent-soft: "#fbecee"\n'


def page_of(tmp_path: Path, theme: str = "default") -> tuple[Path, Path]:
    """A brief with a brand colour, built with --html; returns the PDF and the HTML copied alone
    into a folder of its own (so nothing beside the build can help it)."""
    (tmp_path / "brief").mkdir()
    (tmp_path / "brief" / "brand.yaml").write_text(BRAND, encoding="utf-8")
    content = write_yaml(tmp_path / "brief" / "brief.yaml", minimal_brief())
    result = build(content, tmp_path / "brief" / "out" / "brief.pdf", theme=theme, html=True)
    alone = tmp_path / "elsewhere"
    alone.mkdir()
    shutil.copyfile(result.html, alone / "page.html")
    return result.pdf, alone / "page.html"


def test_the_page_holds_its_stylesheets_settings_and_fonts():
    theme = load_theme("memo")
    page = standalone_html(render_html(load_example_brief(), theme), theme, "letter", first_page=41)
    head = page[:page.index("<body")]
    assert "<link" not in page
    sources = re.findall(r'<style data-from="([^"]*)"', head)
    assert sources == ["brief.css", "memo.css", "settings", "paper", "variant and page numbers", "web.css",
                       "dark scheme"]
    assert "--color-accent: #8c1c13;" in head  # the memo's token, from its theme.yaml
    assert "@page { size: letter; }" in head and "counter-reset: page 41" in head
    faces = re.findall(r"@font-face \{[^}]*\}", head)
    declared = sum(path.read_text(encoding="utf-8").count("@font-face") for path in theme.stylesheets)
    assert 0 < len(faces) < declared  # the faces for scripts the page does not use are left out
    assert all('url("data:font/woff2;base64,' in face for face in faces)
    assert not any("Hebrew" in face or "Arabic" in face for face in faces)
    assert re.search(r"@media screen \{[^@]*\.running \{ display: none; \}", head)
    assert "&#34;" not in head and "&quot;" not in head.split("</title>")[1]  # nothing escaped inside the styles


def load_example_brief():
    from helpers import EXAMPLE

    return load(EXAMPLE)


def test_a_closing_style_tag_in_a_stylesheet_cannot_end_the_style_early(tmp_path):
    theme_folder = tmp_path / "theme"
    theme_folder.mkdir()
    (theme_folder / "theme.yaml").write_text("stylesheets: [brief.css, odd.css]\n")
    (theme_folder / "odd.css").write_text('.title::after { content: "</style><script>alert(1)</script>"; }\n')
    theme = load_theme(theme_folder)
    page = standalone_html("<html><head></head><body><h1 class=title>T</h1></body></html>", theme)
    tags = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    Tags().feed(page)
    assert "script" not in tags  # the text stayed inside its style, as CSS
    assert '"<\\/style><script>alert(1)<\\/script>"' in page


@pytest.mark.pdf
@pytest.mark.parametrize("theme", ["default", "memo"])
def test_weasyprint_alone_prints_the_same_pages_from_the_page(tmp_path, theme):
    pdf, page = page_of(tmp_path, theme)
    again = page.with_suffix(".pdf")
    subprocess.run([sys.executable, "-m", "weasyprint", page.name, again.name], cwd=page.parent, check=True,
                   capture_output=True, timeout=300)
    def pages(path):  # each page's words; the web page's own stylesheet may shift a list by a point
        return [" ".join(page.split()) for page in pdf_text(path).split("\f")]

    assert pages(again) == pages(pdf)  # same pages (the text is split by page), same words on each
    fonts = subprocess.run([tool("pdffonts"), str(again)], check=True, capture_output=True, text=True).stdout
    assert "Inter" in fonts and ("Charis-SIL" in fonts or theme == "memo")
    assert "DejaVu" not in fonts


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.pdf
def test_a_browser_shows_the_page_with_the_briefs_fonts_and_colours(tmp_path):
    _, page = page_of(tmp_path)
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1000,1300", page.as_uri(), profile=tmp_path / "profile")
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    accent = tuple(int(ACCENT[i:i + 2], 16) for i in (1, 3, 5))
    near = sum(count for count, colour in colours if all(abs(a - b) <= 8 for a, b in zip(colour, accent)))
    assert near > 2000, "the brand's accent colour (masthead rule, takeaways border) is not on screen"
    assert len(colours) > 50  # styled, antialiased text, not a blank page

    # Which fonts it loaded and what the page's policy allows: tests/test_output_web_browser.py.


# ---- Light: fonts cut to the page's characters ------------------------------------------------------

KIB = 1024


def web_page_of(content: Path, theme_name: str = "default") -> str:
    from briefing.render.html import web_page

    theme = load_theme(theme_name)
    brief = load(content)
    return standalone_html(render_html(brief, theme, web_page(brief, "brief.pdf")), theme,
                           allowed_folders=(content.parent,), base_folder=content.parent)


@pytest.mark.parametrize(("name", "bound"), [("korea-japan-2021.yaml", 400), ("arab-league-ar.yaml", 900),
                                             ("korea-japan-claims-ko.yaml", 900)])
def test_the_page_weighs_less_than_its_bound(name, bound):
    from helpers import ROOT

    page = web_page_of(ROOT / "content" / name)
    assert len(page.encode("utf-8")) <= bound * KIB


def test_each_font_holds_only_characters_the_page_draws():
    import base64
    import io

    from fontTools.ttLib import TTFont
    from helpers import ROOT

    from briefing.printing.standalone import drawn_characters

    page = web_page_of(ROOT / "content" / "arab-league-ar.yaml")
    drawn = {ord(char) for char in drawn_characters(page, re.findall(r"<style[^>]*>(.*?)</style>", page, re.S))}
    faces = re.findall(r'font-family: "([^"]+)"; src: url\("data:font/woff2;base64,([^"]+)"\)', page)
    families = {family for family, _ in faces}
    assert {"Charis SIL", "Inter", "Noto Naskh Arabic", "Noto Sans Arabic"} <= families
    assert not any("Hebrew" in family for family in families)  # no Hebrew on the page: no Hebrew face
    text = page[page.index("<body"):]
    for family, data in faces:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font.flavor == "woff2"
        cmap = set(font.getBestCmap())
        assert cmap <= drawn, (family, sorted(chr(code) for code in cmap - drawn)[:20])
    naskh = TTFont(io.BytesIO(base64.b64decode(next(d for f, d in faces if f == "Noto Naskh Arabic"))))
    assert "جامعة"[0] in text and all(ord(char) in naskh.getBestCmap() for char in "جامعة الدول العربية")
    assert "GSUB" in naskh  # Arabic letters join: the shaping tables stay


def test_a_subset_face_is_cut_once_per_set_of_characters(monkeypatch):
    from briefing.printing import webfonts

    data = (load_theme().folders[0] / "fonts" / "Inter-Regular.otf").read_bytes()
    calls = []
    real = webfonts._subset
    monkeypatch.setattr(webfonts, "_subset", lambda *args: calls.append(args) or real(*args))
    first = webfonts.subset_woff2(data, "Cached once")
    assert webfonts.subset_woff2(data, "once Cached") == first  # the same set of characters
    assert len(calls) == 1
    assert webfonts.subset_woff2(data, "Cached twice") != first and len(calls) == 2
    assert webfonts.subset_woff2(b"not a font", "abc") is None


def test_a_cut_arabic_face_keeps_the_forms_and_features_that_join_its_letters():
    import io

    from fontTools.ttLib import TTFont

    from briefing.printing import webfonts

    data = (load_theme().folders[0] / "fonts" / "NotoNaskhArabic-Regular.ttf").read_bytes()
    cut = TTFont(io.BytesIO(webfonts.subset_woff2(data, "جامعة الدول")))
    assert cut.flavor == "woff2"
    assert set(cut.getBestCmap()) >= {ord(char) for char in "جامعة الدول" if char != " "}
    features = {record.FeatureTag for record in cut["GSUB"].table.FeatureList.FeatureRecord}
    assert {"init", "medi", "fina"} <= features  # the browser still joins the letters
    assert "Z" not in "".join(chr(code) for code in cut.getBestCmap())  # and only these characters


# ---- Safe: no script, no request --------------------------------------------------------------------

def test_the_policy_comes_first_and_allows_only_the_pages_own_styles():
    import base64
    import hashlib

    page = web_page_of(EXAMPLE_PATH())
    head = page[:page.index("</head>")]
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head)
    assert policy and head.index(policy.group(0)) < head.index("<style") and head.index(policy.group(0)) < \
        head.index("<title")
    rules = dict(rule.strip().split(" ", 1) for rule in policy.group(1).split(";"))
    assert rules["default-src"] == "'none'" and rules["script-src"] == "'none'"
    assert rules["font-src"] == "data:" and rules["img-src"] == "data:"
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, re.S)
    allowed = set(rules["style-src"].split())
    assert {f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" for css in styles} == allowed


def EXAMPLE_PATH() -> Path:  # noqa: N802
    from helpers import EXAMPLE

    return EXAMPLE


def test_remote_addresses_leave_every_at_rule_of_the_stylesheets(tmp_path):
    theme_folder = tmp_path / "theme"
    theme_folder.mkdir()
    (theme_folder / "theme.yaml").write_text("stylesheets: [brief.css, odd.css]\n")
    (theme_folder / "local.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (theme_folder / "inner.css").write_text(".inner { color: red; background: url(local.png); }\n")
    remote = "http://example.invalid"
    (theme_folder / "odd.css").write_text(
        f'@import url("{remote}/a.css");\n@import "{remote}/b.css" print;\n@import url(inner.css) screen;\n'
        f"@import url(//example.invalid/c.css);\n"
        f'@font-face {{ font-family: Odd; src: url({remote}/odd.woff2) format("woff2"); }}\n'
        f"@media screen {{ .a {{ background: url('{remote}/bg.png'); }} }}\n"
        f"@media print {{ .b {{ background-image: u\\72l({remote}/escaped.png); }} }}\n"
        f"@supports (display: grid) {{ .c {{ cursor: url({remote}/cursor.cur), auto; }} }}\n"
        f'@page {{ background: url({remote}/page.png); @top-center {{ content: url("{remote}/m.svg"); }} }}\n'
        f'.d {{ background: image-set("{remote}/set.png" 1x, url({remote}/set2.png) 2x); }}\n'
        f'.e {{ background: url(local.png); mask: url(#shape); }}\n'
        f"@namespace svg url({remote}/ns);\n", encoding="utf-8")
    theme = load_theme(theme_folder)
    page = standalone_html("<html><head></head><body><p class=a>Odd</p></body></html>", theme)
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", page, re.S))
    assert "example.invalid" not in styles
    assert "Odd" not in re.findall(r"font-family: ([^;]+);", styles)  # a face with no file is left out
    assert "@media screen {\n.inner { color: red; background: url(\"data:image/png;base64," in styles
    assert 'url("#shape")' in styles
    assert styles.count('url("data:,")') >= 7


def test_content_is_escaped_in_every_context(tmp_path):
    from html.parser import HTMLParser

    hostile = '"><script>alert(1)</script></style><style>*{x:url(http://example.invalid)}</style>'
    data = minimal_brief()
    data["meta"]["title"] = "Title " + hostile
    data["meta"]["series"] = "Series " + hostile
    data["summary"] = ["Takeaway " + hostile]
    data["sources"][0]["title"] = "Source " + hostile
    data["sources"][0]["url"] = "https://example.org/?a=\"><script>b</script>"
    page = web_page_of(write_yaml(tmp_path / "brief.yaml", data))
    elements = []

    class Elements(HTMLParser):
        def handle_starttag(self, tag, attrs):
            elements.append((tag, dict(attrs)))

    Elements().feed(page)
    assert "script" not in [tag for tag, _ in elements]
    assert [tag for tag, _ in elements].count("style") == len(re.findall(r'<style data-from="', page))
    og = [attrs["content"] for tag, attrs in elements if tag == "meta" and attrs.get("property") == "og:title"]
    assert og == ["Title " + hostile]  # whole, as text, in the attribute
    links = [attrs["href"] for tag, attrs in elements if tag == "a" and "example.org" in attrs.get("href", "")]
    assert links == [data["sources"][0]["url"]] * len(links) and links  # the address whole, inside its quotes


# ---- Light and dark ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["default", "memo"])
def test_the_derived_dark_scheme_meets_wcag_aa(name):
    from briefing.themes.colours import PAIRS, contrast

    dark = load_theme(name).dark_tokens
    for foreground, background, needed in PAIRS:
        assert contrast(dark[foreground], dark[background]) >= needed, (foreground, background)
    assert contrast(dark["ink"], dark["paper"]) >= 7


@pytest.mark.parametrize("accent", ["#ffcc00", "#0000ff", "#777777", "#c8102e", "#00ff00"])
def test_a_dark_scheme_is_derived_from_any_brand_accent(tmp_path, accent):
    from briefing.themes.colours import failing_pairs

    (tmp_path / "brand.yaml").write_text(f'colors:\n  accent: "{accent}"\n', encoding="utf-8")
    theme = load_theme(brand=tmp_path / "brand.yaml")
    assert failing_pairs(theme.dark_tokens) == []
    assert "@media screen and (prefers-color-scheme: dark)" in theme.dark_css


@pytest.mark.pdf
def test_a_brands_own_dark_colours_are_used_and_checked_at_their_field(tmp_path):
    folder = tmp_path / "brief"
    folder.mkdir()
    (folder / "brand.yaml").write_text('colors:\n  accent: "#0b4f6c"\ndark_colors:\n  paper: "#101010"\n'
                                       '  accent: "#303030"\n', encoding="utf-8")
    write_yaml(folder / "brief.yaml", minimal_brief())
    theme = load_theme(brand=folder / "brand.yaml")
    assert "--color-paper: #101010;" in theme.dark_css and "--color-accent: #303030;" in theme.dark_css
    done = subprocess.run([sys.executable, "-m", "briefing", "check", str(folder / "brief.yaml")],
                          capture_output=True, text=True, timeout=300)
    line = next((line for line in done.stderr.splitlines() + done.stdout.splitlines()
                 if "dark scheme" in line), "")
    assert line.startswith(f"{folder / 'brand.yaml'}:5:11: dark_colors.accent:"), done.stderr + done.stdout
    assert "1.3" in line or "contrast of 1." in line
    assert "Traceback" not in done.stderr
