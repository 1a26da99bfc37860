"""The worked examples in docs/templates.md, built exactly as written there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from briefing import build
from helpers import ROOT, minimal_brief, pdf_text, write_yaml
from helpers import as_rgb, fill_colours
from helpers.tools import tool

DOC = ROOT / "docs" / "templates.md"
FILE = re.compile(r"<!-- file: (?P<path>[^ ]+) -->\n```[a-z]*\n(?P<body>.*?)```", re.S)


def example_files(number: int) -> dict[str, str]:
    """The files of worked example `number`: each fenced block preceded by a `<!-- file: … -->` line."""
    sections = re.split(r"^### ", DOC.read_text(encoding="utf-8"), flags=re.M)
    (section,) = [part for part in sections if part.startswith(f"{number}. ")]
    return {match["path"]: match["body"] for match in FILE.finditer(section)}


def build_example(tmp_path: Path, number: int, brief: dict | None = None, **options) -> str:
    for name, body in example_files(number).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "content").mkdir(exist_ok=True)
    content = write_yaml(tmp_path / "content" / "brief.yaml", brief or minimal_brief())
    return build(content, tmp_path / "out.pdf", **options).pdf


def raw_text(pdf: Path) -> str:
    """Text in the order it was drawn (the masthead before the running header strings drawn later)."""
    return subprocess.run([tool("pdftotext"), "-raw", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.pdf
def test_docs_example_brand_colour_and_logo(tmp_path):
    pdf = build_example(tmp_path, 1)
    assert as_rgb("#c8102e") in fill_colours(pdf)
    assert "HOUSE" in pdf_text(pdf).split("\f")[0]  # the SVG logo's text, on page 1


@pytest.mark.pdf
def test_docs_example_replaced_masthead_block(tmp_path):
    pdf = build_example(tmp_path, 2, templates=tmp_path / "my-templates")
    text = raw_text(pdf)
    assert "TEST BRIEFS · 1 MAY 2024\nWater sharing on the Mekong" in text  # the replaced masthead (capitals by CSS)
    assert "Ada Analyst" not in text  # the theme's masthead (with the authors) is gone
    assert "Dams upstream change the river downstream." in text  # the other blocks are the theme's


@pytest.mark.pdf
def test_docs_example_new_section_partial(tmp_path):
    pdf = build_example(tmp_path, 3, templates=tmp_path / "my-templates")
    text = " ".join(pdf_text(pdf).split())
    assert "ABOUT THE AUTHORS Ada Analyst, Test Institute." in text


@pytest.mark.pdf
def test_docs_example_new_section_partial_shows_nothing_without_authors(tmp_path):
    brief = minimal_brief()
    brief["meta"] = {**brief["meta"], "authors": [], "publisher": "Test Institute"}
    pdf = build_example(tmp_path, 3, brief, templates=tmp_path / "my-templates")
    text = " ".join(pdf_text(pdf).split())
    assert "Test Institute" in text and "Ada Analyst" not in text
    assert "ABOUT THE AUTHORS" not in text.upper()


@pytest.mark.parametrize("number", [1, 2, 3])
def test_every_worked_example_has_files(number):
    assert example_files(number)
