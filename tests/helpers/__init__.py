"""Shared helpers: small content written in the test, real PDFs read back with independent readers."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pypdf
from ruamel.yaml import YAML

from .tools import tool

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "content" / "korea-japan-2021.yaml"


def minimal_brief(**overrides):
    """The smallest valid brief as plain data; keyword arguments replace top-level parts."""
    data = {
        "meta": {"title": "Water sharing on the Mekong", "date": "2024-05-01", "language": "en",
                 "identifier": "TB-1", "series": "Test Briefs", "keywords": ["water", "Mekong"],
                 "authors": [{"name": "Ada Analyst", "affiliation": "Test Institute"}]},
        "summary": ["Dams upstream change the river downstream."],
        "background": {
            "body": "The river crosses six countries.",
            "timeline": [{"date": 1995, "event": "The Mekong Agreement is signed."}],
            "figures": [{"value": "60 million", "label": "people depend on the river", "source": "mrc"}],
        },
        "expert_proposals": {"proposals": [{
            "expert": {"name": "Bo Expert", "role": "Professor", "affiliation": "River University"},
            "proposal": "Share data on dam releases.",
            "quote": "Data is the first dam to open.",
            "source": "mrc",
        }]},
        "outlook": {"body": "Talks resume next year.",
                    "signposts": [{"date": "2025-01", "item": "The next summit."}]},
        "sources": [{"id": "mrc", "title": "State of the Basin", "publisher": "Mekong River Commission",
                     "date": 2023}],
    }
    data.update(overrides)
    return data


def write_yaml(path: Path, data) -> Path:
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def pdf_text(path: Path, layout: bool = True) -> str:
    """Text of every page as poppler's pdftotext reads it: laid out as on the page, or (`layout=False`)
    in reading order, a column's wrapped lines one after another."""
    return subprocess.run([tool("pdftotext"), *(["-layout"] if layout else []), str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def outline_titles(path: Path) -> list[str]:
    reader = pypdf.PdfReader(str(path))

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader.outline))


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed `briefing` command as a user would (`env`: variables to add to the environment)."""
    command = shutil.which("briefing") or ""
    argv = [command, *args] if command else [sys.executable, "-m", "briefing", *args]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env} if env else None)


def walk_operators(container, seen_operator):
    """Call seen_operator(operator, operands, resources) for a content stream and the forms it draws."""
    resources = container.get("/Resources") or {}
    xobjects = resources.get("/XObject", {}) if resources else {}
    for operands, operator in pikepdf.parse_content_stream(container):
        seen_operator(str(operator), operands, xobjects)
        if str(operator) == "Do" and xobjects.get(operands[0]) is not None:
            drawn = xobjects[operands[0]]
            if drawn.get("/Subtype") == "/Form":
                walk_operators(drawn, seen_operator)


def fill_colours(pdf_path: Path, page: int = 0) -> set[tuple[float, float, float]]:
    """Every RGB colour set with rg/RG on a page (and the forms it draws), rounded to 3 places."""
    colours = set()

    def seen(operator, operands, _):
        if operator in ("rg", "RG") and len(operands) == 3:
            colours.add(tuple(round(float(value), 3) for value in operands))

    with pikepdf.open(pdf_path) as pdf:
        walk_operators(pdf.pages[page], seen)
    return colours


def as_rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


def until(builds: queue.Queue, wanted, seconds: float = 120):
    """The first reported rebuild that is `wanted`; a save can arrive as several rebuilds."""
    deadline = time.monotonic() + seconds
    while True:
        rebuild = builds.get(timeout=max(deadline - time.monotonic(), 0.1))
        if wanted(rebuild):
            return rebuild
