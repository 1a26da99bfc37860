"""After WeasyPrint: make the PDF what its variant claims, with pikepdf.

WeasyPrint writes most of what a PDF/A or PDF/UA variant needs, but leaves
some of it undone or wrong:

- Tagged PDFs: the running heads and footers of the page margins are marked
  content that no structure element reaches (WeasyPrint builds their elements
  but links them nowhere); they become artifacts of type Pagination, and the
  marked-content identifiers of each page are numbered again from 0. Elements
  with no content (the hidden spans that feed the running strings) go; lists
  become L > LI > LBody; a Caption outside a table, list or figure becomes a P;
  every table header cell gets a Scope; every element's P names its parent.
- PDF/A-4 without a level: WeasyPrint can only write it as "U", which ISO
  19005-4 does not have; the level is removed.
- PDF/A together with PDF/UA: WeasyPrint writes one claim; the other is added
  to the XMP, with the extension schema PDF/A-2 and PDF/A-3 ask for.
- CIDSets: each embedded CID font's CIDSet lists every glyph of the font
  program (PDF/A-2 6.2.11.4.2, PDF/UA-1 7.21.4.2).
- PDF/A-1 (PDF 1.4): WeasyPrint embeds CFF-flavoured OpenType fonts as
  `/FontFile3 /OpenType`, which PDF 1.4 does not have; they are converted to
  TrueType (the curves become quadratic within a thousandth of an em) and embedded
  as `/FontFile2`. The XMP is written with every property as an element and its
  namespace declared on its own rdf:Description, as Apache PDFBox's XMP parser
  needs, and the file has no object or cross-reference streams.
- Page labels: with a first page number, the viewer's page labels start there.
"""

from __future__ import annotations

import io
import re
from typing import Any

from . import variants


UA_EXTENSION_SCHEMA = """<rdf:Description rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name>\
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"""


def needed(variant: variants.Variant, first_page: int | None, publication: Any = None) -> bool:
    return bool(variants.names(variant)) or first_page is not None or publication is not None


def finish(pdf: bytes, variant: variants.Variant, first_page: int | None = None, publication: Any = None) -> bytes:
    """`pdf` as written by WeasyPrint, made what `variant` claims; page labels from `first_page`;
    a published brief's creators, identifiers and rights (`xmp.Publication`) in its XMP."""
    import pikepdf

    from . import xmp

    with pikepdf.open(io.BytesIO(pdf)) as document:
        if first_page is not None:
            set_page_labels(document, [("/D", "", first_page + offset) for offset in range(len(document.pages))])
        if "/StructTreeRoot" in document.Root:
            repair_structure(document)
        pdf_a_1 = (variants.archival(variant) or "").startswith("pdf/a-1")
        if pdf_a_1:
            truetype_fonts(document)
        if variants.is_archival(variant):
            complete_cidsets(document)
        _claims(document, variant)
        if publication is not None:
            xmp.add(document, publication, variant)
        if pdf_a_1:
            _xmp_for_pdfbox(document)
        buffer = io.BytesIO()
        streams = pikepdf.ObjectStreamMode.disable if pdf_a_1 else pikepdf.ObjectStreamMode.preserve
        document.save(buffer, deterministic_id=True, object_stream_mode=streams)
    return buffer.getvalue()


# --- page labels ---------------------------------------------------------------------------------

Label = tuple[str | None, str, int]  # style (/D, /r, … or None for a prefix alone), prefix, number


def page_labels(pdf: Any) -> list[Label]:
    """The label of every page: its numbering style, prefix and number (PDF 32000-1, 12.4.2)."""
    import pikepdf

    count = len(pdf.pages)
    labels: list[Label] = [("/D", "", number + 1) for number in range(count)]
    tree = pdf.Root.get("/PageLabels")
    if tree is None:
        return labels
    ranges = sorted((int(key), value) for key, value in pikepdf.NumberTree(tree).items())
    for position, (start, entry) in enumerate(ranges):
        end = ranges[position + 1][0] if position + 1 < len(ranges) else count
        style = str(entry["/S"]) if "/S" in entry else None
        prefix = str(entry.get("/P", ""))
        first = int(entry.get("/St", 1))
        for index in range(max(start, 0), min(end, count)):
            labels[index] = (style, prefix, first + index - start)
    return labels


def set_page_labels(pdf: Any, labels: list[Label]) -> None:
    """Write `labels` (one per page) as the fewest ranges of a /PageLabels number tree."""
    import pikepdf

    nums: list[Any] = []
    previous: Label | None = None
    for index, label in enumerate(labels):
        style, prefix, number = label
        if previous is None or (previous[0], previous[1], previous[2] + 1) != label:
            entry = pikepdf.Dictionary()
            if style is not None:
                entry.S = pikepdf.Name(style)
            if prefix:
                entry.P = pikepdf.String(prefix)
            if number != 1:
                entry.St = number
            nums += [index, entry]
        previous = label
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))


# --- structure -----------------------------------------------------------------------------------

def kids(element: Any) -> list[Any]:
    import pikepdf

    value = element.get("/K")
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def is_element(item: Any) -> bool:
    import pikepdf

    return isinstance(item, pikepdf.Dictionary) and "/S" in item


def tag(element: Any) -> str:
    return str(element.get("/S"))


def repair_structure(pdf: Any) -> None:
    """Give every marked-content sequence a place in the structure tree or make it an artifact."""
    root = pdf.Root.StructTreeRoot
    top = [kid for kid in kids(root) if is_element(kid)]
    for element in top:
        _prune(element)
        _reshape(pdf, element, root)
    _renumber(pdf, root)


def _set_kids(element: Any, items: list[Any]) -> None:
    import pikepdf

    element.K = pikepdf.Array(items)


def _prune(element: Any) -> bool:
    """Remove the elements below `element` that hold no content; whether `element` holds any."""
    kept = [kid for kid in kids(element) if not is_element(kid) or _prune(kid)]
    _set_kids(element, kept)
    return bool(kept)


_NOT_IN_A_LIST = {"/Div", "/NonStruct", "/Span", "/Part", "/Sect"}
_CAPTION_PARENTS = {"/Table", "/L", "/Figure", "/TOC", "/Formula"}


def _new_element(pdf: Any, kind: str, parent: Any, items: list[Any]) -> Any:
    import pikepdf

    element = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name(kind),
                                                   P=parent, K=pikepdf.Array(items)))
    page = next((item.Pg for item in items if is_element(item) and "/Pg" in item), parent.get("/Pg"))
    if page is not None:
        element.Pg = page
    return element


def _reshape(pdf: Any, element: Any, parent: Any) -> None:
    """Lists as L > LI > LBody, captions where they belong, table headers with a scope; P set."""
    import pikepdf

    element.P = parent
    kind = tag(element)
    items = kids(element)
    if kind == "/L":
        flat: list[Any] = []
        pending = list(items)
        while pending:
            item = pending.pop(0)
            if is_element(item) and tag(item) in _NOT_IN_A_LIST:
                pending[0:0] = kids(item)  # a wrapper inside a list: its items belong to the list
            else:
                flat.append(item)
        items = [item if is_element(item) and tag(item) in ("/L", "/LI", "/Caption")
                 else _new_element(pdf, "/LI", element, [_new_element(pdf, "/LBody", element, [item])])
                 for item in flat]
        caption = [item for item in items if is_element(item) and tag(item) == "/Caption"]
        items = caption[:1] + [item for item in items if item not in caption[:1]]
    elif kind == "/LI":
        grouped: list[Any] = []
        loose: list[Any] = []
        for item in items:
            if is_element(item) and tag(item) in ("/Lbl", "/LBody"):
                if loose:
                    grouped.append(_new_element(pdf, "/LBody", element, loose))
                    loose = []
                grouped.append(item)
            else:
                loose.append(item)
        if loose:
            grouped.append(_new_element(pdf, "/LBody", element, loose))
        items = grouped
    elif kind == "/Caption" and tag(parent) not in _CAPTION_PARENTS:
        element.S = pikepdf.Name.P
    elif kind == "/TH":
        _scope(element, parent)
    _set_kids(element, items)
    for item in items:
        if is_element(item):
            _reshape(pdf, item, element)


def _scope(cell: Any, row: Any) -> None:
    """A header cell's Scope: Column in a table head or a first row, else Row for a row's first cell."""
    import pikepdf

    attributes = cell.get("/A")
    if attributes is None:
        attributes = cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
    listed = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
    table = [item for item in listed if isinstance(item, pikepdf.Dictionary) and item.get("/O") == "/Table"]
    if not table:
        table = [pikepdf.Dictionary(O=pikepdf.Name.Table)]
        cell.A = pikepdf.Array([*listed, table[0]])
    if "/Scope" in table[0]:
        return
    group = row.get("/P")
    cells = [item for item in kids(row) if is_element(item)]
    in_head = group is not None and tag(group) == "/THead"
    first_cell = bool(cells) and cells[0].objgen == cell.objgen
    all_headers = all(tag(item) == "/TH" for item in cells)
    table[0].Scope = pikepdf.Name.Column if in_head or all_headers or not first_cell else pikepdf.Name.Row


def _renumber(pdf: Any, root: Any) -> None:
    """Marked content no element reaches becomes an artifact; MCIDs of each page run from 0 again."""
    import pikepdf

    owners: dict[tuple, list[tuple[Any, int, Any]]] = {}  # (page, mcid) -> [(element, index, item)]

    def walk(element: Any, page: Any) -> None:
        page = element.get("/Pg", page)
        for index, item in enumerate(kids(element)):
            if isinstance(item, int):
                if page is not None:
                    owners.setdefault((page.objgen, int(item)), []).append((element, index, None))
            elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
                where = item.get("/Pg", page)
                if where is not None:
                    owners.setdefault((where.objgen, int(item.MCID)), []).append((element, index, item))
            elif is_element(item):
                walk(item, page)

    for element in kids(root):
        if is_element(element):
            walk(element, None)

    parent_tree = pikepdf.NumberTree(root.ParentTree) if "/ParentTree" in root else None
    entries = dict(parent_tree.items()) if parent_tree is not None else {}
    next_key = max([int(key) for key in entries] + [-1]) + 1
    new_entries: dict[int, Any] = {int(key): value for key, value in entries.items()
                                   if not isinstance(value, pikepdf.Array)}  # annotations keep theirs
    for page in pdf.pages:
        renumbered: dict[int, int] = {}
        parents: list[Any] = []
        instructions = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary) \
                    and "/MCID" in operands[1]:
                old = int(operands[1].MCID)
                found = owners.get((page.obj.objgen, old))
                if found:
                    new = renumbered[old] = len(parents)
                    parents.append(found[0][0])
                    properties = pikepdf.Dictionary({**{key: operands[1][key] for key in operands[1].keys()},
                                                     "/MCID": new})
                    operands = [operands[0], properties]
                else:
                    operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
            instructions.append(pikepdf.ContentStreamInstruction(list(operands), operator))
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        for old, new in renumbered.items():
            for element, index, item in owners[(page.obj.objgen, old)]:
                if item is None:
                    items = kids(element)
                    items[index] = new
                    _set_kids(element, items)
                else:
                    item.MCID = new
        if parents:
            if "/StructParents" not in page.obj:
                page.obj.StructParents = next_key
                next_key += 1
            new_entries[int(page.obj.StructParents)] = pdf.make_indirect(pikepdf.Array(parents))
        elif "/StructParents" in page.obj:
            del page.obj["/StructParents"]
    _write_parent_tree(pdf, root, new_entries)


def _write_parent_tree(pdf: Any, root: Any, entries: dict[int, Any]) -> None:
    import pikepdf

    nums: list[Any] = []
    for key in sorted(entries):
        nums += [key, entries[key]]
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = max(entries, default=-1) + 1


# --- fonts ---------------------------------------------------------------------------------------

def complete_cidsets(pdf: Any) -> None:
    """Each CIDSet lists every CID whose glyph is in the embedded font program."""
    for font in _descendant_fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or "/CIDSet" not in descriptor:
            continue
        present = font_cids(font)
        if present is None:
            del descriptor["/CIDSet"]  # optional from PDF/A-2 on; wrong is worse than absent
            continue
        bits = bytearray((max(present, default=0) // 8) + 1)
        for cid in present:
            bits[cid // 8] |= 0x80 >> (cid % 8)
        descriptor.CIDSet = pdf.make_stream(bytes(bits))


def truetype_fonts(pdf: Any) -> None:
    """Every CFF-flavoured OpenType font program becomes a TrueType one (PDF 1.4 has no /OpenType)."""
    import pikepdf

    for font in _descendant_fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        program = descriptor.get("/FontFile3") if descriptor is not None else None
        if program is None or program.get("/Subtype") != "/OpenType":
            continue
        descriptor.FontFile2 = pdf.make_stream(otf_to_ttf(program.read_bytes()))
        del descriptor["/FontFile3"]
        font.Subtype = pikepdf.Name.CIDFontType2
        font.CIDToGIDMap = pikepdf.Name.Identity  # WeasyPrint's CFF subsets use glyph ids as CIDs


def otf_to_ttf(data: bytes) -> bytes:
    """A CFF-flavoured OpenType font as a TrueType font with the same glyphs in the same order."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # the same bytes on every build
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    for table in ("CFF ", "CFF2", "VORG"):
        if table in font:
            del font[table]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attribute in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                      "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _descendant_fonts(pdf: Any) -> list[Any]:
    seen, found = set(), []
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for key in fonts.keys():
            font = fonts[key]
            for descendant in font.get("/DescendantFonts", []):
                if descendant.objgen not in seen:
                    seen.add(descendant.objgen)
                    found.append(descendant)
    return found


def font_cids(font: Any) -> set[int] | None:
    """The CIDs whose glyph is present in the font program of a CIDFont, or None if unknown."""
    import pikepdf
    from fontTools.ttLib import TTFont

    descriptor = font.FontDescriptor
    program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    if program is None:
        return None
    try:
        parsed = TTFont(io.BytesIO(program.read_bytes()), lazy=True)
        glyphs = len(parsed.getGlyphOrder())
    except Exception:  # noqa: BLE001 - a bare CFF program or a font fontTools cannot read
        return None
    mapping = font.get("/CIDToGIDMap")
    if mapping is None or (isinstance(mapping, pikepdf.Name) and mapping == "/Identity"):
        return set(range(glyphs))
    data = mapping.read_bytes()
    return {cid for cid in range(len(data) // 2)
            if (gid := int.from_bytes(data[2 * cid:2 * cid + 2], "big")) < glyphs and (gid or cid == 0)}


# --- claims --------------------------------------------------------------------------------------

def _claims(pdf: Any, variant: variants.Variant) -> None:
    """The XMP claims what was asked: both claims of a combined request; no level for pdf/a-4."""
    if "/Metadata" not in pdf.Root:
        return
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    archival, accessible = variants.archival(variant), variants.accessible(variant)
    changed = xmp
    if archival == "pdf/a-4":
        changed = re.sub(r'\s*pdfaid:conformance="[^"]*"', "", changed)
    if archival and accessible and "pdfuaid:part" not in changed:
        part = variants.part(accessible)
        claim = (f'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
                 f'pdfuaid:part="{part}"' + (">" + "<pdfuaid:rev>2024</pdfuaid:rev></rdf:Description>"
                                             if part == "2" else " />"))
        if variants.part(archival) in ("2", "3"):
            claim += UA_EXTENSION_SCHEMA
        changed = changed.replace("</rdf:RDF>", claim + "</rdf:RDF>", 1)
    if changed != xmp:
        pdf.Root.Metadata.write(changed.encode("utf-8"))


def _xmp_for_pdfbox(pdf: Any) -> None:
    """Every XMP property as an element, every rdf:Description declaring the namespaces it uses."""
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    head = xmp[:xmp.index("<rdf:Description")]
    namespaces = dict(re.findall(r'xmlns:(\w+)="([^"]*)"', xmp))

    def as_elements(match: re.Match) -> str:
        properties = [item for item in re.findall(r'\s(\w+):(\w+)="([^"]*)"', match.group(1)) if item[0] != "rdf"]
        return '<rdf:Description rdf:about="">' + "".join(
            f"<{prefix}:{name}>{value}</{prefix}:{name}>" for prefix, name, value in properties) + "</rdf:Description>"

    def declare(match: re.Match) -> str:
        whole = match.group(0)
        opening = whole[:whole.index(">")]
        used = sorted(set(re.findall(r"</?(\w+):", whole)) - {"rdf", "x"})
        declared = "".join(f' xmlns:{prefix}="{namespaces[prefix]}"' for prefix in used
                           if prefix in namespaces and f"xmlns:{prefix}=" not in opening)
        return whole.replace("<rdf:Description", "<rdf:Description" + declared, 1)

    body = xmp[len(head):]
    body = re.sub(r'<rdf:Description rdf:about=""((?:\s\w+:\w+="[^"]*")+)\s*/>', as_elements, body)
    body = re.sub(r"<rdf:Description\b.*?</rdf:Description>", declare, body, flags=re.S)
    pdf.Root.Metadata.write((head + body).encode("utf-8"))
