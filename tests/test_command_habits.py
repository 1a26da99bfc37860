"""What users of other tools expect of the command line: folders, any case, outputs as arguments,
standard input, project defaults, formats for `new`, and counts that say what happened."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pikepdf
import pytest

from briefing.commands.build import default_output
from helpers import EXAMPLE, ROOT, minimal_brief, pdf_text, run_cli, write_yaml


def run_with_input(text: str, *args: str, cwd) -> subprocess.CompletedProcess:
    command = shutil.which("briefing")
    argv = [command, *args] if command else [sys.executable, "-m", "briefing", *args]
    return subprocess.run(argv, cwd=cwd, input=text, capture_output=True, text=True, timeout=300)


# --- fast: no PDF -------------------------------------------------------------------------------

def test_the_same_brief_in_two_formats_gets_two_pdfs(tmp_path):
    yaml_file = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    markdown = tmp_path / "brief.md"
    assert default_output(markdown) == default_output(tmp_path / "brief.md")
    markdown.write_text("---\n---\n", encoding="utf-8")
    assert default_output(yaml_file).name == "brief.pdf"
    assert default_output(markdown).name == "brief-md.pdf"
    assert default_output(tmp_path / "alone.md").name == "alone.pdf"


@pytest.mark.pdf
def test_validate_takes_folders(tmp_path):
    (tmp_path / "briefs").mkdir()
    write_yaml(tmp_path / "briefs" / "one.yaml", minimal_brief())
    write_yaml(tmp_path / "briefs" / "two.yaml", minimal_brief())
    result = run_cli("validate", "briefs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["briefs/one.yaml: ok (1 warning)", "briefs/two.yaml: ok (1 warning)"]


@pytest.mark.pdf
def test_validate_strict_says_failed_when_it_fails(tmp_path):
    data = minimal_brief()
    data["sources"][0]["archive"] = "mrc.txt"  # its quote verified: the single takeaway is the one warning
    (tmp_path / "mrc.txt").write_text("“Data is the first dam to open.”\n", encoding="utf-8")
    content = write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("validate", "--strict", str(content), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{content}: failed (1 warning), and --strict makes warnings fail" in result.stdout.splitlines()
    assert ": ok" not in result.stdout


@pytest.mark.pdf
def test_validate_reads_standard_input_and_names_it(tmp_path):
    data = minimal_brief()
    data["meta"]["titel"] = data["meta"].pop("title")
    write_yaml(tmp_path / "x.yaml", data)
    result = run_with_input((tmp_path / "x.yaml").read_text(encoding="utf-8"), "validate", "-", cwd=tmp_path)
    assert result.returncode == 2
    assert any(line.startswith("<stdin>:") and ": meta.titel: unknown field; did you mean 'title'?" in line
               for line in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.pdf
def test_a_mistyped_theme_gets_a_suggestion(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--theme", "memoo", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: --theme: no such theme 'memoo'; did you mean 'memo'?" in result.stderr


@pytest.mark.pdf
@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_new_writes_json_and_toml_skeletons_that_validate(tmp_path, suffix):
    result = run_cli("new", f"brief{suffix}", "--title", "Rivers", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    checked = run_cli("validate", f"brief{suffix}", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    if suffix == ".json":
        assert json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))["meta"]["title"] == "Rivers"


@pytest.mark.pdf
def test_a_project_file_with_a_bad_setting_is_located(tmp_path):
    (tmp_path / "briefing.toml").write_text('content = "briefs"\npaper = "a5"\nthme = "memo"\n', encoding="utf-8")
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "error: briefing.toml:3:1: thme: unknown setting; did you mean 'theme'?" in lines


@pytest.mark.pdf
def test_a_project_file_with_a_bad_value_is_located(tmp_path):
    (tmp_path / "briefing.toml").write_text('content = "briefs"\npaper = "a5"\n', encoding="utf-8")
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "error: briefing.toml:2:9: paper: unknown paper size 'a5' (expected a4 or letter)" in result.stderr


# --- end to end -------------------------------------------------------------------------------------

@pytest.mark.pdf
def test_the_readme_batch_of_the_example_folder_builds_both_formats(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    result = run_cli("build", "content/", "--output-dir", "output/", "-j", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "output").glob("*.pdf")) == [
        "arab-league-ar.pdf", "korea-japan-2021-md.pdf", "korea-japan-2021.pdf", "korea-japan-claims-ko.pdf"]
    single = run_cli("build", "content/korea-japan-2021.md", cwd=tmp_path)
    assert "output/korea-japan-2021-md.pdf" in single.stdout


@pytest.mark.pdf
def test_paper_in_any_case_an_output_as_last_argument_and_an_attachment_beside_the_brief(tmp_path):
    folder = tmp_path / "brief"
    folder.mkdir()
    (folder / "data").mkdir()
    (folder / "data" / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_yaml(folder / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief/brief.yaml", "out.pdf", "--paper", "Letter", "--attach", "data/x.csv",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        width, height = (float(value) for value in pdf.pages[0].mediabox[2:])
        assert (round(width), round(height)) == (612, 792)
        assert pdf.attachments["x.csv"].get_file().read_bytes() == b"a,b\n1,2\n"


@pytest.mark.pdf
def test_content_on_standard_input_builds(tmp_path):
    result = run_with_input(EXAMPLE.read_text(encoding="utf-8"), "build", "-", "-o", "stdin.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "South Korea" in pdf_text(tmp_path / "stdin.pdf")


@pytest.mark.pdf
def test_a_project_file_gives_defaults_and_the_command_line_wins(tmp_path):
    (tmp_path / "briefs").mkdir()
    write_yaml(tmp_path / "briefs" / "one.yaml", minimal_brief())
    made = run_cli("new", "briefing.toml", cwd=tmp_path)
    assert made.returncode == 0 and (tmp_path / "briefing.toml").is_file()
    (tmp_path / "briefing.toml").write_text('content = ["briefs"]\noutput_dir = "pdfs"\npaper = "letter"\n'
                                            'theme = "memo"\n', encoding="utf-8")
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "pdfs" / "one.pdf") as pdf:
        assert round(float(pdf.pages[0].mediabox[2])) == 612
    again = run_cli("build", "briefs/one.yaml", "--paper", "a4", "-o", "a4.pdf", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    with pikepdf.open(tmp_path / "a4.pdf") as pdf:
        assert round(float(pdf.pages[0].mediabox[2])) == 595
