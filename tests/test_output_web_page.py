"""`--html` writes a web page that stands on its own.

Its stylesheets, settings and fonts are inside it; `python -m weasyprint page.html` with no
other arguments prints the same pages; a real browser (Debian's chromium, headless) shows
it with the brief's fonts and colours and without the running strings.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import minimal_brief, pdf_text, write_yaml
from PIL import Image

from briefing import build, load, load_theme, render_html
from briefing.printing.standalone import standalone_html

ACCENT = "#c8102e"
BRAND = f'colors:\n  accent: "{ACCENT}"\n  accent-soft: "#fbecee"\n'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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
    assert pdf_text(again) == pdf_text(pdf)  # same pages (the text is split by page), same text
    fonts = subprocess.run(["pdffonts", str(again)], check=True, capture_output=True, text=True).stdout
    assert "Inter" in fonts and ("Charis-SIL" in fonts or theme == "memo")
    assert "DejaVu" not in fonts


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.pdf
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                             "(scripts/system-check.sh --install installs it)")
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

    # What the browser made of it: which fonts it loaded, whether the running strings show.
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", probe.as_uri(), profile=tmp_path / "profile")
    found = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert found, dom.stderr[-2000:]
    seen = json.loads(found.group(1).replace("&quot;", '"'))
    assert {"Charis SIL", "Inter"} <= {family.strip('"') for family in seen["loaded"]}
    assert seen["running"] == "none"
    assert seen["accent"] == ACCENT


PROBE = """<script>
document.fonts.ready.then(() => {
  document.body.setAttribute("data-probe", JSON.stringify({
    loaded: [...document.fonts].filter(face => face.status === "loaded").map(face => face.family),
    running: getComputedStyle(document.querySelector(".running")).display,
    accent: getComputedStyle(document.documentElement).getPropertyValue("--color-accent").trim(),
  }));
});
</script>"""
