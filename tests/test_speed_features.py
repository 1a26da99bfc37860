"""Repeat builds skip work already done; batches, watch and the engine check behave as promised.

These tests check behaviour only; how fast things are is measured by `make bench`.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
import warnings
from concurrent.futures import Executor, Future
from pathlib import Path

import pypdf
import pytest

import briefing
from briefing import build_many
from briefing.errors import BriefError
from briefing.themes.theme import builtin_themes
from helpers import minimal_brief, pdf_text, run_cli, until, write_yaml


def brief_file(folder: Path, name: str = "brief.yaml", title: str = "Water sharing on the Mekong") -> Path:
    data = minimal_brief()
    data["meta"]["title"] = title
    return write_yaml(folder / name, data)


def copy_theme(folder: Path) -> Path:
    theme = folder / "house"
    shutil.copytree(builtin_themes() / "default", theme)
    return theme


# --- the build cache ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One brief built once; tests that only rebuild it unchanged share it."""
    folder = tmp_path_factory.mktemp("cache")
    content = brief_file(folder)
    output = folder / "out" / "brief.pdf"
    first = briefing.build(content, output)
    return content, output, first


@pytest.mark.pdf
def test_unchanged_rebuild_skips_rendering_and_leaves_the_pdf_alone(built):
    content, output, first = built
    before = output.stat().st_mtime_ns, output.read_bytes()
    again = briefing.build(content, output)
    assert not first.cached and again.cached
    assert again.pages == first.pages
    assert (output.stat().st_mtime_ns, output.read_bytes()) == before


@pytest.mark.pdf
def test_force_renders_even_when_nothing_changed(built):
    content, output, _ = built
    result = briefing.build(content, output, force=True)
    assert not result.cached
    assert "Water sharing on the Mekong" in pdf_text(output)


@pytest.mark.pdf
def test_changed_content_is_rendered_again(tmp_path):
    content = brief_file(tmp_path, title="Water sharing on the Mekong")
    output = tmp_path / "brief.pdf"
    briefing.build(content, output)
    brief_file(tmp_path, title="Water sharing on the Danube")
    result = briefing.build(content, output)
    assert not result.cached
    assert "Danube" in pdf_text(output)


@pytest.mark.pdf
def test_changed_option_is_rendered_again(tmp_path):
    content = brief_file(tmp_path)
    output = tmp_path / "brief.pdf"
    briefing.build(content, output, paper="a4")
    result = briefing.build(content, output, paper="letter")
    assert not result.cached
    box = pypdf.PdfReader(str(output)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.pdf
def test_asking_for_the_html_as_well_renders_again_once(tmp_path):
    content = brief_file(tmp_path)
    output = tmp_path / "brief.pdf"
    briefing.build(content, output)
    with_html = briefing.build(content, output, html=True)
    again = briefing.build(content, output, html=True)
    assert (with_html.cached, again.cached) == (False, True)
    assert again.html == tmp_path / "brief.html" and again.html.is_file()


@pytest.mark.pdf
def test_changed_theme_file_is_rendered_again(tmp_path):
    content = brief_file(tmp_path)
    theme = copy_theme(tmp_path)
    output = tmp_path / "brief.pdf"
    briefing.build(content, output, theme=str(theme))
    with (theme / "brief.css").open("a", encoding="utf-8") as css:
        css.write('\n.prose::after { content: "Restyled by the house theme"; }\n')
    result = briefing.build(content, output, theme=str(theme))
    assert not result.cached
    assert "Restyled by the house theme" in pdf_text(output)


@pytest.mark.pdf
def test_pdf_changed_since_its_build_is_rebuilt(tmp_path):
    content = brief_file(tmp_path)
    output = tmp_path / "brief.pdf"
    briefing.build(content, output)
    output.write_bytes(b"not the PDF that was built")
    result = briefing.build(content, output)
    assert not result.cached
    assert len(pypdf.PdfReader(str(output)).pages) == result.pages


@pytest.mark.pdf
def test_restoring_content_after_a_failed_build_needs_no_render(tmp_path):
    content = brief_file(tmp_path)
    good = content.read_bytes()
    output = tmp_path / "brief.pdf"
    briefing.build(content, output)
    content.write_text("meta:\n  title: [unclosed\n", encoding="utf-8")
    with pytest.raises(BriefError):
        briefing.build(content, output)
    content.write_bytes(good)
    assert briefing.build(content, output).cached


@pytest.mark.pdf
def test_an_unchanged_rebuild_repeats_the_warnings_of_the_build(tmp_path):
    data = minimal_brief()
    data["sources"].append({"id": "unused", "title": "Never cited", "publisher": "Nobody", "date": 2020})
    content = write_yaml(tmp_path / "brief.yaml", data)
    output = tmp_path / "brief.pdf"
    first = briefing.build(content, output)
    again = briefing.build(content, output)
    assert first.warnings and again.cached
    assert [str(warning) for warning in again.warnings] == [str(warning) for warning in first.warnings]


@pytest.mark.pdf
def test_cli_says_up_to_date_and_force_rebuilds(tmp_path):
    content = brief_file(tmp_path)
    first = run_cli("build", str(content), "-o", "brief.pdf", cwd=tmp_path)
    second = run_cli("build", str(content), "-o", "brief.pdf", cwd=tmp_path)
    forced = run_cli("build", str(content), "-o", "brief.pdf", "--force", cwd=tmp_path)
    assert [first.returncode, second.returncode, forced.returncode] == [0, 0, 0]
    assert first.stdout.startswith("wrote brief.pdf")
    assert second.stdout.startswith("up to date: brief.pdf")
    assert forced.stdout.startswith("wrote brief.pdf")


# --- batch builds ------------------------------------------------------------------------------

@pytest.mark.pdf
def test_build_of_a_folder_with_two_jobs_writes_every_brief(tmp_path):
    folder = tmp_path / "briefs"
    folder.mkdir()
    titles = {"mekong": "Water sharing on the Mekong", "nile": "Water sharing on the Nile",
              "indus": "Water sharing on the Indus"}
    for name, title in titles.items():
        brief_file(folder, f"{name}.yaml", title)
    (folder / "notes.txt").write_text("not a brief", encoding="utf-8")
    (folder / "README.md").write_text("# The briefs of this folder\n", encoding="utf-8")
    (folder / "brand.yaml").write_text('colors:\n  accent: "#aa0000"\n', encoding="utf-8")
    result = run_cli("build", "briefs", "--output-dir", "pdfs", "-j", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "pdfs").glob("*.pdf")) == \
        ["indus.pdf", "mekong.pdf", "nile.pdf"]
    for name, title in titles.items():
        assert title in pdf_text(tmp_path / "pdfs" / f"{name}.pdf")
    assert "3 briefs: built 3, in " in result.stdout
    again = run_cli("build", "briefs", "--output-dir", "pdfs", "-j", "2", cwd=tmp_path)
    assert again.returncode == 0 and "3 briefs: 3 up to date, in " in again.stdout


@pytest.mark.pdf
def test_batch_reports_a_bad_brief_with_its_line_and_builds_the_others(tmp_path):
    good = brief_file(tmp_path, "good.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta:\n  title: Missing nearly everything\n  date: 2024-05-01\n", encoding="utf-8")
    result = run_cli("build", str(good), str(bad), "--output-dir", "pdfs", "-j", "2", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "pdfs" / "good.pdf").is_file()
    assert not (tmp_path / "pdfs" / "bad.pdf").exists()
    assert f"{bad}:1:1: summary: required field is missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert "2 briefs: built 1, 1 failed, in " in result.stdout


@pytest.mark.pdf
def test_output_option_with_several_briefs_is_refused(tmp_path):
    one, two = brief_file(tmp_path, "one.yaml"), brief_file(tmp_path, "two.yaml")
    result = run_cli("build", str(one), str(two), "-o", "both.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert "--output" in result.stderr and "--output-dir" in result.stderr
    assert "Traceback" not in result.stderr


class InlineExecutor(Executor):
    """The smallest Executor: runs each task at once, counting them."""

    def __init__(self):
        self.submitted = 0

    def submit(self, function, /, *args, **kwargs):
        self.submitted += 1
        future = Future()
        future.set_result(function(*args, **kwargs))
        return future


@pytest.mark.pdf
def test_build_many_runs_on_any_executor_and_skips_briefs_already_built(tmp_path):
    contents = [brief_file(tmp_path, f"brief-{number}.yaml", f"Brief number {number}") for number in range(2)]
    executor = InlineExecutor()
    items = build_many(contents, tmp_path / "pdfs", executor=executor)
    assert executor.submitted == 2
    assert [item.ok for item in items] == [True, True]
    assert "Brief number 1" in pdf_text(tmp_path / "pdfs" / "brief-1.pdf")
    again = build_many(contents, tmp_path / "pdfs", executor=executor)
    assert executor.submitted == 2
    assert all(item.result.cached for item in again)


def test_two_briefs_that_would_write_the_same_pdf_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    contents = [brief_file(tmp_path / "a"), brief_file(tmp_path / "b")]
    with pytest.raises(BriefError, match="would overwrite"):
        build_many(contents, tmp_path / "pdfs")


# --- watch -------------------------------------------------------------------------------------

@pytest.mark.pdf
def test_watch_rebuilds_on_each_save_and_reports_errors_without_stopping(tmp_path):
    from briefing import watch

    content = brief_file(tmp_path, title="Water sharing on the Mekong")
    theme = copy_theme(tmp_path)
    output = tmp_path / "brief.pdf"
    builds: queue.Queue = queue.Queue()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(content, output),
                               kwargs={"report": builds.put, "stop": stop, "theme": str(theme)}, daemon=True)
    watcher.start()
    try:
        first = builds.get(timeout=120)
        assert first.result is not None and not first.problems

        brief_file(tmp_path, title="Water sharing on the Danube")
        until(builds, lambda rebuild: rebuild.result is not None and "Danube" in pdf_text(output))

        content.write_text("meta:\n  title: [unclosed\n", encoding="utf-8")
        broken = until(builds, lambda rebuild: any("invalid YAML" in problem.message
                                                   for problem in rebuild.problems))
        assert broken.result is None
        assert all(problem.line for problem in broken.problems)
        assert "Danube" in pdf_text(output)  # the last good PDF stays

        partial = theme / "partials" / "outlook.html.j2"
        partial.write_text(partial.read_text(encoding="utf-8") + "\n<p>Edited outlook partial</p>\n",
                           encoding="utf-8")
        brief_file(tmp_path, title="Water sharing on the Volta")
        until(builds, lambda rebuild: rebuild.result is not None and
              "Edited outlook partial" in (text := pdf_text(output)) and "Volta" in text)
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()


# --- the engine --------------------------------------------------------------------------------

def test_missing_harfbuzz_subsetter_is_warned_about_once_with_the_install_command(monkeypatch):
    from weasyprint.text import ffi

    from briefing.printing import engine

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    monkeypatch.setattr(engine, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.weasyprint()
        engine.weasyprint()
    slow = [warning for warning in caught if issubclass(warning.category, engine.SlowEngineWarning)]
    assert len(slow) == 1
    assert "libharfbuzz-subset0 is missing" in str(slow[0].message)
    assert "apt-get install libharfbuzz-subset0" in str(slow[0].message)


@pytest.mark.pdf
def test_cli_prints_the_harfbuzz_warning_as_one_line(tmp_path):
    content = brief_file(tmp_path)
    script = ("import weasyprint.text.ffi as ffi; ffi.harfbuzz_subset = None\n"
              "from briefing.cli import main\n"
              f"main(['build', {str(content)!r}, '-o', 'one.pdf'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "libharfbuzz-subset0" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: ")
    assert "Traceback" not in result.stderr and (tmp_path / "one.pdf").is_file()


@pytest.mark.pdf
def test_weasyprint_is_loaded_without_starting_other_programs():
    script = (
        "import subprocess\n"
        "started = []\n"
        "original = subprocess.Popen.__init__\n"
        "def record(self, args, *rest, **options):\n"
        "    started.append(args)\n"
        "    original(self, args, *rest, **options)\n"
        "subprocess.Popen.__init__ = record\n"
        "from briefing.printing.engine import weasyprint\n"
        "weasyprint().HTML(string='<p>x</p>').write_pdf()\n"
        "print(started)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.pdf
def test_build_many_on_a_forked_executor_after_rendering_here(tmp_path):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from briefing.printing.typeset import font_folders

    here = brief_file(tmp_path, "here.yaml")
    briefing.build(here, tmp_path / "here.pdf", limits=None)
    [fonts_here] = font_folders()  # where this process's font configuration keeps the theme's fonts
    assert fonts_here.is_dir()
    there = brief_file(tmp_path, "there.yaml", "Built in a forked worker")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as executor:
        [item] = build_many([there], tmp_path / "pdfs", executor=executor)
    assert item.ok, item.problems
    assert "Built in a forked worker" in pdf_text(tmp_path / "pdfs" / "there.pdf")
    # The worker dropped the fonts it inherited without deleting the files this process still uses.
    assert fonts_here.is_dir() and any(fonts_here.iterdir())


@pytest.mark.pdf
def test_a_save_made_during_a_build_is_not_recorded_as_built(tmp_path, monkeypatch):
    import importlib

    pipeline = importlib.import_module("briefing.printing.typeset")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    output = tmp_path / "brief.pdf"
    saved = minimal_brief()
    saved["meta"]["title"] = "Saved while printing"
    real_print = pipeline.print_pdf

    def print_while_saving(*args, **kwargs):
        write_yaml(content, saved)  # the analyst saves while the old version is being printed
        return real_print(*args, **kwargs)

    monkeypatch.setattr(pipeline, "print_pdf", print_while_saving)
    assert not briefing.build(content, output).cached
    monkeypatch.setattr(pipeline, "print_pdf", real_print)
    again = briefing.build(content, output)
    assert not again.cached
    assert "Saved while printing" in pdf_text(output)
