"""Bounded work: pathological styles and content end in a clear error within limits the
user sets, and the print process is gone afterwards."""

from __future__ import annotations

import multiprocessing
import struct
import zlib
from pathlib import Path

import pytest
from helpers import minimal_brief, run_cli, write_yaml

from briefing.errors import BriefError
from briefing.sandbox.limits import Limits
from briefing.printing.typeset import print_pdf


def problems(html: str, folder: Path | None = None, **limits) -> list[str]:
    with pytest.raises(BriefError) as raised:
        print_pdf(html, allowed_folders=(folder,) if folder else (), limits=Limits(**limits), name="brief.yaml")
    assert multiprocessing.active_children() == []
    return [str(problem) for problem in raised.value.problems]


def page_breaks(count: int) -> str:
    return "<html><body>" + "<div style='break-before: page'>x</div>" * count + "</body></html>"


def blank_png(path: Path, width: int, height: int) -> Path:
    """A PNG that is small on disk and large in memory, written row by row."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = bytes(1 + 3 * width)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


@pytest.mark.pdf
def test_forced_page_breaks_stop_at_the_page_limit():
    assert problems(page_breaks(600), max_pages=20) == [
        "brief.yaml: the brief runs past the 20-page limit (raise it with --max-pages)"]


@pytest.mark.pdf
def test_endless_layout_stops_at_the_time_limit():
    assert problems(page_breaks(30000), max_pages=None, timeout=1) == [
        "brief.yaml: printing took longer than the 1 s limit (raise it with --timeout)"]


def figure_pages(folder: Path) -> tuple[str, str]:
    """A page with a small figure and one with a huge figure: 230 KiB on disk, 232 MiB decoded."""
    html = "<html><body><p>Figure</p><img src='{}' style='width: 5cm'></body></html>"
    small = blank_png(folder / "small.png", 900, 900)
    huge = blank_png(folder / "huge.png", 9000, 9000)
    return html.format(small.as_uri()), html.format(huge.as_uri())


@pytest.mark.pdf
def test_huge_image_stops_at_the_memory_limit(tmp_path):
    small, huge = figure_pages(tmp_path)
    limits = Limits(max_memory=400)
    assert print_pdf(small, allowed_folders=(tmp_path,), limits=limits).pages == 1
    assert problems(huge, tmp_path, max_memory=400) == [
        "brief.yaml: printing needed more than the 400 MiB memory limit (raise it with --max-memory)"]


@pytest.mark.pdf
def test_thousands_of_nested_elements_end_in_a_clear_error():
    html = "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>"
    assert problems(html) == ["brief.yaml: the document is nested too deeply to lay out"]


def test_enormous_font_size_ends_in_a_clear_error():
    [problem] = problems("<html><body><p style='font-size: 1e9px'>big</p></body></html>")
    assert problem.startswith("brief.yaml: WeasyPrint could not print it: ")


@pytest.mark.parametrize("limit", ["timeout", "max_pages", "max_memory"])
def test_limits_must_be_positive(limit):
    with pytest.raises(BriefError) as raised:
        Limits(**{limit: 0})
    assert [str(problem) for problem in raised.value.problems] == [f"limits: {limit}: must be positive, got 0"]


@pytest.mark.pdf
@pytest.mark.parametrize("limit", ["timeout", "max-pages", "max-memory"])
def test_cli_names_a_bad_limit_by_its_flag(tmp_path, limit):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), f"--{limit}", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert any(line.startswith(f"error: --{limit}: must be positive, got 0") for line in result.stderr.splitlines())
    assert "Traceback" not in result.stderr and not (tmp_path / "output").exists()


@pytest.mark.pdf
def test_cli_page_limit_is_an_error_with_exit_status_2(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--max-pages", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: {content}: the brief runs past the 1-page limit (raise it with --max-pages)" \
        in result.stderr.splitlines()
    assert not (tmp_path / "output").exists()


@pytest.mark.pdf
def test_cli_time_limit_on_a_theme_that_never_ends(tmp_path):
    theme = tmp_path / "endless"
    theme.mkdir()
    (theme / "base.html.j2").write_text(
        "<html><body>{% for n in range(50000) %}<div style='break-before: page'>{{ n }}</div>{% endfor %}"
        "</body></html>")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--theme", str(theme), "--timeout", "1", "--max-pages", "100000",
                     cwd=tmp_path)
    assert result.returncode == 2
    # Printing 50,000 pages never ends within the second; on a loaded machine rendering them may
    # already take it. Either way the limit stops the build with the same located error.
    assert any(line in result.stderr.splitlines() for line in (
        f"error: {content}: printing took longer than the 1 s limit (raise it with --timeout)",
        f"error: {content}: rendering took longer than the 1 s limit (raise it with --timeout)"))


@pytest.mark.pdf
def test_normal_brief_stays_well_inside_the_default_limits(example_pdf):
    import pypdf

    # example_pdf was built with the defaults; it has a small fraction of the pages allowed.
    assert len(pypdf.PdfReader(example_pdf).pages) * 20 < Limits().max_pages


def test_command_line_defaults_are_the_api_defaults():
    from briefing.cli.build import build

    defaults = {param.name: param.default for param in build.params}
    assert (defaults["timeout"], defaults["max_pages"], defaults["max_memory"]) == (
        Limits().timeout, Limits().max_pages, Limits().max_memory)
