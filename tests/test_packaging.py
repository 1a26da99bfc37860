"""`pip install .` from any folder gives a working briefing: the wheel carries the theme and fonts."""

from __future__ import annotations

import pytest
import subprocess
import sys
import zipfile

from helpers import ROOT


@pytest.mark.pdf
def test_wheel_ships_templates_and_fonts_and_finds_them(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("briefing-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ["briefing/templates/default/base.html.j2", "briefing/templates/default/brief.css",
                     "briefing/templates/default/components.html.j2",
                     "briefing/templates/default/fonts/CharisSIL-Regular.ttf",
                     "briefing/templates/default/fonts/LICENSE-CharisSIL.txt"]:
        assert expected in names, expected
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    found = subprocess.run(
        [sys.executable, "-c", "from briefing.themes.theme import builtin_themes; print(builtin_themes())"],
        cwd=tmp_path, env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True).stdout.strip()
    assert found == str(unpacked / "briefing" / "templates")
