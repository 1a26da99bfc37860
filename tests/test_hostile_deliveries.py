"""The client judges what a worker sends back only against what it sent and what it asked for.

A delivery is a JSON header and the PDF's (web page's, pictures') bytes (`remote.encode_delivery`).
These tests hand crafted deliveries to the client: to its judging function, `remote.receive`, and
through a whole remote batch whose executor answers every parcel with them; nothing is rendered."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import Executor, Future
from pathlib import Path

import pytest
from helpers import minimal_brief, write_yaml

from briefing import build_many
from briefing.commands import remote
from briefing.commands.options import BuildOptions
from briefing.errors import BriefError
from briefing.themes.theme import builtin_themes

PDF = b"%PDF-1.7\n% a delivery made in the test\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


class Answering(Executor):
    """An executor whose 'worker' answers each parcel with `answer(parcel)`: bytes, crafted in the test."""

    def __init__(self, answer):
        self.answer = answer
        self.parcels = []

    def submit(self, fn, /, *args, **kwargs):
        assert fn is remote.build_parcel and isinstance(args[0], bytes)  # a task carries plain bytes
        parcel = remote.read_parcel(args[0])
        self.parcels.append(parcel)
        future = Future()
        future.set_result(self.answer(parcel))
        return future


def honest(parcel, **changes):
    """The header an honest worker would send for `parcel`: it read the content file, made a 1-page PDF."""
    content = f"{parcel.roots[0]}/{parcel.content}"
    header = {"pdf": True, "html": False, "pictures": 0, "pages": 1, "warnings": [], "problems": [],
              "reads": {content: hashlib.sha256(parcel.files[(0, parcel.content)]).hexdigest()},
              "folders": [str(builtin_themes().resolve() / "default")], "unmapped": False}
    header.update(changes)
    return header


def delivery(header, blobs=(PDF,)):
    return remote._frame("delivery", header, list(blobs))


@pytest.fixture
def client(tmp_path):
    folder = tmp_path / "client"
    folder.mkdir()
    content = write_yaml(folder / "brief.yaml", minimal_brief())
    return folder, content


def judge(content, data, **options):
    options = BuildOptions(**options)
    parcel = remote.pack(content, content.parent / "out" / "brief.pdf", options)
    return remote.receive(data(parcel) if callable(data) else data, parcel, options, content)


def refused(content, data, **options):
    with pytest.raises(BriefError) as raised:
        judge(content, data, **options)
    [problem] = raised.value.problems
    assert problem.path == content and problem.message.startswith("the worker's delivery was refused: ")
    return problem.message


@pytest.mark.pdf
def test_an_honest_delivery_is_written_and_recorded_here(client, tmp_path):
    """The control: the crafted deliveries below differ from this one in one part each."""
    _, content = client
    [item] = build_many([content], tmp_path / "out", executor=Answering(lambda parcel: delivery(honest(parcel))))
    assert item.problems == ()
    assert (tmp_path / "out" / "brief.pdf").read_bytes() == PDF
    assert item.result.pages == 1 and content.resolve() in item.result.inputs


# --- folders: only those it was sent ------------------------------------------------------------

@pytest.mark.parametrize("folder", ["/usr", "/", "{client}", "{client}/..", "{theme}/../..", "usr", "{builtin}/..",
                                    "{theme}/../other", "//usr", "/usr/./lib", 5, None])
def test_a_delivery_naming_a_folder_it_was_not_sent_is_refused_without_walking_it(client, tmp_path, folder,
                                                                                 monkeypatch):
    from briefing.commands import cache

    folder_, content = client
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "brief.css").write_text("h1 { color: red; }\n")
    if isinstance(folder, str):
        folder = folder.format(client=folder_.resolve(), theme=theme.resolve(), builtin=builtin_themes().resolve())
    options = BuildOptions(theme=theme)
    parcel = remote.pack(content, tmp_path / "out" / "brief.pdf", options)  # packing walks the theme, as it must
    walked = []
    monkeypatch.setattr(cache, "files_below", lambda folders: walked.extend(folders) or [])
    with pytest.raises(BriefError) as raised:
        remote.receive(delivery(honest(parcel, folders=[folder])), parcel, options, content)
    assert "theme folder it was not sent" in raised.value.problems[0].message
    assert walked == []


def test_a_delivery_naming_the_theme_folder_it_was_sent_is_accepted(client, tmp_path):
    _, content = client
    theme = tmp_path / "house"
    (theme / "parts").mkdir(parents=True)
    (theme / "brief.css").write_text("h1 { color: red; }\n")
    found = judge(content, lambda parcel: delivery(honest(parcel, folders=[str(theme.resolve()),
                                                                           str(theme.resolve() / "parts")])),
                  theme=theme)
    assert found.folders == (str(theme.resolve()), str(theme.resolve() / "parts"))


def test_a_batch_answered_with_usr_as_a_theme_folder_writes_nothing_at_once(client, tmp_path):
    _, content = client
    started = time.process_time()
    [item] = build_many([content], tmp_path / "out",
                        executor=Answering(lambda parcel: delivery(honest(parcel, folders=["/usr"]))))
    assert time.process_time() - started < 5  # not 40 s of hashing /usr
    assert not item.ok and "theme folder it was not sent: '/usr'" in item.problems[0].message
    assert not (tmp_path / "out").exists()


# --- reads: only files below what it was sent -----------------------------------------------------

@pytest.mark.parametrize("name", ["/etc/passwd", "{client}/../outside.yaml", "{client}/./brief.yaml",
                                  "brief.yaml", "", "{client}/x\0y", "{builtin}/../../etc/passwd"])
def test_a_delivery_naming_as_read_a_file_it_was_not_sent_is_refused(client, name):
    folder, content = client
    name = name.format(client=folder.resolve(), builtin=builtin_themes().resolve())
    message = refused(content, lambda parcel: delivery(honest(parcel, reads={name: None})))
    assert "it names as read a file it was not sent" in message


@pytest.mark.parametrize("digest", ["zz", "A" * 64, 5, ["x"], "0" * 63])
def test_a_delivery_whose_digests_are_not_sha256_is_refused(client, digest):
    folder, content = client
    message = refused(content, lambda parcel: delivery(honest(parcel, reads={str(folder.resolve() / "a.png"): digest})))
    assert "is not a SHA-256" in message


# --- outputs: never over a file the client packed, whatever the worker says it read ---------------

def test_a_delivery_that_hides_an_attachment_from_its_reads_cannot_overwrite_it(client):
    """The attachment `brief.pdf` beside the brief is the PDF's own path when the output folder is
    the brief's: a build here refuses it, and so does a remote build whose worker does not list it."""
    folder, content = client
    (folder / "brief.pdf").write_bytes(b"%PDF-1.4 the report the analyst attached\n")
    executor = Answering(lambda parcel: delivery(honest(parcel, reads={})))
    [item] = build_many([content], folder, executor=executor, attach=("brief.pdf",))
    assert (0, "brief.pdf") in executor.parcels[0].files  # it was sent
    assert not item.ok and item.problems[0].field == "output"
    assert (folder / "brief.pdf").read_bytes() == b"%PDF-1.4 the report the analyst attached\n"


def test_a_delivery_cannot_overwrite_a_packed_figure_with_a_page_picture(client):
    folder, content = client
    data = minimal_brief()
    data["background"]["body"] = "The basin.\n\n![A map](brief-1.png)\n"
    write_yaml(content, data)
    (folder / "brief-1.png").write_bytes(PNG + b"the figure")
    executor = Answering(lambda parcel: delivery(honest(parcel, reads={}, pictures=1), [PDF, PNG]))
    [item] = build_many([content], folder, executor=executor, png=20)
    assert (0, "brief-1.png") in executor.parcels[0].files
    assert not item.ok and item.problems[0].field == "output"
    assert (folder / "brief-1.png").read_bytes() == PNG + b"the figure" and not (folder / "brief.pdf").exists()


# --- what it carries: only what was asked for ------------------------------------------------------

def test_page_pictures_nobody_asked_for_are_refused_and_never_written(client, tmp_path):
    _, content = client
    answer = lambda parcel: delivery(honest(parcel, pictures=1), [PDF, PNG])  # noqa: E731
    assert "page pictures nobody asked for" in refused(content, answer)
    [item] = build_many([content], tmp_path / "out", executor=Answering(answer))
    assert not item.ok and not (tmp_path / "out").exists()


@pytest.mark.parametrize("pictures, blobs", [(2, [PDF, PNG, PNG]), (0, [PDF]), (1, [PDF, b"GIF89a"]),
                                             (1, [PDF, PNG + b"x", PNG])])
def test_page_pictures_that_were_asked_for_are_one_png_per_page(client, pictures, blobs):
    _, content = client
    message = refused(content, lambda parcel: delivery(honest(parcel, pictures=pictures), blobs), png=20)
    assert "one PNG picture for each of its 1 pages" in message or "other files than it lists" in message


def test_a_web_page_nobody_asked_for_is_refused_and_one_asked_for_must_come(client):
    _, content = client
    assert "web page nobody asked for" in refused(
        content, lambda parcel: delivery(honest(parcel, html=True), [PDF, b"<p>hi</p>"]))
    assert "lacks the web page" in refused(content, lambda parcel: delivery(honest(parcel)), html=True)
    assert "not UTF-8" in refused(content, lambda parcel: delivery(honest(parcel, html=True), [PDF, b"\xff"]),
                                  html=True)


@pytest.mark.parametrize("pages", [-7, 0, True, 501, 10**30, "3", 2.5, None])
def test_a_page_count_that_is_not_sane_is_refused(client, pages):
    _, content = client
    message = refused(content, lambda parcel: delivery(honest(parcel, pages=pages)))
    assert "is not a page count from 1 to 500" in message  # the default limit of 500 pages


def test_a_delivery_without_a_pdf_or_with_something_else_is_refused(client):
    _, content = client
    assert "carries no PDF" in refused(content, lambda parcel: delivery(honest(parcel), [b"<html>not a pdf"]))
    assert "carries no PDF" in refused(content, lambda parcel: delivery(honest(parcel, pdf=False), []))
    assert "other files than it lists" in refused(content, lambda parcel: delivery(honest(parcel), [PDF, PDF]))


@pytest.mark.parametrize("answer", [
    {"pdf": PDF, "pages": 1},  # an object, as pickle would bring it: never a result here
    None, PDF, b"", b"briefing-delivery/1\n", b"briefing-delivery/1\n" + (10).to_bytes(8, "big") + b"{not json}",
])
def test_what_is_not_a_delivery_is_refused(client, answer):
    _, content = client
    refused(content, answer)


@pytest.mark.parametrize("changes", [
    {"problems": [{"message": 5}]}, {"problems": "broken"}, {"warnings": [{"path": "x"}]},
    {"warnings": [{"message": "m", "line": "1"}]}, {"unmapped": "no"}, {"extra": 1}, {"reads": []},
    {"folders": "/usr"}, {"folders": ["/usr"] * 100},
])
def test_a_delivery_of_the_wrong_shape_is_refused(client, changes):
    _, content = client
    refused(content, lambda parcel: delivery(honest(parcel, **changes)))


def test_problems_from_the_worker_come_with_no_files(client):
    _, content = client
    problem = {"path": "brief.yaml", "message": "bad", "line": 3}
    found = judge(content, lambda parcel: delivery(honest(parcel, problems=[problem], pdf=False), []))
    assert [p.message for p in found.problems] == ["bad"] and found.pdf is None
    assert "files as well as problems" in refused(content, lambda parcel: delivery(honest(parcel, problems=[problem])))


def test_a_worker_that_keeps_asking_for_files_is_sent_only_files_below_its_roots(client, tmp_path):
    """A delivery's 'looked for, not found' brings more files only from the folders the parcel came from."""
    folder, content = client
    (folder / "map.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("private")
    wanted = {str(folder.resolve() / "map.png"): None}
    executor = Answering(lambda parcel: delivery(honest(parcel, reads=wanted, problems=[{"message": "lacks"}],
                                                        pdf=False), []))
    [item] = build_many([content], tmp_path / "out", executor=executor)
    assert not item.ok and [problem.message for problem in item.problems] == ["lacks"]
    assert (0, "map.png") in executor.parcels[-1].files and len(executor.parcels) == 2  # sent once more, then done
    wanted[str(tmp_path.resolve() / "secret.txt")] = None  # outside: the delivery itself is refused
    [item] = build_many([content], tmp_path / "out2", executor=Answering(
        lambda parcel: delivery(honest(parcel, reads=wanted, problems=[{"message": "lacks"}], pdf=False), [])))
    assert "it names as read a file it was not sent" in item.problems[0].message
    assert not any(Path(path).name == "secret.txt" for parcel in executor.parcels for _, path in parcel.files)
