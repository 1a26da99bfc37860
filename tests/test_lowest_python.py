"""briefing runs on the lowest Python it claims (3.11), not only on the one the suite runs on.

The oldest 3.11 interpreter on the machine (Debian 12's /usr/bin/python3 is 3.11.2) runs with
the suite's installed libraries (the same 3.11 ABI): it compiles every Python file of the
project, imports every module of briefing, validates the example brief and runs the sdist
test, which once used `TarFile.extractall(filter=)` from 3.11.4. Skipped, with the reason,
when no older 3.11 than the suite's own is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys

import pytest
from helpers import ROOT

CANDIDATES = ("/usr/bin/python3.11", "/usr/bin/python3", "/usr/local/bin/python3.11", "python3.11")

CHECK = r"""
import importlib, pathlib, pkgutil, sys
root = pathlib.Path(sys.argv[1])
for folder in ("briefing", "tests", "bench", "scripts"):
    for path in (root / folder).rglob("*.py"):
        compile(path.read_bytes(), str(path), "exec")
import briefing
for module in pkgutil.walk_packages(briefing.__path__, "briefing."):
    if module.name != "briefing.__main__":
        importlib.import_module(module.name)
print(sys.version.split()[0])
"""


def lowest_python() -> tuple[str, tuple[int, ...]] | None:
    """The oldest Python 3.11 found that is older than the suite's own, and its version."""
    found = []
    for name in CANDIDATES:
        path = shutil.which(name)
        if not path:
            continue
        version = subprocess.run([path, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True,
                                 text=True, timeout=30).stdout.split()
        if len(version) == 3 and tuple(map(int, version)) < sys.version_info[:3] and version[:2] == ["3", "11"]:
            found.append((tuple(map(int, version)), os.path.realpath(path)))
    return (min(found)[1], min(found)[0]) if found else None


LOWEST = lowest_python() if sys.version_info[:2] == (3, 11) else None


@pytest.mark.pdf
@pytest.mark.skipif(LOWEST is None, reason=f"no Python 3.11 older than this one ({sys.version.split()[0]}) "
                                           "is installed (Debian 12's python3 is 3.11.2)")
def test_the_lowest_python_compiles_imports_and_validates_everything(tmp_path):
    python, version = LOWEST
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"),
                                                                *site.getsitepackages()])}
    own = os.path.dirname(sys.executable)  # so that no `briefing` of the suite's Python is found
    environment["PATH"] = os.pathsep.join(part for part in environment["PATH"].split(os.pathsep) if part != own)
    checked = subprocess.run([python, "-c", CHECK, str(ROOT)], capture_output=True, text=True, timeout=120,
                             env=environment)
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert checked.stdout.strip() == ".".join(map(str, version))
    validated = subprocess.run([python, "-m", "briefing", "validate", "content/korea-japan-2021.yaml"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120, env=environment)
    assert validated.returncode == 0, validated.stderr[-3000:]
    sdist = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "t"),
                            "tests/test_packaging.py::test_sdist_holds_what_make_and_the_readme_need"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300, env=environment)
    assert re.search(r"\b1 passed\b", sdist.stdout), sdist.stdout[-3000:]
