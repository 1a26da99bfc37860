"""How fast briefing is, side by side with bare WeasyPrint on the same machine.

    make bench                                   # prints medians, ratios and the targets
    .venv/bin/python bench/run.py --write docs/performance.md   # also puts the figures in the docs

Every comparison runs its two sides interleaved in one run, so a busy machine
slows both alike; figures are medians. This is not a test: it never fails on
a slow figure, it reports it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "content" / "korea-japan-2021.yaml"
BIN = Path(sys.executable).parent
BRIEFING = [str(BIN / "briefing")] if (BIN / "briefing").exists() else [sys.executable, "-m", "briefing"]
MIB = 1024 * 1024

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generated_brief  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs per measurement (default 9)")
    parser.add_argument("--write", type=Path, help="put the results into this Markdown file, between markers")
    parser.add_argument("--only", choices=["charts", "processes"], help="run only these measurements")
    parser.add_argument("--session", choices=["pipeline", "rerender", "charts", "charts-control", "charts-rerender"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.session:  # one measurement in a process of its own; see `fresh_session`
        print(json.dumps(session(args.session, args.repeat, args.tmp)))
        return
    bench = Bench(max(args.repeat, 3))
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as folder:
        measure = {"charts": bench.charts, "processes": bench.processes}.get(args.only, bench.run)
        rows = measure(Path(folder))
        bench.describe(Path(folder))
    text = report(rows, bench)
    print(text)
    if args.write:
        write_between_markers(args.write, text)
        print(f"\nwrote {args.write}")


class Bench:
    def __init__(self, repeat: int):
        self.repeat = repeat
        self.load_before = os.getloadavg()
        self.load_after: tuple[float, ...] = ()
        self.harfbuzz = ""
        self.example_pages = 0
        self.started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    def describe(self, tmp: Path) -> None:
        """What the report says of the run: the load after it, HarfBuzz, and the example's pages."""
        import briefing
        from briefing.printing.engine import has_slow_subsetting

        self.load_after = os.getloadavg()
        self.harfbuzz = "present" if not has_slow_subsetting() else "MISSING (fontTools fallback)"
        self.example_pages = briefing.build(EXAMPLE, tmp / "pages.pdf").pages

    def run(self, tmp: Path) -> list[tuple[str, str, str, bool | None]]:
        import briefing
        from briefing.printing.engine import weasyprint

        weasyprint()
        rows = []
        n = self.repeat

        say("pipeline vs bare WeasyPrint, warm, in one process")
        theme = briefing.load_theme()
        html = briefing.render_html(briefing.load(EXAMPLE), theme)
        bare = bare_weasyprint(html, theme, tmp / "bare.pdf")
        in_process = lambda: briefing.build(EXAMPLE, tmp / "in-process.pdf", force=True, limits=None)  # noqa: E731
        print_step = lambda: briefing.print_pdf(html, theme, allowed_folders=(EXAMPLE.parent,),  # noqa: E731
                                                limits=None)
        for _ in range(2):
            bare(), in_process(), print_step()
        # The default build runs in a process of its own that only builds (with its warm worker),
        # measured there interleaved with bare WeasyPrint in that same process.
        session_times = fresh_session("pipeline", n * 2, tmp)
        ratio = median(session_times["build"]) / median(session_times["bare"])
        rows.append(("warm build with the default limits over bare WeasyPrint (example brief; rendering and "
                     "printing in the warm, bounded worker; in a process that only builds)",
                     f"{ms(session_times['build'])} vs {ms(session_times['bare'])} = {ratio:.3f}×", "≤ 1.05×",
                     ratio <= 1.05))
        times = interleaved({"in process": in_process, "print": print_step, "bare": bare}, n * 2)
        bare_median = median(times["bare"])
        ratio = median(times["in process"]) / bare_median
        rows.append(("  the same with `limits=None` (everything in this process)",
                     f"{ms(times['in process'])} vs {ms(times['bare'])} = {ratio:.3f}×", "", None))
        ratio = median(times["print"]) / bare_median
        rows.append(("  control: briefing's print step alone, in this process",
                     f"{ms(times['print'])} vs {ms(times['bare'])} = {ratio:.3f}×", "", None))
        steps = self.steps(briefing, theme, tmp)
        rows.append(("  steps alone, in this process: load / render / print / write",
                     " / ".join(ms(steps[k]) for k in steps), "", None))

        say("warm re-render after a one-word change")
        rerender = fresh_session("rerender", n * 2, tmp)
        ratio = median(rerender["build"]) / median(rerender["bare"])
        rows.append(("re-render after a one-word change (example brief, as `briefing watch` does) over the bare "
                     "warm print of that brief", f"{ms(rerender['build'])} vs {ms(rerender['bare'])} = {ratio:.3f}×",
                     "≤ 1.10×", ratio <= 1.10))
        edited = tmp / "edited.yaml"
        briefing.build(edited, tmp / "edited.pdf")

        say("unchanged rebuild")
        in_process = timed(lambda: briefing.build(edited, tmp / "edited.pdf"), n * 2)
        command = [*BRIEFING, "build", str(edited), "-o", str(tmp / "edited.pdf")]
        new_process = timed(lambda: run(command), n)
        rows.append(("unchanged rebuild, `briefing build` as a new process", ms(new_process), "≤ 100 ms",
                     median(new_process) <= 0.1))
        rows.append(("  the same, `briefing.build()` in a warm process", ms(in_process), "", None))

        say("cold: `briefing build` vs `python -m weasyprint`, new process each")
        page = tmp / "page.html"
        page.write_text(html, encoding="utf-8")
        paper = tmp / "paper.css"
        paper.write_text(theme.settings_css + "\n@page { size: A4; }", encoding="utf-8")
        styles = [argument for path in (*theme.stylesheets, paper) for argument in ("-s", str(path))]
        cold = interleaved({
            "briefing": lambda: run([*BRIEFING, "build", str(EXAMPLE), "-o", str(tmp / "cold.pdf"), "--force"]),
            "weasyprint": lambda: run([sys.executable, "-m", "weasyprint", str(page), str(tmp / "cold-wp.pdf"),
                                       "-u", f"{theme.folders[0]}/", *styles]),
        }, n)
        ratio = median(cold["briefing"]) / median(cold["weasyprint"])
        rows.append(("cold `briefing build` over cold `python -m weasyprint`, same HTML",
                     f"{ms(cold['briefing'])} vs {ms(cold['weasyprint'])} = {ratio:.2f}×", "≤ 1.1×", ratio <= 1.1))

        rows += self.processes(tmp)

        say("batches of 2 and 20 briefs: sequential vs -j 2 (new process each, --force)")
        source = EXAMPLE.read_text(encoding="utf-8")
        commands = {}
        for size in (2, 20):
            batch = tmp / f"batch-{size}"
            batch.mkdir()
            for number in range(size):
                (batch / f"brief-{number:02}.yaml").write_text(
                    source.replace("Meaningful", f"Meaningful ({number + 1})", 1), encoding="utf-8")
            base = [*BRIEFING, "build", str(batch), "--output-dir", str(tmp / f"batch-{size}-out"), "--force"]
            commands[f"-j 1, {size}"] = base
            commands[f"-j 2, {size}"] = [*base, "-j", "2"]
        batches = interleaved({name: (lambda command=command: run(command)) for name, command in commands.items()},
                              max(3, n // 3))
        one, two = (median(batches[f"-j {jobs}, 20"]) for jobs in (1, 2))
        # Past one start-up: what each of the 18 briefs beyond the first two costs.
        marginal = {jobs: (median(batches[f"-j {jobs}, 20"]) - median(batches[f"-j {jobs}, 2"])) / 18
                    for jobs in (1, 2)}
        speedup = marginal[1] / marginal[2]
        rows.append(("batch of 20, `-j 2` over `-j 1`, past one start-up (each brief beyond a batch of 2)",
                     f"{marginal[1] * 1000:.0f} ms / {marginal[2] * 1000:.0f} ms a brief = {speedup:.2f}×", "≥ 1.8×",
                     speedup >= 1.8))
        rows.append(("  the whole batch of 20, start-up included: `-j 1` / `-j 2`",
                     f"{one:.2f} s / {two:.2f} s = {one / two:.2f}×", "", None))

        say("Dask: a batch of 8 on a LocalCluster of 2 workers vs 1")
        rows.extend(self.dask(tmp, source))

        say("how cost grows: a 4-page and a ~40-page generated brief")
        sizes = {}
        for label, scale in (("small", 1), ("large", 21)):
            path = tmp / f"generated-{label}.yaml"
            path.write_text(generated_brief(scale), encoding="utf-8")
            result = briefing.build(path, tmp / f"generated-{label}.pdf", force=True)
            count = n if label == "small" else max(3, n // 3)
            bare_print = bare_weasyprint(briefing.render_html(briefing.load(path), theme), theme,
                                         tmp / f"bare-{label}.pdf")
            bare_print()
            seconds = interleaved({
                "build": lambda path=path, label=label: briefing.build(path, tmp / f"{label}.pdf", force=True),
                "bare": bare_print}, count)
            memory = peak_memory([*BRIEFING, "build", str(path), "-o", str(tmp / f"mem-{label}.pdf"), "--force",
                                  "--max-pages", "1000"])
            sizes[label] = (result.pages, seconds, memory)
        (small_pages, small, small_mem), (large_pages, large, large_mem) = sizes["small"], sizes["large"]
        growth = median(large["build"]) / median(small["build"])
        rows.append((f"{large_pages}-page over {small_pages}-page generated brief (warm)",
                     f"{s(large['build'])} / {ms(small['build'])} = {growth:.1f}×", "≤ 10×", growth <= 10))
        bare_growth = median(large["bare"]) / median(small["bare"])
        rows.append(("  the same two briefs' HTML, bare WeasyPrint",
                     f"{s(large['bare'])} / {ms(small['bare'])} = {bare_growth:.1f}×", "", None))
        rows.append((f"  peak memory, `briefing build` of the {small_pages}-page / {large_pages}-page brief",
                     f"{small_mem / MIB:.0f} MiB / {large_mem / MIB:.0f} MiB", "", None))

        say("peak memory of the example brief")
        example_mem = peak_memory([*BRIEFING, "build", str(EXAMPLE), "-o", str(tmp / "mem.pdf"), "--force"])
        rows.append(("peak memory, `briefing build` of the example brief (the largest of its processes)",
                     f"{example_mem / MIB:.0f} MiB", "≤ 150 MiB", example_mem <= 150 * MIB))
        rows += self.charts(tmp)
        return rows

    def processes(self, tmp: Path) -> list[tuple[str, str, str, bool | None]]:
        """The commands that print no PDF, each as a new process, beside the floor under them: a
        process that only imports click, PyYAML and pydantic and validates one model, as every
        briefing command must before its own work. Each is interleaved with the floor, so that a
        change of the machine's speed moves both."""
        n = self.repeat
        compile_bytecode()
        floor = lambda: run([sys.executable, "-c", FLOOR])  # noqa: E731
        rows = []
        say("`briefing --help`")
        help_times = interleaved({"help": lambda: run([*BRIEFING, "--help"]), "floor": floor}, n * 2)
        rows.append(("`briefing --help` start-up", ms(help_times["help"]), "≤ 200 ms",
                     median(help_times["help"]) <= 0.2))

        say("`briefing diff` of two example-sized briefs")
        revised = tmp / "revised.yaml"
        revised.write_text(EXAMPLE.read_text(encoding="utf-8").replace('value: "40.4%"', 'value: "41.4%"'),
                           encoding="utf-8")
        diff_command = [*BRIEFING, "diff", str(EXAMPLE), str(revised)]
        diff_times = interleaved({
            "diff": lambda: subprocess.run(diff_command, stdout=subprocess.DEVNULL, check=False), "floor": floor},
            n * 2)
        rows.append(("`briefing diff` of the example brief and a revision of it, as a new process",
                     ms(diff_times["diff"]), "≤ 150 ms", median(diff_times["diff"]) <= 0.15))

        say("`briefing cite` of the example brief")
        floors = help_times["floor"] + diff_times["floor"]
        for format_ in ("text", "csl-json"):
            cite_command = [*BRIEFING, "cite", str(EXAMPLE), "--format", format_]
            cite_times = interleaved({"cite": lambda: run(cite_command), "floor": floor}, n * 2)
            rows.append((f"`briefing cite --format {format_}` of the example brief, as a new process",
                         ms(cite_times["cite"]), "≤ 200 ms", median(cite_times["cite"]) <= 0.2))
            floors += cite_times["floor"]
        rows.append(("  floor: a new Python process that imports click, PyYAML and pydantic and validates "
                     "one model, and nothing of briefing", ms(floors), "", None))
        bare = timed(lambda: run([sys.executable, "-c", "pass"]), n * 2)
        rows.append(("  floor: a new Python process that does nothing", ms(bare), "", None))
        return rows

    def charts(self, tmp: Path) -> list[tuple[str, str, str, bool | None]]:
        """Three charts in the example brief: their cost warm, and after a prose edit."""
        from briefing.printing.engine import weasyprint

        weasyprint()
        say("the example with three charts and without, warm")
        times = fresh_session("charts", self.repeat * 2, tmp)
        ratio = median(times["charts"]) / median(times["plain"])
        rows = [("warm build of the example with three charts over the same brief without them",
                 f"{ms(times['charts'])} vs {ms(times['plain'])} = {ratio:.3f}×", "≤ 1.3×", ratio <= 1.3)]
        say("where the three charts' cost goes: bare WeasyPrint on three briefs' HTML")
        times = fresh_session("charts-control", self.repeat, tmp)
        pages = times.pop("pages")
        rows.append(("  control, bare WeasyPrint on the HTML of: the brief with the charts / the same with each chart's "
                     "drawing an empty box of its size / the brief without them",
                     " / ".join(ms(times[name]) for name in ("charts", "boxes", "plain"))
                     + f" ({pages['charts']:g} / {pages['boxes']:g} / {pages['plain']:g} pages)", "", None))
        say("re-render of the three-chart brief after a one-word change")
        times = fresh_session("charts-rerender", self.repeat * 2, tmp)
        ratio = median(times["build"]) / median(times["bare"])
        rows.append(("re-render of the three-chart brief after a one-word change over the bare warm print of "
                     "that brief", f"{ms(times['build'])} vs {ms(times['bare'])} = {ratio:.3f}×", "≤ 1.10×",
                     ratio <= 1.10))
        return rows

    def dask(self, tmp: Path, source: str) -> list[tuple[str, str, str, bool | None]]:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            return [("Dask batch of 8", "not measured: pip install 'briefing[dask]'", "≥ 1.6×", None)]
        import logging

        import briefing

        batch = tmp / "dask"
        batch.mkdir()
        for number in range(8):
            (batch / f"brief-{number}.yaml").write_text(
                source.replace("Meaningful", f"Meaningful ({number + 1})", 1), encoding="utf-8")
        clusters = {size: LocalCluster(n_workers=size, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR) for size in (1, 2)}
        try:
            clients = {size: Client(cluster) for size, cluster in clusters.items()}
            runs = {}
            for size, client in clients.items():
                executor = client.get_executor()
                runs[f"{size}"] = lambda executor=executor: _all_built(
                    briefing.build_many([batch], tmp / "dask-out", executor=executor, force=True))
                runs[f"{size}"]()  # each worker imports and warms up once
            times = interleaved(runs, max(3, self.repeat // 3))
        finally:
            for client in clients.values():
                client.close()
            for cluster in clusters.values():
                cluster.close()
        speedup = median(times["1"]) / median(times["2"])
        return [("Dask batch of 8 briefs (default limits, files sent as bytes): 1 worker / 2 workers",
                 f"{s(times['1'])} / {s(times['2'])} = {speedup:.2f}×", "≥ 1.6×", speedup >= 1.6)]

    def steps(self, briefing, theme, tmp: Path) -> dict[str, list[float]]:  # noqa: ANN001
        found: dict[str, list[float]] = {"load": [], "render": [], "print": [], "write": []}
        for _ in range(self.repeat):
            mark = time.perf_counter()
            brief = briefing.load(EXAMPLE)
            found["load"].append(time.perf_counter() - mark)
            mark = time.perf_counter()
            html = briefing.render_html(brief, theme)
            found["render"].append(time.perf_counter() - mark)
            mark = time.perf_counter()
            printed = briefing.print_pdf(html, theme, allowed_folders=(EXAMPLE.parent,), limits=None)
            found["print"].append(time.perf_counter() - mark)
            mark = time.perf_counter()
            briefing.write_pdf(printed.pdf, tmp / "steps.pdf")
            found["write"].append(time.perf_counter() - mark)
        return found


def session(kind: str, count: int, tmp: Path) -> dict[str, list[float]]:
    """Warm builds in this process alone, as a user's `briefing watch` or batch worker runs them,
    interleaved with bare WeasyPrint printing the same brief's HTML in this process."""
    import briefing

    theme = briefing.load_theme()
    source = EXAMPLE
    if kind.startswith("charts"):
        source, plain = chart_briefs(tmp)
    if kind == "charts":
        with_charts = lambda: briefing.build(source, tmp / "charts.pdf", force=True)  # noqa: E731
        without = lambda: briefing.build(plain, tmp / "plain.pdf", force=True)  # noqa: E731
        for _ in range(2):
            with_charts(), without()
        return interleaved({"charts": with_charts, "plain": without}, count)
    if kind == "charts-control":
        from pikepdf import Pdf

        html = briefing.render_html(briefing.load(source), theme)
        sides = {"charts": html, "boxes": re.sub(r'<svg [^>]*height="([\d.]+)pt".*?</svg>',
                                                 r'<div style="height:\1pt"></div>', html, flags=re.DOTALL),
                 "plain": briefing.render_html(briefing.load(plain), theme)}
        prints = {name: bare_weasyprint(text, theme, tmp / f"control-{name}.pdf") for name, text in sides.items()}
        for function in prints.values():
            function()
        found: dict = interleaved(prints, count)
        found["pages"] = {}
        for name in prints:
            with Pdf.open(tmp / f"control-{name}.pdf") as pdf:
                found["pages"][name] = len(pdf.pages)
        return found
    if kind == "pipeline":
        build = lambda: briefing.build(EXAMPLE, tmp / "session.pdf", force=True)  # noqa: E731
        build()  # the worker starts from a process that has not imported WeasyPrint, as the command's does
        bare = bare_weasyprint(briefing.render_html(briefing.load(EXAMPLE), theme), theme, tmp / "bare-s.pdf")
        for _ in range(2):
            build(), bare()
        return interleaved({"build": build, "bare": bare}, count)
    edited = tmp / "edited.yaml"
    shutil.copy(source, edited)
    briefing.build(edited, tmp / "edited.pdf", force=True)
    words = ("over historical and trade", "over historic and trade")  # a word of the background's prose
    bare = bare_weasyprint(briefing.render_html(briefing.load(edited), theme), theme, tmp / "bare-e.pdf")
    bare()
    times: dict[str, list[float]] = {"build": [], "bare": []}
    for index in range(count):
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace(words[index % 2], words[(index + 1) % 2], 1), encoding="utf-8")
        started = time.perf_counter()
        result = briefing.build(edited, tmp / "edited.pdf")
        times["build"].append(time.perf_counter() - started)
        assert not result.cached
        started = time.perf_counter()
        bare()
        times["bare"].append(time.perf_counter() - started)
    return times


def chart_briefs(tmp: Path) -> tuple[Path, Path]:
    """The example brief with the first three charts of docs/examples/chart-kinds.yaml in its
    background (citing its first source), and the same brief, written the same way, without them."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    data = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    kinds = yaml.load((ROOT / "docs" / "examples" / "chart-kinds.yaml").read_text(encoding="utf-8"))
    charts = [{**chart, "source": data["sources"][0]["id"]} for chart in kinds["background"]["charts"][:3]]
    paths = []
    for name, section in (("charts.yaml", {**data["background"], "charts": charts}), ("plain.yaml", data["background"])):
        path = tmp / name
        with path.open("w", encoding="utf-8") as handle:
            YAML().dump({**data, "background": section}, handle)
        paths.append(path)
    return paths[0], paths[1]


def fresh_session(kind: str, count: int, tmp: Path) -> dict[str, list[float]]:
    output = subprocess.run([sys.executable, __file__, "--session", kind, "--repeat", str(count), "--tmp", str(tmp)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def bare_weasyprint(html: str, theme, target: Path) -> Callable[[], None]:  # noqa: ANN001
    """WeasyPrint used well: stylesheets parsed once, one font configuration, written to a file."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheets = [CSS(filename=str(path), font_config=fonts) for path in theme.stylesheets]
    if theme.settings_css:
        stylesheets.append(CSS(string=theme.settings_css, font_config=fonts))
    stylesheets.append(CSS(string="@page { size: A4; }", font_config=fonts))
    base_url = f"{theme.folders[0]}/"

    def render() -> None:
        HTML(string=html, base_url=base_url).render(stylesheets=stylesheets, font_config=fonts).write_pdf(target)

    return render


#: What every briefing command needs before its own work: the libraries it stands on, and one model.
FLOOR = """
import click, yaml
from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
class Floor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(min_length=1)] = Field(description="one field")
Floor.model_validate({"text": "a"})
"""


def compile_bytecode() -> None:
    """Compile briefing's modules as an installed package has them, so that a new process measures
    what a user runs, not the compiling (which PYTHONDONTWRITEBYTECODE=1 would repeat every time)."""
    import compileall

    compileall.compile_dir(str(ROOT / "briefing"), quiet=1)


def say(what: str) -> None:
    """What the benchmark measures next, on standard error."""
    print(f"… {what}", file=sys.stderr, flush=True)


def _all_built(items: list) -> None:  # noqa: ANN001
    failed = [item.problems for item in items if not item.ok]
    if failed:
        raise SystemExit(f"a benchmark build failed: {failed[0]}")


def interleaved(sides: dict[str, Callable[[], object]], count: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in sides}
    for index in range(count):
        order = list(sides.items()) if index % 2 == 0 else list(reversed(sides.items()))
        for name, function in order:
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return times


def timed(function: Callable[[], object], count: int) -> list[float]:
    return interleaved({"one": function}, count)["one"]


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Starts the command and prints the peak resident memory of it or of the largest of the processes
# it waited for. A small process of its own: on Linux a child's peak starts at the peak of the
# process that started it (exec keeps it), so measured from the benchmark itself, which holds
# well over 100 MiB by then, every command would seem at least that large.
_LAUNCHER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024)
"""


def peak_memory(command: list[str]) -> int:
    """Peak resident memory of a new process running `command`, or of the largest of the child
    processes it waited for (its workers), in bytes."""
    launched = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, shutil.which(command[0]) or command[0],
                               *command[1:]], check=True, capture_output=True, text=True)
    code, peak = map(int, launched.stdout.split()[-2:])
    if code:
        raise SystemExit(f"{command} failed")
    return peak


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(values: list[float]) -> str:
    return f"{median(values) * 1000:.0f} ms"


def s(values: list[float]) -> str:
    return f"{median(values):.2f} s"


def report(rows: list[tuple[str, str, str, bool | None]], bench: Bench) -> str:
    import weasyprint

    lines = [
        f"Measured {bench.started} with `make bench` ({bench.repeat} runs per figure, medians).",
        "",
        f"- machine: {machine()}",
        f"- load average (1, 5, 15 min) before: {fmt_load(bench.load_before)}, after: {fmt_load(bench.load_after)}",
        f"- Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
        f"libharfbuzz-subset0 {bench.harfbuzz}; the example brief has {bench.example_pages} pages",
        "",
        "| measurement | median | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, value, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {value} | {target} | {verdict} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    memory = ""
    try:
        total = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        memory = f", {int(total.group(1)) / 1024 / 1024:.0f} GiB RAM" if total else ""
    except OSError:
        pass
    system = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system()) \
        if hasattr(platform, "freedesktop_os_release") and sys.platform.startswith("linux") else platform.system()
    return f"{os.cpu_count()} × {cpu}{memory}, {system}"


def fmt_load(values: tuple[float, ...]) -> str:
    return ", ".join(f"{value:.2f}" for value in values) or "?"


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_between_markers(path: Path, text: str) -> None:
    document = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
    if START not in document or END not in document:
        document += f"\n{START}\n{END}\n"
    before, rest = document.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
