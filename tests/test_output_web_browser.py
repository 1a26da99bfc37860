"""The web edition in a real browser: Debian's Chromium, driven by Playwright, checked by axe-core.

Every shipped example brief, and a right-to-left (Hebrew) and a CJK (Japanese) test brief, each
built with `--html`, served from loopback and opened in light and dark: no WCAG 2.2 A/AA violation,
no request but the page itself, nothing wider than a 320 px screen, table-of-contents links that
land on their sections, a visible keyboard focus, lines of at most about 75 characters. And a
theme that tries to run a script or load a remote file gets neither.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ROOT, minimal_brief, write_yaml
from helpers.browser import axe_violations, chromium, open_page, require, served, summary

from briefing import build, load, load_theme, render_html
from briefing.printing.standalone import standalone_html

pytestmark = pytest.mark.pdf

EXAMPLES = sorted((ROOT / "content").glob("*.yaml")) + sorted((ROOT / "content").glob("*.md"))


def legal_part(parties: list[str], court: str) -> dict:
    return {"body": "Both sides read the treaty differently.",
            "positions": [{"party": party, "stance": "It holds its reading of the treaty.", "source": "mrc"}
                          for party in parties],
            "rulings": [{"date": "2018-10-30", "court": court, "holding": "The claim stands. " * 6,
                         "source": "mrc"}]}


def rtl_brief() -> dict:
    """Made-up content in Hebrew, right to left, with every component."""
    data = minimal_brief(legal_deadlock=legal_part(["ישראל", "ירדן", "מצרים"], "בית המשפט העליון"))
    data["meta"].update(title="חלוקת המים בעמק הירדן", language="he", series="סדרת בדיקה",
                        authors=[{"name": "עדה אנליסטית"}])
    data["summary"] = ["הסכרים במעלה הנהר משנים את הזרימה במורדו."]
    data["background"].update(body="הנהר חוצה שלוש מדינות. " * 12,
                              timeline=[{"date": 1994, "event": "נחתם הסכם השלום."}])
    return data


def cjk_brief() -> dict:
    """Made-up content in Japanese, with every component."""
    data = minimal_brief(legal_deadlock=legal_part(["日本", "韓国"], "大法院"))
    data["meta"].update(title="メコン川の水資源をめぐる協力", language="ja", series="テスト",
                        authors=[{"name": "山田花子"}])
    data["summary"] = ["上流のダムが下流の流れを変えている。"]
    data["background"].update(body="メコン川は六つの国を流れる。" * 20,
                              timeline=[{"date": 1995, "event": "メコン協定が結ばれた。"}])
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Every page built into one folder, served on loopback: (base address, names, requests the server saw)."""
    folder = tmp_path_factory.mktemp("site")
    names = []
    for content in EXAMPLES:
        result = build(content, folder / f"{content.stem}-{content.suffix[1:]}.pdf", html=True, limits=None)
        names.append(result.html.name)
    made = tmp_path_factory.mktemp("made")
    for name, data in (("rtl-he", rtl_brief()), ("cjk-ja", cjk_brief())):
        result = build(write_yaml(made / f"{name}.yaml", data), folder / f"{name}.pdf", html=True, limits=None)
        names.append(result.html.name)
    with served(folder) as (base, requested):
        yield base, names, requested, folder


@pytest.fixture(scope="module")
def browser():
    require()  # a skip naming what to install; under CI=true a failure
    with chromium() as started:
        yield started


def pages():
    return [content.stem + "-" + content.suffix[1:] + ".html" for content in EXAMPLES] + ["rtl-he.html",
                                                                                          "cjk-ja.html"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", pages())
def test_the_page_has_no_wcag_violation_and_makes_no_request(site, browser, name, scheme):
    base, _, requested, _ = site
    url = f"{base}/{name}"
    before = len(requested)
    context, page, others = open_page(browser, url, dark=scheme == "dark")
    try:
        violations = axe_violations(page)
        assert violations == [], summary(violations)
        background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background  # the scheme is applied
        faces = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        assert faces, "no web font was loaded"
    finally:
        context.close()
    assert others == []  # no request but the page: fonts and styles are inside it
    assert requested[before:] == [f"/{name}"]


@pytest.mark.parametrize("name", pages())
def test_nothing_scrolls_sideways_at_320_px(site, browser, name):
    base = site[0]
    context, page, _ = open_page(browser, f"{base}/{name}", width=320, height=640)
    try:
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], widths
        if page.query_selector(".rulings"):  # the wide table scrolls inside its own region, which takes focus
            region = page.query_selector(".table-scroll")
            assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
            label = page.evaluate("document.getElementById(document.querySelector('.table-scroll')"
                                  ".getAttribute('aria-labelledby')).textContent")
            assert label.strip()
            assert page.evaluate("(r => r.scrollWidth > r.clientWidth)(document.querySelector('.table-scroll'))")
        if page.query_selector(".positions"):  # the position cards stack
            lefts = page.evaluate("[...document.querySelectorAll('.position')].map(p => p.getBoundingClientRect().x)")
            assert len(set(round(left) for left in lefts)) == 1, lefts
    finally:
        context.close()


@pytest.mark.parametrize("name", ["korea-japan-2021-yaml.html", "arab-league-ar-yaml.html", "cjk-ja.html"])
def test_the_contents_links_land_on_their_sections(site, browser, name):
    base = site[0]
    context, page, _ = open_page(browser, f"{base}/{name}", width=1280, height=800)
    try:
        links = page.evaluate("[...document.querySelectorAll('nav.toc a[href^=\"#\"]')].map(a => a.getAttribute('href'))")
        assert len(links) >= 3
        for href in links:
            page.click(f'nav.toc a[href="{href}"]')
            page.wait_for_function(f"location.hash === {href!r}")
            top = page.evaluate(f"document.getElementById({href[1:]!r}).getBoundingClientRect().top")
            at_end = page.evaluate("scrollY + innerHeight >= document.documentElement.scrollHeight - 1")
            assert 0 <= top < 80 or (top >= 0 and at_end), (href, top)  # at the top, or as far as it scrolls
            # The sticky contents stay in view on a wide screen.
            assert page.evaluate("document.querySelector('nav.toc').getBoundingClientRect().top") >= 0
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).position") == "sticky"
    finally:
        context.close()
    narrow, page, _ = open_page(browser, f"{base}/{name}", width=360)
    try:  # on a narrow screen the contents come first, above the takeaways
        order = page.evaluate("document.querySelector('nav.toc').compareDocumentPosition("
                              "document.querySelector('.takeaways'))")
        assert order & 4  # the takeaways follow the contents
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).position") == "static"
    finally:
        narrow.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_visible_and_the_skip_link_comes_first(site, browser, scheme):
    base = site[0]
    context, page, _ = open_page(browser, f"{base}/korea-japan-2021-yaml.html", dark=scheme == "dark")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
        assert focused == ["skip-link", "#takeaways"]
        box = page.evaluate("(r => [r.top, r.height])(document.activeElement.getBoundingClientRect())")
        assert box[0] >= 0 and box[1] > 10  # on screen once focused
        for _ in range(3):
            page.keyboard.press("Tab")
            style = page.evaluate("(s => [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor])"
                                  "(getComputedStyle(document.activeElement))")
            assert style[0] != "none" and style[1] >= 2, style
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")  # follows the skip link
        assert page.evaluate("document.activeElement.id") == "takeaways"
    finally:
        context.close()


def test_landmarks_and_the_link_to_the_pdf(site, browser):
    base, _, _, folder = site
    context, page, _ = open_page(browser, f"{base}/korea-japan-2021-yaml.html")
    try:
        for selector in ("body > header", "body > nav", "body > main", "body > footer"):
            assert page.query_selector(selector), selector
        href = page.get_attribute("nav.toc .download a", "href")
        assert href == "korea-japan-2021-yaml.pdf" and (folder / href).read_bytes().startswith(b"%PDF-")
        assert page.get_attribute(".page-footer .download a", "href") == href
    finally:
        context.close()


def test_lines_hold_at_most_about_75_characters(site, browser):
    base = site[0]
    context, page, _ = open_page(browser, f"{base}/korea-japan-2021-yaml.html", width=1920, height=1000)
    try:
        longest = page.evaluate(LONGEST_LINE)
        assert 45 <= longest <= 80, longest
    finally:
        context.close()


LONGEST_LINE = """(() => {
  let longest = 0;
  for (const paragraph of document.querySelectorAll('.prose p')) {
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    const lines = new Map();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (rect) { const top = Math.round(rect.top); lines.set(top, (lines.get(top) || 0) + 1); }
      }
    }
    for (const count of lines.values()) longest = Math.max(longest, count);
  }
  return longest;
})()"""


def test_a_themes_script_and_remote_files_neither_run_nor_load(tmp_path, browser):
    """A theme partial with a script, a remote image and stylesheet; a stylesheet with remote
    addresses in @import, @font-face and url(), for screen and print: the browser runs and fetches none."""
    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    with served(tmp_path / "nothing-here") as (evil, hits):
        (theme / "theme.yaml").write_text("stylesheets: [brief.css, odd.css]\n", encoding="utf-8")
        (theme / "odd.css").write_text(
            f'@import url("{evil}/a.css");\n@import "{evil}/b.css" screen;\n'
            f'@font-face {{ font-family: Odd; src: url({evil}/odd.woff2); }}\n'
            f'@media screen {{ body {{ background: url("{evil}/bg.png"); }} }}\n'
            f'@media print {{ h1 {{ background-image: u\\72l({evil}/print.png); }} }}\n'
            f'.title {{ font-family: Odd; background: image-set("{evil}/set.png" 1x); }}\n', encoding="utf-8")
        masthead = (ROOT / "templates" / "default" / "partials" / "masthead.html.j2").read_text(encoding="utf-8")
        (theme / "partials" / "masthead.html.j2").write_text(
            masthead + '<script>document.documentElement.dataset.ran = "yes"</script>'
            f'<img src="{evil}/pixel.png" alt=""><link rel="stylesheet" href="{evil}/c.css">'
            f'<iframe src="{evil}/frame.html" title="frame"></iframe>', encoding="utf-8")
        # Printed, these addresses are refused (tests/test_hostile_fetch.py); the page is made alone.
        odd = load_theme(theme)
        text = standalone_html(render_html(load(write_yaml(tmp_path / "brief.yaml", minimal_brief())), odd), odd)
        (tmp_path / "site").mkdir()
        (tmp_path / "site" / "brief.html").write_text(text, encoding="utf-8")
        styles = "".join(part.split("</style>")[0] for part in text.split("<style")[1:])
        assert evil not in styles  # removed from every at-rule of the stylesheets
        assert hits == []  # the build fetched nothing either
        with served(tmp_path / "site") as (base, _):
            context, page, others = open_page(browser, f"{base}/brief.html")
            try:
                assert page.evaluate("document.documentElement.dataset.ran") is None  # the script did not run
                assert page.query_selector("script:not([type='application/ld+json'])") is None  # removed from the page
            finally:
                context.close()
        assert hits == []  # nothing reached the remote server
        assert others == []  # nor was anything asked for: the page's policy refused it first


def test_weasyprint_reads_the_woff2_fonts_of_the_page(site):
    """The subset WOFF2 faces print: WeasyPrint, given only the page, embeds the brief's faces."""
    import subprocess
    import sys

    folder = site[3]
    copy = folder.parent / "alone"
    copy.mkdir(exist_ok=True)
    shutil.copyfile(folder / "korea-japan-2021-yaml.html", copy / "page.html")
    subprocess.run([sys.executable, "-m", "weasyprint", "page.html", "page.pdf"], cwd=copy, check=True,
                   capture_output=True, timeout=300)
    fonts = subprocess.run(["pdffonts", str(copy / "page.pdf")], check=True, capture_output=True, text=True).stdout
    assert "Charis" in fonts and "Inter" in fonts and "DejaVu" not in fonts
