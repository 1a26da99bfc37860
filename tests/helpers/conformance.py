"""Independent checks of PDF/A and PDF/UA claims: a subset of veraPDF's rules, and the other checkers.

veraPDF cannot be installed here, but its rules are public (the repository
veraPDF/veraPDF-validation-profiles, one XML file per rule, named by clause
and test number). `verapdf_subset()` re-implements, with pikepdf and fontTools,
the rules that apply to what briefing writes; each finding names its rule as
veraPDF does ("ISO 19005-2 6.3.2-t02"). It checks what the file claims in its
XMP, like veraPDF's automatic profile choice, so a merged file is held to the
claims it kept. It is a subset: rules about features briefing never writes
(forms, JPEG 2000, optional content, Type 1 and Type 3 fonts, PostScript,
transparency groups, media) are not implemented, nor the rules that need a
full font and colour interpreter (glyph widths 6.2.11.5, .notdef use 6.2.11.8).

The list of rules, with the clause and test numbers of veraPDF's profiles:

PDF/A-1 (ISO 19005-1), -2, -3 (ISO 19005-2/-3) and -4 (ISO 19005-4); the numbers are those of
PDF/A-2 and -3, `_RULES` gives each part's own (A-1 is checked by Apache PDFBox preflight too):
  6.1.2-t01 header %PDF-1.n (A-4: %PDF-2.n) · 6.1.3-t01 trailer ID · 6.1.3-t02 no Encrypt
  A-4 6.1.3-t04/-t05 no Info dictionary, or one with ModDate alone
  6.2.3-t01 the PDF/A output intent's profile is an output or monitor profile, its N matches
  6.2.4.3-t02 DeviceRGB only with an RGB output intent (A-4: 6.2.4.3-t02 as well)
  6.2.11.4.1-t01 (A-4 6.2.10.4.1-t01) every font program is embedded
  6.2.11.4.2-t02 (UA-1 7.21.4.2-t02) a CIDSet lists exactly the CIDs the font program has
  6.3.2-t02 annotations have the print flag and none of the hidden flags
  6.5.1-t01 no forbidden actions (JavaScript, Launch, …) · 6.5.2-t01/-t02 no AA in catalog or pages
  6.6.2.1-t01 a Metadata stream of type XML (A-1 6.7.2-t02: unfiltered) · 6.6.2.3.1-t01 every
  XMP property is predefined or declared in an extension schema (A-1 6.7.9-t01; not A-4)
  A-1 6.1.11-t01/-t02: no embedded files · A-1 6.3.4-t01: no /FontFile3 /OpenType (PDF 1.6)
  · A-1 6.3.5-t03: every CID font subset has a CIDSet
  6.6.4-t01/-t02/-t03 (A-4: 6.7.3-t01/-t02/-t03/-t05) pdfaid:part and conformance (A-4: none,
  E or F; rev a four-digit year)
  A-2 6.8-t01/-t02: embedded files are PDF/A-1 or -2 and have F and UF
  A-3 6.8-t01..t04: MIME Subtype, F and UF, AFRelationship, listed in AF
  A-4 6.9-t01..t04: MIME Subtype, F and UF, PDF/A unless 4f, AFRelationship
  Level A (6.7 of A-2/-3) and PDF/UA: the structure rules below.
PDF/UA-1 (ISO 14289-1), with the PDF/UA-2 rule where it differs:
  5-t01/-t02 pdfuaid:part · 7.1-t01/-t02 no artifacts inside tagged content or the reverse
  7.1-t03 (UA-2 8.2.2-t01) every painted object is an artifact or tagged content that the
  structure tree reaches through the ParentTree · 7.1-t08 not Suspects · 7.1-t09 dc:title
  7.1-t10 DisplayDocTitle · 7.1-t11 StructTreeRoot · 7.1-t12 (UA-2 8.2.1-t02) every element's
  P is its parent · 6.2-t01 MarkInfo Marked · 7.2-t34 Lang
  7.2-t03 Table kids · 7.2-t17..t20 L > LI > Lbl/LBody · 7.2-t16/-t40 Caption place
  7.2 TH/TD in TR, TR in a table part · 7.5-t01 every TH has a Scope (stricter than veraPDF,
  which asks for it only when Headers/IDs are missing)
  7.3-t01 Figure has Alt · 7.11-t01 embedded files have F and UF
  7.18.1-t02 annotations other than links and widgets in an Annot element
  7.18.3-t01 (UA-2 8.9.3.3-t01) pages with annotations have Tabs /S
  7.18.5-t01 link annotations belong to a Link element · 7.18.5-t02 they have Contents
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

import pikepdf

from .tools import pdfbox_classpath, tool

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PREDEFINED = {  # XMP schemas PDF/A-2 and -3 know without an extension schema (6.6.2.3.1)
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/bj/", "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/", "http://ns.adobe.com/pdf/1.3/",
    "http://ns.adobe.com/photoshop/1.0/", "http://ns.adobe.com/camera-raw-settings/1.0/",
    "http://ns.adobe.com/tiff/1.0/", "http://ns.adobe.com/exif/1.0/", "http://ns.adobe.com/exif/1.0/aux/",
    "http://www.aiim.org/pdfa/ns/id/", "http://www.aiim.org/pdfa/ns/extension/",
    "http://www.aiim.org/pdfa/ns/schema#", "http://www.aiim.org/pdfa/ns/property#",
    "http://www.aiim.org/pdfa/ns/type#", "http://www.aiim.org/pdfa/ns/field#", RDF,
}
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
                     "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript"}
PAINTING = {"Tj", "TJ", "'", '"', "Do", "sh", "BI", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}


# --- claims ---------------------------------------------------------------------------------------

def xmp_tree(pdf: pikepdf.Pdf) -> ElementTree.Element | None:
    if "/Metadata" not in pdf.Root:
        return None
    data = pdf.Root.Metadata.read_bytes()
    return ElementTree.fromstring(data[data.index(b"<x:xmpmeta"):data.rindex(b"</x:xmpmeta>") + 12])


def xmp_properties(tree: ElementTree.Element) -> dict[str, str]:
    """Every simple property of every rdf:Description, attribute or element, by `{ns}name`."""
    found: dict[str, str] = {}
    for description in tree.iter(f"{{{RDF}}}Description"):
        for key, value in description.attrib.items():
            if not key.startswith(f"{{{RDF}}}"):
                found[key] = value
        for child in description:
            found.setdefault(child.tag, (child.text or "").strip())
    return found


def claims(path: Path) -> dict[str, str]:
    """pdfaid:part, pdfaid:conformance, pdfaid:rev, pdfuaid:part, as the XMP states them."""
    with pikepdf.open(path) as pdf:
        tree = xmp_tree(pdf)
    if tree is None:
        return {}
    properties = xmp_properties(tree)
    names = {"{http://www.aiim.org/pdfa/ns/id/}part": "pdfa", "{http://www.aiim.org/pdfa/ns/id/}conformance":
             "pdfa_level", "{http://www.aiim.org/pdfa/ns/id/}rev": "pdfa_rev",
             "{http://www.aiim.org/pdfua/ns/id/}part": "pdfua", "{http://www.aiim.org/pdfua/ns/id/}rev": "pdfua_rev"}
    return {short: properties[key] for key, short in names.items() if key in properties}


# --- the veraPDF rule subset ----------------------------------------------------------------------

def verapdf_subset(path: Path) -> list[str]:
    """The rules of the subset that `path` fails, for the claims it makes; [] if it passes them all."""
    path = Path(path)
    claimed = claims(path)
    failures: list[str] = []
    with pikepdf.open(path) as pdf:
        if "pdfa" in claimed:
            failures += _pdfa(pdf, path, claimed)
        if "pdfua" in claimed or claimed.get("pdfa_level") == "A":
            failures += _structure(pdf, claimed)
        if "pdfua" in claimed:
            failures += _pdfua(pdf, claimed)
    return failures


# The rule of each check, per PDF/A part, as veraPDF numbers it.
_RULES = {
    "header": {"1": "6.1.2-t01", "2": "6.1.2-t01", "3": "6.1.2-t01", "4": "6.1.2-t01"},
    "id": {"1": "6.1.3-t01", "2": "6.1.3-t01", "3": "6.1.3-t01", "4": "6.1.3-t01"},
    "encrypt": {"1": "6.1.3-t02", "2": "6.1.3-t02", "3": "6.1.3-t02", "4": "6.1.3-t02"},
    "part": {"1": "6.7.11-t02", "2": "6.6.4-t02", "3": "6.6.4-t02", "4": "6.7.3-t02"},
    "level": {"1": "6.7.11-t03", "2": "6.6.4-t03", "3": "6.6.4-t03", "4": "6.7.3-t03"},
    "metadata": {"1": "6.7.2-t01", "2": "6.6.2.1-t01", "3": "6.6.2.1-t01", "4": "6.7.2.1-t01"},
    "schemas": {"1": "6.7.9-t01", "2": "6.6.2.3.1-t01", "3": "6.6.2.3.1-t01"},
    "intent": {"1": "6.2.2-t01", "2": "6.2.3-t01", "3": "6.2.3-t01", "4": "6.2.3-t01"},
    "rgb": {"1": "6.2.3.3-t01", "2": "6.2.4.3-t02", "3": "6.2.4.3-t02", "4": "6.2.4.3-t02"},
    "font": {"1": "6.3.4-t01", "2": "6.2.11.4.1-t01", "3": "6.2.11.4.1-t01", "4": "6.2.10.4.1-t01"},
    "cidset": {"1": "6.3.5-t03", "2": "6.2.11.4.2-t02", "3": "6.2.11.4.2-t02"},
    "annotation": {"1": "6.5.3-t02", "2": "6.3.2-t02", "3": "6.3.2-t02", "4": "6.3.2-t02"},
    "action": {"1": "6.6.1-t01", "2": "6.5.1-t01", "3": "6.5.1-t01", "4": "6.6.1-t01"},
    "catalog_aa": {"1": "6.6.2-t03", "2": "6.5.2-t01", "3": "6.5.2-t01", "4": "6.6.2-t01"},
    "page_aa": {"2": "6.5.2-t02", "3": "6.5.2-t02", "4": "6.6.2-t02"},
}


def _pdfa(pdf: pikepdf.Pdf, path: Path, claimed: dict[str, str]) -> list[str]:
    part, level = claimed["pdfa"], claimed.get("pdfa_level")
    iso = f"ISO 19005-{part}"
    fail: list[str] = []

    def rule(key: str) -> str | None:
        number = _RULES[key].get(part)
        return f"{iso} {number}" if number else None

    if part not in ("1", "2", "3", "4"):
        return [f"{iso}: pdfaid:part {part} is no part of ISO 19005"]
    header = path.read_bytes()[:9]
    if not re.fullmatch(rb"%PDF-" + {"1": rb"1\.4", "4": rb"2\.\d"}.get(part, rb"1\.\d") + rb"[\r\n]", header):
        fail.append(f"{rule('header')}: header {header!r}")
    if "/ID" not in pdf.trailer:
        fail.append(f"{rule('id')}: no ID in the trailer")
    if pdf.is_encrypted:
        fail.append(f"{rule('encrypt')}: encrypted")
    if part == "4" and "/Info" in pdf.trailer and "/PieceInfo" not in pdf.Root:
        info = pdf.trailer.Info
        if set(info.keys()) - {"/ModDate"}:
            fail.append(f"{iso} 6.1.3-t04/-t05: an Info dictionary with {sorted(info.keys())}")
    # Identification.
    if part == "4":
        if level not in (None, "E", "F"):
            fail.append(f"{rule('level')}: pdfaid:conformance {level!r} (only E or F, or none)")
        if not re.fullmatch(r"\d{4}", claimed.get("pdfa_rev", "")):
            fail.append(f"{iso} 6.7.3-t05: pdfaid:rev {claimed.get('pdfa_rev')!r}")
    elif level not in (("A", "B") if part == "1" else ("A", "B", "U")):
        fail.append(f"{rule('level')}: pdfaid:conformance {level!r}")
    # Metadata.
    metadata = pdf.Root.get("/Metadata")
    if metadata is None or metadata.get("/Type") != "/Metadata" or metadata.get("/Subtype") != "/XML":
        fail.append(f"{rule('metadata')}: no Metadata stream of type XML")
    else:
        if part == "1" and "/Filter" in metadata:
            fail.append(f"{iso} 6.7.2-t02: the Metadata stream has a Filter")
        if rule("schemas"):
            fail += [f"{rule('schemas')}: {name}" for name in _undeclared_properties(xmp_tree(pdf))]
    # Output intent and colour.
    intents = [intent for intent in pdf.Root.get("/OutputIntents", []) if intent.get("/S") == "/GTS_PDFA1"]
    rgb_intent = False
    if not intents:
        fail.append(f"{rule('intent')}: no GTS_PDFA1 output intent")
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        data = profile.read_bytes() if profile is not None else b""
        device_class, colour_space = data[12:16], data[16:20]
        if device_class not in (b"prtr", b"mntr") or colour_space not in (b"RGB ", b"CMYK", b"GRAY"):
            fail.append(f"{rule('intent')}: output profile class {device_class!r}, colours {colour_space!r}")
        expected = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}.get(colour_space)
        if profile is not None and int(profile.get("/N", 0)) != expected:
            fail.append(f"{rule('intent')}: output profile N {profile.get('/N')} for {colour_space!r}")
        rgb_intent = rgb_intent or colour_space == b"RGB "
    if not rgb_intent and _uses_device_rgb(pdf):
        fail.append(f"{rule('rgb')}: DeviceRGB without an RGB output intent")
    # Fonts.
    for name, font in _fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if font.get("/Subtype") != "/Type3" and (descriptor is None or not any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))):
            fail.append(f"{rule('font')}: font {name} is not embedded")
        if part == "1" and descriptor is not None and "/FontFile3" in descriptor \
                and descriptor.FontFile3.get("/Subtype") not in ("/Type1C", "/CIDFontType0C"):
            fail.append(f"{rule('font')}: font {name} is embedded as {descriptor.FontFile3.get('/Subtype')}, "
                        "which PDF 1.4 does not have")
        if part == "1" and font.get("/Subtype") in ("/CIDFontType0", "/CIDFontType2") \
                and descriptor is not None and "/CIDSet" not in descriptor:
            fail.append(f"{rule('cidset')}: CID font subset {name} has no CIDSet")
    if rule("cidset"):
        fail += [f"{rule('cidset')}: {problem}" for problem in cidset_problems(pdf)]
    # Annotations and actions.
    for number, page in enumerate(pdf.pages, 1):
        if "/AA" in page.obj and rule("page_aa"):
            fail.append(f"{rule('page_aa')}: page {number} has AA")
        for annotation in page.obj.get("/Annots", []):
            flags = int(annotation.get("/F", 0))
            if "/F" in annotation and (flags & 4 != 4 or flags & (1 | 2 | 32 | 256)):
                fail.append(f"{rule('annotation')}: page {number} {annotation.get('/Subtype')} annotation F={flags}")
            elif "/F" not in annotation and (part == "1" or annotation.get("/Subtype") != "/Popup"):
                fail.append(f"{iso} {'6.5.3-t02' if part == '1' else '6.3.2-t01'}: page {number} "
                            f"{annotation.get('/Subtype')} annotation has no F")
    if "/AA" in pdf.Root:
        fail.append(f"{rule('catalog_aa')}: the catalog has AA")
    for kind in _actions(pdf):
        if kind in FORBIDDEN_ACTIONS:
            fail.append(f"{rule('action')}: a {kind} action")
    # Embedded files.
    embedded = _embedded(pdf)
    if part == "1":
        names = pdf.Root.get("/Names", {})
        if "/EmbeddedFiles" in names:
            fail.append(f"{iso} 6.1.11-t02: the name dictionary has EmbeddedFiles")
        fail += [f"{iso} 6.1.11-t01: {name} is embedded (EF)" for name, spec in embedded if "/EF" in spec]
    for name, spec in embedded if part != "1" else []:
        stream = spec.EF.F if "/EF" in spec and "/F" in spec.EF else None
        has_names = "/F" in spec and "/UF" in spec and str(spec.F) and str(spec.UF)
        if part == "2":
            if not has_names:
                fail.append(f"{iso} 6.8-t02: {name} lacks F or UF")
            if stream is not None and not _is_pdfa(stream.read_bytes(), ("1", "2")):
                fail.append(f"{iso} 6.8-t01: {name} is not a PDF/A-1 or PDF/A-2 file")
        elif part == "3":
            if stream is not None and "/Subtype" not in stream:
                fail.append(f"{iso} 6.8-t01: {name} has no MIME type")
            if not has_names:
                fail.append(f"{iso} 6.8-t02: {name} lacks F or UF")
            if "/AFRelationship" not in spec:
                fail.append(f"{iso} 6.8-t03: {name} has no AFRelationship")
            if spec.objgen not in {item.objgen for item in pdf.Root.get("/AF", [])}:
                fail.append(f"{iso} 6.8-t04: {name} is not listed in the catalog's AF")
        else:
            if stream is not None and "/Subtype" not in stream:
                fail.append(f"{iso} 6.9-t01: {name} has no MIME type")
            if not has_names:
                fail.append(f"{iso} 6.9-t02: {name} lacks F or UF")
            if level != "F" and stream is not None and not _is_pdfa(stream.read_bytes(), ("1", "2", "4")):
                fail.append(f"{iso} 6.9-t03: {name} is not a PDF/A-1, -2 or -4 file (only 4f may embed it)")
            if "/AFRelationship" not in spec:
                fail.append(f"{iso} 6.9-t04: {name} has no AFRelationship")
    return fail


def _undeclared_properties(tree: ElementTree.Element | None) -> list[str]:
    if tree is None:
        return []
    declared = {(uri.text or "").strip()
                for uri in tree.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")}
    known = PREDEFINED | declared
    found = []
    for description in tree.iter(f"{{{RDF}}}Description"):
        keys = [key for key in description.attrib if key != f"{{{RDF}}}about"] + [child.tag for child in description]
        for key in keys:
            namespace = key[1:].split("}")[0] if key.startswith("{") else ""
            if namespace and namespace not in known:
                found.append(f"{key} is in no predefined or declared schema")
    return found


def _is_pdfa(data: bytes, parts: tuple[str, ...]) -> bool:
    if not data.startswith(b"%PDF-"):
        return False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "embedded.pdf"
        path.write_bytes(data)
        return claims(path).get("pdfa") in parts


def _fonts(pdf: pikepdf.Pdf) -> Iterable[tuple[str, pikepdf.Dictionary]]:
    seen = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for key in fonts.keys():
            font = fonts[key]
            for item in [font, *font.get("/DescendantFonts", [])]:
                if item.objgen not in seen and item.get("/Subtype") != "/Type0":
                    seen.add(item.objgen)
                    yield str(item.get("/BaseFont", key)), item


def cidset_problems(pdf: pikepdf.Pdf) -> list[str]:
    """CIDSets that leave out a CID of the font program or list one it lacks (read with fontTools)."""
    from fontTools.ttLib import TTFont

    problems = []
    for name, font in _fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if font.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2") or descriptor is None \
                or "/CIDSet" not in descriptor:
            continue
        program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        glyphs = len(TTFont(io.BytesIO(program.read_bytes())).getGlyphOrder())
        mapping = font.get("/CIDToGIDMap", pikepdf.Name.Identity)
        if isinstance(mapping, pikepdf.Name):
            present = set(range(glyphs))
        else:
            data = mapping.read_bytes()
            present = {cid for cid in range(len(data) // 2)
                       if (gid := int.from_bytes(data[2 * cid:2 * cid + 2], "big")) < glyphs and (gid or not cid)}
        bits = descriptor.CIDSet.read_bytes()
        listed = {index for index in range(len(bits) * 8) if bits[index // 8] & (0x80 >> (index % 8))}
        if listed != present:
            problems.append(f"{name}: CIDSet lists {len(listed)} CIDs, the font program has {len(present)} "
                            f"(missing {sorted(present - listed)[:5]}, extra {sorted(listed - present)[:5]})")
    return problems


def _uses_device_rgb(pdf: pikepdf.Pdf) -> bool:
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("rg", "RG") or (str(operator) in ("cs", "CS") and operands
                                                 and operands[0] == pikepdf.Name.DeviceRGB):
                return True
    return False


def _actions(pdf: pikepdf.Pdf) -> Iterable[str]:
    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary) and "/S" in item and (
                item.get("/Type") == "/Action" or "/JS" in item or "/Next" in item
                or str(item.S) in FORBIDDEN_ACTIONS):
            yield str(item.S)
        if isinstance(item, pikepdf.Dictionary) and "/JS" in item:
            yield "/JavaScript"


def _embedded(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    found = [(name, spec.obj) for name, spec in pdf.attachments.items()]
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/FileAttachment" and "/FS" in annotation:
                found.append((str(annotation.FS.get("/UF", "annotation")), annotation.FS))
    return found


# --- structure (PDF/UA, PDF/A level A) -----------------------------------------------------------

def _kids(element: pikepdf.Object) -> list:
    value = element.get("/K")
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _is_element(item: object) -> bool:
    return isinstance(item, pikepdf.Dictionary) and "/S" in item


def _structure(pdf: pikepdf.Pdf, claimed: dict[str, str]) -> list[str]:
    ua2 = claimed.get("pdfua") == "2"
    iso = "ISO 14289-2" if ua2 else ("ISO 14289-1" if "pdfua" in claimed else f"ISO 19005-{claimed['pdfa']} (A)")
    fail: list[str] = []
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return [f"{iso} 7.1-t11: no StructTreeRoot"]
    if not pdf.Root.get("/MarkInfo", {}).get("/Marked", False):
        fail.append(f"{iso} 6.2-t01: MarkInfo Marked is not true")
    if pdf.Root.get("/MarkInfo", {}).get("/Suspects", False):
        fail.append(f"{iso} 7.1-t08: Suspects is true")
    if not str(pdf.Root.get("/Lang", "")).strip():
        fail.append(f"{iso} 7.2-t34: no document language")
    # Walk the tree: every element, its parent, the content it reaches.
    reached: dict[tuple, pikepdf.Object] = {}  # (page objgen, mcid) -> element
    objects: dict[tuple, pikepdf.Object] = {}  # annotation objgen -> element
    elements: list[tuple[pikepdf.Object, pikepdf.Object]] = []

    def walk(element: pikepdf.Object, parent: pikepdf.Object, page: pikepdf.Object | None) -> None:
        elements.append((element, parent))
        page = element.get("/Pg", page)
        for item in _kids(element):
            if isinstance(item, int):
                reached[(page.objgen if page is not None else None, int(item))] = element
            elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
                where = item.get("/Pg", page)
                reached[(where.objgen if where is not None else None, int(item.MCID))] = element
            elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/OBJR":
                objects[item.Obj.objgen] = element
            elif _is_element(item):
                walk(item, element, page)

    for item in _kids(root):
        if _is_element(item):
            walk(item, root, None)
    parent_rule = "8.2.1-t02" if ua2 else "7.1-t12"
    for element, parent in elements:
        if "/P" not in element or element.P.objgen != parent.objgen:
            fail.append(f"{iso} {parent_rule}: a {element.S} element's P is not its parent {parent.get('/S')}")
    fail += _structure_types(elements, iso)
    # The ParentTree must lead from each marked-content sequence back to the element that holds it.
    parent_tree = {int(key): value for key, value in pikepdf.NumberTree(root.ParentTree).items()} \
        if "/ParentTree" in root else {}
    content_rule = "8.2.2-t01" if ua2 else "7.1-t03"
    for number, page in enumerate(pdf.pages, 1):
        key = page.obj.get("/StructParents")
        listed = parent_tree.get(int(key)) if key is not None else None
        stack: list[tuple[str, int | None]] = []
        untagged = 0
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                kind = str(operands[0])
                mcid = None
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                inside_artifact = any(tag == "/Artifact" for tag, _ in stack)
                inside_tagged = any(found is not None for _, found in stack)
                if kind == "/Artifact" and inside_tagged:
                    fail.append(f"{iso} 7.1-t01: page {number}: an artifact inside tagged content")
                if mcid is not None and inside_artifact:
                    fail.append(f"{iso} 7.1-t02: page {number}: tagged content inside an artifact")
                if mcid is not None:
                    element = reached.get((page.obj.objgen, mcid))
                    through_tree = listed[mcid] if listed is not None and mcid < len(listed) else None
                    if element is None:
                        fail.append(f"{iso} {content_rule}: page {number}: MCID {mcid} ({kind}) is reached "
                                    "by no structure element")
                    elif through_tree is None or not isinstance(through_tree, pikepdf.Dictionary) \
                            or through_tree.objgen != element.objgen:
                        fail.append(f"{iso} {content_rule}: page {number}: the ParentTree sends MCID {mcid} "
                                    f"to another element than the {element.S} that holds it")
                stack.append((kind, mcid))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op in PAINTING and not stack:
                untagged += 1
        if untagged:
            fail.append(f"{iso} {content_rule}: page {number}: {untagged} painting operators are neither "
                        "artifacts nor tagged")
        annotations = list(page.obj.get("/Annots", []))
        if annotations and page.obj.get("/Tabs") != "/S":
            fail.append(f"{iso} {'8.9.3.3-t01' if ua2 else '7.18.3-t01'}: page {number} has annotations "
                        "but no Tabs /S")
        for annotation in annotations:
            subtype = str(annotation.get("/Subtype"))
            holder = objects.get(annotation.objgen)
            through_tree = parent_tree.get(int(annotation.StructParent)) if "/StructParent" in annotation else None
            if subtype == "/Link":
                if holder is None or holder.get("/S") != "/Link":
                    fail.append(f"{iso} 7.18.5-t01: page {number}: a link annotation in no Link element")
                elif through_tree is None or through_tree.objgen != holder.objgen:
                    fail.append(f"{iso} 7.18.5-t01: page {number}: a link's StructParent leads elsewhere")
                if not str(annotation.get("/Contents", "")).strip():
                    fail.append(f"{iso} 7.18.5-t02: page {number}: a link annotation without Contents")
            elif subtype not in ("/Widget", "/PrinterMark", "/Popup") and (
                    holder is None or holder.get("/S") != "/Annot"):
                fail.append(f"{iso} 7.18.1-t02: page {number}: a {subtype} annotation in no Annot element")
    return fail


def _structure_types(elements: list, iso: str) -> list[str]:
    fail = []
    for element, parent in elements:
        kind, above = str(element.S), str(parent.get("/S", ""))
        kinds = [str(item.S) for item in _kids(element) if _is_element(item)]
        if kind == "/LI" and above != "/L":
            fail.append(f"{iso} 7.2-t17: LI inside {above}")
        if kind == "/LBody" and above != "/LI":
            fail.append(f"{iso} 7.2-t18: LBody inside {above}")
        if kind == "/L" and set(kinds) - {"/L", "/LI", "/Caption"}:
            fail.append(f"{iso} 7.2-t19: L holds {sorted(set(kinds) - {'/L', '/LI', '/Caption'})}")
        if kind == "/L" and "/Caption" in kinds[1:]:
            fail.append(f"{iso} 7.2-t40: a list's Caption is not its first kid")
        if kind == "/LI" and set(kinds) - {"/Lbl", "/LBody"}:
            fail.append(f"{iso} 7.2-t20: LI holds {sorted(set(kinds) - {'/Lbl', '/LBody'})}")
        if kind == "/Table" and set(kinds) - {"/TR", "/THead", "/TBody", "/TFoot", "/Caption"}:
            fail.append(f"{iso} 7.2-t03: Table holds {sorted(set(kinds) - {'/TR', '/THead', '/TBody', '/TFoot'})}")
        if kind == "/Table" and "/Caption" in kinds[1:-1]:
            fail.append(f"{iso} 7.2-t16: a table's Caption is neither its first nor its last kid")
        if kind == "/Caption" and above not in ("/Table", "/L", "/Figure", "/TOC", "/Formula"):
            fail.append(f"{iso} 7.2: Caption inside {above}")
        if kind in ("/TH", "/TD") and above != "/TR":
            fail.append(f"{iso} 7.2: {kind[1:]} inside {above}")
        if kind == "/TR" and above not in ("/Table", "/THead", "/TBody", "/TFoot"):
            fail.append(f"{iso} 7.2: TR inside {above}")
        if kind == "/TH":
            attributes = element.get("/A")
            listed = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
            if not any(isinstance(item, pikepdf.Dictionary) and "/Scope" in item for item in listed):
                fail.append(f"{iso} 7.5-t01: a TH without Scope")
        if kind == "/Figure" and not str(element.get("/Alt", "")).strip() and "/ActualText" not in element:
            fail.append(f"{iso} 7.3-t01: a Figure without Alt")
    return fail


def _pdfua(pdf: pikepdf.Pdf, claimed: dict[str, str]) -> list[str]:
    part = claimed["pdfua"]
    iso = f"ISO 14289-{part}"
    fail = []
    if part not in ("1", "2"):
        fail.append(f"{iso} 5-t02: pdfuaid:part {part}")
    if part == "2" and not re.fullmatch(r"\d{4}", claimed.get("pdfua_rev", "")):
        fail.append(f"{iso} 5-t05: pdfuaid:rev {claimed.get('pdfua_rev')!r}")
    tree = xmp_tree(pdf)
    if tree is None or "{http://purl.org/dc/elements/1.1/}title" not in xmp_properties(tree):
        fail.append(f"{iso} 7.1-t09: no dc:title")
    if not pdf.Root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False):
        fail.append(f"{iso} 7.1-t10: DisplayDocTitle is not true")
    for name, spec in _embedded(pdf):
        if not ("/F" in spec and "/UF" in spec):
            fail.append(f"{iso} 7.11-t01: {name} lacks F or UF")
    fail += [f"{iso} 7.21.4.2-t02: {problem}" for problem in cidset_problems(pdf)]
    return fail


# --- the other checkers ----------------------------------------------------------------------------

def pdfbox_preflight(paths: list[Path]) -> dict[Path, list[str]]:
    """Apache PDFBox preflight (PDF/A-1b) on several files in one JVM: path -> errors ([] if valid)."""
    classpath = pdfbox_classpath()
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "files.txt"
        listing.write_text("".join(f"{path}\n" for path in paths))
        result = subprocess.run([tool("java"), "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b",
                                 "xml", "group", str(listing)], capture_output=True, text=True, timeout=300,
                                cwd=folder)
        written = Path(f"{listing}.preflight.xml")
        text = written.read_text() if written.is_file() and written.stat().st_size else result.stdout
    verdicts: dict[Path, list[str]] = {}
    tree = ElementTree.fromstring(text[text.index("<"):])
    for document in tree.iter("preflight"):
        name = document.get("name", "")
        errors = [f"{error.findtext('code')}: {error.findtext('details')}" for error in document.iter("error")]
        match = next((path for path in paths if path.name == Path(name).name), Path(name))
        verdicts[match] = errors
    return verdicts


def pdfua_findings(path: Path) -> list[str]:
    """The PyPI package pdfua (a partial PDF/UA-1 rule set): its errors and warnings."""
    import pdfua

    report = pdfua.validate(str(path))
    return [f"{finding.rule_id} {finding.severity.name}: {finding.message}" for finding in report.findings
            if finding.severity.name != "INFO"]


def qpdf_check(path: Path) -> tuple[bool, str]:
    result = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def pdfinfo_struct(path: Path) -> tuple[bool, str]:
    result = subprocess.run([tool("pdfinfo"), "-struct", str(path)], capture_output=True, text=True)
    return result.returncode == 0 and "Syntax Error" not in result.stderr, result.stdout + result.stderr


def pdfdetach_saveall(path: Path) -> tuple[bool, list[str]]:
    """pdfdetach -saveall into a fresh folder: whether it worked and the names of the files it saved."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([tool("pdfdetach"), "-saveall", "-o", folder, str(path)], capture_output=True,
                                text=True)
        saved = sorted(item.name for item in Path(folder).iterdir())
    return result.returncode == 0 and not result.stderr.strip(), saved


def pdffonts_embedded(path: Path) -> tuple[bool, str]:
    result = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True)
    rows = result.stdout.splitlines()[2:]
    return result.returncode == 0 and all(" yes " in row for row in rows), result.stdout


def mutool_check(path: Path) -> tuple[bool, str]:
    """mutool (MuPDF) rewrites the file; any warning or error it prints is a failure."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([tool("mutool"), "clean", str(path), str(Path(folder) / "out.pdf")],
                                capture_output=True, text=True)
    return result.returncode == 0 and not result.stderr.strip(), result.stderr.strip()
