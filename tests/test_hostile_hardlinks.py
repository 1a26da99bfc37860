"""Hard links: a file with more than one hard link may be any file of the same file system
linked into the brief's folder, and cannot be told from the original. briefing refuses such a
file wherever it reads one on a brief's or theme's behalf (attachments, images, stylesheets,
fonts, logos); only the built-in themes are exempt. The content file the user names is read
as named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import minimal_brief, write_yaml

from briefing.content.load import load
from briefing.errors import BriefError
from briefing.printing.embed import attachments
from briefing.printing.fetcher import ConfinedFetcher, RefusedResource
from briefing.sandbox.files import Refused, read_inside
from briefing.themes.theme import builtin_themes, load_theme


@pytest.fixture
def linked(tmp_path) -> tuple[Path, Path]:
    """A brief's folder holding `secret.csv`, a hard link to a file outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("password,hunter2\n")
    folder = tmp_path / "brief"
    folder.mkdir()
    os.link(outside / "secret.csv", folder / "secret.csv")
    return folder, outside / "secret.csv"


def test_a_hard_linked_file_is_refused_by_the_confined_reader(linked):
    folder, _ = linked
    with pytest.raises(Refused) as raised:
        read_inside(folder / "secret.csv", (folder,), 1024)
    assert raised.value.kind == "hard_link"
    assert "has 2 hard links" in raised.value.reason


def test_a_hard_linked_attachment_is_a_located_error(linked):
    folder, _ = linked
    content = write_yaml(folder / "brief.yaml", minimal_brief(attachments=[{"path": "secret.csv"}]))
    brief = load(content)
    with pytest.raises(BriefError) as raised:
        attachments(brief, content)
    [problem] = raised.value.problems
    assert problem.field == "attachments.0.path" and problem.line is not None
    assert "hard links" in problem.message


def test_a_hard_linked_image_is_refused_by_the_fetcher(linked):
    folder, _ = linked
    with pytest.raises(RefusedResource) as raised:
        ConfinedFetcher((folder,)).fetch((folder / "secret.csv").as_uri())
    assert "hard links" in raised.value.reason


def test_a_hard_linked_logo_in_a_brand_file_is_refused(linked, tmp_path):
    folder, _ = linked
    os.link(folder / "secret.csv", folder / "logo.png")
    brand = folder / "brand.yaml"
    brand.write_text("logo: logo.png\n")
    with pytest.raises(BriefError) as raised:
        load_theme(brand=brand)
    assert "hard links" in str(raised.value)


def test_a_file_with_one_link_is_read(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n")
    assert read_inside(tmp_path / "data.csv", (tmp_path,), 1024) == b"a,b\n"


def test_a_hard_linked_content_file_is_read_as_named(linked):
    folder, _ = linked
    original = write_yaml(folder.parent / "original.yaml", minimal_brief())
    os.link(original, folder / "brief.yaml")
    assert load(folder / "brief.yaml").meta.title == minimal_brief()["meta"]["title"]


def test_files_of_the_built_in_themes_are_exempt(tmp_path, monkeypatch):
    import briefing.sandbox.files as files

    font = next((builtin_themes() / "default" / "fonts").glob("*.ttf"))
    real_fstat = os.fstat

    class Linked:
        def __init__(self, info):
            self.info = info

        def __getattr__(self, name):
            return 3 if name == "st_nlink" else getattr(self.info, name)

    monkeypatch.setattr(files.os, "fstat", lambda descriptor: Linked(real_fstat(descriptor)))
    assert read_inside(font, (builtin_themes(),), 10 * 1024 * 1024).startswith(b"\x00\x01\x00\x00")
    (tmp_path / "mine.ttf").write_bytes(b"x")
    with pytest.raises(Refused):
        read_inside(tmp_path / "mine.ttf", (tmp_path,), 1024)
