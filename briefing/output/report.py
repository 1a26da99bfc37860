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
removed from the XMP and `AttachResult.notes` says why. JavaScript and other
active content (OpenAction and AA actions, the JavaScript name tree) is removed
from both files, and said so; so is an embedded-file entry that holds no file.
Encrypted PDFs are refused: briefing would have to drop their encryption or
pass on a password it was never given.
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
    notes: tuple[str, ...] = ()  # what the merge removed or changed, for the user to read


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
        notes = [*_strip_active_content(brief_pdf, "brief"), *_strip_active_content(report_pdf, "report"),
                 *_drop_empty_files(brief_pdf, "brief"), *_drop_empty_files(report_pdf, "report")]
        report_claims, brief_claims = _claims(report_pdf), _claims(brief_pdf)
        title = title or _title(brief_pdf) or brief.stem
        if mode == "annex":
            merged = _is_tagged(report_pdf) and _is_tagged(brief_pdf)
            start, carried = _insert_annex(brief_pdf, report_pdf, at, title, prefix=_slug(brief.stem),
                                           merge_structure=merged)
            notes += _settle_claims(report_pdf, report_claims, brief_claims, "annex", merged, carried)
        else:
            start = None
            data = brief.read_bytes()
            if any(note.endswith("the brief") or " from the brief:" in note for note in notes):
                cleaned = io.BytesIO()
                brief_pdf.save(cleaned, deterministic_id=True)
                data = cleaned.getvalue()
            _embed(report_pdf, data, brief.name, title, brief_pdf)
            notes += _settle_claims(report_pdf, report_claims, brief_claims, "attachment", False, [])
        buffer = io.BytesIO()
        try:
            report_pdf.save(buffer, deterministic_id=True)
        except pikepdf.PdfError as error:
            raise BriefError([Problem(report, f"cannot write the merged PDF: {error}")]) from None
        pages = len(report_pdf.pages)
    write_pdf(buffer.getvalue(), output)
    return AttachResult(pdf=output, pages=pages, first_page=start, notes=tuple(notes))


def _open(path: Path) -> Any:
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except FileNotFoundError:
        raise BriefError([Problem(path, "no such file")]) from None
    except pikepdf.PasswordError:
        raise BriefError([Problem(path, ENCRYPTED)]) from None
    except (pikepdf.PdfError, OSError) as error:
        raise BriefError([Problem(path, f"not a readable PDF: {error}")]) from None
    if pdf.is_encrypted:
        pdf.close()
        raise BriefError([Problem(path, ENCRYPTED)])
    return pdf


ENCRYPTED = ("the PDF is encrypted; briefing does not merge encrypted PDFs, because the result would lose "
             "the encryption (decrypt it first, for example with qpdf --decrypt, and encrypt the result again)")


def _title(pdf: Any) -> str | None:
    title = pdf.docinfo.get("/Title") if pdf.trailer.get("/Info") is not None else None
    if title is not None and str(title).strip():
        return str(title).strip()
    with pdf.open_metadata() as xmp:
        return xmp.get("dc:title") or None


def _insert_annex(brief: Any, report: Any, at: int | None, title: str, prefix: str,
                  merge_structure: bool) -> tuple[int, list[Any]]:
    """Insert the brief's pages into the report; the page number the brief starts at, and the
    file specifications carried over from the brief."""
    import pikepdf

    from ..printing.conform import page_labels, set_page_labels

    count = len(report.pages)
    if at is not None and not 1 <= at <= count + 1:
        raise BriefError([Problem("--at", f"must be between 1 and {count + 1} (the report has {count} pages)")])
    index = count if at is None else at - 1
    labels = page_labels(report)
    labels[index:index] = page_labels(brief)
    page_number = {page.obj.objgen: number for number, page in enumerate(brief.pages)}
    with brief.open_outline() as outline:
        brief_items = [_read_item(item, page_number) for item in outline.root]
    names = _named_destinations(brief, page_number)

    for offset, page in enumerate(brief.pages):
        report.pages.insert(index + offset, page)
    new_pages = [report.pages[index + offset].obj for offset in range(len(brief.pages))]
    set_page_labels(report, labels)

    prefix = _free_prefix(report, prefix)
    _add_named_destinations(report, names, new_pages, prefix)
    for page in new_pages:
        for annotation in page.get("/Annots", []):
            destination = annotation.get("/Dest")
            if isinstance(destination, pikepdf.String):
                annotation.Dest = pikepdf.String(prefix + str(destination))
            # PDF/A (6.3.2): printed, never hidden; harmless for any other file.
            annotation.F = (int(annotation.get("/F", 0)) | 4) & ~(1 | 2 | 32 | 256)
    if merge_structure:
        _merge_structure(brief, report, new_pages, index)
    else:
        _forget_structure(new_pages)

    carried = _carry_attachments(brief, report, prefix.rstrip("/"))
    with report.open_outline() as outline:
        top = pikepdf.OutlineItem(title, pikepdf.Array([new_pages[0], pikepdf.Name.XYZ, None, None, None]))
        top.children.extend(_make_item(item, new_pages) for item in brief_items)
        position = _outline_position(report, outline.root, index, len(new_pages))
        outline.root.insert(position, top)
    return index + 1, carried


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

    if "/Names" not in report.Root:
        report.Root.Names = pikepdf.Dictionary()
    if "/EmbeddedFiles" not in report.Root.Names:
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
    info = brief.docinfo if brief.trailer.get("/Info") is not None else {}
    dates = {key: str(info[field]) for key, field in (("creation_date", "/CreationDate"),
                                                      ("mod_date", "/ModDate")) if field in info}
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

_ACTIVE = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/Rendition", "/Sound",
           "/Movie", "/Hide", "/SetOCGState", "/GoTo3DView", "/RichMediaExecute"}


def _strip_active_content(pdf: Any, which: str) -> list[str]:
    """Remove JavaScript and other actions that run on their own or run code; say what went."""
    import pikepdf

    removed: list[str] = []
    root = pdf.Root
    if "/OpenAction" in root and isinstance(root.OpenAction, pikepdf.Dictionary) \
            and _runs_code(root.OpenAction):
        del root["/OpenAction"]
        removed.append("the action run on opening (OpenAction)")
    holders = [("the document's", root), *((f"page {number}'s", page.obj)
                                           for number, page in enumerate(pdf.pages, 1))]
    for number, page in enumerate(pdf.pages, 1):
        for annotation in page.obj.get("/Annots", []):
            holders.append((f"an annotation's on page {number}", annotation))
            if "/A" in annotation and _runs_code(annotation.A):
                del annotation["/A"]
                removed.append(f"a {annotation.get('/Subtype', 'annotation')} action on page {number}")
    for field in _fields(root.get("/AcroForm", {}).get("/Fields", [])):
        holders.append(("a form field's", field))
    for where, holder in holders:
        if "/AA" in holder:
            del holder["/AA"]
            removed.append(f"{where} additional actions (AA)")
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names:
        del names["/JavaScript"]
        removed.append("the document's JavaScript")
    if not removed:
        return []
    return [f"removed active content from the {which}: {'; '.join(removed)}"]


def _drop_empty_files(pdf: Any, which: str) -> list[str]:
    """Remove embedded-file entries that hold no file (no /EF stream); say which went.

    Such an entry names a file a reader cannot open; carried into the result, it would be an
    attachment that is not there.
    """
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/EmbeddedFiles" not in names:
        return []
    tree = pikepdf.NameTree(names.EmbeddedFiles)
    empty = [name for name, spec in tree.items()
             if not isinstance(spec, pikepdf.Dictionary) or not isinstance(spec.get("/EF"), pikepdf.Dictionary)
             or not any(isinstance(spec.EF.get(key), pikepdf.Stream) for key in ("/F", "/UF"))]
    for name in empty:
        spec = tree[name]
        del tree[name]
        if isinstance(pdf.Root.get("/AF"), pikepdf.Array):
            kept = [item for item in pdf.Root.AF if item.objgen != spec.objgen or spec.objgen == (0, 0)]
            pdf.Root.AF = pikepdf.Array(kept)
    return [f"removed an embedded file with no data from the {which}: {name}" for name in empty]


def _runs_code(action: Any) -> bool:
    """Whether an action, or one it chains to (Next), is JavaScript or another active action."""
    import pikepdf

    chain = [action]
    while chain:
        item = chain.pop()
        if not isinstance(item, pikepdf.Dictionary):
            continue
        if str(item.get("/S", "")) in _ACTIVE or "/JS" in item:
            return True
        following = item.get("/Next")
        if following is not None:
            chain.extend(following if isinstance(following, pikepdf.Array) else [following])
    return False


def _fields(fields: Any) -> list[Any]:
    found = []
    for field in fields:
        found.append(field)
        found += _fields(field.get("/Kids", []))
    return found


# --- claims --------------------------------------------------------------------------------------

_CLAIM = re.compile(r'(pdfa|pdfua)id:(part|conformance|rev)(?:="([^"]*)"|>([^<]*)<)')


def _claims(pdf: Any) -> dict[str, str]:
    """What the XMP claims: {'pdfa': '3', 'pdfa_level': 'B', 'pdfua': '1'}."""
    if "/Metadata" not in pdf.Root:
        return {}
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")
    found = {}
    for standard, key, attribute, element in _CLAIM.findall(xmp):
        name = {"part": standard, "conformance": f"{standard}_level", "rev": f"{standard}_rev"}[key]
        found[name] = (attribute or element).strip()
    return found


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
    if "/Metadata" not in pdf.Root:
        return None
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")
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
        for annotation in page.get("/Annots", []):
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
    from ..printing.conform import is_element, kids

    if "/Pg" in element and element.Pg.objgen in page_number:
        return page_number[element.Pg.objgen]
    for item in kids(element):
        if is_element(item):
            found = _first_page(item, page_number)
            if found < 10**9:
                return found
    return 10**9


def _forget_structure(new_pages: list[Any]) -> None:
    """Pages that join no structure tree keep no keys into one."""
    for page in new_pages:
        if "/StructParents" in page:
            del page["/StructParents"]
        for annotation in page.get("/Annots", []):
            if "/StructParent" in annotation:
                del annotation["/StructParent"]
