"""Attach: put a brief into a larger report, as an annex or as an embedded file.

As an annex, the brief's pages go into the report (at the end, or so that the
brief starts at a given page); the brief's outline is nested under one
bookmark and the report's own outline is kept; the brief's internal links keep
working. As an attachment, the brief PDF is embedded in the report as a file.
The merging is done by pikepdf (QPDF); the result is written atomically.

The merged file keeps no claim it cannot keep. A report's PDF/A or PDF/UA claim
stays only where the brief makes the same claim and the merge keeps it true
(annotations flagged for print, the structure trees merged with their
StructParents numbered anew, only files the part allows); otherwise it is
removed from the XMP and `AttachResult.notes` says why. Every action that runs
code or leaves the file (wherever it is: opening, pages, annotations, fields,
outline items, chained actions), every AA dictionary, the JavaScript name tree,
XFA and media annotations are removed from both files, and said so; so is an
embedded-file entry that holds no file.

The report comes from other people, so it is read as content is: regular files
only, within a size bound; the merge runs in a bounded worker (the same wall
clock and memory limit as a build), because qpdf can spin inside C++ where no
signal reaches Python; every walk over a file's objects visits each object once
and is bounded in depth and size; a damaged file is repaired with a note or
refused with one line, never a traceback.
Encrypted PDFs are refused: briefing would have to drop their encryption or
pass on a password it was never given.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem
from ..sandbox.limits import Limits, run_limited
from .write import refuse_inputs_as_outputs, write_pdf

MODES = ("annex", "attachment")
#: The largest brief or report attach reads, judged before reading.
MAX_PDF_BYTES = 512 * 1024 * 1024
#: Every walk over a PDF's objects stops after this many objects, and nested direct objects
#: (arrays in dictionaries in arrays...) deeper than `MAX_DEPTH` are refused.
MAX_OBJECTS = 2_000_000
MAX_DEPTH = 500
#: The outline items attach reads of one file, and how deep it follows them.
MAX_OUTLINE_ITEMS = 100_000
MAX_OUTLINE_DEPTH = 100
#: The steps of one action chain (`/Next`) followed before the chain counts as active.
MAX_CHAIN = 1_000


@dataclass(frozen=True)
class AttachResult:
    pdf: Path
    pages: int
    first_page: int | None = None  # where the brief starts, for an annex
    notes: tuple[str, ...] = ()  # what the merge removed or changed, for the user to read


def attach(brief: str | Path, report: str | Path, output: str | Path, *, mode: str = "annex",
           at: int | None = None, title: str | None = None, limits: Limits | None = Limits()) -> AttachResult:
    """Put the PDF `brief` into the PDF `report` and write the result to `output`.

    `mode` is "annex" (append the pages; with `at`, insert them so the brief
    starts at page `at`) or "attachment" (embed the brief as a file).
    `title` names the bookmark or the attachment (default: the brief's title).
    The merge runs in a bounded worker within `limits` (the same wall clock and memory
    limit as a build); `limits=None` merges in this process, for PDFs you trust.
    """
    brief, report, output = Path(brief), Path(report), Path(output)
    if mode not in MODES:
        raise BriefError([Problem("--as", f"unknown mode {mode!r} (expected annex or attachment)")])
    if at is not None and mode != "annex":
        raise BriefError([Problem("--at", "only an annex is placed at a page")])
    refuse_inputs_as_outputs([output], [brief, report], field="--output")
    brief_data, report_data = read_pdf(brief), read_pdf(report)
    job = (brief_data, report_data, str(brief), str(report), mode, at, title)
    if limits is None:
        data, pages, start, notes = merge(*job)
    else:
        data, pages, start, notes = run_limited(merge, job, limits, report, step="attaching")
    write_pdf(data, output)
    return AttachResult(pdf=output, pages=pages, first_page=start, notes=tuple(notes))


def read_pdf(path: Path, max_bytes: int = MAX_PDF_BYTES) -> bytes:
    """The bytes of `path` if it is a regular file (a link to one is followed) of at most `max_bytes`.

    A device (`/dev/zero`), FIFO, socket or folder is refused at once: the file is opened
    without waiting (`O_NONBLOCK`) and judged by `fstat` on the open descriptor, never read.
    """
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise BriefError([Problem(path, "no such file")]) from None
    except (OSError, ValueError) as error:
        raise BriefError([Problem(path, f"cannot read: {getattr(error, 'strerror', None) or error}")]) from None
    if not stat.S_ISREG(before.st_mode):  # refused before it is even opened
        raise BriefError([Problem(path, _not_regular(before.st_mode), code="not_regular_file")])
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                             | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise BriefError([Problem(path, f"cannot read: {error.strerror or error}")]) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):  # swapped since the first look
            raise BriefError([Problem(path, _not_regular(info.st_mode), code="not_regular_file")])
        if info.st_size > max_bytes:
            raise BriefError([Problem(path, f"is larger than the {max_bytes // (1024 * 1024)} MiB limit for "
                                            "a PDF to attach", code="too_large")])
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise BriefError([Problem(path, f"cannot read: {error.strerror or error}")]) from None
    if len(data) > max_bytes:
        raise BriefError([Problem(path, f"is larger than the {max_bytes // (1024 * 1024)} MiB limit for "
                                        "a PDF to attach", code="too_large")])
    return data


def _not_regular(mode: int) -> str:
    kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
        "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"is {kind}, not a PDF file; refused"


def merge(brief_data: bytes, report_data: bytes, brief_name: str, report_name: str, mode: str,
          at: int | None, title: str | None) -> tuple[bytes, int, int | None, list[str]]:
    """The merge itself, on the two files' bytes: the merged PDF, its page count, where the
    brief starts (an annex) and the notes. Runs in the bounded worker."""
    import pikepdf

    brief, report = Path(brief_name), Path(report_name)
    notes: list[str] = []
    with _quiet(notes), _opened(brief_data, brief) as brief_pdf, _opened(report_data, report) as report_pdf:
        for pdf, which, name in ((brief_pdf, "brief", brief), (report_pdf, "report", report)):
            with _damage(name):
                notes += _repair_page_tree(pdf, which)
                notes += _strip_active_content(pdf, which)
                notes += _repair_annotations(pdf, which)
                notes += _drop_empty_files(pdf, which)
        with _damage(report):
            report_claims, brief_claims = _claims(report_pdf), _claims(brief_pdf)
            title = title or _title(brief_pdf) or brief.stem
        if mode == "annex":
            with _damage(brief):
                brief_part = _read_brief(brief_pdf, notes)
            with _damage(report):
                merged = _is_tagged(report_pdf) and _is_tagged(brief_pdf)
                start, carried = _insert_annex(brief_pdf, brief_part, report_pdf, at, title,
                                               prefix=_slug(brief.stem), merge_structure=merged, notes=notes)
                notes += _settle_claims(report_pdf, report_claims, brief_claims, "annex", merged, carried)
        else:
            start = None
            data = brief_data
            with _damage(brief):
                if any(" the brief" in note for note in notes):
                    cleaned = io.BytesIO()
                    brief_pdf.save(cleaned, deterministic_id=True)
                    data = cleaned.getvalue()
            with _damage(report):
                _embed(report_pdf, data, brief.name, title, brief_pdf)
                notes += _settle_claims(report_pdf, report_claims, brief_claims, "attachment", False, [])
        buffer = io.BytesIO()
        with _damage(report):
            try:
                report_pdf.save(buffer, deterministic_id=True)
            except pikepdf.PdfError as error:
                raise BriefError([Problem(report, f"cannot write the merged PDF: {_first_line(error)}")]) from None
            pages = len(report_pdf.pages)
        notes[:0] = [*_repaired_by_qpdf(brief_pdf, "brief"), *_repaired_by_qpdf(report_pdf, "report")]
    return buffer.getvalue(), pages, start, notes


@contextmanager
def _opened(data: bytes, path: Path) -> Iterator[Any]:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise BriefError([Problem(path, ENCRYPTED)]) from None
    except Exception as error:  # noqa: BLE001 - whatever qpdf makes of the bytes, one clear line
        raise BriefError([Problem(path, f"not a readable PDF: {_first_line(error)}")]) from None
    try:
        if pdf.is_encrypted:
            raise BriefError([Problem(path, ENCRYPTED)])
        yield pdf
    finally:
        pdf.close()


class _Warnings(logging.Handler):
    """qpdf's warnings while it reads a damaged file (it repairs what it can, and says so)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < 1000:
            self.messages.append(record.getMessage())


@contextmanager
def _damage(path: Path) -> Iterator[None]:
    """Whatever a damaged PDF makes qpdf or the walks raise becomes one clear line naming the file."""
    try:
        yield
    except (BriefError, MemoryError):
        raise
    except RecursionError:
        raise BriefError([Problem(path, "cannot merge: the PDF's objects are nested too deeply")]) from None
    except Exception as error:  # noqa: BLE001 - a damaged file is a problem with it, never a traceback
        raise BriefError([Problem(path, f"cannot merge: the PDF is damaged ({_first_line(error)})")]) from None


@contextmanager
def _quiet(notes: list[str]) -> Iterator[None]:
    """What pikepdf logs or warns while it works on damaged files becomes one note, not noise on
    the terminal. (pikepdf's warning that form widgets of the report are not reachable from its
    form describes the report as it was; the merge does not change them.)"""
    import warnings

    logger = logging.getLogger("pikepdf")
    handler = _Warnings()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*form widget annotation", module=r"pikepdf.*")
            warnings.filterwarnings("ignore", message=r".*form widget annotation")
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        if handler.messages:
            notes.append(f"pikepdf: {_first_line(handler.messages[0])}" + _more(handler.messages))


def _more(messages: list[str]) -> str:
    return f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""


def _repaired_by_qpdf(pdf: Any, which: str) -> list[str]:
    """What qpdf repaired while reading a damaged file, from its warnings."""
    found = [_first_line(_clean(message)) for message in pdf.get_warnings()]
    if not found:
        return []
    return [f"qpdf repaired damage in the {which}: {found[0]}{_more(found)}"]


def _repair_page_tree(pdf: Any, which: str) -> list[str]:
    """A page tree whose /Count is not its number of pages gets the right count."""
    import pikepdf

    pages = pdf.Root.get("/Pages")
    count = len(pdf.pages)
    if isinstance(pages, pikepdf.Dictionary) and pages.get("/Count") != count:
        pages.Count = count
        return [f"repaired the {which}: its page tree's /Count was not its number of pages ({count})"]
    return []


def _clean(message: object) -> str:
    """qpdf's message without the name of the in-memory stream it read."""
    return re.sub(r"stream <_io\.BytesIO object at 0x[0-9a-f]+>[,:]?\s*", "", str(message).strip())


def _first_line(error: object) -> str:
    text = _clean(error).splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= 200 else line[:199] + "…"


ENCRYPTED = ("the PDF is encrypted; briefing does not merge encrypted PDFs, because the result would lose "
             "the encryption (decrypt it first, for example with qpdf --decrypt, and encrypt the result again)")


def _title(pdf: Any) -> str | None:
    """The PDF's title, from its Info dictionary or its XMP; None if it has none (or they are damaged)."""
    import pikepdf

    info = pdf.trailer.get("/Info")
    title = info.get("/Title") if isinstance(info, pikepdf.Dictionary) else None
    if isinstance(title, (str, pikepdf.String)) and str(title).strip():
        return str(title).strip()
    try:
        with pdf.open_metadata() as xmp:
            found = xmp.get("dc:title")
    except Exception:  # noqa: BLE001 - damaged XMP: no title from it
        return None
    return str(found).strip() or None if found else None


def _read_brief(brief: Any, notes: list[str]) -> dict:
    """What the annex takes from the brief besides its pages: labels, outline, named destinations."""
    page_number = {page.obj.objgen: number for number, page in enumerate(brief.pages)}
    return {"labels": _page_labels(brief, "brief", notes),
            "outline": _read_outline(brief, page_number, "brief", notes),
            "names": _named_destinations(brief, page_number)}


def _insert_annex(brief: Any, part: dict, report: Any, at: int | None, title: str, prefix: str,
                  merge_structure: bool, notes: list[str]) -> tuple[int, list[Any]]:
    """Insert the brief's pages into the report; the page number the brief starts at, and the
    file specifications carried over from the brief."""
    import pikepdf

    from ..printing.conform import set_page_labels

    count = len(report.pages)
    if at is not None and not 1 <= at <= count + 1:
        raise BriefError([Problem("--at", f"must be between 1 and {count + 1} (the report has {count} pages)")])
    index = count if at is None else at - 1
    labels = _page_labels(report, "report", notes)
    labels[index:index] = part["labels"]

    for offset, page in enumerate(brief.pages):
        report.pages.insert(index + offset, page)
    new_pages = [report.pages[index + offset].obj for offset in range(len(brief.pages))]
    set_page_labels(report, labels)

    prefix = _free_prefix(report, prefix)
    _add_named_destinations(report, part["names"], new_pages, prefix)
    for page in new_pages:
        for annotation in _annotations(page):
            destination = annotation.get("/Dest")
            if isinstance(destination, pikepdf.String):
                annotation.Dest = pikepdf.String(prefix + str(destination))
            # PDF/A (6.3.2): printed, never hidden; harmless for any other file.
            flags = annotation.get("/F", 0)
            annotation.F = ((int(flags) if isinstance(flags, int) else 0) | 4) & ~(1 | 2 | 32 | 256)
    if merge_structure:
        _merge_structure(brief, report, new_pages, index)
    else:
        _forget_structure(new_pages)

    carried = _carry_attachments(brief, report, prefix.rstrip("/"))
    _add_outline(report, title, part["outline"], new_pages, index, notes)
    return index + 1, carried


def _annotations(page: Any) -> list[Any]:
    """The annotations of a page that are dictionaries (`_repair_annotations` removed the others)."""
    import pikepdf

    annotations = page.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return []
    return [item for item in annotations if isinstance(item, pikepdf.Dictionary)]


def _repair_annotations(pdf: Any, which: str) -> list[str]:
    """A page's /Annots must be an array of dictionaries: anything else is removed, and said so."""
    import pikepdf

    repaired = 0
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        if not isinstance(annotations, pikepdf.Array):
            del page.obj["/Annots"]
            repaired += 1
            continue
        kept = [item for item in annotations if isinstance(item, pikepdf.Dictionary)]
        if len(kept) != len(annotations):
            page.obj.Annots = pikepdf.Array(kept)
            repaired += 1
    if not repaired:
        return []
    return [f"repaired the {which}: removed annotation entries that are not annotations "
            f"(on {repaired} page{'s' if repaired > 1 else ''})"]


def _page_labels(pdf: Any, which: str, notes: list[str]) -> list[tuple[str | None, str, int]]:
    """The label of every page (PDF 32000-1, 12.4.2); entries of a damaged label tree are left out."""
    import pikepdf

    count = len(pdf.pages)
    labels: list[tuple[str | None, str, int]] = [("/D", "", number + 1) for number in range(count)]
    tree = pdf.Root.get("/PageLabels")
    if tree is None:
        return labels
    ranges, damaged = [], isinstance(tree, pikepdf.Dictionary) is False
    if not damaged:
        try:
            for number, (key, value) in enumerate(pikepdf.NumberTree(tree).items()):
                if number >= MAX_OBJECTS:
                    break
                style = value.get("/S") if isinstance(value, pikepdf.Dictionary) else None
                prefix = value.get("/P", "") if isinstance(value, pikepdf.Dictionary) else None
                first = value.get("/St", 1) if isinstance(value, pikepdf.Dictionary) else None
                if not isinstance(value, pikepdf.Dictionary) or not isinstance(first, int) \
                        or not isinstance(prefix, (str, pikepdf.String)) \
                        or (style is not None and not isinstance(style, pikepdf.Name)):
                    damaged = True
                    continue
                ranges.append((int(key), str(style) if style is not None else None, str(prefix), int(first)))
        except Exception:  # noqa: BLE001 - qpdf gave up on the tree: number the pages plainly
            damaged, ranges = True, []
    ranges.sort(key=lambda entry: entry[0])
    for position, (start, style, prefix, first) in enumerate(ranges):
        end = ranges[position + 1][0] if position + 1 < len(ranges) else count
        for page in range(max(start, 0), min(end, count)):
            labels[page] = (style, prefix, first + page - start)
    if damaged:
        notes.append(f"repaired the {which}: its page labels were damaged; the damaged entries are left out")
    return labels


# --- outlines ------------------------------------------------------------------------------------

def _read_outline(pdf: Any, page_number: dict, which: str, notes: list[str]) -> list[dict]:
    """The outline items of `pdf` as plain data (title, page number, position, children), each read
    once: a loop ends where it comes back, and at most `MAX_OUTLINE_ITEMS` items
    `MAX_OUTLINE_DEPTH` deep are read."""
    import pikepdf

    outlines = pdf.Root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary):
        return []
    top: list[dict] = []
    seen: set[tuple[int, int]] = set()
    read, cut = 0, False
    stack = [(outlines.get("/First"), top, 0)]
    while stack:
        item, into, depth = stack.pop()
        while isinstance(item, pikepdf.Dictionary):
            if item.is_indirect:
                if item.objgen in seen:
                    cut = True
                    break
                seen.add(item.objgen)
            read += 1
            if read > MAX_OUTLINE_ITEMS:
                cut, stack = True, []
                break
            data = {"title": _text(item.get("/Title")), "children": [], **_target(item, page_number)}
            into.append(data)
            if depth + 1 < MAX_OUTLINE_DEPTH:
                stack.append((item.get("/First"), data["children"], depth + 1))
            elif isinstance(item.get("/First"), pikepdf.Dictionary):
                cut = True
            item = item.get("/Next")
    if cut:
        notes.append(f"repaired the {which}'s outline: it loops or is larger than {MAX_OUTLINE_ITEMS:,} items "
                     f"{MAX_OUTLINE_DEPTH} deep; the items beyond are left out")
    return top


def _text(value: Any) -> str:
    import pikepdf

    return str(value) if isinstance(value, (str, pikepdf.String)) else ""


def _target(item: Any, page_number: dict) -> dict:
    """The page (a number in the brief) and position an outline item points to, if it points to a page."""
    import pikepdf

    destination = item.get("/Dest")
    action = item.get("/A")
    if destination is None and isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/GoTo":
        destination = action.get("/D")
    if isinstance(destination, pikepdf.Array) and len(destination) >= 1 \
            and isinstance(destination[0], pikepdf.Dictionary):
        rest = [_plain(value) for value in list(destination[1:6])]
        return {"page": page_number.get(destination[0].objgen),
                "rest": rest if all(value is not _NOT_PLAIN for value in rest) else []}
    return {"page": None, "rest": []}


_NOT_PLAIN = object()


def _plain(value: Any) -> Any:
    """A value of a destination that may go into another PDF (a name, a number, null)."""
    import decimal

    import pikepdf

    if value is None or (isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)):
        return value
    if isinstance(value, pikepdf.Name):
        return pikepdf.Name(str(value))
    return _NOT_PLAIN


def _add_outline(report: Any, title: str, items: list[dict], new_pages: list[Any], index: int,
                 notes: list[str]) -> None:
    """One bookmark for the brief, holding the brief's outline, placed among the report's own
    top-level bookmarks before the first that points after the brief."""
    import pikepdf

    outlines = report.Root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary):
        outlines = report.Root.Outlines = report.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    top = _made_item(report, {"title": title, "page": 0, "rest": [], "children": items}, outlines, new_pages)
    siblings, looped = _top_items(outlines)
    if looped:
        notes.append("repaired the report's outline: its top-level bookmarks looped; the loop is cut")
    page_number = {page.obj.objgen: number for number, page in enumerate(report.pages)}
    position = len(siblings)
    for number, item in enumerate(siblings):
        target = _target(item, page_number)["page"]
        if target is not None and target >= index + len(new_pages):
            position = number
            break
    before = siblings[position - 1] if position > 0 else None
    after = siblings[position] if position < len(siblings) else None
    if before is not None:
        before.Next, top.Prev = top, before
    else:
        outlines.First = top
    if after is not None:
        after.Prev, top.Next = top, after
    else:
        outlines.Last = top
    shown = outlines.get("/Count", 0)
    shown = shown if isinstance(shown, int) and shown >= 0 else len(siblings)
    outlines.Count = shown + 1 + len(items)


def _top_items(outlines: Any) -> tuple[list[Any], bool]:
    """The report's top-level bookmarks, each once; whether their chain looped (it is then cut)."""
    import pikepdf

    found: list[Any] = []
    seen: set[tuple[int, int]] = set()
    item = outlines.get("/First")
    while isinstance(item, pikepdf.Dictionary) and len(found) < MAX_OUTLINE_ITEMS:
        if item.is_indirect:
            if item.objgen in seen:
                del found[-1]["/Next"]
                return found, True
            seen.add(item.objgen)
        found.append(item)
        item = item.get("/Next")
    if found and "/Next" in found[-1] and not isinstance(item, pikepdf.Dictionary):
        del found[-1]["/Next"]  # a next item that is no item
    return found, False


def _made_item(report: Any, data: dict, parent: Any, new_pages: list[Any]) -> Any:
    """The outline item for `data` and its descendants, written without recursion. The top item
    is open, showing its children; deeper items are closed."""
    import pikepdf

    top = None
    stack = [(data, parent, True)]
    made: list[tuple[Any, list[dict]]] = []
    objects: dict[int, Any] = {}  # id of an item's data -> its outline item
    while stack:
        item, holder, is_top = stack.pop()
        page = new_pages[item["page"]] if item["page"] is not None and item["page"] < len(new_pages) \
            else new_pages[0]
        rest = item["rest"] or [pikepdf.Name.XYZ, None, None, None]
        obj = report.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(item["title"]), Parent=holder,
                                                      Dest=pikepdf.Array([page, *rest])))
        if is_top:
            top = obj
        made.append((obj, item["children"]))
        children = item["children"]
        if children:
            obj.Count = len(children) if is_top else -len(children)
        stack.extend((child, obj, False) for child in children)
        objects[id(item)] = obj
    for obj, children in made:
        linked = [objects[id(child)] for child in children]
        for before, after in zip(linked, linked[1:]):
            before.Next, after.Prev = after, before
        if linked:
            obj.First, obj.Last = linked[0], linked[-1]
    return top


def _named_destinations(pdf: Any, page_number: dict) -> dict[str, tuple[int, list]]:
    import pikepdf

    names = pdf.Root.get("/Names")
    if not isinstance(names, pikepdf.Dictionary) or not isinstance(names.get("/Dests"), pikepdf.Dictionary):
        return {}
    found: dict[str, tuple[int, list]] = {}
    for number, (name, destination) in enumerate(pikepdf.NameTree(names.Dests).items()):
        if number >= MAX_OBJECTS:
            break
        if isinstance(destination, pikepdf.Dictionary):
            destination = destination.get("/D")
        if not isinstance(destination, pikepdf.Array) or not len(destination) \
                or not isinstance(destination[0], pikepdf.Dictionary):
            continue
        page = page_number.get(destination[0].objgen)
        rest = [_plain(value) for value in list(destination[1:6])]
        if page is not None:
            found[str(name)] = (page, rest if all(value is not _NOT_PLAIN for value in rest) else [])
    return found


def _add_named_destinations(report: Any, names: dict, new_pages: list, prefix: str) -> None:
    import pikepdf

    if not names:
        return
    if not isinstance(report.Root.get("/Names"), pikepdf.Dictionary):
        report.Root.Names = pikepdf.Dictionary()
    if isinstance(report.Root.Names.get("/Dests"), pikepdf.Dictionary):
        tree = pikepdf.NameTree(report.Root.Names.Dests)
    else:
        tree = pikepdf.NameTree.new(report)
        report.Root.Names.Dests = tree.obj
    for name, (number, rest) in names.items():
        tree[prefix + name] = pikepdf.Array([new_pages[number], *(rest or [pikepdf.Name.XYZ, None, None, None])])


def _free_prefix(report: Any, prefix: str) -> str:
    """A prefix for the brief's link targets that no name in the report starts with."""
    import pikepdf

    existing: list[str] = []
    names = report.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and isinstance(names.get("/Dests"), pikepdf.Dictionary):
        existing = [str(name) for _, name in zip(range(MAX_OBJECTS), pikepdf.NameTree(names.Dests).keys())]
    candidate, number = f"{prefix}/", 1
    while any(name.startswith(candidate) for name in existing):
        number += 1
        candidate = f"{prefix}-{number}/"
    return candidate


def _carry_attachments(brief: Any, report: Any, prefix: str) -> list[Any]:
    """The brief's embedded files (its source) go with its pages, as they are (with their Params,
    relationship and MIME type), renamed if the report has the name: `prefix-name`, never a `/`."""
    import pikepdf

    carried = []
    for name, spec in brief.attachments.items():
        target = _free_name(report, name, prefix)
        copied = report.copy_foreign(spec.obj)
        copied.F = copied.UF = pikepdf.String(target)
        _embedded_files(report)[target] = copied
        _list_in_af(report, copied)
        carried.append(copied)
    return carried


def _free_name(report: Any, name: str, prefix: str) -> str:
    taken = set(report.attachments)
    candidate, number = name, 1
    while candidate in taken:
        candidate = f"{prefix}-{name}" if number == 1 else f"{prefix}-{number}-{name}"
        number += 1
    return candidate


def _embedded_files(report: Any) -> Any:
    import pikepdf

    if not isinstance(report.Root.get("/Names"), pikepdf.Dictionary):
        report.Root.Names = pikepdf.Dictionary()
    if not isinstance(report.Root.Names.get("/EmbeddedFiles"), pikepdf.Dictionary):
        report.Root.Names.EmbeddedFiles = pikepdf.NameTree.new(report).obj
    return pikepdf.NameTree(report.Root.Names.EmbeddedFiles)


def _list_in_af(report: Any, spec: Any) -> None:
    import pikepdf

    if "/AF" not in report.Root:
        report.Root.AF = pikepdf.Array()
    if spec.objgen not in {item.objgen for item in report.Root.AF}:
        report.Root.AF.append(spec)


def _embed(report: Any, data: bytes, name: str, title: str, brief: Any) -> None:
    import pikepdf

    if name in report.attachments:
        raise BriefError([Problem(name, "the report already has an embedded file of this name")])
    info = brief.trailer.get("/Info")
    info = info if isinstance(info, pikepdf.Dictionary) else {}
    dates = {key: str(info[field]) for key, field in (("creation_date", "/CreationDate"),
                                                      ("mod_date", "/ModDate"))
             if field in info and isinstance(info[field], (str, pikepdf.String))}
    if "mod_date" not in dates and (modified := _xmp_date(brief)):  # PDF/A-4 has no Info dictionary
        dates["mod_date"] = modified
    spec = pikepdf.AttachedFileSpec(report, data, description=title, filename=name,
                                    mime_type="application/pdf",
                                    relationship=pikepdf.Name.Supplement, **dates)
    report.attachments[name] = spec
    _list_in_af(report, spec.obj)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "brief"


# --- active content ------------------------------------------------------------------------------

#: The actions that stay: they move within the file or change what it shows. Every other action
#: type (JavaScript, Launch, GoToR, GoToE, SubmitForm, ImportData, ResetForm, Rendition, Sound,
#: Movie, RichMediaExecute, GoTo3DView, types not yet known...) runs something or leaves the file.
_KEPT_ACTIONS = {"/GoTo", "/URI", "/Named", "/Thread", "/Trans", "/Hide", "/SetOCGState"}
_KEPT_NAMED = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
_KEPT_SCHEMES = ("http://", "https://", "mailto:")
#: Annotations that play or run something of their own; removed with their page's other annotations kept.
_ACTIVE_ANNOTATIONS = {"/RichMedia", "/Movie", "/Sound", "/Screen"}


def _strip_active_content(pdf: Any, which: str) -> list[str]:
    """Remove every action that runs code or leaves the file, wherever it is (the document's opening
    action, pages, annotations, form fields, outline items at any depth, chained /Next actions),
    every additional-actions (AA) dictionary, the JavaScript name tree, XFA forms and annotations
    that play media; one note lists what went, with how often."""
    import pikepdf

    removed: dict[str, int] = {}

    def gone(what: str) -> None:
        removed[what] = removed.get(what, 0) + 1

    for holder in _dictionaries(pdf):
        for key in ("/OpenAction", "/A", "/PA"):
            action = holder.get(key) if key in holder else None
            if isinstance(action, pikepdf.Dictionary) and (kind := _active(action)) is not None:
                del holder[key]
                gone(f"{kind} {_holder(holder, key)}")
        if "/AA" in holder:
            del holder["/AA"]
            gone(f"additional actions (AA) {_holder(holder, '/AA')}")
        annotations = holder.get("/Annots") if "/Annots" in holder else None
        if isinstance(annotations, pikepdf.Array):
            kept = [item for item in annotations
                    if not (isinstance(item, pikepdf.Dictionary) and item.get("/Subtype") in _ACTIVE_ANNOTATIONS)]
            for item in annotations:
                if isinstance(item, pikepdf.Dictionary) and item.get("/Subtype") in _ACTIVE_ANNOTATIONS:
                    gone(f"a {str(item.Subtype)[1:]} annotation, which plays media")
            if len(kept) != len(annotations):
                holder.Annots = pikepdf.Array(kept)
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        del names["/JavaScript"]
        gone("the document's JavaScript (its JavaScript name tree)")
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form["/XFA"]
        gone("the XFA form and its scripts (XFA)")
    if "/NeedsRendering" in root:
        del root["/NeedsRendering"]
    if not removed:
        return []
    listed = "; ".join(what if count == 1 else f"{what} ({count} times)" for what, count in removed.items())
    return [f"removed active content from the {which}: {listed}"]


def _dictionaries(pdf: Any) -> Iterator[Any]:
    """Every dictionary of `pdf` (and the dictionary of every stream) that the trailer leads to,
    each once (a seen-set of object numbers), without recursion; objects nothing refers to are
    not written into the merged file and not visited.

    At most `MAX_OBJECTS` objects are visited; direct objects nested deeper than `MAX_DEPTH` are
    refused, as a file qpdf itself would not write.
    """
    import pikepdf

    containers = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)
    stack: list[tuple[Any, int]] = [(pdf.trailer, 0)]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
            depth = 0  # nesting counts within one object
        visited += 1
        if visited > MAX_OBJECTS:
            raise BriefError([Problem("attach", f"the PDF has more than {MAX_OBJECTS:,} objects; refused")])
        if depth > MAX_DEPTH:
            raise BriefError([Problem("attach", f"the PDF nests objects more than {MAX_DEPTH} deep; refused")])
        values = item if isinstance(item, pikepdf.Array) else [item[key] for key in list(item.keys()) if key in item]
        stack.extend((value, depth + 1) for value in values if isinstance(value, containers))
        if not isinstance(item, pikepdf.Array):
            yield item


def _active(action: Any) -> str | None:
    """What in an action, or in one it chains to (/Next), runs code or leaves the file, if anything.

    Each action of the chain is looked at once (a chain that loops, or `/Next [A A]`, ends), and at
    most `MAX_CHAIN` of them.
    """
    import pikepdf

    stack, seen, steps = [action], set(), 0
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        steps += 1
        if steps > MAX_CHAIN:
            return f"a chain of more than {MAX_CHAIN} actions"
        if "/JS" in item:
            return "JavaScript"
        kind = item.get("/S")
        if isinstance(kind, pikepdf.Name):
            if str(kind) not in _KEPT_ACTIONS:
                return f"a {_shown(str(kind)[1:])} action"
            if kind == "/URI":
                uri = item.get("/URI")
                text = "".join(ch for ch in str(uri) if ch.isprintable() and not ch.isspace()) \
                    if isinstance(uri, (str, pikepdf.String)) else ""
                if not text.lower().startswith(_KEPT_SCHEMES):
                    return f"a link to {_shown(text) or 'nothing'}"
            if kind == "/Named" and item.get("/N") not in _KEPT_NAMED:
                return f"a Named action {_shown(str(item.get('/N')))}"
            if kind == "/Thread" and "/F" in item:
                return "a Thread action into another file"
        following = item.get("/Next")
        if isinstance(following, pikepdf.Array):
            stack.extend(list(following)[:MAX_CHAIN])
        elif following is not None:
            stack.append(following)
    return None


def _shown(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _holder(holder: Any, key: str) -> str:
    """Where an action was, as a reader would name it."""
    import pikepdf

    if key == "/OpenAction":
        return "run on opening (OpenAction)"
    kind, subtype = holder.get("/Type"), holder.get("/Subtype")
    if kind == "/Catalog":
        return "of the document"
    if kind == "/Page":
        return "of a page"
    if "/FT" in holder or ("/T" in holder and ("/Kids" in holder or "/Parent" in holder)):
        return "of a form field"
    if isinstance(subtype, pikepdf.Name) and (kind in (None, "/Annot")) and "/Rect" in holder:
        return f"of a {_shown(str(subtype)[1:])} annotation"
    if "/Title" in holder and any(name in holder for name in ("/Parent", "/Prev", "/Next", "/First")):
        return "of an outline item (bookmark)"
    return "of an object"


def _drop_empty_files(pdf: Any, which: str) -> list[str]:
    """Remove embedded-file entries that hold no file (no /EF stream); say which went.

    Such an entry names a file a reader cannot open; carried into the result, it would be an
    attachment that is not there.
    """
    import pikepdf

    names = pdf.Root.get("/Names")
    if not isinstance(names, pikepdf.Dictionary) or "/EmbeddedFiles" not in names:
        return []
    if not isinstance(names.EmbeddedFiles, pikepdf.Dictionary):
        del names["/EmbeddedFiles"]
        return [f"repaired the {which}: removed an embedded-files list that is not one"]
    tree = pikepdf.NameTree(names.EmbeddedFiles)
    empty = [name for _, (name, spec) in zip(range(MAX_OBJECTS), tree.items())
             if not isinstance(spec, pikepdf.Dictionary) or not isinstance(spec.get("/EF"), pikepdf.Dictionary)
             or not any(isinstance(spec.EF.get(key), pikepdf.Stream) for key in ("/F", "/UF"))]
    for name in empty:
        spec = tree[name]
        del tree[name]
        if isinstance(pdf.Root.get("/AF"), pikepdf.Array):
            kept = [item for item in pdf.Root.AF if item.objgen != spec.objgen or spec.objgen == (0, 0)]
            pdf.Root.AF = pikepdf.Array(kept)
    return [f"removed an embedded file with no data from the {which}: {name}" for name in empty]


# --- claims --------------------------------------------------------------------------------------

_CLAIM = re.compile(r'(pdfa|pdfua)id:(part|conformance|rev)(?:="([^"]*)"|>([^<]*)<)')


def _claims(pdf: Any) -> dict[str, str]:
    """What the XMP claims: {'pdfa': '3', 'pdfa_level': 'B', 'pdfua': '1'}."""
    xmp = _xmp(pdf)
    found = {}
    for standard, key, attribute, element in _CLAIM.findall(xmp):
        name = {"part": standard, "conformance": f"{standard}_level", "rev": f"{standard}_rev"}[key]
        found[name] = (attribute or element).strip()
    return found


def _xmp(pdf: Any) -> str:
    """The text of the PDF's XMP metadata ("" if it has none, or none that can be read)."""
    import pikepdf

    metadata = pdf.Root.get("/Metadata")
    if not isinstance(metadata, pikepdf.Stream):
        return ""
    try:
        return metadata.read_bytes().decode("utf-8", "replace")
    except pikepdf.PdfError:
        return ""


def _claim_name(claims: dict[str, str], standard: str) -> str:
    if standard == "pdfa":
        return f"PDF/A-{claims['pdfa']}{claims.get('pdfa_level', '').upper()}"
    return f"PDF/UA-{claims['pdfua']}"


def _is_tagged(pdf: Any) -> bool:
    return "/StructTreeRoot" in pdf.Root and bool(pdf.Root.get("/MarkInfo", {}).get("/Marked", False))


def _settle_claims(report: Any, report_claims: dict, brief_claims: dict, mode: str, merged: bool,
                   carried: list[Any]) -> list[str]:
    """Keep each claim of the report the merge keeps true; remove the others and say why."""
    notes = []
    if "pdfa" in report_claims:
        reason = _pdfa_reason(report, report_claims, brief_claims, mode, merged, carried)
        if reason:
            _drop_claim(report, "pdfa")
            notes.append(f"the report claimed {_claim_name(report_claims, 'pdfa')}; the merged file no longer "
                         f"claims it because {reason}")
    if "pdfua" in report_claims:
        reason = None
        if mode == "annex":
            if brief_claims.get("pdfua") != report_claims["pdfua"]:
                reason = (f"the brief is not {_claim_name(report_claims, 'pdfua')}"
                          + (f" (it claims {_claim_name(brief_claims, 'pdfua')})" if "pdfua" in brief_claims
                             else ""))
            elif not merged:
                reason = "the brief's pages are not tagged"
        if reason:
            _drop_claim(report, "pdfua")
            notes.append(f"the report claimed {_claim_name(report_claims, 'pdfua')}; the merged file no longer "
                         f"claims it because {reason}")
    return notes


_LEVELS = {"B": 0, "U": 1, "A": 2}


def _pdfa_reason(report: Any, report_claims: dict, brief_claims: dict, mode: str, merged: bool,
                 carried: list[Any]) -> str | None:
    """Why the merged file would not be the PDF/A the report claims, or None if it stays one."""
    part, level = report_claims["pdfa"], report_claims.get("pdfa_level", "").upper() or None
    brief_part = brief_claims.get("pdfa")
    brief_level = brief_claims.get("pdfa_level", "").upper() or None
    if mode == "attachment":
        if part == "1":
            return "PDF/A-1 allows no embedded files"
        if part == "2" and brief_part not in ("1", "2"):
            return "PDF/A-2 embeds only PDF/A-1 and PDF/A-2 files, and the brief is neither"
        if part == "4" and level != "F" and brief_part not in ("1", "2", "4"):
            return "PDF/A-4 (other than 4f) embeds only PDF/A-1, -2 and -4 files, and the brief is none of them"
        return None
    if brief_part != part:
        claimed = f"it claims PDF/A-{brief_part}{brief_level or ''}" if brief_part else "it claims no PDF/A level"
        return f"the brief's pages are not PDF/A-{part} ({claimed})"
    if part in ("2", "3") and _LEVELS.get(brief_level or "B", 0) < _LEVELS.get(level or "B", 0):
        return f"the brief is only PDF/A-{part}{brief_level}"
    if level == "A" and not merged:
        return "level A needs the brief's structure tree, and the report or the brief is not tagged"
    if part == "4" and level == "E" and brief_level != "E":
        return "the brief is not PDF/A-4e"
    intents = [intent for intent in report.Root.get("/OutputIntents", []) if intent.get("/S") == "/GTS_PDFA1"]
    if not intents or int(intents[0].get("/DestOutputProfile", {}).get("/N", 0)) != 3:
        return "its output intent is not RGB, and the brief's pages draw in RGB"
    if carried and (part == "2" or (part == "4" and level != "F")):
        return f"PDF/A-{part}{level or ''} embeds only PDF/A files, and the brief carries its source files"
    return None


def _drop_claim(pdf: Any, standard: str) -> None:
    """Remove `pdfaid:*` or `pdfuaid:*` properties from the XMP, attributes and elements alike."""
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    xmp = re.sub(rf'\s{standard}id:\w+="[^"]*"', "", xmp)
    xmp = re.sub(rf"<{standard}id:(\w+)>[^<]*</{standard}id:\1>", "", xmp)
    pdf.Root.Metadata.write(xmp.encode("utf-8"))


def _xmp_date(pdf: Any) -> str | None:
    """xmp:ModifyDate as a PDF date (D:YYYYMMDD…), for a PDF without an Info dictionary."""
    xmp = _xmp(pdf)
    match = re.search(r"xmp:ModifyDate(?:>|=\")(\d{4})-(\d{2})-(\d{2})", xmp)
    return f"D:{''.join(match.groups())}000000Z" if match else None


# --- structure -----------------------------------------------------------------------------------

def _merge_structure(brief: Any, report: Any, new_pages: list[Any], index: int) -> None:
    """The brief's structure tree goes into the report's, as a Part of its document, in page order.

    The brief's StructParents (of its pages and annotations) are numbered after the report's,
    and its ParentTree entries join the report's, so each MCID leads to the brief's own elements.
    """
    import pikepdf

    from ..printing.conform import is_element, kids

    root, brief_root = report.Root.StructTreeRoot, brief.Root.StructTreeRoot
    entries = {int(key): value for key, value in pikepdf.NumberTree(root.ParentTree).items()} \
        if "/ParentTree" in root else {}
    offset = max([int(root.get("/ParentTreeNextKey", 0)), *(key + 1 for key in entries)])
    brief_entries = pikepdf.NumberTree(brief_root.ParentTree).items() if "/ParentTree" in brief_root else []
    for key, value in brief_entries:
        entries[int(key) + offset] = report.copy_foreign(value)
    for page in new_pages:
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + offset
        for annotation in _annotations(page):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    nums: list[Any] = []
    for key in sorted(entries):
        nums += [key, entries[key]]
    root.ParentTree = report.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = max(entries, default=-1) + 1

    top = [kid for kid in kids(root) if is_element(kid)]
    holder = top[0] if len(top) == 1 and top[0].get("/S") == "/Document" else root
    part = report.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, P=holder,
                                                   K=pikepdf.Array()))
    part_kids = []
    for element in (report.copy_foreign(kid) for kid in kids(brief_root) if is_element(kid)):
        inner = kids(element) if element.get("/S") == "/Document" else [element]
        for item in inner:
            if is_element(item):
                item.P = part
            part_kids.append(item)
    part.K = pikepdf.Array(part_kids)
    part.Pg = new_pages[0]
    if str(brief.Root.get("/Lang", "")).strip():  # the brief's language, which may not be the report's
        part.Lang = pikepdf.String(str(brief.Root.Lang))
    page_number = {page.obj.objgen: number for number, page in enumerate(report.pages)}
    after = index + len(new_pages)
    siblings = kids(holder)
    position = next((number for number, kid in enumerate(siblings)
                     if is_element(kid) and _first_page(kid, page_number) >= after), len(siblings))
    siblings.insert(position, part)
    holder.K = pikepdf.Array(siblings)
    for key in ("/RoleMap", "/ClassMap"):
        if key in brief_root:
            merged = report.copy_foreign(brief_root[key])
            if key not in root:
                root[key] = pikepdf.Dictionary()
            for name in merged.keys():
                if name not in root[key]:
                    root[key][name] = merged[name]


def _first_page(element: Any, page_number: dict) -> int:
    """The first page an element of the structure tree is on (10**9 if none); each element once."""
    from ..printing.conform import is_element, kids

    stack, seen = [element], set()
    while stack and len(seen) < MAX_OBJECTS:
        item = stack.pop()
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        page = item.get("/Pg")
        if page is not None and hasattr(page, "objgen") and page.objgen in page_number:
            return page_number[page.objgen]
        stack.extend(reversed([kid for kid in kids(item) if is_element(kid)]))
    return 10**9


def _forget_structure(new_pages: list[Any]) -> None:
    """Pages that join no structure tree keep no keys into one."""
    for page in new_pages:
        if "/StructParents" in page:
            del page["/StructParents"]
        for annotation in _annotations(page):
            if "/StructParent" in annotation:
                del annotation["/StructParent"]
