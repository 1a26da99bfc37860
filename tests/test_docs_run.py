"""Every command in README.md and docs/*.md runs exactly as written.

Each fenced block of a document is judged by its language:

- `sh` blocks run with `bash -e` (so every line must succeed) and `python` blocks with this
  Python, in order, in one fresh folder per document. The folder holds a copy of the
  repository's `content/` and the files the examples take for granted: `brief.yaml` and
  `content/brief.yaml` (the example brief), `brief.json` (the same as JSON), `data.csv`
  beside it, `content/data/survey-2020.csv`, `house/brand.yaml` and a 60-page `report.pdf`.
  `briefing` is the installed command, and HOME is the folder.
- A block that cannot run in a test says why in the line before it:
  `<!-- not run: reason -->`. Only that marker skips a command block.
- Blocks of data (yaml, json, toml, markdown, jinja, xml, css) are files and fragments that
  other tests read (tests/test_authoring_docs.py, tests/test_themes_docs.py); a block with no
  language is output, and must not be a command written without `sh`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLE, ROOT

from briefing.content.load import parse

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = {"sh", "python"}
DATA = {"yaml", "json", "toml", "markdown", "jinja", "xml", "css"}
FENCE = re.compile(r"^```(?P<language>[a-z]*)\n(?P<body>.*?)^```\n", re.S | re.M)
NOT_RUN = re.compile(r"<!-- not run: (?P<reason>[^>]+?) -->\s*\Z")
COMMAND = re.compile(r"^(briefing|make|python|sh|qpdf|pip) ", re.M)


def blocks(document: Path) -> list[tuple[int, str, str, str | None]]:
    """(line, language, body, reason not to run it) of every fenced block."""
    text = document.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()]
        marker = NOT_RUN.search(before)
        found.append((before.count("\n") + 1, match["language"], match["body"],
                      marker["reason"] if marker else None))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_block_is_a_command_data_or_output(document):
    for line, language, body, reason in blocks(document):
        where = f"{document.name}:{line}"
        assert language in RUN | DATA | {""}, f"{where}: unknown block language {language!r}"
        if language == "":
            assert not COMMAND.search(body), f"{where}: a command block needs ```sh (or a not-run marker)"
        if reason is not None:
            assert language in RUN, f"{where}: only command blocks take a not-run marker"


def workspace(folder: Path) -> dict[str, str]:
    """The files the documents' examples take for granted, and the environment they run in."""
    import pypdf

    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "docs" / "examples", folder / "docs" / "examples")  # the examples docs name
    shutil.copyfile(EXAMPLE, folder / "brief.yaml")
    shutil.copyfile(EXAMPLE, folder / "content" / "brief.yaml")
    (folder / "brief.json").write_text(json.dumps(parse(EXAMPLE).data, default=str), encoding="utf-8")
    (folder / "data.csv").write_text("year,respondents\n2020,1000\n", encoding="utf-8")
    (folder / "content" / "data").mkdir(exist_ok=True)
    (folder / "content" / "data" / "survey-2020.csv").write_text("answer,share\nnot important,40.4\n",
                                                                 encoding="utf-8")
    (folder / "house").mkdir()
    (folder / "house" / "brand.yaml").write_text('colors:\n  accent: "#7a1f2b"\n', encoding="utf-8")
    report = pypdf.PdfWriter()
    for _ in range(60):
        report.add_blank_page(width=595, height=842)
    with (folder / "report.pdf").open("wb") as handle:
        report.write(handle)
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
    env["HOME"] = str(folder)
    return env


@pytest.mark.pdf
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_command_block_runs_as_written(tmp_path, document):
    runnable = [block for block in blocks(document) if block[1] in RUN and block[3] is None]
    if not runnable:
        pytest.skip(f"{document.name} has no command blocks")
    env = workspace(tmp_path)
    for line, language, body, _ in runnable:
        argv = ["bash", "-e", "-o", "pipefail", "-c", body] if language == "sh" else [sys.executable, "-c", body]
        result = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (f"{document.name}:{line}: the {language} block failed "
                                        f"(status {result.returncode}):\n{body}\n{result.stderr[-3000:]}")


@pytest.mark.pdf
def test_the_documented_shell_completion_completes_commands_and_choices(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "_BRIEFING_COMPLETE=bash_source briefing" in readme

    def complete(*words: str) -> list[str]:
        env = {**os.environ, "COMP_WORDS": " ".join(["briefing", *words]), "COMP_CWORD": str(len(words)),
               "_BRIEFING_COMPLETE": "bash_complete"}
        result = subprocess.run([str(Path(sys.executable).parent / "briefing")], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        return [line.split(",", 1)[1] for line in result.stdout.splitlines() if "," in line]

    assert "build" in complete("bu")
    assert "letter" in complete("build", "brief.yaml", "--paper", "")


def test_the_quick_start_is_still_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = [body for _, body in re.findall(r"^```(\w*)\n(.*?)^```", quick_start, re.S | re.M)]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]
    assert commands == ["make brief", "make test"]
