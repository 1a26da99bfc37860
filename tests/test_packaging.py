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


def test_sdist_holds_what_make_and_the_readme_need(tmp_path):
    import re
    import tarfile

    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)], cwd=ROOT,
                   check=True, capture_output=True, timeout=300)
    sdist = next(tmp_path.glob("briefing-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (tree,) = (tmp_path / "unpacked").iterdir()
    readme = (tree / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(((?:docs|content)/[^)#]+)\)", readme))
    assert linked, "the README links no files"
    for name in ["Makefile", "scripts/system-check.sh", "bench/run.py", "content/korea-japan-2021.yaml",
                 "templates/default/base.html.j2", *sorted(linked)]:
        assert (tree / name).is_file(), name
    dry = subprocess.run(["make", "-n", "brief"], cwd=tree, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "briefing build content/korea-japan-2021.yaml" in dry.stdout
    check = subprocess.run(["make", "system-check"], cwd=tree, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr  # the rule every make target runs first
