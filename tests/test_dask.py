"""Batches on a real Dask cluster: a `LocalCluster` of two worker processes (daemonic, as Dask
makes them), the default limits on, and workers that never open the client's files."""

from __future__ import annotations

import logging
import os
import shutil
import sys

import pypdf
import pytest
from helpers import minimal_brief, pdf_text, run_cli, write_yaml
from PIL import Image

import briefing
from briefing import build_many
from briefing.themes.theme import builtin_themes

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as local, Client(local) as client:
        yield local, client


def briefs(folder, count: int = 3):
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        data = minimal_brief()
        data["meta"]["title"] = f"Water sharing, part {number + 1}"
        write_yaml(folder / f"brief-{number + 1}.yaml", data)
    return folder


def test_a_batch_runs_on_a_dask_cluster_with_the_default_limits(cluster, tmp_path):
    _, client = cluster
    folder = briefs(tmp_path / "briefs")
    items = build_many([folder], tmp_path / "out", executor=client.get_executor())
    assert [item.problems for item in items] == [()] * 3
    for number, item in enumerate(items, 1):
        assert item.result.pdf == tmp_path / "out" / f"brief-{number}.pdf"
        assert f"Water sharing, part {number}" in pdf_text(item.result.pdf)
        assert item.result.inputs[(folder / f"brief-{number}.yaml").resolve()] is not None
    # Written and recorded here: the next batch finds them up to date without sending a task.
    again = build_many([folder], tmp_path / "out", executor=client.get_executor())
    assert all(item.result.cached for item in again)


def _deny_opening(folder: str) -> None:
    """On a worker: any attempt to open or list a file below `folder` fails, and is remembered."""
    import builtins

    def hook(event: str, args: tuple) -> None:
        if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.fsdecode(args[0])
            if path == folder or path.startswith(folder + os.sep):
                builtins._briefing_denied = [*getattr(builtins, "_briefing_denied", []), path]
                raise PermissionError(f"the client's file {path}")

    sys.addaudithook(hook)


def _denied() -> list[str]:
    import builtins

    return list(getattr(builtins, "_briefing_denied", []))


def test_workers_never_open_the_clients_files(cluster, tmp_path):
    """The brief, its brand file, its image and its attachment reach the workers as bytes."""
    _, client = cluster
    folder = tmp_path / "client-only"
    folder.mkdir()
    Image.new("RGB", (60, 30), (200, 30, 30)).save(folder / "map.png")
    Image.new("RGB", (30, 10), (200, 16, 46)).save(folder / "logo.png")
    shutil.copy(builtin_themes() / "default" / "fonts" / "Inter-Regular.otf", folder / "house.otf")
    (folder / "brand.yaml").write_text(
        "logo: logo.png\nlogo_alt: House logo\n"
        "font_files: [{family: House Sans, file: house.otf}]\nfonts: {display: [House Sans, sans-serif]}\n")
    (folder / "data.csv").write_text("year,value\n2021,3\n")
    data = minimal_brief(attachments=[{"path": "data.csv"}])
    data["background"]["body"] = "The basin.\n\n![A map of the basin](map.png)\n"
    content = write_yaml(folder / "brief.yaml", data)
    client.run(_deny_opening, str(folder))
    [item] = build_many([content], tmp_path / "out", executor=client.get_executor())
    assert item.problems == ()
    assert client.run(_denied) == {address: [] for address in client.scheduler_info()["workers"]}
    reader = pypdf.PdfReader(item.result.pdf)
    assert reader.attachments.get("data.csv") == [b"year,value\n2021,3\n"]
    sizes = [image.image.size for page in reader.pages for image in page.images]
    assert (60, 30) in sizes and (30, 10) in sizes  # the figure and the brand's logo
    for name in ("brief.yaml", "brand.yaml", "map.png", "logo.png", "house.otf", "data.csv"):
        assert (folder / name).resolve() in item.result.inputs, name  # the record names the client's files
    # A change here reaches the next build there.
    Image.new("RGB", (90, 30), (200, 30, 30)).save(folder / "map.png")
    [again] = build_many([content], tmp_path / "out", executor=client.get_executor())
    assert not again.result.cached
    assert any(image.image.size == (90, 30) for page in pypdf.PdfReader(again.result.pdf).pages
               for image in page.images)


def test_a_bad_brief_on_the_cluster_names_the_clients_file_and_line(cluster, tmp_path):
    _, client = cluster
    folder = briefs(tmp_path / "briefs", count=1)
    (folder / "broken.yaml").write_text("meta:\n  title: Broken\n  date: not a date\n")
    good, bad = build_many([folder / "brief-1.yaml", folder / "broken.yaml"], tmp_path / "out",
                           executor=client.get_executor())
    assert good.ok and not bad.ok
    assert all(str(problem.path) == str((folder / "broken.yaml").resolve()) or str(problem.path).endswith(
        "broken.yaml") for problem in bad.problems)
    assert any(problem.line == 3 for problem in bad.problems)
    assert not any("briefing-task-" in str(problem) for problem in bad.problems)
    assert not (tmp_path / "out" / "broken.pdf").exists()


def test_a_theme_folder_travels_with_its_briefs(cluster, tmp_path):
    _, client = cluster
    theme = tmp_path / "house"
    shutil.copytree(builtin_themes() / "default", theme)
    (theme / "brief.css").write_text((theme / "brief.css").read_text() + "\nh1 { color: rgb(0, 128, 0); }\n")
    folder = briefs(tmp_path / "briefs", count=1)
    [item] = build_many([folder], tmp_path / "out", executor=client.get_executor(), theme=theme)
    assert item.problems == ()
    assert (theme / "brief.css").resolve() in item.result.inputs
    local = briefing.build(folder / "brief-1.yaml", tmp_path / "local.pdf", theme=theme)
    assert pdf_text(local.pdf) == pdf_text(item.result.pdf)


def test_cli_sends_a_batch_to_a_scheduler(cluster, tmp_path):
    local, _ = cluster
    folder = briefs(tmp_path / "briefs", count=2)
    result = run_cli("build", str(folder), "--dask", local.scheduler_address, "--output-dir", str(tmp_path / "out"),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "out").glob("*.pdf")) == ["brief-1.pdf", "brief-2.pdf"]
    assert "2 briefs: built 2" in result.stdout


def test_cli_without_a_scheduler_is_a_clear_error(tmp_path):
    folder = briefs(tmp_path / "briefs", count=1)
    result = run_cli("build", str(folder), "--dask", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 2
    assert "error: --dask: cannot reach the scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "output").exists()
