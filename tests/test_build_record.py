"""The record of what a build read: the cache and watch follow it, files beside the content load."""

from __future__ import annotations

import importlib
import json
import os
import queue
import shutil
import threading
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import briefing
from briefing.commands import cache
from briefing.themes.theme import builtin_themes
from helpers import minimal_brief, pdf_text, until, write_yaml

pytestmark = pytest.mark.pdf

typeset = importlib.import_module("briefing.printing.typeset")


def attachment_data(pdf_path: Path, name: str) -> bytes:
    with pikepdf.open(pdf_path) as pdf:
        return pdf.attachments[name].get_file().read_bytes()


def image_sizes(pdf_path: Path) -> list[tuple[int, int]]:
    with pikepdf.open(pdf_path) as pdf:
        return sorted((int(image.Width), int(image.Height)) for page in pdf.pages
                      for image in page.get_images().values())


def brand_folder(folder: Path) -> Path:
    """A brief with a brand (logo and a font file of its own) and an attachment, all beside it."""
    Image.new("RGB", (30, 10), (200, 16, 46)).save(folder / "logo.png")
    shutil.copy(builtin_themes() / "default" / "fonts" / "Inter-Regular.otf", folder / "house.otf")
    (folder / "brand.yaml").write_text(
        "logo: logo.png\nlogo_alt: House logo\n"
        "font_files: [{family: House Sans, file: house.otf}]\nfonts: {display: [House Sans, sans-serif]}\n",
        encoding="utf-8")
    (folder / "data.csv").write_text("year,value\n2020,1\n", encoding="utf-8")
    return write_yaml(folder / "brief.yaml", minimal_brief(attachments=[{"path": "data.csv"}]))


def test_watch_rebuilds_after_an_edit_to_the_logo_a_brand_font_and_an_attachment(tmp_path):
    content = brand_folder(tmp_path)
    output = tmp_path / "out" / "brief.pdf"
    builds: queue.Queue = queue.Queue()
    stop = threading.Event()
    watcher = threading.Thread(target=briefing.watch, args=(content, output),
                               kwargs={"report": builds.put, "stop": stop}, daemon=True)
    watcher.start()
    try:
        first = builds.get(timeout=120)
        assert first.result is not None, first.problems
        assert {tmp_path / "logo.png", tmp_path / "house.otf", tmp_path / "data.csv"} <= set(first.result.inputs)
        assert (30, 10) in image_sizes(output)

        Image.new("RGB", (60, 10), (11, 79, 108)).save(tmp_path / "logo.png")
        rebuild = until(builds, lambda r: r.result is not None and tmp_path / "logo.png" in r.changed)
        assert not rebuild.result.cached and (60, 10) in image_sizes(output)

        before = output.read_bytes()
        shutil.copy(builtin_themes() / "default" / "fonts" / "Inter-Bold.otf", tmp_path / "house.otf")
        rebuild = until(builds, lambda r: r.result is not None and tmp_path / "house.otf" in r.changed)
        assert not rebuild.result.cached and output.read_bytes() != before

        (tmp_path / "data.csv").write_text("year,value\n2020,1\n2021,2\n", encoding="utf-8")
        rebuild = until(builds, lambda r: r.result is not None and tmp_path / "data.csv" in r.changed)
        assert not rebuild.result.cached
        assert attachment_data(output, "data.csv") == b"year,value\n2020,1\n2021,2\n"
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()


def test_a_relative_image_beside_the_content_loads_and_a_change_makes_the_next_build_render(tmp_path):
    Image.new("RGB", (40, 20), (0, 0, 0)).save(tmp_path / "map.png")
    data = minimal_brief()
    data["background"]["body"] = "The basin.\n\n![A map of the basin](map.png)\n"
    content = write_yaml(tmp_path / "brief.yaml", data)
    output = tmp_path / "brief.pdf"
    first = briefing.build(content, output)
    assert (40, 20) in image_sizes(output)
    assert (tmp_path / "map.png").resolve() in first.inputs
    assert briefing.build(content, output).cached

    Image.new("RGB", (80, 20), (0, 0, 0)).save(tmp_path / "map.png")
    again = briefing.build(content, output)
    assert not again.cached and (80, 20) in image_sizes(output)


def test_a_theme_image_named_relatively_in_a_template_is_still_found_in_the_theme(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(builtin_themes() / "default", theme)
    Image.new("RGB", (24, 12), (0, 0, 0)).save(theme / "mark.png")
    masthead = theme / "partials" / "masthead.html.j2"
    masthead.write_text('<img src="mark.png" alt="Mark">\n' + masthead.read_text(encoding="utf-8"),
                        encoding="utf-8")
    (tmp_path / "brief").mkdir()
    content = write_yaml(tmp_path / "brief" / "brief.yaml", minimal_brief())
    briefing.build(content, tmp_path / "brief.pdf", theme=theme)
    assert (24, 12) in image_sizes(tmp_path / "brief.pdf")


def test_an_attachment_saved_during_a_print_makes_the_next_build_render(tmp_path, monkeypatch):
    (tmp_path / "data.csv").write_text("old\n", encoding="utf-8")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(attachments=[{"path": "data.csv"}]))
    output = tmp_path / "brief.pdf"
    real_print = typeset.print_pdf

    def print_while_saving(*args, **kwargs):
        (tmp_path / "data.csv").write_text("new\n", encoding="utf-8")  # saved while the old one prints
        return real_print(*args, **kwargs)

    monkeypatch.setattr(typeset, "print_pdf", print_while_saving)
    assert not briefing.build(content, output).cached
    monkeypatch.setattr(typeset, "print_pdf", real_print)
    assert attachment_data(output, "data.csv") == b"old\n"
    again = briefing.build(content, output)
    assert not again.cached and attachment_data(output, "data.csv") == b"new\n"


# --- the record beside a PDF is untrusted -------------------------------------------------------

@pytest.fixture()
def built(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    output = tmp_path / "brief.pdf"
    briefing.build(content, output)
    assert briefing.build(content, output).cached
    return content, output


def rewrite_record(output: Path, change) -> None:
    path = cache.stamp_path(output)
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record), encoding="utf-8")


def test_a_record_that_lists_no_outputs_does_not_vouch_for_a_deleted_pdf(built):
    content, output = built
    rewrite_record(output, lambda record: record.update(outputs={}))
    output.unlink()
    result = briefing.build(content, output)
    assert not result.cached and output.is_file() and "Mekong" in pdf_text(output)


def test_a_record_that_vouches_for_a_garbage_pdf_means_a_rebuild(built):
    content, output = built
    output.write_bytes(b"not a pdf")
    assert not briefing.build(content, output).cached
    assert output.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("warnings", [[{"message": 3}], ["text"], [{"line": "x", "message": "m"}], 7])
def test_malformed_warnings_in_a_record_mean_a_rebuild_not_a_traceback(built, warnings):
    content, output = built
    rewrite_record(output, lambda record: record.update(warnings=warnings))
    assert not briefing.build(content, output).cached


def test_warnings_without_a_path_in_a_record_are_read(built):
    content, output = built
    rewrite_record(output, lambda record: record.update(warnings=[{"message": "note", "severity": "warning"}]))
    result = briefing.build(content, output)
    assert result.cached and [problem.message for problem in result.warnings] == ["note"]


def test_record_inputs_naming_a_fifo_or_dev_zero_do_not_hang_the_lookup(built, tmp_path):
    content, output = built
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    rewrite_record(output, lambda record: record["inputs"].update({str(fifo): "0" * 64, "/dev/zero": "0" * 64}))
    started = time.monotonic()
    assert not briefing.build(content, output).cached
    assert time.monotonic() - started < 60  # a hang would never return; this only bounds the wait


def test_a_link_planted_where_the_record_is_written_does_not_redirect_the_write(built, tmp_path):
    content, output = built
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    stamp = cache.stamp_path(output)
    planted = stamp.with_name(f"{stamp.name}.{os.getpid()}.part")
    planted.symlink_to(victim)
    briefing.build(content, output, force=True)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert briefing.build(content, output).cached
