"""`pip install .` from any folder gives a working briefing: the wheel carries the theme and fonts."""

from __future__ import annotations

import pytest
import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import ROOT

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes


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
        unpack(archive, tmp_path / "unpacked")
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


def unpack(archive, folder: Path) -> None:
    """The sdist's folders and plain files, each checked to stay inside `folder`.

    Read member by member rather than with `extractall(filter="data")`, which Python has only
    from 3.11.4 on; briefing supports 3.11.0.
    """
    folder.mkdir()
    for member in archive.getmembers():
        target = (folder / member.name).resolve()
        assert target.is_relative_to(folder.resolve()), member.name
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            assert member.isfile(), f"{member.name}: an sdist holds folders and plain files only"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())
            target.chmod(0o755 if member.mode & 0o111 else 0o644)
