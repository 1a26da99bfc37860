"""The shapes people write: signposts as plain text, expert proposals as a plain list.

Both are in the content sketch of the design; a wrong shape gets an error that
shows the expected form with a two-line example.
"""

from __future__ import annotations

import jsonschema
import pytest
from helpers.formats import to_yaml
from helpers import minimal_brief

from briefing import BriefError, load_text
from briefing.content.schema import json_schema
from briefing.render.html import render_html

PROPOSAL = {"expert": {"name": "Bo Expert", "role": "Professor", "affiliation": "River University"},
            "proposal": "Share data on dam releases.", "quote": "Data is the first dam to open.",
            "source": "mrc"}


def problems(data) -> list[str]:
    with pytest.raises(BriefError) as raised:
        load_text(to_yaml(data), path="brief.yaml")
    return [str(problem) for problem in raised.value.problems]


def test_signposts_may_be_plain_text_beside_dated_ones():
    brief = load_text(to_yaml(minimal_brief(outlook={
        "body": "Talks resume next year.",
        "signposts": ["Whether the dams publish their releases.", {"date": "2025-01", "item": "The next summit."}],
    })))
    first, second = brief.outlook.signposts
    assert (first.item, first.date) == ("Whether the dams publish their releases.", None)
    assert (second.item, str(second.date)) == ("The next summit.", "2025-01")
    html = render_html(brief)
    assert "Whether the dams publish their releases." in html and "The next summit." in html


def test_expert_proposals_may_be_a_plain_list_of_proposals():
    plain = load_text(to_yaml(minimal_brief(expert_proposals=[PROPOSAL])))
    written_out = load_text(to_yaml(minimal_brief(expert_proposals={"proposals": [PROPOSAL]})))
    assert plain == written_out
    assert plain.expert_proposals.proposals[0].expert.name == "Bo Expert"


def test_a_mistake_inside_a_plain_list_of_proposals_is_located_where_it_was_written():
    text = to_yaml(minimal_brief(expert_proposals=[{**PROPOSAL, "source": "nowhere"},
                                                   {**PROPOSAL, "expert": {"name": "A", "afiliation": "B"}}]))
    with pytest.raises(BriefError) as raised:
        load_text(text, path="brief.yaml")
    found = {problem.field: problem for problem in raised.value.problems}
    assert set(found) == {"expert_proposals.0.source", "expert_proposals.1.expert.afiliation"}
    lines = text.splitlines()
    source = found["expert_proposals.0.source"]
    assert "nowhere" in lines[source.line - 1]
    assert "did you mean 'affiliation'?" in found["expert_proposals.1.expert.afiliation"].message


def test_a_signpost_of_the_wrong_shape_shows_the_expected_form_with_an_example():
    [message] = problems(minimal_brief(outlook={"body": "Talks.", "signposts": [["a", "list"]]}))
    first, *example = message.split("\n")
    assert first.startswith("brief.yaml:")
    assert first.endswith("outlook.signposts.0: expected a signpost as plain text or as a mapping, "
                          "got a list; for example:")
    assert example == ["    - date: 2025-01", "      item: The next summit."]
    assert "valid dictionary" not in message and "instance of" not in message


def test_an_expert_given_as_a_name_shows_the_mapping_it_needs():
    [message] = problems(minimal_brief(expert_proposals=[{**PROPOSAL, "expert": "Bo Expert"}]))
    assert message.split("\n")[1:] == ["    name: Kan Kimura", "    affiliation: Kobe University"]
    assert ": expert_proposals.0.expert: expected an expert as a mapping, got 'Bo Expert'" in message


def test_schema_accepts_both_shapes_and_still_refuses_others():
    validator = jsonschema.Draft202012Validator(json_schema())
    data = minimal_brief(expert_proposals=[PROPOSAL], outlook={"body": "Talks.", "signposts": ["The summit."]})
    data["meta"]["date"] = "2024-05-01"
    validator.validate(data)
    assert not validator.is_valid({**data, "expert_proposals": "Share data."})
    assert not validator.is_valid({**data, "outlook": {"body": "Talks.", "signposts": [["a", "list"]]}})


def test_markdown_prose_under_a_plain_list_of_proposals_is_not_lost_silently():
    text = ("---\nmeta: {title: T, date: 2024-05-01}\nsummary: [One.]\nbackground: {body: B.}\n"
            "expert_proposals:\n  - expert: {name: Bo Expert}\n    proposal: Share data.\n---\n\n"
            "## Expert proposals\n\nWhat the experts say.\n")
    with pytest.raises(BriefError) as raised:
        load_text(text, "markdown", path="brief.md")
    [problem] = raised.value.problems
    assert str(problem) == ("brief.md:5:1: expert_proposals: the prose under the heading on line 10 needs this "
                            "section as a mapping; put the list under `proposals:`")
    assert load_text(text.replace("\n## Expert proposals\n\nWhat the experts say.\n", ""), "markdown")


@pytest.mark.pdf
def test_the_command_line_prints_the_example_indented_under_the_error(tmp_path):
    import json

    from helpers import run_cli, write_yaml

    write_yaml(tmp_path / "brief.yaml", minimal_brief(expert_proposals=[{**PROPOSAL, "expert": "Bo\x1b[2J"}]))
    result = run_cli("validate", "brief.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    index = next(i for i, line in enumerate(lines) if ": expert_proposals.0.expert: expected an expert" in line)
    assert lines[index].startswith("brief.yaml:") and "\x1b" not in result.stderr  # the value stays escaped
    assert lines[index + 1:index + 3] == ["    name: Kan Kimura", "    affiliation: Kobe University"]
    as_json = run_cli("validate", "brief.yaml", "--format", "json", cwd=tmp_path)
    [problem] = [item for item in json.loads(as_json.stdout) if item["code"] == "model_type"]
    assert problem["example"] == ["name: Kan Kimura", "affiliation: Kobe University"]
