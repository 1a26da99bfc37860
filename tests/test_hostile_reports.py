"""Hostile reports (and briefs) for `attach`: each class of defect, with payloads of our own.

The PDFs are made here with pikepdf, and every result is read back with the qpdf command
(`qpdf --check`, `qpdf --json`), a reader independent of the code under test. Each command
runs in a session of its own, and no process of that session may outlive it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from briefing import Limits, attach
from briefing.errors import BriefError

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes

CORPUS = Path(__file__).parent / "corpus" / "qpdf"


# --- the files ------------------------------------------------------------------------------------

def _pages(pdf: pikepdf.Pdf, count: int, text: str) -> None:
    for number in range(count):
        page = pdf.add_blank_page(page_size=(595, 842))
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text} {number + 1}) Tj ET".encode())


def _outline(pdf: pikepdf.Pdf, titles: list[str]) -> None:
    with pdf.open_outline() as outline:
        for number, title in enumerate(titles):
            outline.root.append(pikepdf.OutlineItem(title, number))


@pytest.fixture(scope="module")
def brief(tmp_path_factory) -> Path:
    """A two-page brief with an outline, a named destination and a link to it."""
    path = tmp_path_factory.mktemp("brief") / "brief.pdf"
    with pikepdf.new() as pdf:
        _pages(pdf, 2, "Brief page")
        _outline(pdf, ["Summary", "Outlook"])
        pdf.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(
            [pikepdf.String("outlook"), pikepdf.Array([pdf.pages[1].obj, pikepdf.Name.Fit])])))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 600, 200, 620],
            Dest=pikepdf.String("outlook"))]))
        pdf.docinfo.Title = "A brief"
        pdf.save(path)
    return path


def _report(path: Path, change=None) -> Path:
    """A three-page report, changed by `change(pdf)` before it is saved."""
    with pikepdf.new() as pdf:
        _pages(pdf, 3, "Report page")
        _outline(pdf, ["Chapter 1", "Chapter 2", "Chapter 3"])
        if change is not None:
            change(pdf)
        pdf.save(path)
    return path


def _command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`briefing ARGS` in a session of its own; no process of that session may be left after it."""
    process = subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
            process.wait()
    assert _session(process.pid) == [], "processes outlived the command"
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _session(sid: int) -> list[int]:
    """Processes still running in session `sid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                found.append(int(entry))
    return found


def _check(path: Path) -> int:
    """`qpdf --check`'s exit status: 0 clean, 3 warnings, 2 errors."""
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, timeout=120).returncode


def _objects(path: Path) -> list[dict]:
    """Every dictionary of the PDF as qpdf's JSON shows it (stream dictionaries too)."""
    dump = json.loads(subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", str(path)], capture_output=True,
                                     text=True, timeout=120, check=True).stdout)
    found = []
    stack = list(dump["qpdf"][1].values())
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "stream" in value and isinstance(value["stream"], dict):
                value = value["stream"].get("dict", {})
            found.append(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _one_clear_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- 1, 2: walks that loop or fan out --------------------------------------------------------------

def _script(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(9)")))


def _looping_open_action(pdf):
    first = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[0].obj,
                                                                                          pikepdf.Name.Fit])))
    second = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[1].obj,
                                                                                           pikepdf.Name.Fit])))
    first.Next, second.Next = second, pikepdf.Array([first, _script(pdf)])
    pdf.Root.OpenAction = first


def _self_loop(pdf):
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[0].obj,
                                                                                           pikepdf.Name.Fit])))
    action.Next = pikepdf.Array([action, action, _script(pdf)])
    pdf.Root.OpenAction = action


def _doubling_link(pdf):
    """A link whose action chain doubles at every step, 80 steps deep: 2**80 paths, 80 actions."""
    action = _script(pdf)
    for _ in range(80):
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.GoTo, Next=pikepdf.Array([action, action]),
                                                      D=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])))
    pdf.pages[2].obj.Annots = pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.Annot,
                                                                Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9],
                                                                A=action)])


def _long_chain(pdf):
    """JavaScript at the end of a chain of 20,000 harmless actions."""
    action = _script(pdf)
    for _ in range(20_000):
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.Named, N=pikepdf.Name.NextPage, Next=action))
    pdf.Root.OpenAction = action


@pytest.mark.parametrize("payload", [_looping_open_action, _self_loop, _doubling_link, _long_chain],
                         ids=lambda payload: payload.__name__.strip("_"))
def test_action_chains_that_loop_or_fan_out_are_judged_once_and_removed(brief, tmp_path, payload):
    report = _report(tmp_path / "report.pdf", payload)
    result = _command("attach", str(brief), "--to", str(report), "-o", "out.pdf", "--timeout", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: removed active content from the report:" in result.stdout
    assert "Traceback" not in result.stderr
    out = tmp_path / "out.pdf"
    assert _check(out) == 0
    assert not [item for item in _objects(out) if "/JS" in item or item.get("/S") == "/JavaScript"]


# --- 3: only regular files, refused at once ------------------------------------------------------

@pytest.mark.parametrize("which", ["report", "brief"])
@pytest.mark.parametrize("kind", ["dev-zero", "link-to-dev-zero", "fifo", "folder", "dev-null"])
def test_a_report_or_brief_that_is_not_a_regular_file_is_refused_at_once(brief, tmp_path, kind, which):
    target = tmp_path / "odd.pdf"
    if kind == "dev-zero":
        target = Path("/dev/zero")
    elif kind == "dev-null":
        target = Path("/dev/null")
    elif kind == "link-to-dev-zero":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    report = _report(tmp_path / "report.pdf")
    args = [str(brief), "--to", str(target)] if which == "report" else [str(target), "--to", str(report)]
    line = _one_clear_line(_command("attach", *args, "-o", "out.pdf", cwd=tmp_path))
    assert "not a PDF file; refused" in line
    assert not (tmp_path / "out.pdf").exists()


def test_a_merge_longer_than_the_time_limit_is_killed_from_outside(brief, tmp_path):
    """qpdf works on 400,000 nulls inside C++; the wall clock ends it by killing the worker."""
    line = _one_clear_line(_command("attach", str(brief), "--to", str(CORPUS / "many-nulls.pdf"), "-o", "out.pdf",
                                    "--timeout", "0.05", cwd=tmp_path))
    assert "attaching took longer than the 0.05 s limit" in line
    assert not (tmp_path / "out.pdf").exists()


# --- 4: every action that runs code or leaves the file -------------------------------------------

def _action(pdf, kind: str, **entries):
    return pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name(kind), **entries))


def _outline_script(depth: int):
    """JavaScript on the outline item `depth` levels below the first bookmark."""
    def change(pdf):
        parent = pdf.Root.Outlines.First
        for level in range(depth):
            child = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(f"Level {level + 1}"), Parent=parent,
                                                         Dest=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])))
            parent.First = parent.Last = child
            parent.Count = -1
            parent = child
        parent.A = _script(pdf)
    return change


def _xfa(pdf):
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pdf.make_stream(
        b"<xdp:xdp><script>app.alert(9)</script></xdp:xdp>"))


def _field_action(pdf):
    field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Btn, T=pikepdf.String("go"), A=_script(pdf),
                                                 AA=pikepdf.Dictionary(K=_script(pdf))))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))


def _links(*actions):
    def change(pdf):
        pdf.pages[1].obj.Annots = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=action(pdf))
            for action in actions])
    return change


ACTIONS = {
    "outline-script-1-deep": _outline_script(1),
    "outline-script-40-deep": _outline_script(40),
    "xfa": _xfa,
    "field-action": _field_action,
    "gotor-unc": _links(lambda pdf: _action(pdf, "/GoToR", F=pikepdf.String(r"\\attacker\share\x.pdf"),
                                            D=pikepdf.Array([0, pikepdf.Name.Fit]))),
    "gotoe": _links(lambda pdf: _action(pdf, "/GoToE", T=pikepdf.Dictionary(R=pikepdf.Name.C))),
    "launch": _links(lambda pdf: _action(pdf, "/Launch", F=pikepdf.String("calc.exe"))),
    "submit-import": _links(lambda pdf: _action(pdf, "/SubmitForm", F=pikepdf.String("http://x.invalid/")),
                            lambda pdf: _action(pdf, "/ImportData", F=pikepdf.String("data.fdf"))),
    "javascript-uris": _links(lambda pdf: _action(pdf, "/URI", URI=pikepdf.String("javascript:app.alert(9)")),
                              lambda pdf: _action(pdf, "/URI", URI=pikepdf.String(" JavaScript:app.alert(9)")),
                              lambda pdf: _action(pdf, "/URI", URI=pikepdf.String("java\tscript:alert(9)"))),
    "file-and-unc-uris": _links(lambda pdf: _action(pdf, "/URI", URI=pikepdf.String(r"\\attacker\share")),
                                lambda pdf: _action(pdf, "/URI", URI=pikepdf.String("file://attacker/share"))),
    "unknown-action-type": _links(lambda pdf: _action(pdf, "/SomethingNew")),
    "script-behind-a-goto": _links(lambda pdf: _action(pdf, "/GoTo", D=pikepdf.Array([0, pikepdf.Name.Fit]),
                                                       Next=_script(pdf))),
    "rich-media": lambda pdf: pdf.pages[0].obj.__setattr__("Annots", pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=[0, 0, 9, 9])])),
}

#: Action types that run something or leave the file (as the payloads above name them).
GONE = {"/JavaScript", "/Launch", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData", "/SomethingNew"}


def _active_left(path: Path) -> list[dict]:
    """Every active thing qpdf still finds in the file."""
    left = []
    for item in _objects(path):
        uri = str(item.get("/URI", ""))
        uri = uri[2:] if uri.startswith("u:") else uri
        if "/JS" in item or "/AA" in item or "/XFA" in item or item.get("/Subtype") == "/RichMedia" \
                or item.get("/S") in GONE \
                or (item.get("/S") == "/URI" and not uri.startswith(("http://", "https://", "mailto:"))):
            left.append(item)
    return left


@pytest.mark.parametrize("which", ["report", "brief"])
@pytest.mark.parametrize("payload", list(ACTIONS), ids=list(ACTIONS))
def test_every_action_that_runs_code_or_leaves_the_file_is_removed_and_listed(brief, tmp_path, payload, which):
    hostile = _report(tmp_path / "hostile.pdf", ACTIONS[payload])
    plain = _report(tmp_path / "plain.pdf")
    pair = (hostile, plain) if which == "brief" else (brief, hostile)
    result = attach(*pair, tmp_path / "out.pdf")
    assert any(note.startswith(f"removed active content from the {which}:") for note in result.notes), result.notes
    assert _active_left(tmp_path / "out.pdf") == []
    assert _check(tmp_path / "out.pdf") == 0
    assert b"alert" not in subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(tmp_path / "out.pdf"),
                                           "-"], capture_output=True, timeout=60).stdout


def test_web_links_and_links_within_the_file_are_kept(brief, tmp_path):
    report = _report(tmp_path / "report.pdf", _links(
        lambda pdf: _action(pdf, "/URI", URI=pikepdf.String("https://example.org/report")),
        lambda pdf: _action(pdf, "/GoTo", D=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]))))
    result = attach(brief, report, tmp_path / "out.pdf")
    assert not [note for note in result.notes if "active content" in note]
    kinds = sorted(item["/S"] for item in _objects(tmp_path / "out.pdf") if item.get("/S") in ("/URI", "/GoTo"))
    assert kinds == ["/GoTo", "/URI"]


# --- 5: damaged structures, without a traceback --------------------------------------------------

def _kids_hold_themselves(pdf):
    field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("loop")))
    field.Kids = pikepdf.Array([field, field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))


def _fields_5000_deep(pdf):
    top = field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("f0")))
    for level in range(5000):
        child = pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String(f"f{level + 1}"), Parent=field,
                                                     AA=pikepdf.Dictionary(K=_script(pdf))))
        field.Kids = pikepdf.Array([child])
        field = child
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([top]))


def _annots_not_dictionaries(pdf):
    pdf.pages[0].obj.Annots = pikepdf.Array([1, pikepdf.Name.Oops, None, pikepdf.String("x"), pikepdf.Array()])
    pdf.pages[1].obj.Annots = 7
    pdf.pages[2].obj.Annots = pikepdf.Dictionary(Not="a list")


def _fields_not_a_list(pdf):
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Dictionary(Kids=3))
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=5, Dests=pikepdf.Array([1, 2]))


def _outline_loops(pdf):
    first = pdf.Root.Outlines.First
    first.Next.Next.Next = first  # the top level comes back to its start
    first.First = first.Last = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("inner"), Parent=first))
    first.First.Next = first.First


def _outline_5000_deep(pdf):
    parent = pdf.Root.Outlines.First
    for level in range(5000):
        child = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(f"L{level}"), Parent=parent,
                                                     A=_script(pdf)))
        parent.First = parent.Last = child
        parent = child


def _labels_damaged(pdf):
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, 5, pikepdf.Name.X, pikepdf.Dictionary(S=3),
                                                                 2, pikepdf.Dictionary(St=pikepdf.String("x"))]))


def _page_count_wrong(pdf):
    pdf.Root.Pages.Count = 99


DAMAGE = {"kids-hold-themselves": _kids_hold_themselves, "fields-5000-deep": _fields_5000_deep,
          "annots-not-dictionaries": _annots_not_dictionaries, "fields-not-a-list": _fields_not_a_list,
          "outline-loops": _outline_loops, "outline-5000-deep": _outline_5000_deep,
          "labels-damaged": _labels_damaged, "page-count-wrong": _page_count_wrong}


@pytest.mark.parametrize("which", ["report", "brief"])
@pytest.mark.parametrize("payload", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_fields_annotations_outlines_and_labels_end_without_a_traceback(brief, tmp_path, payload, which):
    hostile = _report(tmp_path / "hostile.pdf", DAMAGE[payload])
    plain = _report(tmp_path / "plain.pdf")
    pair = (hostile, plain) if which == "brief" else (brief, hostile)
    result = _command("attach", str(pair[0]), "--to", str(pair[1]), "-o", "out.pdf", "--timeout", "60",
                      cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 0:
        assert _check(tmp_path / "out.pdf") == 0
        with pikepdf.open(tmp_path / "out.pdf") as pdf:
            assert len(pdf.pages) == 3 + (3 if which == "brief" else 2)
    else:
        _one_clear_line(result)


# --- 6: -o naming an input -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["brief", "report", "report-by-another-path", "link-to-brief", "hard-link-to-report"])
def test_an_output_naming_the_brief_or_the_report_is_refused_and_leaves_both(brief, tmp_path, kind):
    local_brief = tmp_path / "brief.pdf"
    local_brief.write_bytes(brief.read_bytes())
    report = _report(tmp_path / "report.pdf")
    before = {path: path.read_bytes() for path in (local_brief, report)}
    output = {"brief": "brief.pdf", "report": "report.pdf", "report-by-another-path": "./sub/../report.pdf",
              "link-to-brief": "link.pdf", "hard-link-to-report": "hard.pdf"}[kind]
    (tmp_path / "sub").mkdir()
    if kind == "link-to-brief":
        (tmp_path / "link.pdf").symlink_to(local_brief)
    if kind == "hard-link-to-report":
        os.link(report, tmp_path / "hard.pdf")
    line = _one_clear_line(_command("attach", "brief.pdf", "--to", "report.pdf", "-o", output, cwd=tmp_path))
    assert "an input" in line and "choose another output path" in line
    assert {path: path.read_bytes() for path in before} == before


# --- 7: qpdf's own test files --------------------------------------------------------------------

#: Always run: the files named in the red team's report, and damaged files of each kind.
CORPUS_SUBSET = ["shared-unnamed-field.pdf", "bad-direct-root.pdf", "many-nulls.pdf",
                 "page-labels-num-tree-damaged.pdf", "form-bad-fields-array.pdf", "field-parse-errors.pdf",
                 "form-errors.pdf", "pages-loop.pdf", "deep-pages.pdf", "bad1.pdf", "issue-99.pdf",
                 "issue-148.pdf", "V4-aes.pdf", "11-pages-with-labels.pdf", "page-labels-and-outlines.pdf",
                 "outlines-with-loop.pdf", "outlines-with-old-root-dests.pdf", "form-fields-and-annotations.pdf",
                 "annotations-no-acroform.pdf", "attachment-fields.pdf", "xref-with-short-size.pdf",
                 "damaged-stream.pdf", "indirect-filter.pdf", "minimal.pdf"]
CORPUS_ALL = os.environ.get("BRIEFING_QPDF_CORPUS") == "all"
CORPUS_FILES = sorted(CORPUS.glob("*.pdf")) if CORPUS_ALL else \
    [CORPUS / name for name in CORPUS_SUBSET if (CORPUS / name).exists()]


def _attach_one(brief: Path, report: Path, folder: Path) -> tuple[str, str]:
    out = folder / f"{report.stem}.out.pdf"
    try:
        result = attach(brief, report, out, limits=Limits(timeout=60, max_pages=None))
    except BriefError as error:
        lines = str(error).splitlines()
        assert len(error.problems) == 1 and len(lines) == 1, str(error)
        assert "0x" not in lines[0]  # no addresses of in-memory streams
        return "refused", lines[0]
    before, after = _check(report), _check(out)
    order = {0: 0, 3: 1, 2: 2}  # clean, warnings, errors
    assert order.get(after, 3) <= order.get(before, 3) or after == 0, f"{report.name}: qpdf --check {before} -> {after}"
    if "/Count" not in report.name:
        with pikepdf.open(out) as pdf:
            assert len(pdf.pages) == result.pages
    return ("repaired" if any(note.startswith(("repaired", "qpdf repaired")) for note in result.notes)
            else "merged"), "; ".join(result.notes)


def test_attaching_to_qpdfs_test_files_merges_repairs_or_refuses_each_with_one_line(brief, tmp_path):
    """Each of qpdf's test files (a fixed subset; all 610 vendored with BRIEFING_QPDF_CORPUS=all):
    merged and passing `qpdf --check` as well as the original, repaired with a note, or refused
    with one clear line, each within the time limit."""
    assert CORPUS_FILES, "the vendored corpus is missing"
    with ThreadPoolExecutor(2) as pool:
        outcomes = dict(zip((path.name for path in CORPUS_FILES),
                            pool.map(lambda path: _attach_one(brief, path, tmp_path), CORPUS_FILES)))
    kinds = {kind for kind, _ in outcomes.values()}
    assert kinds <= {"merged", "repaired", "refused"}
    if not CORPUS_ALL:
        assert outcomes["shared-unnamed-field.pdf"][0] in ("merged", "repaired")
        assert outcomes["bad-direct-root.pdf"][0] == "repaired"
        assert outcomes["many-nulls.pdf"][0] == "repaired"
        assert outcomes["page-labels-num-tree-damaged.pdf"][0] == "repaired"
        assert "encrypted" in outcomes["V4-aes.pdf"][1]
