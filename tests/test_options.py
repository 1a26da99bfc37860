"""BuildOptions: one validated, frozen object holds every build setting (fast: no PDF is made)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import BriefError, BuildOptions, Limits
from briefing.commands.options import PAPERS, RESOLUTIONS
from helpers import minimal_brief, run_cli, write_yaml


def problems(**options) -> list[str]:
    with pytest.raises(BriefError) as raised:
        BuildOptions(**options)
    return [str(problem) for problem in raised.value.problems]


def test_defaults_build_as_the_command_line_does():
    options = BuildOptions()
    assert options.theme == "default" and options.paper is None and options.limits == Limits()
    assert options.attach == () and options.allowed_urls == () and not options.strict


def test_options_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        BuildOptions().paper = "letter"


@pytest.mark.parametrize("given", ["A4", "Letter", "LETTER"])
def test_paper_is_accepted_in_any_case(given):
    assert BuildOptions(paper=given).paper == given.lower()


def test_errors_name_the_field_not_a_flag():
    assert problems(paper="a5") == ["options: paper: unknown paper size 'a5' (expected a4 or letter)"]
    assert problems(variant="pdf/a-3c")[0].startswith("options: variant: unknown PDF variant 'pdf/a-3c'")
    assert "did you mean 'pdf/a-3" in problems(variant="pdf/a-3c")[0]
    assert problems(first_page=0) == ["options: first_page: must be a whole number of 1 or more, got 0"]
    assert problems(png=5)[0].startswith("options: png: the resolution must be a whole number from 10 to 1200")
    assert problems(allowed_urls=("ftp://x/",))[0].startswith("options: allowed_urls: 'ftp://x/' is not")


def test_every_problem_is_reported_at_once():
    assert [line.split(":")[1].strip() for line in problems(paper="a5", first_page=0, png=1)] == [
        "paper", "first_page", "png"]


def test_keyword_changes_are_validated_and_unknown_ones_are_named():
    assert BuildOptions.of(BuildOptions(theme="memo"), paper="letter") == BuildOptions(theme="memo", paper="letter")
    with pytest.raises(BriefError) as raised:
        BuildOptions.of(None, papr="letter")
    assert str(raised.value) == "options: papr: unknown build option; did you mean 'paper'?"


def test_the_canonical_form_is_plain_data_and_counts_named_files_by_content(tmp_path):
    brand = tmp_path / "brand.yaml"
    brand.write_text("colors: {accent: '#112233'}\n", encoding="utf-8")
    first = BuildOptions(brand=brand, attach=("data.csv",)).canonical()
    json.dumps(first)  # plain data
    assert first == BuildOptions(brand=str(brand), attach=(Path("data.csv"),)).canonical()
    brand.write_text("colors: {accent: '#445566'}\n", encoding="utf-8")
    assert BuildOptions(brand=brand, attach=("data.csv",)).canonical() != first


def test_the_command_line_takes_its_choices_and_defaults_from_the_options():
    from briefing.cli import main

    build = main.get_command(None, "build")
    params = {param.name: param for param in build.params}
    assert tuple(params["paper"].type.choices) == PAPERS
    assert (params["resolution"].type.min, params["resolution"].type.max) == RESOLUTIONS
    defaults = Limits()
    assert (params["timeout"].default, params["max_pages"].default, params["max_memory"].default) == (
        defaults.timeout, defaults.max_pages, defaults.max_memory)


@pytest.mark.pdf
def test_validate_prints_problems_as_json(tmp_path):
    data = minimal_brief()
    del data["meta"]["title"]
    data["meta"]["titel"] = "Typo"
    content = write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("validate", "--format", "json", str(content), cwd=tmp_path)
    assert result.returncode == 2
    found = json.loads(result.stdout)
    assert {(item["field"], item["code"], item["severity"]) for item in found} == {
        ("meta.title", "missing", "error"), ("meta.titel", "extra_forbidden", "error")}
    assert all(item["path"] == str(content) and item["line"] and item["column"] for item in found)


@pytest.mark.pdf
def test_validate_json_lists_warnings_with_their_codes(tmp_path):
    data = minimal_brief(sources=[*minimal_brief()["sources"], {"id": "unused", "title": "Never cited"}])
    content = write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("validate", "--format", "json", str(content), cwd=tmp_path)
    assert result.returncode == 0
    found = {(item["field"], item["code"], item["severity"]) for item in json.loads(result.stdout)}
    assert ("sources.1.id", "uncited_source", "warning") in found


@pytest.mark.pdf
def test_an_unchanged_rebuild_imports_neither_pydantic_nor_weasyprint(tmp_path):
    pytest.importorskip("weasyprint")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    script = (
        "import sys, briefing\n"
        f"briefing.build({str(content)!r}, {str(tmp_path / 'brief.pdf')!r})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, timeout=300)
    check = script + "print(sorted(m for m in ('pydantic', 'weasyprint') if m in sys.modules))\n"
    # Built once above; the second process finds it up to date.
    out = subprocess.run([sys.executable, "-c", check.replace("briefing.build(", "r = briefing.build(")
                          + "assert r.cached\n"], check=True, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300).stdout
    assert out.strip() == "[]"
