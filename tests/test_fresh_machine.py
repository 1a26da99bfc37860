"""The suite passes on a fresh machine, where optional system libraries may be missing.

Without `libharfbuzz-subset0` every command prints a warning first; the tests that read
the command line's error output must still pass. `without_subsetter/sitecustomize.py` on
PYTHONPATH makes WeasyPrint, in the test run and every process it starts, believe the
library is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pdf

TESTS = Path(__file__).resolve().parent
HIDE_SUBSETTER = TESTS / "without_subsetter"

# The tests that read what the command line prints on stderr.
STDERR_TESTS = [
    "test_authoring_scaffold.py::test_new_skeleton_builds_to_a_pdf_without_edits",
    "test_hostile_fetch.py::test_command_line_refuses_a_bad_url_prefix_with_exit_status_2",
    "test_hostile_limits.py::test_cli_page_limit_is_an_error_with_exit_status_2",
    "test_hostile_limits.py::test_cli_time_limit_on_a_theme_that_never_ends",
    "test_hostile_write.py::test_cli_failure_exits_2_without_traceback_and_keeps_the_earlier_pdf",
    "test_bad_content.py",
]


def _without_subsetter() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HIDE_SUBSETTER), env.get("PYTHONPATH")]))
    return env


def test_the_subsetter_is_hidden_in_every_process_started_with_it():
    probe = subprocess.run(
        [sys.executable, "-c", "from briefing.printing.engine import weasyprint, has_slow_subsetting; "
                               "weasyprint(); print(has_slow_subsetting())"],
        env=_without_subsetter(), capture_output=True, text=True, timeout=120)
    assert probe.stdout == "True\n"
    assert "libharfbuzz-subset0 is missing" in probe.stderr


def test_command_line_tests_pass_without_the_subsetter(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run"),
         *STDERR_TESTS],
        cwd=TESTS, env=_without_subsetter(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
