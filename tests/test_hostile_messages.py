"""Messages are safe to print: control characters from the input are escaped, so an error
about a hostile key cannot retitle the terminal, move the cursor or forge another line."""

from __future__ import annotations

import json

import pytest
from helpers import minimal_brief, run_cli

from briefing.errors import BriefError, Problem, escape_controls

TITLE = "\x1b]0;you have been retitled\x07"


@pytest.mark.pdf  # runs the command in a new process
def test_a_content_key_with_a_terminal_escape_is_escaped_in_the_error(tmp_path):
    data = minimal_brief()
    data["meta"][TITLE] = "x"
    content = tmp_path / "brief.json"
    content.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("validate", str(content), cwd=tmp_path)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b]0;you have been retitled\\x07" in result.stderr


@pytest.mark.pdf  # runs the command in a new process
def test_build_errors_and_warnings_are_escaped_too(tmp_path):
    data = minimal_brief(sources=[{"id": "x\x1b[2Jy", "title": "T", "publisher": "P", "date": 2020}])
    content = tmp_path / "brief.json"
    content.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("build", str(content), "-o", str(tmp_path / "b.pdf"), cwd=tmp_path)
    assert "\x1b" not in result.stderr and "\x1b" not in result.stdout


def test_every_problem_escapes_control_characters_in_every_part():
    problem = Problem(f"brief{TITLE}.yaml", f"bad\nerror: forged {TITLE}", field=f"a\u202eb")
    shown = str(problem)
    assert "\n" not in shown and "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert shown == ("brief\\x1b]0;you have been retitled\\x07.yaml: a\\u202eb: bad\\nerror: forged "
                     "\\x1b]0;you have been retitled\\x07")
    assert "\x1b" not in str(BriefError([problem]))


def test_printable_text_is_left_alone():
    assert escape_controls("Zoë’s brief — 日本\t(ok)") == "Zoë’s brief — 日本\t(ok)"
