"""The code's one direction of flow (load, render, print, write), read from every import.

import-linter checks the layers of pyproject.toml's contract, imports inside functions
included; grimp's import graph shows that no modules import each other in a circle.
Each check is shown to fail on a copy of the package with a planted import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """import-linter on the package in `folder`, with the project's own contract."""
    command = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", command, "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                          cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(folder)})


def circles(package: str) -> list[list[str]]:
    """Every group of modules of `package` that import one another in a circle (Tarjan's SCCs)."""
    graph = grimp.build_graph(package, cache_dir=None)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:  # recursion is fine: the package has a few dozen modules
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def planted(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package whose `module` (a path below briefing/) ends with a function holding `line`."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "briefing", copy / "briefing", ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "briefing" / module, "a", encoding="utf-8") as handle:
        handle.write(f"\n\ndef _planted():\n    {line}\n")
    return copy


@pytest.mark.pdf
def test_no_folder_imports_a_folder_above_it():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.pdf
def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    copy = planted(tmp_path, "sandbox/files.py", "from ..themes.theme import builtin_themes")
    result = lint_imports(copy)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "briefing.sandbox.files -> briefing.themes.theme" in result.stdout


def test_no_modules_import_each_other_in_a_circle():
    assert circles("briefing") == []


def test_a_planted_circle_is_found(tmp_path, monkeypatch):
    copy = planted(tmp_path, "commands/tasks.py", "from .batch import build_many")
    monkeypatch.syspath_prepend(str(copy))
    for name in [name for name in sys.modules if name == "briefing" or name.startswith("briefing.")]:
        monkeypatch.delitem(sys.modules, name)
    found = circles("briefing")
    assert any({"briefing.commands.batch", "briefing.commands.tasks"} <= set(group) for group in found), found
