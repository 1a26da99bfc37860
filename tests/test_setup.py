"""`make brief` and `make test` set the machine up themselves, or say exactly what to install.

`scripts/system-check.sh` finds each package by what it brings; as root with apt-get it
installs what is missing, otherwise it prints the `sudo apt-get install …` line and make
stops before the build or the tests. A test whose checker is missing is skipped with the
package in its reason (`tests/helpers/tools.py`), and fails under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers import ROOT
from helpers.tools import PACKAGES, PDFBOX_JARS

TESTS = ROOT / "tests"
# What the script itself runs; a PATH of these alone has none of the checkers and no apt-get.
BASICS = ("sh", "grep", "head", "id", "cat", "mktemp", "tail", "rm", "fc-list", "make")


def bare_path(folder: Path, **extra: str) -> str:
    """A folder of links to the basic programs only (and `extra` scripts), to use as PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in BASICS:
        found = shutil.which(name)
        if found:
            (folder / name).symlink_to(found)
    (folder / "python3").symlink_to(sys.executable)
    for name, text in extra.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return str(folder)


def test_the_script_and_the_skip_reasons_name_the_same_packages():
    script = (ROOT / "scripts" / "system-check.sh").read_text()
    listed = {match.group(1) for match in re.finditer(r'^(?:\w+=")?([a-z0-9.+-]+)\|', script, re.MULTILINE)}
    assert set(PACKAGES.values()) | set(PDFBOX_JARS.values()) <= listed


@pytest.mark.pdf
def test_without_apt_get_the_check_prints_the_install_line_and_fails(tmp_path):
    result = subprocess.run(["sh", str(ROOT / "scripts" / "system-check.sh"), "test"], capture_output=True,
                            text=True, timeout=60, env={"PATH": bare_path(tmp_path / "bin"),
                                                        "PYTHON": sys.executable})
    assert result.returncode == 1
    line = next(line for line in result.stderr.splitlines() if "sudo apt-get install" in line)
    for package in ("poppler-utils", "qpdf", "mupdf-tools", "chromium"):
        assert f" {package}" in line, line


@pytest.mark.pdf
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run make as another user")
def test_make_test_without_root_never_installs_and_stops_before_pytest():
    folder = Path(tempfile.mkdtemp(prefix="setup-", dir="/tmp"))  # readable by the other user
    try:
        folder.chmod(0o755)
        tree = folder / "tree"
        (tree / "scripts").mkdir(parents=True)
        shutil.copy(ROOT / "Makefile", tree)
        shutil.copy(ROOT / "pyproject.toml", tree)
        shutil.copy(ROOT / "scripts" / "system-check.sh", tree / "scripts")
        called = folder / "apt-get-was-called"
        path = bare_path(folder / "bin", **{"apt-get": f"#!/bin/sh\ntouch {called}\n"})
        for item in folder.rglob("*"):
            if not item.is_symlink():
                item.chmod(0o755)
        nobody = [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*nobody, "make", "--version"], capture_output=True, text=True, timeout=60,
                               env={"PATH": path})
        if probe.returncode != 0:  # a chroot unpacked without read bits for others, for one
            pytest.skip(f"another user cannot run make on this machine: {probe.stderr.strip()[:200]}")
        result = subprocess.run(
            [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", "make", "test",
             "VENV=/nonexistent/venv"],  # were the check to pass, make could not go on either
            cwd=tree, capture_output=True, text=True, timeout=120,
            env={"PATH": path, "HOME": str(folder), "PYTHON": sys.executable})
    finally:
        shutil.rmtree(folder)
    assert result.returncode != 0
    assert "sudo apt-get install" in result.stderr and "qpdf" in result.stderr
    assert "pytest" not in result.stdout + result.stderr  # make stopped before the tests
    assert not called.exists()


MISSING_CHECKER = """
from helpers.tools import tool

def test_reads_a_pdf_with_qpdf():
    tool("qpdf")
"""


@pytest.mark.pdf
@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_checker_skips_the_test_naming_its_package_and_fails_it_under_ci(tmp_path, ci):
    (tmp_path / "test_checker.py").write_text(MISSING_CHECKER)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-ra", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir",
         str(tmp_path), str(tmp_path / "test_checker.py")], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PATH": bare_path(tmp_path / "bin"), "PYTHONPATH": str(TESTS), "CI": ci})
    summary = [line for line in result.stdout.splitlines()
               if "qpdf is missing" in line and line.startswith(("FAILED", "SKIPPED"))]
    assert summary and "sudo apt-get install qpdf" in summary[0], result.stdout
    if ci:
        assert result.returncode == 1 and summary[0].startswith("FAILED"), result.stdout
    else:
        assert result.returncode == 0 and summary[0].startswith("SKIPPED"), result.stdout


INTERRUPT_AT_CLICK = """
import importlib.abc, os, signal, sys

class Interrupt(importlib.abc.MetaPathFinder):  # Ctrl-C the moment the command line imports click
    def find_spec(self, name, path, target=None):
        if name == "click":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupt())
"""


@pytest.mark.pdf
def test_ctrl_c_while_the_command_line_loads_aborts_as_during_a_command(tmp_path):
    """Not a traceback and death by SIGINT (exit -2), but "Aborted!" and exit status 130 (128 + SIGINT)."""
    (tmp_path / "sitecustomize.py").write_text(INTERRUPT_AT_CLICK)
    assert 'briefing = "briefing.entry:main"' in (ROOT / "pyproject.toml").read_text()
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from briefing.entry import main; sys.exit(main())", "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])})
    assert (result.returncode, result.stderr) == (130, "\nAborted!\n")
