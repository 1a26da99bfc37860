"""The running header and the masthead's dateline stay on one line, whatever the title and series.

A long title or series ends in "…" after a whole word; the date keeps its place beside the
series. Read back with pdftotext's word boxes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from helpers import minimal_brief, write_yaml
from helpers.tools import tool

from briefing import build

pytestmark = pytest.mark.pdf

LONG_TITLE = ("Water sharing on the Mekong: why the six riparian states keep failing to agree on dam "
              "releases, and what the next summit in Vientiane could change for fishers and farmers downstream")
LONG_SERIES = ("Occasional Papers of the Southeast Asian Water Governance Programme at the Institute "
               "for Riverine Studies")
# Above the text area: each theme's top page margin less the header's 3 mm padding, in points.
HEADER_BOTTOM = {"default": (22 - 3) / 25.4 * 72, "memo": (16 - 3) / 25.4 * 72}


def words(pdf: Path) -> list[list[tuple[float, float, str]]]:
    """Per page, each word as (x, y of its top, text)."""
    html = subprocess.run([tool("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([(float(x), float(y), text) for x, y, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', page)])
    return pages


def long_brief(tmp_path: Path, theme: str = "default") -> list[list[tuple[float, float, str]]]:
    brief = minimal_brief()
    brief["meta"] = {**brief["meta"], "title": LONG_TITLE, "series": LONG_SERIES}
    brief["background"] = {**brief["background"],
                           "body": "\n\n".join(["The river crosses six countries. " * 60] * 5)}
    content = write_yaml(tmp_path / "brief.yaml", brief)
    pdf = build(content, tmp_path / "brief.pdf", theme=theme).pdf
    return words(pdf)


@pytest.mark.parametrize("theme", ["default", "memo"])
def test_a_long_title_and_series_make_one_running_line_ending_in_an_ellipsis(tmp_path, theme):
    pages = long_brief(tmp_path, theme)
    assert len(pages) >= 2
    header = [word for word in pages[1] if word[1] < HEADER_BOTTOM[theme]]
    assert header, "no running header on page 2"
    assert len({round(y) for _, y, _ in header}) == 1  # one line
    text = " ".join(word for _, _, word in sorted(header))
    assert text.startswith("Water sharing on the Mekong")
    assert text.count("…") == 2  # the title and the series, each cut after a whole word
    assert "downstream" not in text and "Riverine Studies" not in text
    whole_words = {word.strip(",.:;") for word in (LONG_TITLE + " " + LONG_SERIES).split()}
    for cut in re.findall(r"(\S+)…", text):
        assert cut.strip(",.:;") in whole_words


def test_a_long_series_leaves_the_date_beside_it_in_the_masthead(tmp_path):
    first = long_brief(tmp_path)[0]
    series = [word for word in first if word[2].isupper() and word[2].rstrip("…") in LONG_SERIES.upper().split()]
    date = [word for word in first if word[2] in ("1", "May", "2024")]
    assert series and date
    lines = {round(y) for _, y, _ in series + date[:3]}
    assert len(lines) == 1, "the series or the date wrapped onto a second line"
    assert series[-1][2].endswith("…")


def test_a_short_title_is_shown_whole(tmp_path):
    brief = minimal_brief()
    brief["background"] = {**brief["background"],
                           "body": "\n\n".join(["The river crosses six countries. " * 60] * 5)}
    pdf = build(write_yaml(tmp_path / "brief.yaml", brief), tmp_path / "brief.pdf").pdf
    header = [word for word in words(pdf)[1] if word[1] < HEADER_BOTTOM["default"]]
    assert " ".join(word for _, _, word in sorted(header)) == "Water sharing on the Mekong Test Briefs"
