"""`briefing build -` and `validate -` with standard input closed: a clear error, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes


@pytest.mark.parametrize("command", [["build", "-"], ["validate", "-"]])
def test_content_from_a_closed_standard_input_is_a_located_error(tmp_path, command):
    # `0<&-` closes the descriptor, so Python starts with sys.stdin = None.
    script = f"exec {sys.executable} -m briefing {' '.join(command)} 0<&-"
    result = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "<stdin>: standard input is closed or cannot be read" in result.stderr
    assert not (tmp_path / "output").exists()
