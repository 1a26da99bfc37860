"""Editorial and provenance checks: warnings that are located, printed, and fail only with --strict."""

from __future__ import annotations

import pytest
from helpers.formats import to_yaml
from helpers import EXAMPLE, minimal_brief, run_cli, write_yaml

from briefing import build, check, load_text, review


def warnings_of(data) -> list[str]:
    return [str(warning) for warning in review(load_text(to_yaml(data)), "brief")]


def test_example_brief_has_no_warnings():
    # Its quotes are unverified (its source's text is not archived in the repository): `info`, shown with --strict.
    for path in (EXAMPLE, EXAMPLE.with_suffix(".md")):
        assert [warning for warning in check(path).warnings if warning.severity != "info"] == []
        assert {warning.code for warning in check(path).warnings} <= {"unverified_quote"}


def test_minimal_brief_has_no_warnings_but_its_single_takeaway():
    assert warnings_of(minimal_brief()) == [
        "brief: summary: 1 key takeaway; a brief reads best with 2 to 5"]


def two_takeaways(**overrides):
    return minimal_brief(summary=["First point.", "Second point."], **overrides)


def test_source_never_cited_is_reported_at_its_id():
    data = two_takeaways()
    data["sources"].append({"id": "unused", "title": "Never cited"})
    yaml = to_yaml(data)
    line = yaml.split("\n").index("- id: unused") + 1
    warnings = [str(w) for w in review(load_text(yaml, path="brief.yaml"), "brief.yaml",
                                       _positions(yaml))]
    assert warnings == [f"brief.yaml:{line}:7: sources.1.id: source 'unused' is never cited"]


def _positions(yaml):
    from briefing.content.formats import parse_text

    return parse_text(yaml, "brief.yaml", "yaml").positions


def test_too_many_and_too_long_takeaways_are_reported():
    warnings = warnings_of(minimal_brief(summary=[" ".join(["word"] * 30)] * 6))
    assert warnings == ["brief: summary: 6 key takeaways; a brief reads best with 2 to 5",
                        "brief: summary: key takeaways run to 180 words together; keep them to about 150 "
                        "so they fit the first page"]


def test_timeline_out_of_order_is_reported():
    data = two_takeaways()
    data["background"]["timeline"] = [{"date": "2001-05", "event": "Later."},
                                      {"date": 1999, "event": "Earlier."}]
    assert warnings_of(data) == [
        "brief: background.timeline.1.date: 1999 comes after 2001-05 in the list; dates should run oldest first"]


def test_source_dated_after_the_brief_is_reported():
    data = two_takeaways()
    data["sources"][0]["date"] = "2024-06"
    assert warnings_of(data) == [
        "brief: sources.0.date: source is dated 2024-06, after the brief itself (2024-05-01)"]


def test_quote_and_figure_citing_unknown_sources_are_errors_not_warnings():
    data = two_takeaways()
    data["background"]["figures"][0]["source"] = "nope"
    data["expert_proposals"]["proposals"][0]["source"] = "nada"
    from briefing import BriefError

    with pytest.raises(BriefError) as caught:
        load_text(to_yaml(data))
    assert [problem.field for problem in caught.value.problems] == [
        "background.figures.0.source", "expert_proposals.proposals.0.source"]


@pytest.fixture()
def uncited(tmp_path):
    data = two_takeaways()
    data["sources"].append({"id": "unused", "title": "Never cited"})
    return write_yaml(tmp_path / "brief.yaml", data)


@pytest.mark.pdf
def test_validate_prints_warnings_and_succeeds(uncited, tmp_path):
    result = run_cli("validate", str(uncited), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"{uncited}: ok (1 warning)\n"
    assert result.stderr.startswith(f"warning: {uncited}:")
    assert result.stderr.endswith(": sources.1.id: source 'unused' is never cited\n")


@pytest.mark.pdf
def test_validate_strict_fails_on_warnings(uncited, tmp_path):
    result = run_cli("validate", "--strict", str(uncited), cwd=tmp_path)
    assert result.returncode == 2
    assert "warning:" in result.stderr and "never cited" in result.stderr


@pytest.mark.pdf
def test_build_prints_warnings_and_still_writes_the_pdf(uncited, tmp_path):
    result = run_cli("build", str(uncited), "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "never cited" in result.stderr
    assert (tmp_path / "out.pdf").is_file()


@pytest.mark.pdf
def test_build_strict_fails_on_warnings_and_writes_nothing(uncited, tmp_path):
    result = run_cli("build", "--strict", str(uncited), "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert "never cited" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.pdf
def test_build_api_returns_warnings(uncited, tmp_path):
    result = build(uncited, tmp_path / "api.pdf")
    assert [warning.field for warning in result.warnings if warning.severity != "info"] == ["sources.1.id"]
