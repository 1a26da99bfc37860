"""Bad content gives one located, readable error per problem, exit status 2, no traceback."""

from __future__ import annotations

import pytest

from helpers import minimal_brief, run_cli, write_yaml

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes


def validate(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    result = run_cli("validate", name, cwd=folder)
    assert "Traceback" not in result.stderr
    return result


def brief_yaml(tmp_path, data):
    return write_yaml(tmp_path / "brief.yaml", data).read_text(encoding="utf-8")


def line_of(text, needle):
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_missing_required_field_names_field_and_parent_line(tmp_path):
    data = minimal_brief()
    del data["meta"]["title"]
    text = brief_yaml(tmp_path, data)
    result = validate(tmp_path, "brief.yaml", text)
    assert result.returncode == 2
    assert f"brief.yaml:{line_of(text, 'meta:')}:1: meta.title: required field is missing" in result.stderr


def test_unknown_key_is_rejected_with_a_suggestion(tmp_path):
    data = minimal_brief()
    data["expert_proposals"]["proposals"][0]["expert"]["afiliation"] = "Typo University"
    text = brief_yaml(tmp_path, data)
    result = validate(tmp_path, "brief.yaml", text)
    assert result.returncode == 2
    line = line_of(text, "afiliation")
    assert f"brief.yaml:{line}:" in result.stderr
    assert "expert_proposals.proposals.0.expert.afiliation: unknown field; did you mean 'affiliation'?" \
        in result.stderr


def test_wrong_type_names_field_line_and_value(tmp_path):
    data = minimal_brief()
    data["summary"] = ["fine", ["a", "list"]]
    text = brief_yaml(tmp_path, data)
    result = validate(tmp_path, "brief.yaml", text)
    assert result.returncode == 2
    assert "summary.1: input should be a valid string, got a list" in result.stderr


def test_quote_citing_a_missing_source_is_rejected(tmp_path):
    data = minimal_brief()
    data["expert_proposals"]["proposals"][0]["source"] = "nowhere"
    text = brief_yaml(tmp_path, data)
    result = validate(tmp_path, "brief.yaml", text)
    assert result.returncode == 2
    line = line_of(text, "source: nowhere")
    assert f"brief.yaml:{line}:" in result.stderr
    assert "expert_proposals.proposals.0.source: cites source 'nowhere', which is not in sources" \
        in result.stderr


def test_quote_without_source_is_rejected(tmp_path):
    data = minimal_brief()
    del data["expert_proposals"]["proposals"][0]["source"]
    result = validate(tmp_path, "brief.yaml", brief_yaml(tmp_path, data))
    assert result.returncode == 2
    assert "expert_proposals.proposals.0.source: a quote must name its source" in result.stderr


def test_impossible_date_is_rejected(tmp_path):
    data = minimal_brief()
    data["background"]["timeline"][0]["date"] = "2021-02-30"
    result = validate(tmp_path, "brief.yaml", brief_yaml(tmp_path, data))
    assert result.returncode == 2
    assert "background.timeline.0.date: not a real date: day is out of range for month" in result.stderr


def test_malformed_yaml_points_at_the_line(tmp_path):
    text = "meta:\n  title: A\n  date: 2021-01-01\nsummary: [unclosed\nbackground: {}\n"
    result = validate(tmp_path, "broken.yaml", text)
    assert result.returncode == 2
    assert result.stderr.startswith("broken.yaml:")
    assert "invalid YAML" in result.stderr
    location = result.stderr.split(":")[1]
    assert location.isdigit() and 4 <= int(location) <= 6


def test_several_problems_are_reported_at_once(tmp_path):
    data = minimal_brief()
    del data["meta"]["date"]
    data["meta"]["colour"] = "blue"
    data["background"]["figures"][0]["source"] = "ghost"
    result = validate(tmp_path, "brief.yaml", brief_yaml(tmp_path, data))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 2
    assert any("meta.date: required field is missing" in line for line in lines)
    assert any("meta.colour: unknown field" in line for line in lines)


@pytest.mark.pdf
def test_missing_file_is_a_clean_error(tmp_path):
    result = run_cli("build", "absent.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: absent.yaml: no such file"


@pytest.mark.pdf
def test_failed_build_leaves_earlier_pdf_untouched(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    assert run_cli("build", "brief.yaml", "-o", "out.pdf", cwd=tmp_path).returncode == 0
    before = (tmp_path / "out.pdf").read_bytes()
    broken = minimal_brief()
    del broken["summary"]
    write_yaml(content, broken)
    result = run_cli("build", "brief.yaml", "-o", "out.pdf", cwd=tmp_path)
    assert result.returncode == 2 and "summary: required field is missing" in result.stderr
    assert (tmp_path / "out.pdf").read_bytes() == before
    # Only the files a user made, and the build cache's record of the good build.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.pdf.build", "brief.yaml", "out.pdf"]


@pytest.mark.pdf
@pytest.mark.parametrize("value", ["not-a-date", "2021-13", True])
def test_meta_date_must_be_a_real_day(tmp_path, value):
    data = minimal_brief()
    data["meta"]["date"] = value
    result = validate(tmp_path, "brief.yaml", brief_yaml(tmp_path, data))
    assert result.returncode == 2
    assert "meta.date:" in result.stderr
