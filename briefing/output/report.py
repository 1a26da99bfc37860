"""Attach: put a brief into a larger report, as an annex or as an embedded file.

As an annex, the brief's pages go into the report (at the end, or so that the
brief starts at a given page); the brief's outline is nested under one
bookmark and the report's own outline is kept; the brief's internal links keep
working. As an attachment, the brief PDF is embedded in the report as a file.
The merging is done by pikepdf (QPDF); the result is written atomically.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BriefError, Problem
from .write import write_pdf

MODES = ("annex", "attachment")


@dataclass(frozen=True)
class AttachResult:
    pdf: Path
    pages: int
    first_page: int | None = None  # where the brief starts, for an annex


def attach(brief: str | Path, report: str | Path, output: str | Path, *, mode: str = "annex",
           at: int | None = None, title: str | None = None) -> AttachResult:
    """Put the PDF `brief` into the PDF `report` and write the result to `output`.

    `mode` is "annex" (append the pages; with `at`, insert them so the brief
    starts at page `at`) or "attachment" (embed the brief as a file).
    `title` names the bookmark or the attachment (default: the brief's title).
    """
    import pikepdf

    brief, report, output = Path(brief), Path(report), Path(output)
    if mode not in MODES:
        raise BriefError([Problem("--as", f"unknown mode {mode!r} (expected annex or attachment)")])
    if at is not None and mode != "annex":
        raise BriefError([Problem("--at", "only an annex is placed at a page")])
    with _open(brief) as brief_pdf, _open(report) as report_pdf:
        title = title or _title(brief_pdf) or brief.stem
        if mode == "annex":
            start = _insert_annex(brief_pdf, report_pdf, at, title, prefix=_slug(brief.stem))
        else:
            start = None
            _embed(report_pdf, brief.read_bytes(), brief.name, title, brief_pdf)
        buffer = io.BytesIO()
        try:
            report_pdf.save(buffer, deterministic_id=True)
        except pikepdf.PdfError as error:
            raise BriefError([Problem(report, f"cannot write the merged PDF: {error}")]) from None
        pages = len(report_pdf.pages)
    write_pdf(buffer.getvalue(), output)
    return AttachResult(pdf=output, pages=pages, first_page=start)


def _open(path: Path) -> Any:
    import pikepdf

    try:
        return pikepdf.open(path)
    except FileNotFoundError:
        raise BriefError([Problem(path, "no such file")]) from None
    except pikepdf.PasswordError:
        raise BriefError([Problem(path, "the PDF is encrypted; decrypt it first")]) from None
    except (pikepdf.PdfError, OSError) as error:
        raise BriefError([Problem(path, f"not a readable PDF: {error}")]) from None


def _title(pdf: Any) -> str | None:
    title = pdf.docinfo.get("/Title") if pdf.trailer.get("/Info") is not None else None
    if title is not None and str(title).strip():
        return str(title).strip()
    with pdf.open_metadata() as xmp:
        return xmp.get("dc:title") or None


def _insert_annex(brief: Any, report: Any, at: int | None, title: str, prefix: str) -> int:
    """Insert the brief's pages into the report; return the page number the brief starts at."""
    import pikepdf

    count = len(report.pages)
    if at is not None and not 1 <= at <= count + 1:
        raise BriefError([Problem("--at", f"must be between 1 and {count + 1} (the report has {count} pages)")])
    index = count if at is None else at - 1
    page_number = {page.obj.objgen: number for number, page in enumerate(brief.pages)}
    with brief.open_outline() as outline:
        brief_items = [_read_item(item, page_number) for item in outline.root]
    names = _named_destinations(brief, page_number)

    for offset, page in enumerate(brief.pages):
        report.pages.insert(index + offset, page)
    new_pages = [report.pages[index + offset].obj for offset in range(len(brief.pages))]

    prefix = _free_prefix(report, prefix)
    _add_named_destinations(report, names, new_pages, prefix)
    for page in new_pages:
        for annotation in page.get("/Annots", []):
            destination = annotation.get("/Dest")
            if isinstance(destination, pikepdf.String):
                annotation.Dest = pikepdf.String(prefix + str(destination))

    _carry_attachments(brief, report, prefix)
    with report.open_outline() as outline:
        top = pikepdf.OutlineItem(title, pikepdf.Array([new_pages[0], pikepdf.Name.XYZ, None, None, None]))
        top.children.extend(_make_item(item, new_pages) for item in brief_items)
        position = _outline_position(report, outline.root, index, len(new_pages))
        outline.root.insert(position, top)
    return index + 1


def _read_item(item: Any, page_number: dict) -> dict:
    """An outline item of the brief as plain data: title, page number, position, children."""
    destination = item.destination
    page, rest = None, []
    if destination is not None and len(destination) >= 1 and hasattr(destination[0], "objgen"):
        page = page_number.get(destination[0].objgen)
        rest = list(destination[1:])
    return {"title": item.title, "page": page, "rest": rest,
            "children": [_read_item(child, page_number) for child in item.children]}


def _make_item(data: dict, new_pages: list) -> Any:
    import pikepdf

    page = new_pages[data["page"]] if data["page"] is not None else new_pages[0]
    rest = data["rest"] or [pikepdf.Name.XYZ, None, None, None]
    item = pikepdf.OutlineItem(data["title"], pikepdf.Array([page, *rest]))
    item.children.extend(_make_item(child, new_pages) for child in data["children"])
    return item


def _outline_position(report: Any, items: list, index: int, inserted: int) -> int:
    """Where the annex bookmark goes among the report's: before the first item that points after it."""
    page_number = {page.obj.objgen: number for number, page in enumerate(report.pages)}
    for position, item in enumerate(items):
        destination = item.destination
        if destination is None or not len(destination) or not hasattr(destination[0], "objgen"):
            continue
        number = page_number.get(destination[0].objgen)
        if number is not None and number >= index + inserted:
            return position
    return len(items)


def _named_destinations(pdf: Any, page_number: dict) -> dict[str, tuple[int, list]]:
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    found = {}
    for name, destination in pikepdf.NameTree(names.Dests).items():
        if isinstance(destination, pikepdf.Dictionary):
            destination = destination.get("/D")
        if destination is None or not len(destination) or not hasattr(destination[0], "objgen"):
            continue
        number = page_number.get(destination[0].objgen)
        if number is not None:
            found[str(name)] = (number, list(destination[1:]))
    return found


def _add_named_destinations(report: Any, names: dict, new_pages: list, prefix: str) -> None:
    import pikepdf

    if not names:
        return
    if "/Names" not in report.Root:
        report.Root.Names = pikepdf.Dictionary()
    if "/Dests" in report.Root.Names:
        tree = pikepdf.NameTree(report.Root.Names.Dests)
    else:
        tree = pikepdf.NameTree.new(report)
        report.Root.Names.Dests = tree.obj
    for name, (number, rest) in names.items():
        tree[prefix + name] = pikepdf.Array([new_pages[number], *rest])


def _free_prefix(report: Any, prefix: str) -> str:
    """A prefix for the brief's link targets that no name in the report starts with."""
    import pikepdf

    existing: list[str] = []
    names = report.Root.get("/Names")
    if names is not None and "/Dests" in names:
        existing = [str(name) for name in pikepdf.NameTree(names.Dests).keys()]
    candidate, number = f"{prefix}/", 1
    while any(name.startswith(candidate) for name in existing):
        number += 1
        candidate = f"{prefix}-{number}/"
    return candidate


def _carry_attachments(brief: Any, report: Any, prefix: str) -> None:
    """The brief's embedded files (its source) go with its pages, renamed if the report has the name."""
    import pikepdf

    for name, spec in brief.attachments.items():
        target = name if name not in report.attachments else prefix + name
        relationship = spec.obj.get("/AFRelationship", pikepdf.Name.Unspecified)
        copied = pikepdf.AttachedFileSpec(report, spec.get_file().read_bytes(), description=spec.description or "",
                                          filename=target, mime_type=spec.get_file().mime_type or "",
                                          relationship=relationship)
        report.attachments[target] = copied


def _embed(report: Any, data: bytes, name: str, title: str, brief: Any) -> None:
    import pikepdf

    if name in report.attachments:
        raise BriefError([Problem(name, "the report already has an embedded file of this name")])
    info = brief.docinfo if brief.trailer.get("/Info") is not None else {}
    dates = {key: str(info[field]) for key, field in (("creation_date", "/CreationDate"),
                                                      ("mod_date", "/ModDate")) if field in info}
    spec = pikepdf.AttachedFileSpec(report, data, description=title, filename=name,
                                    mime_type="application/pdf",
                                    relationship=pikepdf.Name.Supplement, **dates)
    report.attachments[name] = spec
    listed = report.Root.get("/AF")
    if listed is None:
        report.Root.AF = pikepdf.Array()
        listed = report.Root.AF
    listed.append(spec.obj)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "brief"
