"""The independent checkers the tests run, and the Debian package that brings each.

Every test that runs an outside program goes through `tool(name)` (or `pdfbox_classpath()`):
it gives the program's path, or, when the program is missing, skips the test with the
package to install in the reason, so that `pytest -ra` names what to install. Under
`CI=true` a missing checker fails the test instead: CI runs every check or says why not.
`make test` installs these packages first (as root) or stops with the line that installs
them (`scripts/system-check.sh test`), so on its path nothing is skipped.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: program -> the Debian package it comes in (scripts/system-check.sh installs the same packages).
PACKAGES = {
    "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "pdfinfo": "poppler-utils",
    "pdffonts": "poppler-utils", "pdfdetach": "poppler-utils",
    "qpdf": "qpdf",
    "mutool": "mupdf-tools",
    "java": "default-jre-headless",
    "chromium": "chromium",
}
#: Other names a program has on some systems.
ALIASES = {"chromium": ("chromium", "chromium-browser")}

JAVA = Path("/usr/share/java")
#: Apache PDFBox preflight and what it needs on the classpath, by the Debian package of each jar.
PDFBOX_JARS = {"preflight.jar": "libpdfbox2-java", "pdfbox2.jar": "libpdfbox2-java",
               "fontbox2.jar": "libpdfbox2-java", "xmpbox.jar": "libpdfbox2-java",
               "commons-logging.jar": "libpdfbox2-java",
               "javax.activation.jar": "libactivation-java", "jaxb-api.jar": "libjaxb-api-java"}


def tool(name: str) -> str:
    """The path of the program `name`; skips the test (fails it under CI=true) if it is missing."""
    for candidate in ALIASES.get(name, (name,)):
        found = shutil.which(candidate)
        if found:
            return found
    missing(f"{name} is missing", [PACKAGES[name]])
    raise AssertionError("unreachable")  # missing() never returns


def pdfbox_classpath() -> str:
    """The classpath of Apache PDFBox preflight; skips the test (fails it under CI=true) if incomplete."""
    tool("java")
    absent = [jar for jar in PDFBOX_JARS if not (JAVA / jar).is_file()]
    if absent:
        missing(f"Apache PDFBox preflight is incomplete ({', '.join(absent)} not in {JAVA})",
                sorted({PDFBOX_JARS[jar] for jar in absent}))
    return ":".join(str(JAVA / jar) for jar in PDFBOX_JARS)


def missing(what: str, packages: list[str]) -> None:
    """Skip the running test for a missing checker, naming its packages; under CI=true, fail it."""
    reason = f"{what}: sudo apt-get install {' '.join(packages)}  (or run make test, which installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true runs every check, and {reason}", pytrace=False)
    pytest.skip(reason)
