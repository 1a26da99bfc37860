"""Quarto's _brand.yml: read beside the content or with --brand, mapped to briefing's tokens.

Parts briefing does not use are located warnings, never errors.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from helpers import as_rgb, fill_colours, minimal_brief, pdf_text, run_cli, write_yaml
from helpers.tools import tool

from briefing import BriefError, build, load_theme
from briefing.themes.quarto import read_quarto_brand
from briefing.themes.theme import MAX_SETTINGS_BYTES, MAX_SETTINGS_ENTRIES

BRAND = textwrap.dedent("""\
    meta:
      name: House Institute
      link: https://example.org
    color:
      palette:
        crimson: "#a4123f"
        slate: "#334155"
      primary: crimson
      foreground: slate
      background: "#fffdf8"
      success: "#00ff00"
    typography:
      fonts:
        - family: House Sans
          source: file
          files:
            - path: fonts/house-sans.otf
              weight: 700
        - family: Roboto Slab
          source: google
      base:
        family: Charis SIL
        size: 16px
      headings: House Sans
      link:
        color: crimson
    logo:
      images:
        mark: {path: logo.svg, alt: The House mark}
      small: mark
      medium: mark
    defaults:
      bootstrap: {}
    """)
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"><rect width="40" height="40" '
        'fill="#a4123f"/><text x="48" y="28" font-size="22">HOUSE</text></svg>')


def brand_folder(folder: Path) -> Path:
    from helpers import ROOT

    (folder / "fonts").mkdir(parents=True)
    (folder / "fonts" / "house-sans.otf").write_bytes(
        (ROOT / "templates" / "default" / "fonts" / "Inter-Bold.otf").read_bytes())
    (folder / "logo.svg").write_text(LOGO, encoding="utf-8")
    path = folder / "_brand.yml"
    path.write_text(BRAND, encoding="utf-8")
    return path


def test_brand_yml_maps_to_briefings_tokens(tmp_path):
    theme = load_theme("default", brand=brand_folder(tmp_path))
    colors = dict(theme.colors)
    assert colors["accent"] == "#a4123f" and colors["ink"] == "#334155" and colors["paper"] == "#fffdf8"
    assert colors["crimson"] == "#a4123f" and colors["slate"] == "#334155"  # the palette, as tokens
    assert colors["accent-soft"] == "#f4e1e2"  # 12 % of the accent on the background
    assert dict(theme.fonts) == {"text": ("Charis SIL", "serif"), "display": ("House Sans", "sans-serif")}
    [(face, asset)] = theme.font_faces
    assert (face.family, face.weight, face.style) == ("House Sans", 700, "normal")
    assert asset.uri.startswith("data:font/otf;base64,")
    assert theme.logo is not None and theme.logo_alt == "The House mark"
    assert "--color-accent: #a4123f;" in theme.settings_css


def test_unused_parts_are_located_warnings_not_errors(tmp_path):
    path = brand_folder(tmp_path)
    theme = load_theme("default", brand=path)
    lines = BRAND.splitlines()
    found = {warning.field: warning for warning in theme.warnings}
    assert set(found) == {"meta.link", "color.success", "typography.fonts.1.source", "typography.base.size",
                          "typography.link", "logo.small", "defaults"}
    for warning in theme.warnings:
        assert warning.severity == "warning" and warning.code == "unused_brand_setting"
        key = warning.field.split(".")[-1]
        assert key in lines[warning.line - 1] or key.isdigit(), warning
    assert "network" in found["typography.fonts.1.source"].message


def test_a_plain_logo_path_and_a_light_dark_logo(tmp_path):
    (tmp_path / "logo.svg").write_text(LOGO, encoding="utf-8")
    (tmp_path / "_brand.yml").write_text("logo: logo.svg\nmeta: {name: House Institute}\n", encoding="utf-8")
    settings, warnings = read_quarto_brand(tmp_path / "_brand.yml", max_bytes=MAX_SETTINGS_BYTES, max_entries=MAX_SETTINGS_ENTRIES)
    assert settings == {"logo": "logo.svg", "logo_alt": "House Institute"} and warnings == []
    (tmp_path / "_brand.yml").write_text("logo:\n  large: {light: logo.svg, dark: logo-dark.svg}\n")
    settings, warnings = read_quarto_brand(tmp_path / "_brand.yml", max_bytes=MAX_SETTINGS_BYTES, max_entries=MAX_SETTINGS_ENTRIES)
    assert settings == {"logo": "logo.svg"}
    assert [warning.field for warning in warnings] == ["logo.large.dark"]


def test_a_colour_that_is_neither_hex_nor_in_the_palette_is_a_warning(tmp_path):
    (tmp_path / "_brand.yml").write_text("color:\n  primary: blue\n", encoding="utf-8")
    settings, warnings = read_quarto_brand(tmp_path / "_brand.yml", max_bytes=MAX_SETTINGS_BYTES, max_entries=MAX_SETTINGS_ENTRIES)
    assert settings == {}
    [warning] = warnings
    assert str(warning) == (f"{tmp_path / '_brand.yml'}:2:12: color.primary: 'blue' is neither #rrggbb nor a "
                            "name in color.palette; not used")


def test_a_malformed_brand_yml_is_an_error_with_its_place(tmp_path):
    (tmp_path / "_brand.yml").write_text("typography:\n  fonts: House Sans\n", encoding="utf-8")
    with pytest.raises(BriefError) as raised:
        load_theme("default", brand=tmp_path / "_brand.yml")
    [problem] = raised.value.problems
    assert problem.field == "typography.fonts" and problem.line == 2


@pytest.mark.pdf
def test_a_brand_yml_beside_the_brief_styles_the_pdf_and_warns_on_the_command_line(tmp_path):
    brand_folder(tmp_path)
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief.yaml", "-o", "brief.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert as_rgb("#a4123f") in fill_colours(tmp_path / "brief.pdf")
    assert "HOUSE" in pdf_text(tmp_path / "brief.pdf").split("\f")[0]  # the logo's text
    assert "warning: _brand.yml:11:12: color.success: not used by briefing's themes" in result.stderr.splitlines()
    strict = run_cli("build", str(content), "-o", "strict.pdf", "--strict", cwd=tmp_path)
    assert strict.returncode == 2 and not (tmp_path / "strict.pdf").exists()


@pytest.mark.pdf
def test_brand_option_takes_a_brand_yml(tmp_path):
    path = brand_folder(tmp_path / "house")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = build(content, tmp_path / "brief.pdf", brand=path)
    assert as_rgb("#a4123f") in fill_colours(result.pdf)
    assert {warning.field for warning in result.warnings} >= {"color.success", "defaults"}
    assert re.search(r"House-Sans|HouseSans|Inter", subprocess_fonts(result.pdf))


def subprocess_fonts(pdf: Path) -> str:
    import subprocess

    return subprocess.run([tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout


@pytest.mark.pdf
def test_the_documented_brand_yml_builds_with_the_one_warning_the_docs_show(tmp_path):
    from helpers import ROOT

    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    body = re.search(r"<!-- file: content/_brand.yml -->\n```yaml\n(.*?)```", doc, re.S).group(1)
    promised = re.search(r"warns once: `(.*?)`", doc, re.S).group(1)
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "_brand.yml").write_text(body, encoding="utf-8")
    write_yaml(tmp_path / "content" / "brief.yaml", minimal_brief(summary=["One.", "Two."]))
    result = run_cli("build", "content/brief.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("warning: ")
            and "libharfbuzz" not in line] == ["warning: " + " ".join(promised.split())]
    assert as_rgb("#a4123f") in fill_colours(tmp_path / "output" / "brief.pdf")
