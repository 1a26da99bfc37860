"""Remote builds carry files as bytes: what leaves this machine is only what a build here would
read, and what a worker receives is read as untrusted bytes, checked before anything is written.

A parcel is a JSON header and the files' bytes (`remote.encode_parcel`); these tests craft
hostile headers directly and hand them to the worker's task, `remote.build_parcel`."""

from __future__ import annotations

import dataclasses
import json
import os
import time

import pytest
from helpers import minimal_brief, pdf_text, write_yaml

from briefing.commands import remote
from briefing.commands.options import BuildOptions


def parcel_of(folder, **options):
    folder.mkdir(exist_ok=True)
    content = write_yaml(folder / "brief.yaml", minimal_brief())
    return remote.pack(content, folder / "out" / "brief.pdf", BuildOptions(**options))


def answer(data):
    """What the worker's task answers to `data`: (the problems' messages, whether a PDF came back)."""
    reply = remote.build_parcel(data)
    assert isinstance(reply, bytes)  # plain bytes, whatever it was given
    header, blobs = remote._unframe("delivery", reply, remote.MAX_DELIVERY_BYTES)
    return [problem["message"] for problem in header["problems"]], header["pdf"], blobs


def crafted(parcel, change=None, blobs=None):
    """`parcel`'s bytes with `change(header)` applied to its JSON header (and other files' bytes)."""
    header, carried = remote._unframe("parcel", remote.encode_parcel(parcel), remote.MAX_BYTES)
    if change is not None:
        change(header)
    return remote._frame("parcel", header, carried if blobs is None else blobs)


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
    again = remote.read_parcel(remote.encode_parcel(parcel))  # it travels as bytes, and reads back the same
    assert again.files == parcel.files and again.roots == parcel.roots and again.options == parcel.options


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
    assert b"private key" not in remote.encode_parcel(parcel)


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
    assert b"private" not in remote.encode_parcel(parcel)


def test_a_loaded_theme_cannot_be_sent(tmp_path):
    from briefing.errors import BriefError
    from briefing.themes.theme import load_theme

    with pytest.raises(BriefError) as raised:
        parcel_of(tmp_path, theme=load_theme())
    assert [problem.field for problem in raised.value.problems] == ["theme"]


@pytest.mark.parametrize("name", ["../outside.yaml", "/etc/passwd", "a/../../b", "", "a\\..\\b", "a/./b", "x\0y",
                                  ".", "a//b", "a/"])
def test_a_worker_refuses_a_parcel_naming_a_file_outside_its_folder(tmp_path, name):
    parcel = parcel_of(tmp_path)
    messages, pdf, _ = answer(crafted(parcel, lambda header: header["files"].append([0, name]),
                                      blobs=[*parcel.files.values(), b"x"]))
    assert not pdf
    assert f"the parcel names a file outside its folders: {name!r}" in messages


def test_a_worker_refuses_a_parcel_with_an_unknown_root(tmp_path):
    parcel = parcel_of(tmp_path)
    for root in (7, -1, True, "0", 1.0):
        messages, pdf, _ = answer(crafted(parcel, lambda header: header["files"].append([root, "x.css"]),
                                          blobs=[*parcel.files.values(), b"x"]))
        assert not pdf and messages, root
        assert any("outside its folders" in message for message in messages), root


def test_a_worker_refuses_a_parcel_from_another_version(tmp_path):
    parcel = parcel_of(tmp_path)
    messages, pdf, _ = answer(remote.encode_parcel(
        dataclasses.replace(parcel, versions={"briefing": "0.0.1", "weasyprint": "1"})))
    assert not pdf
    [message] = messages
    assert "but the client briefing 0.0.1, weasyprint 1; install the same on both" in message


@pytest.mark.parametrize("sent", [{"content": "brief.yaml"}, None, "brief.yaml", b"", b"briefing-parcel/1\n",
                                  b"\x80\x04\x95pickled", b"briefing-parcel/1\n" + (2**62).to_bytes(8, "big")])
def test_a_worker_refuses_what_is_not_a_parcel(sent):
    messages, pdf, _ = answer(sent)
    assert not pdf and len(messages) == 1 and messages[0].startswith("a malformed parcel: ")


def test_a_worker_refuses_an_oversized_parcel(tmp_path, monkeypatch):
    parcel = parcel_of(tmp_path)
    monkeypatch.setattr(remote, "MAX_BYTES", 10)
    messages, pdf, _ = answer(remote.encode_parcel(parcel))
    assert not pdf and any("larger than" in message for message in messages)


def test_a_worker_writes_nothing_outside_its_own_folder_and_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    parcel = parcel_of(tmp_path / "c")
    before = sorted(os.listdir(tmp_path / "c"))
    answer(crafted(parcel, lambda header: header["files"].append([0, "../escape.txt"]),
                   blobs=[*parcel.files.values(), b"x"]))
    assert sorted(os.listdir(tmp_path / "c")) == before and not (tmp_path / "escape.txt").exists()
    assert os.listdir(scratch) == []


# --- the options of a parcel, as strictly as its files (issue 21, item 9) ------------------------

@pytest.fixture
def worker_secrets(tmp_path, monkeypatch):
    """Files of the worker's machine a hostile parcel would like in its PDF: a theme, a templates
    folder, a brand file and a brief, each holding the word WORKERSECRET; the worker runs in their folder."""
    secrets = tmp_path / "worker"
    theme = secrets / "house"
    theme.mkdir(parents=True)
    (theme / "brief.css").write_text("h1::after { content: 'WORKERSECRET'; }\n")
    (secrets / "templates").mkdir()
    (secrets / "templates" / "brief.css").write_text("h1::after { content: 'WORKERSECRET'; }\n")
    (secrets / "brand.yaml").write_text("logo_alt: WORKERSECRET\n")
    write_yaml(secrets / "old.yaml", minimal_brief(summary=["WORKERSECRET was the summary."]))
    (secrets / "notes.csv").write_text("WORKERSECRET\n")
    monkeypatch.chdir(secrets)
    return secrets


def _places(**places):
    return lambda header: header["places"].update(places)


def _options(**values):
    return lambda header: header["options"].update(values)


def _set(**values):
    return lambda header: header.update(values)


HOSTILE_OPTIONS = {
    # the places a parcel names: only (a root of the parcel, a plain relative path)
    "templates absolute": (_places(templates=[0, "{secrets}/templates"]), "outside its folders"),
    "templates escaping": (_places(templates=[0, "../../worker/templates"]), "outside its folders"),
    "theme absolute": (_places(theme=[0, "{secrets}/house"]), "outside its folders"),
    "theme escaping": (_places(theme=[0, ".."]), "outside its folders"),
    "brand absolute": (_places(brand=[0, "{secrets}/brand.yaml"]), "outside its folders"),
    "brand in another root": (_places(brand=[3, "brand.yaml"]), "outside its folders"),
    "changes_since absolute": (_places(changes_since=[0, "{secrets}/old.yaml"]), "outside its folders"),
    "a place that is not a place": (_places(templates="/etc"), "a place is not [root, path]"),
    "an unknown place": (_places(fonts=[0, "."]), "its places are not among"),
    # options that would name a path outright
    "templates as an option": (_options(templates="{secrets}/templates"), "has unknown templates"),
    "brand as an option": (_options(brand="{secrets}/brand.yaml"), "has unknown brand"),
    "changes_since as an option": (_options(changes_since="{secrets}/old.yaml"), "has unknown changes_since"),
    "since as an option": (_options(since="HEAD"), "has unknown since"),
    "theme by an absolute path": (_options(theme="{secrets}/house"), "not built in"),
    "theme by a name the worker's folder has": (_options(theme="house"), "not built in"),
    "theme by a relative path": (_options(theme="../worker/house"), "not built in"),
    "theme that is not text": (_options(theme=["default"]), "not built in"),
    "attach absolute": (_options(attach=["{secrets}/notes.csv"]), "outside its folders"),
    "attach escaping": (_options(attach=["../../worker/notes.csv"]), "outside its folders"),
    # options of the wrong shape
    "limits switched to a string": (_options(limits={"timeout": "inf"}), "must be a number, got 'inf'"),
    "limits that are not an object": (_options(limits=[120]), "its limits is not an object"),
    "limits with an unknown bound": (_options(limits={"max_cpus": 1}), "has unknown max_cpus"),
    "first page as text": (_options(first_page="1"), "first_page"),
    "png as a bool": (_options(png=True), "the resolution must be a whole number"),
    "html as a number": (_options(html=1), "html"),
    "allowed URLs as text": (_options(allowed_urls="https://x/"), "allowed URLs"),
    "a variant that is an object": (_options(variant={"a": 1}), "variant"),
    "options that are not an object": (_set(options=[]), "its options is not an object"),
    "the header lacking its options": (lambda header: header.pop("options"), "lacks options"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_OPTIONS))
def test_a_parcel_whose_options_reach_beyond_the_parcel_is_refused_at_the_worker(tmp_path, worker_secrets, case):
    change, expected = HOSTILE_OPTIONS[case]
    parcel = parcel_of(tmp_path / "client")

    def hostile(header):
        change(header)
        for name, value in list(header.get("places", {}).items()):
            if isinstance(value, list) and isinstance(value[1], str):
                header["places"][name] = [value[0], value[1].format(secrets=worker_secrets)]
        for name, value in list(header.get("options", {}).items()) if isinstance(header.get("options"), dict) else []:
            if isinstance(value, str):
                header["options"][name] = value.format(secrets=worker_secrets)
            elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                header["options"][name] = [item.format(secrets=worker_secrets) for item in value]

    messages, pdf, blobs = answer(crafted(parcel, hostile))
    assert not pdf and blobs == []
    assert any(expected in message for message in messages), messages
    assert not any("WORKERSECRET" in message for message in messages)


@pytest.mark.pdf
def test_an_honest_parcel_naming_its_own_theme_templates_and_brand_builds(tmp_path, worker_secrets):
    """The control of the test above: the same places, inside the parcel, are built from."""
    client = tmp_path / "client"
    (client / "house").mkdir(parents=True)
    (client / "house" / "brief.css").write_text("h1::after { content: ' CLIENTTHEME'; }\n")
    (client / "brand.yaml").write_text("logo_alt: House logo\n")
    parcel = parcel_of(client, templates=client / "house", brand=client / "brand.yaml")
    assert set(parcel.places) == {"templates", "brand"}
    reply = remote.build_parcel(remote.encode_parcel(parcel))
    delivery = remote.receive(reply, parcel, parcel.options, client / "brief.yaml")
    assert delivery.problems == () and delivery.pdf.startswith(b"%PDF-")
    path = tmp_path / "honest.pdf"
    path.write_bytes(delivery.pdf)
    text = pdf_text(path)
    assert "CLIENTTHEME" in text and "WORKERSECRET" not in text


def test_a_remote_build_with_a_git_revision_is_refused_on_the_client(tmp_path):
    from briefing.errors import BriefError

    with pytest.raises(BriefError) as raised:
        parcel_of(tmp_path, since="HEAD~1")
    assert [problem.field for problem in raised.value.problems] == ["since"]


def test_an_earlier_version_travels_in_the_parcel(tmp_path):
    old = write_yaml(tmp_path / "old" / "brief.yaml", minimal_brief()) if (tmp_path / "old").mkdir() is None else None
    parcel = parcel_of(tmp_path / "new", changes_since=old)
    root, name = parcel.places["changes_since"]
    assert parcel.roots[root] == str(old.parent.resolve()) and parcel.files[(root, name)] == old.read_bytes()
    assert remote.read_parcel(remote.encode_parcel(parcel)).places == parcel.places


def test_the_roots_of_a_parcel_are_bounded_and_refused_before_any_folder_is_made(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    parcel = parcel_of(tmp_path / "c")
    for roots in (["/r"] * 200_000, ["/r"] * (remote.MAX_ROOTS + 1), [], "/r", [5], ["/r\0"], ["x" * 5000]):
        started = time.process_time()
        messages, pdf, _ = answer(crafted(parcel, _set(roots=roots)))
        assert not pdf and messages and messages[0].startswith("a malformed parcel: "), (roots[:2], messages)
        assert time.process_time() - started < 5  # refused as read, not after 200,000 mkdir calls
    assert os.listdir(scratch) == []


def _files(files, blobs=None):
    return files, blobs


MALFORMED_FILES = {
    "a key of one part": [[0]],
    "a key of three parts": [[0, "brief.yaml", "extra"]],
    "a key that is an object": [{"root": 0, "path": "brief.yaml"}],
    "a key that is a number": [0],
    "a name that is a number": [[0, 5]],
    "a root that is text": [["0", "brief.yaml"]],
    "the same name twice": [[0, "brief.yaml"], [0, "brief.yaml"]],
    "a file that is also a folder": [[0, "brief.yaml"], [0, "brief.yaml/inner.css"]],
    "a part longer than a file name": [[0, "brief.yaml"], [0, "x" * 300]],
    "files that are not a list": {"0": "brief.yaml"},
    "more files listed than carried": [[0, "brief.yaml"], [0, "map.png"]],
}


@pytest.mark.parametrize("case", sorted(MALFORMED_FILES))
def test_a_malformed_files_key_comes_back_as_a_problem(tmp_path, case):
    parcel = parcel_of(tmp_path)
    files = MALFORMED_FILES[case]
    count = len(files) if isinstance(files, list) and case != "more files listed than carried" else 1
    messages, pdf, _ = answer(crafted(parcel, _set(files=files), blobs=[b"meta: {}\n"] * count))
    assert not pdf and messages, messages
    assert not any("Traceback" in message or "build failed" in message for message in messages)


def test_blob_lengths_that_do_not_add_up_come_back_as_a_problem(tmp_path):
    parcel = parcel_of(tmp_path)
    header, blobs = remote._unframe("parcel", remote.encode_parcel(parcel), remote.MAX_BYTES)
    honest = [len(blob) for blob in blobs]
    for lengths, tail in (([*honest[:-1], honest[-1] + 1], b""), (honest, b"x"), ([-1, *honest], b""),
                          ([True, *honest], b""), ("12", b""), ([1.5], b""), (None, b"")):
        head = json.dumps({**header, **({"blobs": lengths} if lengths is not None else {})}).encode()
        data = b"briefing-parcel/1\n" + len(head).to_bytes(8, "big") + head + b"".join(blobs) + tail
        messages, pdf, _ = answer(data)
        assert not pdf and messages == ["a malformed parcel: its files' lengths do not add up"], lengths


def test_a_header_that_is_not_json_comes_back_as_a_problem(tmp_path):
    parcel = parcel_of(tmp_path)
    magic = b"briefing-parcel/1\n"
    for head in (b"{", b"[" * 100_000 + b"]" * 100_000, b'{"a": NaN}', b"\xff\xfe", b"1" * 5000, b"[]"):
        messages, pdf, _ = answer(magic + len(head).to_bytes(8, "big") + head)
        assert not pdf and len(messages) == 1 and messages[0].startswith("a malformed parcel: "), head[:10]
    assert parcel  # the honest parcel of the same folder reads
