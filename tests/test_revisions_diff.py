"""`briefing diff` and `briefing.diff`: pairs of briefs with known edits give exactly those changes,
found by meaning; the same brief written another way gives none."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
from helpers import ROOT, minimal_brief, write_yaml
from helpers.formats import SUFFIXES, WRITERS
from hypothesis import given
from test_authoring_properties import SETTINGS, briefs

import briefing
from briefing import BriefError
from briefing.content.diff import words, word_diff


def base():
    """A brief with three proposals, two takeaways, two figures and two sources (made-up data)."""
    data = minimal_brief()
    data["summary"] = ["Dams upstream change the river downstream.",
                       "**Fish catches have fallen** by a third since 2010."]
    data["background"]["figures"].append({"value": "62%", "label": "of the catch is wild fish", "source": "mrc"})
    data["background"]["timeline"].append({"date": 2010, "event": "A new dam opens.", "source": "wb"})
    data["expert_proposals"]["proposals"] += [
        {"expert": {"name": "Cy Scholar"}, "proposal": "Fund a joint monitoring body.", "source": "wb"},
        {"expert": {"name": "Di Official"}, "proposal": "Agree on minimum flows.", "source": "mrc"},
    ]
    data["sources"].append({"id": "wb", "title": "Rivers and Growth", "publisher": "World Bank", "date": 2019})
    return data


def pair(tmp_path, edit, old_format="yaml", new_format="yaml"):
    old, new = base(), base()
    edit(new)
    old_path = tmp_path / f"v1{SUFFIXES[old_format]}"
    new_path = tmp_path / f"v2{SUFFIXES[new_format]}"
    old_path.write_text(WRITERS[old_format](old), encoding="utf-8")
    new_path.write_text(WRITERS[new_format](new), encoding="utf-8")
    return old_path, new_path


def changes(tmp_path, edit, **formats):
    old, new = pair(tmp_path, edit, **formats)
    return briefing.diff(old, new).changes, old, new


def line_of(path, number):
    return path.read_text(encoding="utf-8").split("\n")[number - 1]


def test_a_reworded_takeaway_is_one_change_with_a_word_diff(tmp_path):
    def edit(data):
        data["summary"][1] = "**Fish catches have fallen** by half since 2010."
    found, _, new = changes(tmp_path, edit)
    assert [(c.kind, c.path) for c in found] == [("changed", "summary[1]")]
    (change,) = found
    assert change.before.endswith("by a third since 2010.") and change.after.endswith("by half since 2010.")
    assert [(p.op, p.text.strip()) for p in change.diff if p.op != "equal"] == [("delete", "a third"),
                                                                                 ("insert", "half")]
    assert "by half" in line_of(new, change.line)


def test_reordered_and_reworded_takeaways_are_a_move_and_a_change(tmp_path):
    def edit(data):
        data["summary"] = [data["summary"][1].replace("a third", "half"), data["summary"][0]]
    found, _, _ = changes(tmp_path, edit)
    assert [(c.kind, c.path, c.old_path) for c in found if c.kind == "changed"] == [
        ("changed", "summary[0]", "summary[1]")]
    # Two swapped items: one of them moved (either reading is true), and nothing was removed or added.
    assert [(c.kind, c.path in ("summary[0]", "summary[1]")) for c in found if c.kind != "changed"] == [
        ("moved", True)]


def test_a_changed_figure_names_its_value_where_it_now_stands(tmp_path):
    def edit(data):
        data["background"]["figures"][1]["value"] = "64%"
    found, _, new = changes(tmp_path, edit)
    assert [(c.kind, c.path, c.before, c.after) for c in found] == [
        ("changed", "background.figures[1].value", "62%", "64%")]
    change = found[0]
    assert line_of(new, change.line)[change.column - 1:].lstrip("'\"").startswith("64%")


def test_added_removed_and_moved_proposals_are_told_apart(tmp_path):
    def edit(data):
        proposals = data["expert_proposals"]["proposals"]
        bo, cy, di = proposals
        proposals[:] = [di, bo, {"expert": {"name": "Ed Envoy"}, "proposal": "Appoint a river envoy."}]
    found, old, new = changes(tmp_path, edit)
    assert sorted((c.kind, c.path, c.old_path) for c in found) == [
        ("added", "expert_proposals.proposals[2]", None),
        ("moved", "expert_proposals.proposals[0]", "expert_proposals.proposals[2]"),
        ("removed", "expert_proposals.proposals[1]", None),
    ]
    removed = next(c for c in found if c.kind == "removed")
    assert removed.file == str(old) and removed.before["expert"]["name"] == "Cy Scholar"
    added = next(c for c in found if c.kind == "added")
    assert added.file == str(new) and "Ed Envoy" in line_of(new, added.line + 1) + line_of(new, added.line)


def test_a_renamed_source_is_one_change_and_its_citations_follow(tmp_path):
    def edit(data):
        data["sources"][0]["id"] = "mrc-2023"
        for item in [*data["background"]["figures"], *data["expert_proposals"]["proposals"]]:
            if item.get("source") == "mrc":
                item["source"] = "mrc-2023"
    found, _, _ = changes(tmp_path, edit)
    assert [(c.kind, c.path, c.before, c.after, c.renamed) for c in found] == [
        ("changed", "sources[0].id", "mrc", "mrc-2023", True)]


def test_a_citation_moved_to_another_source_is_a_change(tmp_path):
    def edit(data):
        data["background"]["figures"][1]["source"] = "wb"
    found, _, _ = changes(tmp_path, edit)
    assert [(c.path, c.before, c.after) for c in found] == [("background.figures[1].source", "mrc", "wb")]


def test_a_changed_language_is_one_change(tmp_path):
    def edit(data):
        data["meta"]["language"] = "fr"
    found, _, _ = changes(tmp_path, edit)
    assert [(c.kind, c.path, c.before, c.after) for c in found] == [("changed", "meta.language", "en", "fr")]


def test_a_reworded_timeline_event_is_matched_by_its_date(tmp_path):
    def edit(data):
        data["background"]["timeline"][1]["event"] = "A second large dam opens."
    found, _, _ = changes(tmp_path, edit)
    assert [(c.kind, c.path) for c in found] == [("changed", "background.timeline[1].event")]


def test_the_same_brief_in_another_format_or_a_shorthand_form_is_the_same(tmp_path):
    for new_format in ("json", "toml", "markdown"):
        assert changes(tmp_path, lambda data: None, new_format=new_format)[0] == []

    def shorthand(data):
        data["expert_proposals"] = data["expert_proposals"]["proposals"]
    assert changes(tmp_path, shorthand)[0] == []


def test_comments_quoting_key_order_and_line_breaks_are_no_change(tmp_path):
    old = write_yaml(tmp_path / "old.yaml", base())
    text = old.read_text(encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text("# A comment\n" + text.replace("title: Water sharing on the Mekong",
                                                 "title: 'Water sharing on the Mekong'  # quoted")
                   .replace("body: The river crosses six countries.", "body: >-\n    The river crosses\n"
                            "    six   countries."), encoding="utf-8")
    data = base()
    reordered = {key: data[key] for key in reversed(list(data))}
    write_yaml(tmp_path / "reordered.yaml", reordered)
    assert briefing.diff(old, new).same
    assert briefing.diff(old, tmp_path / "reordered.yaml").same


@SETTINGS
@given(data=briefs())
def test_any_brief_rewritten_in_any_format_has_no_change(data):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for format, write in WRITERS.items():
            path = Path(folder) / f"brief{SUFFIXES[format]}"
            path.write_text(write(data), encoding="utf-8")
            paths.append(path)
        for new in paths[1:]:
            assert briefing.diff(paths[0], new).changes == [], new.suffix


def test_words_keep_markdown_markup_whole():
    text = "See **the new dam** and [the report](https://example.org/a) or `code here`, *twice*."
    cut = words(text)
    assert "".join(cut) == text
    assert "**the new dam** " in cut and "`code here`, " in cut and "*twice*." in cut
    assert "[the report](https://example.org/a) " in cut
    pieces = word_diff("A **very big** dam.", "A **small** dam.")
    assert [(p.op, p.text.strip()) for p in pieces] == [("equal", "A"), ("delete", "**very big**"),
                                                        ("insert", "**small**"), ("equal", "dam.")]


def test_japanese_text_is_compared_character_by_character():
    pieces = word_diff("日本は条約を守る。", "日本は協定を守る。")
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [("delete", "条約"), ("insert", "協定")]


def test_diff_of_brief_objects_has_no_positions():
    old = briefing.Brief.model_validate(base())
    data = base()
    data["meta"]["title"] = "Water sharing on the Lancang-Mekong"
    found = briefing.diff(old, briefing.Brief.model_validate(data))
    assert [(c.path, c.line) for c in found.changes] == [("meta.title", None)]


# The command ------------------------------------------------------------------------------------

def run(*arguments, cwd=None):
    return subprocess.run([sys.executable, "-m", "briefing", "diff", *map(str, arguments)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)


@pytest.mark.pdf
def test_the_command_exits_0_when_same_1_when_different_and_prints_editors_notes(tmp_path):
    old, new = pair(tmp_path, lambda data: data["background"]["figures"][1].update(value="64%"))
    same = run(old, tmp_path / "v1.yaml")
    assert same.returncode == 0 and same.stdout == ""
    result = run(old, new)
    assert result.returncode == 1, result.stderr
    line = next(line for line in new.read_text().split("\n") if "64%" in line)
    number = new.read_text().split("\n").index(line) + 1
    column = line.index("64%") + 1
    assert result.stdout.strip() == f"background.figures[1].value: 62% → 64% ({new}:{number}:{column})"


@pytest.mark.pdf
def test_json_and_markdown_output(tmp_path):
    old, new = pair(tmp_path, lambda data: data["summary"].__setitem__(0, "Dams upstream change the delta."))
    listed = json.loads(run(old, new, "--format", "json").stdout)
    assert [(c["kind"], c["path"]) for c in listed] == [("changed", "summary[0]")]
    assert {"kind", "path", "line", "column", "before", "after", "diff"} <= set(listed[0])
    assert {"op": "delete", "text": "river downstream."} in listed[0]["diff"]
    markdown = run(old, new, "--format", "markdown").stdout
    assert "~~river downstream.~~ **delta.**" in markdown and "- `summary[0]` changed" in markdown


@pytest.mark.pdf
def test_a_bad_file_is_a_located_problem_with_status_2(tmp_path):
    old, new = pair(tmp_path, lambda data: None)
    new.write_text(new.read_text().replace("value: 62%", "value: 62%\n    bogus: 1"), encoding="utf-8")
    result = run(old, new)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{new}:" in result.stderr and "bogus" in result.stderr
    missing = run(old, tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def git(folder, *arguments):
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, timeout=30,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


@pytest.mark.pdf
def test_since_reads_the_brief_at_a_git_revision_without_checking_it_out(tmp_path):
    folder = tmp_path / "repo"
    (folder / "briefs").mkdir(parents=True)
    brief = write_yaml(folder / "briefs" / "b.yaml", base())
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-qm", "v1")
    data = base()
    data["meta"]["title"] = "Water sharing on the Lancang-Mekong"
    write_yaml(brief, data)
    before = brief.read_bytes()
    result = run("briefs/b.yaml", "--since", "HEAD", cwd=folder)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("meta.title: Water sharing on the Mekong → Water sharing on the Lancang-Mekong (")
    assert brief.read_bytes() == before  # the working copy is never touched
    assert run(brief, "--since", "HEAD").returncode == 1  # from anywhere
    unknown = run(brief, "--since", "v9")
    assert unknown.returncode == 2 and f"{brief}: --since: cannot read it at revision 'v9'" in unknown.stderr
    hostile = run(brief, "--since", "--output=/tmp/x")
    assert hostile.returncode == 2 and "is not a git revision" in hostile.stderr


@pytest.mark.pdf
def test_since_outside_a_git_repository_is_a_located_problem(tmp_path):
    brief = write_yaml(tmp_path / "b.yaml", base())
    result = run(brief, "--since", "HEAD~1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: {brief}: --since: is not in a git repository" in result.stderr


@pytest.mark.pdf
def test_the_command_wants_two_files_or_one_with_since(tmp_path):
    result = run(tmp_path / "a.yaml")
    assert result.returncode == 2 and "give OLD and NEW" in result.stderr


@pytest.mark.pdf
def test_diff_imports_neither_weasyprint_nor_jinja2(tmp_path):
    old, new = pair(tmp_path, lambda data: data["meta"].update(title="Another title"))
    probe = ("import runpy, sys\nsys.argv = ['briefing', 'diff', sys.argv[1], sys.argv[2]]\n"
             "try:\n    runpy.run_module('briefing', run_name='__main__')\nexcept SystemExit as end:\n"
             "    code = end.code\n"
             "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'weasyprint', 'jinja2'}))\n")
    result = subprocess.run([sys.executable, "-c", probe, str(old), str(new)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.stdout.strip().endswith("1 []"), result.stdout + result.stderr
