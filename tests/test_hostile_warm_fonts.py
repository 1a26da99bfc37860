"""A warm process prints brief after brief: a font one brief defines (a brand's font file, a theme's
stylesheet, a template's own `<style>`) never reaches another brief's PDF. Brief B names
"House Sans" and ships no file for it; built after brief A, which ships one, B's PDF has no House
Sans and is byte for byte the PDF B makes alone — on the warm print worker and on a Dask worker."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from helpers import minimal_brief, write_yaml
from helpers.tools import tool

import briefing
from briefing.sandbox import workers
from briefing.themes.theme import builtin_themes

pytestmark = pytest.mark.pdf

FAMILY = "House Sans"
POSTSCRIPT = "HouseSans-Regular"
USES_HOUSE_SANS = f'fonts: {{text: ["{FAMILY}", serif], display: ["{FAMILY}", sans-serif]}}\n'


def house_font(path: Path) -> Path:
    """Inter under another name, so that a PDF that embeds it says so (pdffonts: House-Sans)."""
    font = TTFont(builtin_themes() / "default" / "fonts" / "Inter-Regular.otf")
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID in (3, 6):
            record.string = POSTSCRIPT
    font["CFF "].cff.fontNames = [POSTSCRIPT]
    font.save(path)
    return path


def fonts_of(pdf: Path) -> set[str]:
    """The fonts a PDF embeds, as poppler's pdffonts lists them, and as pikepdf reads them."""
    lines = subprocess.run([tool("pdffonts"), str(pdf)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    listed = {line.split()[0].split("+")[-1] for line in lines if line.strip()}
    with pikepdf.open(pdf) as document:
        named = {str(font.get("/BaseFont")).lstrip("/").split("+")[-1]
                 for page in document.pages for font in page.obj.Resources.get("/Font", {}).values()}
    assert listed == named
    return listed


def has_house_sans(pdf: Path) -> bool:
    return any(name.replace("-", "").startswith("HouseSans") for name in fonts_of(pdf))


def brand_pair(root: Path) -> tuple[tuple[Path, dict], tuple[Path, dict]]:
    """A: a brand that ships House Sans. B: a brand that names it only."""
    (root / "a").mkdir()
    (root / "b").mkdir()
    house_font(root / "a" / "house.otf")
    (root / "a" / "brand.yaml").write_text(f'font_files: [{{family: "{FAMILY}", file: house.otf}}]\n'
                                           + USES_HOUSE_SANS)
    (root / "b" / "brand.yaml").write_text(USES_HOUSE_SANS)
    return ((write_yaml(root / "a" / "brief.yaml", minimal_brief()), {}),
            (write_yaml(root / "b" / "brief.yaml", minimal_brief()), {}))


def theme_pair(root: Path) -> tuple[tuple[Path, dict], tuple[Path, dict]]:
    """A: a theme whose stylesheet defines House Sans. B: a theme whose stylesheet names it only."""
    themes = []
    for name, face in (("house", f'@font-face {{ font-family: "{FAMILY}"; src: url(house.otf); }}\n'),
                       ("named", "")):
        folder = root / name
        folder.mkdir()
        if face:
            house_font(folder / "house.otf")
        (folder / "theme.yaml").write_text("extends: default\nstylesheets: [brief.css, house.css]\n")
        (folder / "house.css").write_text(face + f':root {{ --font-text: "{FAMILY}", serif; '
                                                 f'--font-display: "{FAMILY}", sans-serif; }}\n')
        themes.append(folder)
    content = write_yaml(root / "brief.yaml", minimal_brief())
    return (content, {"theme": str(themes[0])}), (content, {"theme": str(themes[1])})


def document_pair(root: Path) -> tuple[tuple[Path, dict], tuple[Path, dict]]:
    """One theme, one folder: its template gives the House series' briefs a `<style>` with House
    Sans, the others none; its stylesheet names House Sans for all."""
    theme = root / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\nstylesheets: [brief.css, house.css]\n")
    (theme / "house.css").write_text(f':root {{ --font-text: "{FAMILY}", serif; '
                                     f'--font-display: "{FAMILY}", sans-serif; }}\n')
    (theme / "main.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block head %}{{ super() }}{% if meta.series == "House" %}'
        f'<style>@font-face {{ font-family: "{FAMILY}"; src: url(house.otf); }}</style>'
        "{% endif %}{% endblock %}")
    folder = root / "briefs"
    folder.mkdir()
    house_font(folder / "house.otf")
    a, b = minimal_brief(), minimal_brief()
    a["meta"]["series"] = "House"
    b["meta"]["title"] = "Another brief in the same folder"
    return ((write_yaml(folder / "a.yaml", a), {"theme": str(theme)}),
            (write_yaml(folder / "b.yaml", b), {"theme": str(theme)}))


PAIRS = {"brand": brand_pair, "theme": theme_pair, "document": document_pair}


@pytest.fixture
def reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.mark.parametrize("kind", PAIRS)
def test_a_font_of_one_brief_never_reaches_the_next_brief_on_the_warm_print_worker(tmp_path, reproducible, kind):
    (a, a_options), (b, b_options) = PAIRS[kind](tmp_path)
    out = tmp_path / "out"
    workers.shutdown()  # B alone: on a print worker that has printed nothing yet
    alone = briefing.build(b, out / "b-alone.pdf", force=True, **b_options)
    [worker] = workers.pids("printing")
    first = briefing.build(a, out / "a.pdf", force=True, **a_options)
    after = briefing.build(b, out / "b-after-a.pdf", force=True, **b_options)
    assert workers.pids("printing") == [worker]  # all three on the one warm worker
    assert has_house_sans(first.pdf)  # A's own font is in A's PDF
    assert not has_house_sans(alone.pdf) and not has_house_sans(after.pdf), fonts_of(after.pdf)
    assert after.pdf.read_bytes() == alone.pdf.read_bytes()
    assert not any(path.name == "house.otf" for path in after.inputs if kind != "document")
    # And A once more, after B: still its own font, the same bytes.
    again = briefing.build(a, out / "a-again.pdf", force=True, **a_options)
    assert again.pdf.read_bytes() == first.pdf.read_bytes()


def test_a_font_of_one_brief_never_reaches_the_next_brief_on_a_dask_worker(tmp_path, reproducible):
    from distributed import Client, LocalCluster

    (a, _), (b, _) = brand_pair(tmp_path)
    out = tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        [worker] = client.scheduler_info()["workers"]
        results = []
        for content, folder in ((b, "alone"), (a, "a"), (b, "after-a")):
            [item] = briefing.build_many([content], out / folder, executor=client.get_executor(), force=True)
            assert item.ok, item.problems
            results.append(item.result.pdf)
        assert list(client.scheduler_info()["workers"]) == [worker]  # the same Dask worker throughout
    alone, first, after = results
    assert has_house_sans(first)
    assert not has_house_sans(alone) and not has_house_sans(after), fonts_of(after)
    assert after.read_bytes() == alone.read_bytes()
