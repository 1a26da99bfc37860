"""A theme stays in its folder: `extends` cannot add another folder to what templates and the
print may read, and eject copies only the theme's own regular files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import minimal_brief, run_cli, write_yaml

from briefing.errors import BriefError
from briefing.render.html import render_html
from briefing.themes.theme import builtin_themes, eject, load_theme
from briefing.content.load import load


def house(tmp_path: Path, settings: str, **files: str) -> Path:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "theme.yaml").write_text(settings, encoding="utf-8")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("target", ["/etc", "/", "..", "../elsewhere", "file:///etc"])
def test_extends_outside_the_theme_folder_is_a_located_error(tmp_path, target):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "theme.yaml").write_text("description: not ours\n")
    folder = house(tmp_path, f"description: House\nextends: {target}\n")
    with pytest.raises(BriefError) as raised:
        load_theme(folder)
    [problem] = raised.value.problems
    assert (problem.path, problem.line, problem.column, problem.field) == (folder / "theme.yaml", 2, 10, "extends")


@pytest.mark.pdf  # runs the command in a new process
def test_extends_etc_cannot_print_etc_passwd(tmp_path):
    folder = house(tmp_path, "extends: /etc\n", **{"main.html.j2": '{% include "passwd" %}'})
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--theme", str(folder), "-o", str(tmp_path / "b.pdf"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: {folder / 'theme.yaml'}:1:10: extends: '/etc' is outside the theme folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_extends_through_a_symbolic_link_out_of_the_theme_is_refused(tmp_path):
    folder = house(tmp_path, "extends: ./shared\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "theme.yaml").write_text("description: outside\n")
    (folder / "shared").symlink_to(tmp_path / "outside")
    with pytest.raises(BriefError) as raised:
        load_theme(folder)
    assert "is outside the theme folder" in str(raised.value)


def test_extends_a_theme_folder_inside_the_theme(tmp_path):
    folder = house(tmp_path, "extends: ./base\n")
    (folder / "base").mkdir()
    (folder / "base" / "theme.yaml").write_text("extends: memo\ndescription: Base\n")
    (folder / "base" / "main.html.j2").write_text("<html><body>FROM BASE {{ meta.title }}</body></html>")
    theme = load_theme(folder)
    assert theme.folders == (folder.resolve(), (folder / "base").resolve(), builtin_themes() / "memo",
                             builtin_themes() / "default")
    assert "FROM BASE" in render_html(load(write_yaml(tmp_path / "b.yaml", minimal_brief())), theme)


def test_extends_a_folder_without_theme_yaml_is_refused(tmp_path):
    folder = house(tmp_path, "extends: ./partials\n", **{"partials/x.html.j2": "x"})
    with pytest.raises(BriefError) as raised:
        load_theme(folder)
    [problem] = raised.value.problems
    assert problem.field == "extends" and "holds a theme.yaml" in problem.message


def test_extends_a_built_in_theme_by_name_still_works(tmp_path):
    assert load_theme(house(tmp_path, "extends: memo\n")).folders[1:] == (builtin_themes() / "memo",
                                                                            builtin_themes() / "default")


def test_eject_copies_regular_files_only_and_nothing_from_outside(tmp_path):
    folder = house(tmp_path, "extends: null\n", **{"base.html.j2": "<html></html>", "brief.css": "p {}",
                                                   "partials/a.html.j2": "a"})
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("SECRET")
    (folder / "hostname.css").symlink_to("/etc/hostname")
    (folder / "partials" / "secret.html.j2").symlink_to(tmp_path / "secret" / "key.txt")
    (folder / "inside-link.css").symlink_to(folder / "brief.css")
    (folder / "outside").symlink_to(tmp_path / "secret", target_is_directory=True)
    os.mkfifo(folder / "pipe.css")
    written = eject(load_theme(folder), tmp_path / "mine")
    names = sorted(str(path.relative_to(tmp_path / "mine")) for path in written)
    assert names == ["base.html.j2", "brief.css", "partials/a.html.j2"]
    copied = sorted(str(path.relative_to(tmp_path / "mine")) for path in (tmp_path / "mine").rglob("*"))
    assert copied == ["base.html.j2", "brief.css", "partials", "partials/a.html.j2"]
    assert all(not path.is_symlink() for path in (tmp_path / "mine").rglob("*"))


def test_eject_of_a_built_in_theme_copies_its_files(tmp_path):
    written = eject(load_theme("memo"), tmp_path / "mine")
    assert (tmp_path / "mine" / "memo.css").is_file() and (tmp_path / "mine" / "base.html.j2").is_file()
    assert len(written) > 10


# ---- settings files are small: theme.yaml, brand.yaml and a Quarto _brand.yml are bounded before
# they are parsed, and so is every list and mapping in them.

def _many_colours(count: int, indent: str = "  ") -> str:
    return "".join(f"{indent}c{index}: '#0b4f6c'\n" for index in range(count))


@pytest.mark.parametrize("name", ["theme.yaml", "brand.yaml", "_brand.yml"])
def test_a_settings_file_larger_than_the_bound_is_refused_before_it_is_parsed(tmp_path, name):
    from briefing.themes.theme import MAX_SETTINGS_BYTES
    folder = tmp_path / "house"
    folder.mkdir()
    path = folder / name
    body = ("description: big\ncolors:\n" if name == "theme.yaml" else
            "colors:\n" if name == "brand.yaml" else "color:\n  palette:\n")
    path.write_text(body + "#" * (MAX_SETTINGS_BYTES + 10) + "\n", encoding="utf-8")
    with pytest.raises(BriefError) as raised:
        load_theme(folder) if name == "theme.yaml" else load_theme("default", brand=path)
    [problem] = raised.value.problems
    assert problem.path == path and problem.code == "too_large"
    assert str(MAX_SETTINGS_BYTES) in problem.message or "KiB" in problem.message


@pytest.mark.parametrize("field, body", [
    ("colors", "colors:\n" + _many_colours(201)),
    ("dark_colors", "dark_colors:\n" + _many_colours(201)),
    ("fonts", "fonts:\n" + "".join(f"  f{index}: [Serif{index}]\n" for index in range(201))),
    ("fonts.text", "fonts:\n  text: [" + ", ".join(f"F{index}" for index in range(201)) + "]\n"),
    ("font_files", "font_files:\n" + "".join(f"  - {{family: F, file: f{index}.ttf}}\n" for index in range(201))),
    ("stylesheets", "stylesheets: [" + ", ".join(f"s{index}.css" for index in range(201)) + "]\n"),
    ("description", "description: " + "x" * 2001 + "\n"),
    ("colors", "colors:\n  " + "a" * 65 + ": '#000000'\n"),
])
def test_a_theme_yaml_with_too_many_entries_is_a_located_error(tmp_path, field, body):
    folder = house(tmp_path, body)
    with pytest.raises(BriefError) as raised:
        load_theme(folder)
    problems = raised.value.problems
    assert problems and all(problem.path == folder / "theme.yaml" for problem in problems)
    assert any(problem.field is not None and problem.field.startswith(field) and problem.line for problem in problems)


def test_a_theme_with_200_colours_is_still_a_theme(tmp_path):
    folder = house(tmp_path, "colors:\n" + _many_colours(200))
    assert dict(load_theme(folder).colors)["c199"] == "#0b4f6c"


@pytest.mark.parametrize("loc, body", [
    ("color.palette", "color:\n  palette:\n" + _many_colours(201, "    ")),
    ("typography.fonts", "typography:\n  fonts:\n" + "".join(f"    - {{family: F{index}, source: system}}\n"
                                                             for index in range(201))),
])
def test_a_quarto_brand_with_too_many_entries_is_a_located_error(tmp_path, loc, body):
    path = tmp_path / "_brand.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(BriefError) as raised:
        load_theme("default", brand=path)
    [problem] = raised.value.problems
    assert (problem.path, problem.field) == (path, loc)
    assert problem.line == 2 and "at most 200" in problem.message


@pytest.mark.pdf  # runs the command in a new process
def test_a_huge_theme_yaml_fails_at_once_on_the_command_line_and_keeps_the_earlier_pdf(tmp_path):
    folder = house(tmp_path, "colors:\n" + _many_colours(40_000))
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    earlier = tmp_path / "b.pdf"
    earlier.write_bytes(b"%PDF-1.7 earlier")
    result = run_cli("build", str(content), "--theme", str(folder), "-o", str(earlier), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"error: {folder / 'theme.yaml'}" in result.stderr and "Traceback" not in result.stderr
    assert earlier.read_bytes() == b"%PDF-1.7 earlier"
