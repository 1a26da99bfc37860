"""Where a warm build's time goes: each step of `briefing.build()` timed, against bare WeasyPrint.

    .venv/bin/python bench/profile.py            # the example brief, 12 warm builds
    .venv/bin/python bench/profile.py --large    # the ~40-page generated brief

Run in a process that only builds, as `briefing watch` or a batch worker does:
the first build starts the warm workers, the next two warm them up, the rest
are timed. Each step is the median of its calls, in the order first called;
the rendering and printing jobs are timed as the caller waits for them (the
work in the worker plus the round trip); "bare" is WeasyPrint alone on the
same HTML, interleaved with the builds.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generated_brief  # noqa: E402
from run import EXAMPLE, bare_weasyprint  # noqa: E402

STEPS = [  # (module, function, label), in the order a build calls them
    ("briefing.commands.build", "key_of", "cache key"),
    ("briefing.themes.theme", "load_theme", "load the theme"),
    ("briefing.content.load", "check", "load and check the content"),
    ("briefing.sandbox.workers", "run", "{step} job (in the worker, plus the round trip)"),
    ("briefing.content.review", "glyph_problems", "missing glyphs"),
    ("briefing.commands.preflight", "findings", "preflight findings"),
    ("briefing.commands.build", "deliver", "write and record"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="the ~40-page generated brief")
    parser.add_argument("--repeat", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-profile-") as folder:
        tmp = Path(folder)
        content = EXAMPLE
        if args.large:
            content = tmp / "large.yaml"
            content.write_text(generated_brief(21), encoding="utf-8")
        profile(content, tmp, args.repeat)


def profile(content: Path, tmp: Path, repeat: int) -> None:
    import importlib

    import briefing
    from briefing.commands import build as build_module

    times: dict[str, list[float]] = {}
    for module_name, name, label in STEPS:
        module = importlib.import_module(module_name)
        setattr(module, name, _timed(getattr(module, name), label, times))
    options = {"force": True}
    build = lambda: build_module.build(content, tmp / "profile.pdf", **options)  # noqa: E731
    build()
    theme = briefing.load_theme()
    bare = bare_weasyprint(briefing.render_html(briefing.load(content), theme), theme, tmp / "bare.pdf")
    for _ in range(2):
        build(), bare()
    times.clear()
    totals: dict[str, list[float]] = {"build": [], "bare": []}
    for _ in range(repeat):
        for label, function in (("build", build), ("bare", bare)):
            started = time.perf_counter()
            function()
            totals[label].append(time.perf_counter() - started)
    build_ms, bare_ms = (statistics.median(totals[label]) * 1000 for label in ("build", "bare"))
    print(f"{content.name}: warm build {build_ms:.0f} ms, bare WeasyPrint {bare_ms:.0f} ms, "
          f"{build_ms / bare_ms:.3f}× ({repeat} builds, medians)")
    print("| step | median | calls per build |")
    print("| --- | --- | --- |")
    for label, found in times.items():
        print(f"| {label} | {statistics.median(found) * 1000:.1f} ms | {len(found) / repeat:g} |")


def _timed(function, label: str, times: dict[str, list[float]]):  # noqa: ANN001, ANN202
    @functools.wraps(function)
    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            named = label.format(step=args[4]) if "{step}" in label else label  # workers.run(…, name, step)
            times.setdefault(named, []).append(time.perf_counter() - started)

    return timed


if __name__ == "__main__":
    main()
