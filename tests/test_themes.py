"""Themes, brand settings and template overrides, each shown in a real PDF read back with pikepdf/poppler."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest

from briefing import BriefError, build
from briefing.themes.theme import eject, load_theme
from helpers import walk_operators, as_rgb, fill_colours, minimal_brief, pdf_text, run_cli, write_yaml

BRAND_RED = "#c8102e"


def png(path: Path, width: int, height: int, rgb=(200, 16, 46)) -> Path:
    """A solid-colour PNG, written without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def drawn_images(pdf_path: Path) -> list[list[tuple[int, int]]]:
    """For each page, the pixel sizes of the images it draws."""
    pages = []

    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            sizes = []

            def seen(operator, operands, xobjects):
                if operator == "Do":
                    drawn = xobjects.get(operands[0])
                    if drawn is not None and drawn.get("/Subtype") == "/Image":
                        sizes.append((int(drawn.Width), int(drawn.Height)))

            walk_operators(page, seen)
            pages.append(sizes)
    return pages


@pytest.fixture
def content(tmp_path) -> Path:
    return write_yaml(tmp_path / "brief.yaml", minimal_brief())


@pytest.mark.pdf
def test_brand_colour_beside_the_content_appears_in_the_pdf(tmp_path, content):
    (tmp_path / "brand.yaml").write_text(f'colors:\n  accent: "{BRAND_RED}"\n', encoding="utf-8")
    result = build(content, tmp_path / "out.pdf")
    assert as_rgb(BRAND_RED) in fill_colours(result.pdf)
    assert as_rgb("#0b4f6c") not in fill_colours(result.pdf)


@pytest.mark.pdf
def test_logo_from_the_brand_file_is_on_page_one_only(tmp_path, content):
    assets = tmp_path / "house"
    assets.mkdir()
    png(assets / "logo.png", 40, 12)
    brand = assets / "house-style.yaml"
    brand.write_text("logo: logo.png\nlogo_alt: House Institute\nlogo_height: 10mm\n", encoding="utf-8")
    result = build(content, tmp_path / "out.pdf", brand=brand)
    first, *later = drawn_images(result.pdf)
    assert first == [(40, 12)]
    assert later and all(images == [] for images in later)


@pytest.mark.pdf
def test_a_main_template_replaces_one_block_of_the_theme_base(tmp_path, content):
    user = tmp_path / "overrides"
    user.mkdir()
    (user / "main.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block masthead %}<h1 class="title">HOUSE MASTHEAD {{ meta.title }}</h1>{% endblock %}\n',
        encoding="utf-8")
    result = build(content, tmp_path / "out.pdf", templates=user)
    text = pdf_text(result.pdf)
    assert "HOUSE MASTHEAD Water sharing on the" in text
    assert "Ada Analyst" not in text  # the default masthead (with the authors) is gone
    assert "Dams upstream change the river downstream." in text  # the other blocks are the theme's


@pytest.mark.pdf
def test_a_partial_in_the_templates_folder_replaces_the_theme_partial(tmp_path, content):
    user = tmp_path / "overrides"
    (user / "partials").mkdir(parents=True)
    (user / "partials" / "outlook.html.j2").write_text(
        '<section class="section" id="{{ section.anchor }}"><h2 class="section-title">Looking ahead</h2>'
        '<p>HOUSE OUTLOOK: {{ section.content.body }}</p></section>\n', encoding="utf-8")
    result = build(content, tmp_path / "out.pdf", templates=user)
    text = pdf_text(result.pdf)
    assert "HOUSE OUTLOOK: Talks resume next year." in text
    assert "What to watch" not in text
    assert "The river crosses six countries." in text


@pytest.mark.pdf
def test_a_whole_user_theme_folder_brings_settings_stylesheet_and_partials(tmp_path, content):
    theme = tmp_path / "house-theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "theme.yaml").write_text(
        "description: House\nextends: memo\nstylesheets: [brief.css, memo.css, house.css]\n"
        "sections: [background, outlook]\ncolors:\n  accent: '#2e7d32'\n", encoding="utf-8")
    (theme / "house.css").write_text(".section-title { color: #6a1b9a; }\n", encoding="utf-8")
    (theme / "partials" / "background.html.j2").write_text(
        '<section class="section" id="{{ section.anchor }}"><h2 class="section-title">{{ section.content.title }}'
        '</h2><p>HOUSE BACKGROUND</p>{{ c.key_figures(section.content.figures, labels.figures) }}</section>\n', encoding="utf-8")
    result = build(content, tmp_path / "out.pdf", theme=theme)
    text = pdf_text(result.pdf)
    assert "HOUSE BACKGROUND" in text
    assert "MEMO" in text  # the memo masthead, inherited through `extends: memo`
    assert "Expert proposals" not in text  # hidden by `sections`
    colours = fill_colours(result.pdf)
    assert as_rgb("#2e7d32") in colours and as_rgb("#6a1b9a") in colours
    with pikepdf.open(result.pdf) as pdf:  # the memo's paper, inherited
        assert [round(float(v)) for v in pdf.pages[0].MediaBox] == [0, 0, 612, 792]


@pytest.fixture(scope="module")
def memo_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("memo")
    content = write_yaml(folder / "brief.yaml", minimal_brief())
    return build(content, folder / "memo.pdf", theme="memo").pdf


@pytest.mark.pdf
def test_the_memo_theme_prints_a_memo_heading_on_letter_in_one_sans_serif_family(memo_pdf):
    text = pdf_text(memo_pdf)
    assert "MEMO" in text and "SUBJECT" in text
    with pikepdf.open(memo_pdf) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].MediaBox] == [0, 0, 612, 792]
        fonts = {str(font.get("/BaseFont")) for page in pdf.pages
                 for font in page.Resources.get("/Font", {}).values()}
    assert fonts and all("Inter" in font for font in fonts), fonts
    assert as_rgb("#8c1c13") in fill_colours(memo_pdf)


@pytest.mark.pdf
def test_paper_option_overrides_the_theme_paper(tmp_path, content):
    result = build(content, tmp_path / "out.pdf", theme="memo", paper="a4")
    with pikepdf.open(result.pdf) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].MediaBox] == [0, 0, 595, 842]


def test_settings_layer_default_then_theme_then_brand(tmp_path):
    brand = tmp_path / "brand.yaml"
    brand.write_text("colors:\n  accent: '#123456'\nfonts:\n  text: [EB Garamond, serif]\n", encoding="utf-8")
    theme = load_theme("memo", brand=brand)
    css = theme.settings_css
    assert "--color-accent: #123456;" in css  # brand beats theme
    assert "--color-ink: #1a1a1a;" in css  # theme setting kept where the brand is silent
    assert '--font-text: "EB Garamond", serif;' in css
    assert theme.folders[-1].name == "default" and theme.folders[0].name == "memo"


def test_templates_folder_comes_before_the_theme_and_its_parent(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    theme = load_theme("memo", templates=user)
    assert [folder.name for folder in theme.folders] == ["mine", "memo", "default"]
    (user / "brief.css").write_text("", encoding="utf-8")
    assert theme.stylesheets[0] == user.resolve() / "brief.css"  # replaces default's brief.css
    assert theme.stylesheets[1].parent.name == "memo"


def test_typo_in_a_variable_name_names_template_line_and_unknown_name(tmp_path, content):
    user = tmp_path / "overrides"
    (user / "partials").mkdir(parents=True)
    (user / "partials" / "outlook.html.j2").write_text(
        "<section>\n  <h2>{{ section.content.title }}</h2>\n  <p>{{ meta.titel }}</p>\n</section>\n",
        encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", templates=user)
    (problem,) = caught.value.problems
    assert str(problem.path).endswith("overrides/partials/outlook.html.j2")
    assert problem.line == 3
    assert problem.field == "meta.titel"
    assert "did you mean 'title'" in problem.message and "subtitle" in problem.message


@pytest.mark.pdf
def test_unknown_variable_fails_from_the_cli_with_the_variables_available_there(tmp_path, content):
    user = tmp_path / "overrides"
    (user / "partials").mkdir(parents=True)
    (user / "partials" / "outlook.html.j2").write_text("<p>\n{{ outlok.body }}\n</p>\n", encoding="utf-8")
    (tmp_path / "out.pdf").write_bytes(b"earlier")
    result = run_cli("build", str(content), "-o", "out.pdf", "--templates", "overrides", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "overrides/partials/outlook.html.j2:2: outlok: undefined variable" in result.stderr
    assert "available here:" in result.stderr and "section" in result.stderr and "meta" in result.stderr
    assert (tmp_path / "out.pdf").read_bytes() == b"earlier"


def test_template_syntax_error_names_file_and_line(tmp_path, content):
    user = tmp_path / "overrides"
    (user / "partials").mkdir(parents=True)
    (user / "partials" / "outlook.html.j2").write_text("<p>\n{% if section %}\n</p>\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", templates=user)
    (problem,) = caught.value.problems
    assert str(problem.path).endswith("overrides/partials/outlook.html.j2") and problem.line in (2, 3, 4)
    assert "endif" in problem.message


def test_templates_run_in_a_sandbox(tmp_path, content):
    user = tmp_path / "overrides"
    (user / "partials").mkdir(parents=True)
    (user / "partials" / "outlook.html.j2").write_text(
        "{{ brief.__class__.__init__.__globals__ }}\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", templates=user)
    assert "unsafe" in caught.value.problems[0].message


def test_a_template_cannot_reach_outside_its_folder_through_a_link(tmp_path, content):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.html.j2").write_text("SECRET", encoding="utf-8")
    user = tmp_path / "overrides"
    (user / "partials").mkdir(parents=True)
    (user / "partials" / "outlook.html.j2").symlink_to(outside / "secret.html.j2")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", templates=user)
    assert "outside" in str(caught.value)


@pytest.mark.pdf
def test_a_user_stylesheet_cannot_read_files_outside_its_folder_and_the_briefs(tmp_path):
    content = write_yaml((tmp_path / "content").mkdir() or tmp_path / "content" / "brief.yaml", minimal_brief())
    secret = tmp_path / "secret.png"
    png(secret, 3, 3)
    user = tmp_path / "overrides"
    user.mkdir()
    (user / "brief.css").write_text(f".masthead {{ background: url({secret.as_uri()}); }}\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", templates=user)
    assert "refused" in str(caught.value) and "secret.png" in str(caught.value)


def test_a_logo_outside_the_brand_folder_is_refused(tmp_path, content):
    png(tmp_path / "logo.png", 4, 4)
    brand_folder = tmp_path / "brand"
    brand_folder.mkdir()
    (brand_folder / "brand.yaml").write_text("logo: ../logo.png\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", brand=brand_folder / "brand.yaml")
    (problem,) = caught.value.problems
    assert problem.field == "logo" and "outside" in problem.message


def test_a_logo_that_is_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, content):
    brand_folder = tmp_path / "brand"
    brand_folder.mkdir()
    os.mkfifo(brand_folder / "logo.png")
    (brand_folder / "brand.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "out.pdf", brand=brand_folder / "brand.yaml")
    (problem,) = caught.value.problems
    assert problem.field == "logo" and problem.message == "'logo.png': not a regular file"


@pytest.mark.pdf
def test_a_bad_brand_colour_is_located_in_the_brand_file(tmp_path, content):
    (tmp_path / "brand.yaml").write_text('colors:\n  accent: "red; background: url(x)"\n', encoding="utf-8")
    result = run_cli("build", str(content), "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "brand.yaml:2:11: colors.accent: 'red; background: url(x)' is not a colour" in result.stderr


@pytest.mark.pdf
def test_unknown_theme_lists_the_builtin_themes(tmp_path, content):
    result = run_cli("build", str(content), "--theme", "nosuch", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "nosuch" in result.stderr and "default, memo" in result.stderr


@pytest.mark.pdf
def test_themes_command_lists_both_builtin_themes(tmp_path):
    result = run_cli("themes", cwd=tmp_path)
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["default", "memo"]


@pytest.mark.pdf
def test_ejected_templates_build_the_same_brief_when_passed_back(tmp_path, content):
    result = run_cli("templates", "eject", "mine", "--theme", "memo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ejected = tmp_path / "mine"
    for name in ("main.html.j2", "base.html.j2", "components.html.j2", "brief.css", "memo.css",
                 "partials/masthead.html.j2", "partials/outlook.html.j2", "fonts/Inter-Regular.otf"):
        assert (ejected / name).is_file(), name
    assert "MEMO" in (ejected / "partials" / "masthead.html.j2").read_text(encoding="utf-8").upper()
    (ejected / "partials" / "outlook.html.j2").write_text(
        (ejected / "partials" / "outlook.html.j2").read_text(encoding="utf-8").replace(
            "{{ s.title }}", "{{ s.title }} (edited)"), encoding="utf-8")
    built = run_cli("build", str(content), "-o", "out.pdf", "--theme", "memo", "--templates", "mine",
                    cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    text = pdf_text(tmp_path / "out.pdf")
    assert "(EDITED)" in text and "MEMO" in text  # the memo sets section titles in capitals


def test_eject_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BriefError):
        eject(load_theme(), tmp_path / "mine")
    assert [path.name for path in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_theme_settings_problems_name_file_line_and_key(tmp_path):
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "theme.yaml").write_text(
        'extend: memo\ncolors:\n  Accent Colour: "#fff"\nfonts:\n  text: ["Comic; Sans"]\n', encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        load_theme(theme)
    found = {(problem.field, problem.line) for problem in caught.value.problems}
    assert found == {("extend", 1), ("colors.Accent Colour", 3), ("fonts.text.0", 5)}
    assert all(str(problem.path).endswith("house/theme.yaml") for problem in caught.value.problems)


def test_themes_that_extend_each_other_in_a_circle_are_an_error(tmp_path):
    house = tmp_path / "house"
    house.mkdir()
    (house / "theme.yaml").write_text("extends: ./a\n", encoding="utf-8")
    for name, other in (("a", "b"), ("b", "a")):
        (house / name).mkdir()
        (house / name / "theme.yaml").write_text(f"extends: ../{other}\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        load_theme(house)
    assert "circle" in str(caught.value)


@pytest.mark.pdf
def test_a_partial_that_drops_a_cited_item_names_the_missing_anchor(tmp_path, content):
    partials = tmp_path / "mine" / "partials"
    partials.mkdir(parents=True)
    (partials / "background.html.j2").write_text(
        '<section id="{{ section.anchor }}"><h2 class="section-title">{{ section.content.title }}</h2>'
        "{{ section.content.body | markdown }}</section>\n", encoding="utf-8")
    result = run_cli("build", str(content), "--templates", str(tmp_path / "mine"),
                     "-o", str(tmp_path / "out.pdf"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the sources list links back to #background-figures-0, but no template shows an element " \
           "with that id" in result.stderr
    assert not (tmp_path / "out.pdf").exists()
