"""`briefing new`: a skeleton with every section that builds as written."""

from __future__ import annotations

import pypdf
import pytest
from helpers import pdf_text, run_cli

from briefing import check
from briefing.render.html import SECTION_KINDS

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes


@pytest.mark.pdf
@pytest.mark.parametrize("name", ["brief.yaml", "brief.md"])
def test_new_skeleton_builds_to_a_pdf_without_edits(tmp_path, name):
    result = run_cli("new", name, "--title", "Grain corridors: what Kyiv needs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {name}\n"
    built = run_cli("build", name, "-o", "out.pdf", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    # No warnings either, beyond the one a machine without an optional library gets.
    assert [line for line in built.stderr.splitlines() if "libharfbuzz-subset0" not in line] == []
    text = pdf_text(tmp_path / "out.pdf")
    assert "Grain corridors: what Kyiv needs" in text
    assert len(pypdf.PdfReader(str(tmp_path / "out.pdf")).pages) >= 1


@pytest.mark.parametrize("name", ["brief.yaml", "brief.md"])
def test_new_skeleton_has_every_section(tmp_path, name):
    assert run_cli("new", name, cwd=tmp_path).returncode == 0
    brief = check(tmp_path / name).brief
    assert all(getattr(brief, kind) is not None for kind in SECTION_KINDS)
    assert brief.sources and brief.background.timeline and brief.background.figures
    assert brief.legal_deadlock.positions and brief.legal_deadlock.rulings and brief.outlook.signposts


def test_new_skeleton_explains_its_fields_in_comments(tmp_path):
    run_cli("new", "brief.yaml", cwd=tmp_path)
    text = (tmp_path / "brief.yaml").read_text(encoding="utf-8")
    assert "# the date of the brief, YYYY-MM-DD" in text
    assert "# key figures; each must name its source" in text.lower()


def test_new_refuses_to_replace_a_file(tmp_path):
    (tmp_path / "brief.yaml").write_text("precious", encoding="utf-8")
    result = run_cli("new", "brief.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: brief.yaml: already exists; choose another name or pass --force\n"
    assert (tmp_path / "brief.yaml").read_text(encoding="utf-8") == "precious"


def test_new_with_markdown_format_needs_a_markdown_name(tmp_path):
    result = run_cli("new", "brief.yaml", "--format", "md", cwd=tmp_path)
    assert result.returncode == 2
    assert "a Markdown brief needs a file name ending in .md" in result.stderr
