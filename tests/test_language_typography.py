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
