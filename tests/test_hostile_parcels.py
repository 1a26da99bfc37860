"""Remote builds carry files as bytes: what leaves this machine is only what a build here would
read, and what a worker receives is checked before anything is written."""

from __future__ import annotations

import dataclasses
import os
import pickle

import pytest
from helpers import minimal_brief, write_yaml

from briefing.commands import remote
from briefing.commands.options import BuildOptions


def parcel_of(folder, **options):
    folder.mkdir(exist_ok=True)
    content = write_yaml(folder / "brief.yaml", minimal_brief())
    return remote.pack(content, folder / "out" / "brief.pdf", BuildOptions(**options))


def test_a_parcel_carries_the_content_and_the_files_it_names(tmp_path):
    (tmp_path / "map.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "unrelated.txt").write_text("not named anywhere")
    data = minimal_brief()
    data["background"]["body"] = "The basin.\n\n![A map](map.png)\n\n![Gone](gone.png)\n"
    content = write_yaml(tmp_path / "brief.yaml", data)
    parcel = remote.pack(content, tmp_path / "brief.pdf", BuildOptions())
    assert sorted(parcel.files) == [(0, "brief.yaml"), (0, "map.png")]
    assert parcel.files[(0, "map.png")] == b"\x89PNG not really"
    assert parcel.roots == (str(tmp_path.resolve()),)
    pickle.loads(pickle.dumps(parcel))  # it travels


def test_a_link_out_of_the_content_folder_never_leaves_this_machine(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    folder = tmp_path / "brief"
    folder.mkdir()
    (folder / "notes.txt").symlink_to(secret)
    data = minimal_brief()
    data["background"]["body"] = "See notes.txt and ../secret.txt."
    content = write_yaml(folder / "brief.yaml", data)
    parcel = remote.pack(content, folder / "brief.pdf", BuildOptions())
    assert sorted(parcel.files) == [(0, "brief.yaml")]
    assert b"private key" not in pickle.dumps(parcel)


def test_a_link_out_of_a_theme_folder_never_leaves_this_machine(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("/* private */")
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "brief.css").write_text("h1 { color: red; }")
    (theme / "extra.css").symlink_to(secret)
    parcel = parcel_of(tmp_path / "content", theme=theme)
    carried = {name for _, name in parcel.files}
    assert "brief.css" in carried and "extra.css" not in carried
    assert b"private" not in pickle.dumps(parcel)


def test_a_loaded_theme_cannot_be_sent(tmp_path):
    from briefing.errors import BriefError
    from briefing.themes.theme import load_theme

    with pytest.raises(BriefError) as raised:
        parcel_of(tmp_path, theme=load_theme())
    assert [problem.field for problem in raised.value.problems] == ["theme"]


@pytest.mark.parametrize("name", ["../outside.yaml", "/etc/passwd", "a/../../b", "", "a\\..\\b", "a/./b", "x\0y"])
def test_a_worker_refuses_a_parcel_naming_a_file_outside_its_folder(tmp_path, name):
    parcel = parcel_of(tmp_path)
    hostile = dataclasses.replace(parcel, files={**parcel.files, (0, name): b"x"})
    delivery = remote.build_parcel(hostile)
    assert delivery.pdf is None
    assert [problem.message for problem in delivery.problems] == [
        f"the parcel names a file outside its folders: {name!r}"]


def test_a_worker_refuses_a_parcel_with_an_unknown_root(tmp_path):
    parcel = parcel_of(tmp_path)
    delivery = remote.build_parcel(dataclasses.replace(parcel, files={**parcel.files, (7, "x.css"): b"x"}))
    assert delivery.pdf is None and "outside its folders" in delivery.problems[0].message


def test_a_worker_refuses_a_parcel_from_another_version(tmp_path):
    parcel = parcel_of(tmp_path)
    delivery = remote.build_parcel(dataclasses.replace(parcel, versions={"briefing": "0.0.1", "weasyprint": "1"}))
    assert delivery.pdf is None
    [problem] = delivery.problems
    assert "but the client briefing 0.0.1, weasyprint 1; install the same on both" in problem.message


def test_a_worker_refuses_what_is_not_a_parcel():
    delivery = remote.build_parcel({"content": "brief.yaml"})
    assert delivery.pdf is None and delivery.problems[0].message == "not a briefing parcel"


def test_a_worker_refuses_an_oversized_parcel(tmp_path, monkeypatch):
    parcel = parcel_of(tmp_path)
    monkeypatch.setattr(remote, "MAX_BYTES", 10)
    delivery = remote.build_parcel(parcel)
    assert delivery.pdf is None and "larger than a remote build may carry" in delivery.problems[0].message


def test_a_worker_writes_nothing_outside_its_own_folder_and_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    parcel = parcel_of(tmp_path / "c")
    before = sorted(os.listdir(tmp_path / "c"))
    hostile = dataclasses.replace(parcel, files={**parcel.files, (0, "../escape.txt"): b"x"})
    remote.build_parcel(hostile)
    assert sorted(os.listdir(tmp_path / "c")) == before and not (tmp_path / "escape.txt").exists()
    assert os.listdir(scratch) == []
