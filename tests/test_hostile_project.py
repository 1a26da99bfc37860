"""A `briefing.toml` from someone else keeps to its own folder; the command line may point anywhere.

A project folder may be a cloned repository or a downloaded archive. Every path its project file
names (`content`, `output_dir`, `theme`, `templates`, `brand`) is judged after `..`, `~` and every
symbolic link are resolved, and one that leaves the folder is an error at `briefing.toml:line:col`
naming the setting, with exit status 2, no traceback and nothing written. A theme folder must look
like a theme and be of a theme's size, so `--theme /` is refused at once instead of walking the
whole file system.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import minimal_brief, pdf_text, run_cli, write_yaml

from briefing.commands.project import read_project
from briefing.errors import BriefError
from briefing.themes.theme import MAX_THEME_ENTRIES, builtin_themes, load_theme


def files_in(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


@pytest.fixture
def place(tmp_path):
    """A project folder with one brief, and beside it (outside the project) a complete theme, a
    templates folder, a brand file with a logo, a brief and an empty folder: what a hostile project
    file would reach for."""
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    write_yaml(project / "content" / "brief.yaml", minimal_brief())
    outside = tmp_path / "outside"
    (outside / "theme" / "partials").mkdir(parents=True)
    (outside / "theme" / "theme.yaml").write_text("description: not the project's\n", encoding="utf-8")
    (outside / "theme" / "partials" / "outlook.html.j2").write_text("<p>OUTSIDE THEME</p>\n", encoding="utf-8")
    (outside / "templates").mkdir()
    (outside / "templates" / "brief.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n secret")
    (outside / "brand.yaml").write_text("logo: secret.png\n", encoding="utf-8")
    write_yaml(outside / "other.yaml", minimal_brief())
    (outside / "empty").mkdir()
    return project, outside


def refusal(project: Path, text: str) -> BriefError:
    (project / "briefing.toml").write_text(text, encoding="utf-8")
    with pytest.raises(BriefError) as raised:
        read_project(project / "briefing.toml")
    return raised.value


# Each: the project file's text (OUTSIDE stands for the absolute path of the folder outside), the
# setting refused, and where its value starts.
VARIANTS = [
    ('theme = "../.."\n', "theme", 1, 9),
    ('theme = "../outside/theme"\n', "theme", 1, 9),
    ('theme = "content/../../outside/theme"\n', "theme", 1, 9),
    ('theme = "/"\n', "theme", 1, 9),
    ('theme = "OUTSIDE/theme"\n', "theme", 1, 9),
    ('theme = "~"\n', "theme", 1, 9),
    ('theme = "~/theme"\n', "theme", 1, 9),
    ('theme = "linked-theme"\n', "theme", 1, 9),
    ('paper = "a4"\ntheme = "./linked-theme"\n', "theme", 2, 9),
    ('templates = "../outside/templates"\n', "templates", 1, 13),
    ('templates = "/"\n', "templates", 1, 13),
    ('templates = "linked-templates"\n', "templates", 1, 13),
    ('templates = "~root"\n', "templates", 1, 13),
    ('brand = "../outside/brand.yaml"\n', "brand", 1, 9),
    ('brand = "OUTSIDE/brand.yaml"\n', "brand", 1, 9),
    ('brand = "linked-brand.yaml"\n', "brand", 1, 9),
    ('output_dir = "OUTSIDE/empty"\n', "output_dir", 1, 14),
    ('output_dir = "/elsewhere"\n', "output_dir", 1, 14),
    ('output_dir = "../elsewhere"\n', "output_dir", 1, 14),
    ('output_dir = "linked-output"\n', "output_dir", 1, 14),
    ('output_dir = "linked-output/deeper"\n', "output_dir", 1, 14),
    ('output_dir = "~/pdfs"\n', "output_dir", 1, 14),
    ('content = "../outside/other.yaml"\n', "content", 1, 11),
    ('content = ["content/brief.yaml",\n           "OUTSIDE/other.yaml"]\n', "content", 2, 12),
    ('content = ["linked-brief.yaml"]\n', "content", 1, 12),
    ('content = ["~/briefs"]\n', "content", 1, 12),
]


def plant_links(project: Path, outside: Path) -> None:
    (project / "linked-theme").symlink_to(outside / "theme")
    (project / "linked-templates").symlink_to(outside / "templates")
    (project / "linked-brand.yaml").symlink_to(outside / "brand.yaml")
    (project / "linked-output").symlink_to(outside / "empty")
    (project / "linked-brief.yaml").symlink_to(outside / "other.yaml")


@pytest.mark.parametrize(("text", "setting", "line", "column"), VARIANTS)
def test_a_project_setting_that_leaves_the_project_folder_is_a_located_error(place, text, setting, line, column):
    project, outside = place
    plant_links(project, outside)
    error = refusal(project, text.replace("OUTSIDE", str(outside)))
    (problem,) = error.problems
    assert (problem.field, problem.line, problem.column) == (setting, line, column), problem
    assert str(problem).startswith(f"{project / 'briefing.toml'}:{line}:{column}: {setting}: ")
    assert "outside the project folder" in problem.message, problem.message


def test_a_brief_or_brand_file_linked_into_a_project_content_folder_from_outside_is_refused(place):
    project, outside = place
    (project / "content" / "brand.yaml").symlink_to(outside / "brand.yaml")  # its logo is the outside secret
    error = refusal(project, 'content = ["content/"]\n')
    assert "'brand.yaml' in" in str(error) and "outside the project folder" in str(error)
    (project / "content" / "brand.yaml").unlink()
    (project / "content" / "copied.yaml").symlink_to(outside / "other.yaml")
    error = refusal(project, 'paper = "a4"\ncontent = "content"\n')
    (problem,) = error.problems
    assert (problem.field, problem.line) == ("content", 2) and "'copied.yaml' in" in problem.message


def test_a_project_file_that_is_a_link_to_a_file_elsewhere_is_refused(place):
    project, outside = place
    (outside / "briefing.toml").write_text('theme = "memo"\n', encoding="utf-8")
    (project / "briefing.toml").symlink_to(outside / "briefing.toml")
    with pytest.raises(BriefError, match="outside the allowed folders"):
        read_project(project / "briefing.toml")


def test_paths_inside_the_project_folder_are_taken(place):
    project, outside = place
    shutil.copytree(outside / "theme", project / "house")
    shutil.copytree(outside / "templates", project / "overrides")
    (project / "style").mkdir()
    (project / "style" / "brand.yaml").write_text("colors:\n  accent: '#2e7d32'\n", encoding="utf-8")
    (project / "inner").symlink_to("house")  # a link that stays inside is a path inside
    (project / "briefing.toml").write_text(
        'content = ["content/", "content/brief.yaml"]\noutput_dir = "pdfs"\ntheme = "inner"\n'
        'templates = "./overrides"\nbrand = "style/brand.yaml"\n', encoding="utf-8")
    found = read_project(project / "briefing.toml")
    assert found.content == (project / "content", project / "content" / "brief.yaml")
    assert found.output_dir == project / "pdfs"
    assert found.options == {"theme": project / "inner", "templates": project / "overrides",
                             "brand": project / "style" / "brand.yaml"}
    (project / "briefing.toml").write_text('theme = "memo"\n', encoding="utf-8")
    assert read_project(project / "briefing.toml").options == {"theme": "memo"}  # a built-in theme's name


def test_a_project_theme_folder_must_look_like_a_theme(place):
    project, _ = place
    (project / "notes").mkdir()
    (project / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    for value in ("notes", ".", "content"):
        (problem,) = refusal(project, f'theme = "{value}"\n').problems
        assert (problem.field, problem.line, problem.column) == ("theme", 1, 9)
        assert "is not a theme folder" in problem.message
    (problem,) = refusal(project, 'theme = "memoo"\n').problems
    assert "no such theme 'memoo'; did you mean 'memo'?" in problem.message


def test_a_theme_or_templates_folder_larger_than_a_theme_is_refused_without_walking_it_all(tmp_path):
    big = tmp_path / "big"
    (big / "partials").mkdir(parents=True)
    (big / "partials" / "outlook.html.j2").write_text("<p>x</p>\n", encoding="utf-8")
    for index in range(MAX_THEME_ENTRIES + 1):
        (big / f"f{index}.png").touch()
    for kind in ("theme", "templates"):
        with pytest.raises(BriefError, match=f"is not a {kind} folder: it holds more than {MAX_THEME_ENTRIES}"):
            load_theme(big) if kind == "theme" else load_theme(templates=big)
    deep = tmp_path / "deep"
    (deep / "partials").mkdir(parents=True)
    (deep / "partials" / "outlook.html.j2").write_text("<p>x</p>\n", encoding="utf-8")
    (deep / Path(*["d"] * 40)).mkdir(parents=True)
    with pytest.raises(BriefError, match="more than 16 folders deep"):
        load_theme(deep)
    load_theme(builtin_themes() / "default")  # the built-in themes are themes, named as folders too


# --- from the command line ---------------------------------------------------------------------------

CLI_VARIANTS = [
    ('theme = "../.."\n', "theme", "1:9"),
    ('theme = "/"\n', "theme", "1:9"),
    ('content = ["content/"]\ntheme = "linked-theme"\n', "theme", "2:9"),
    ('output_dir = "OUTSIDE/empty"\n', "output_dir", "1:14"),
    ('output_dir = "linked-output"\n', "output_dir", "1:14"),
    ('templates = "~"\n', "templates", "1:13"),
    ('brand = "linked-brand.yaml"\n', "brand", "1:9"),
]


@pytest.mark.pdf
@pytest.mark.parametrize(("text", "setting", "where"), CLI_VARIANTS)
def test_briefing_build_refuses_the_setting_exits_2_and_writes_nothing(place, text, setting, where):
    project, outside = place
    plant_links(project, outside)
    if "content" not in text:
        text = 'content = ["content/"]\n' + text
        where = f"{int(where.split(':')[0]) + 1}:{where.split(':')[1]}"
    (project / "briefing.toml").write_text(text.replace("OUTSIDE", str(outside)), encoding="utf-8")
    before, outside_before = files_in(project), files_in(outside)
    result = run_cli("build", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert any(line.startswith(f"error: briefing.toml:{where}: {setting}: ") and "outside the project folder" in line
               for line in result.stderr.splitlines()), result.stderr
    assert files_in(project) == before and files_in(outside) == outside_before  # nothing written anywhere
    assert "wrote" not in result.stdout


@pytest.mark.pdf
def test_theme_slash_on_the_command_line_is_a_clear_error_at_once(tmp_path):
    """`--theme /` from anywhere: the folder does not look like a theme, so nothing walks it."""
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    for args, message in ((["--theme", "/"], "error: --theme: '/' is not a theme folder"),
                          (["--templates", "/"], "is not a templates folder: it holds more than")):
        result = run_cli("build", str(content), "-o", "out.pdf", *args, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert message in result.stderr, result.stderr
        assert not (tmp_path / "out.pdf").exists()


@pytest.mark.pdf
def test_the_command_line_may_name_a_theme_outside_the_project_and_wins(place):
    project, outside = place
    (project / "briefing.toml").write_text('content = ["content/"]\noutput_dir = "pdfs"\ntheme = "memo"\n',
                                           encoding="utf-8")
    result = run_cli("build", "--theme", str(outside / "theme"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "OUTSIDE THEME" in pdf_text(project / "pdfs" / "brief.pdf")


@pytest.mark.pdf
def test_a_project_theme_templates_and_brand_inside_the_folder_build(place):
    project, outside = place
    shutil.copytree(outside / "theme", project / "house")
    (project / "overrides" / "partials").mkdir(parents=True)
    (project / "overrides" / "partials" / "outlook.html.j2").write_text("<p>PROJECT OVERRIDE</p>\n",
                                                                        encoding="utf-8")
    (project / "briefing.toml").write_text('content = ["content/"]\noutput_dir = "pdfs"\ntheme = "house"\n'
                                           'templates = "overrides"\n', encoding="utf-8")
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    text = pdf_text(project / "pdfs" / "brief.pdf")
    assert "PROJECT OVERRIDE" in text and "OUTSIDE THEME" not in text
    assert os.listdir(outside / "empty") == []
