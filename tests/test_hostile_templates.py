"""Templates from elsewhere cannot reach Python, read files outside their folders, or
add attachments, and the build fails with an error that says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import minimal_brief, pdf_text, write_yaml
from helpers.hostile import HOSTNAME, embedded_files, scripts_and_actions

from briefing import build
from briefing.errors import BriefError
from briefing.themes.theme import Theme, load_theme


@pytest.fixture
def brief(tmp_path) -> Path:
    return write_yaml(tmp_path / "brief.yaml", minimal_brief())


def user_theme(folder: Path, base: str) -> Theme:
    """The default theme with the user's `base.html.j2` in front of it."""
    folder.mkdir(exist_ok=True)
    (folder / "base.html.j2").write_text(base)
    return Theme("user", folders=(folder, *load_theme().folders))


def problems(brief: Path, theme: Theme) -> list[str]:
    output = brief.with_suffix(".pdf")
    with pytest.raises(BriefError) as raised:
        build(brief, output, theme=theme)
    assert not output.exists()
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize("expression, attribute", [
    ("''.__class__.__mro__[1].__subclasses__()", "__class__"),
    ("cycler.__init__.__globals__.os.popen('id').read()", "__init__"),
    ("brief.__class__.__init__.__globals__", "__init__"),
    ("lipsum.__globals__['os'].environ", "__globals__"),
    ("meta.date.__class__", "__class__"),
])
@pytest.mark.pdf
def test_template_cannot_reach_python_internals(tmp_path, brief, expression, attribute):
    theme = user_theme(tmp_path / "templates", f"<html><body><p>{{{{ {expression} }}}}</p></body></html>")
    [problem] = problems(brief, theme)
    assert problem.startswith(f"{tmp_path / 'templates' / 'base.html.j2'}:1: not allowed in a template: "
                              f"access to attribute '{attribute}' of ")
    assert problem.endswith(" object is unsafe.")


def test_template_linking_outside_its_folder_is_refused(tmp_path, brief):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html.j2").symlink_to(HOSTNAME)
    [problem] = problems(brief, Theme("user", (folder, *load_theme().folders)))
    assert problem.endswith(f": 'base.html.j2' in {folder} leads outside that folder; refused")


@pytest.mark.parametrize("name", ["/etc/hostname", "../../../../../../etc/hostname"])
def test_template_cannot_include_a_file_outside_the_folders(tmp_path, brief, name):
    theme = user_theme(tmp_path / "templates", f'<html><body>{{% include "{name}" %}}</body></html>')
    [problem] = problems(brief, theme)
    assert problem.startswith(f"{tmp_path / 'templates' / 'base.html.j2'}:1: no template {name!r} on the search path")


@pytest.mark.pdf
def test_template_adding_an_attachment_is_refused_by_name(tmp_path, brief):
    theme = user_theme(tmp_path / "templates",
                       '<html><head><link rel="attachment" href="file:///etc/hostname"></head><body>x</body></html>')
    assert problems(brief, theme) == ["file:///etc/hostname: refused: outside the brief's and theme's folders"]


@pytest.mark.pdf
def test_template_script_is_not_run_or_embedded(tmp_path, brief):
    theme = user_theme(tmp_path / "templates",
                       "<html><body><p>{{ meta.title }}</p><script>document.write('SCRIPTRAN')</script>"
                       "<p id=x onclick=\"alert('CLICKED')\">Click</p></body></html>")
    output = tmp_path / "brief.pdf"
    build(brief, output, theme=theme)
    text = pdf_text(output)
    assert "Water sharing on the Mekong" in text and "SCRIPTRAN" not in text
    assert scripts_and_actions(output) == []
    assert sorted(embedded_files(output)) == ["brief.validated.json", "brief.yaml"]  # the brief's own source
