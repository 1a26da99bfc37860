"""What a PDF draws, glyph by glyph, read from its fonts with pikepdf.

Each shown string of a Type 0 font is split into 2-byte codes; the font's Encoding
CMap (Identity-H, or a stream of cidchar/cidrange entries) gives the CID, its
CIDToGIDMap the glyph id, and its ToUnicode CMap the text. Glyph id 0 is .notdef:
an empty box on paper, however well the text reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf


@dataclass(frozen=True)
class Glyph:
    font: str
    code: int
    gid: int
    text: str


def drawn_glyphs(path: Path) -> list[Glyph]:
    """Every glyph drawn on every page (and in the forms they use), in drawing order."""
    found: list[Glyph] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            _walk(page.obj, found, {})
    return found


def notdef_text(path: Path) -> list[str]:
    """The characters drawn as .notdef (glyph 0)."""
    return [glyph.text for glyph in drawn_glyphs(path) if glyph.gid == 0]


def glyph_ids(path: Path, font_part: str, char: str) -> set[int]:
    """The glyph ids that draw `char` in the fonts whose name holds `font_part`."""
    return {glyph.gid for glyph in drawn_glyphs(path) if font_part in glyph.font and glyph.text == char}


def _walk(holder, found: list[Glyph], cache: dict) -> None:
    resources = holder.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    font = None
    for operands, operator in pikepdf.parse_content_stream(holder):
        name = str(operator)
        if name == "Tf":
            font = fonts[str(operands[0])]
        elif name in ("Tj", "TJ", "'", '"') and font is not None:
            strings = operands[0] if name == "TJ" else [operands[-1]]
            for item in strings:
                if isinstance(item, pikepdf.String):
                    found.extend(_decode(font, bytes(item), cache))
        elif name == "Do":
            xobject = resources.get("/XObject", pikepdf.Dictionary()).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                _walk(xobject, found, cache)


def _decode(font, data: bytes, cache: dict) -> list[Glyph]:
    key = font.objgen
    if key not in cache:
        cache[key] = _font_maps(font)
    name, to_cid, to_gid, to_text = cache[key]
    glyphs = []
    for index in range(0, len(data) - 1, 2):
        code = int.from_bytes(data[index:index + 2], "big")
        cid = to_cid(code)
        glyphs.append(Glyph(name, code, to_gid(cid), to_text.get(code, "")))
    return glyphs


def _font_maps(font):
    name = str(font.get("/BaseFont", ""))
    assert font.get("/Subtype") == "/Type0", f"{name}: only Type 0 fonts are read here"
    encoding = font.get("/Encoding")
    if isinstance(encoding, pikepdf.Name):
        assert str(encoding) == "/Identity-H", encoding
        to_cid = lambda code: code  # noqa: E731
    else:
        table = _cid_map(encoding.read_bytes().decode("latin-1"))
        to_cid = lambda code: table.get(code, 0)  # noqa: E731 - a code outside the CMap is CID 0
    descendant = font["/DescendantFonts"][0]
    cid_to_gid = descendant.get("/CIDToGIDMap", pikepdf.Name("/Identity"))
    if isinstance(cid_to_gid, pikepdf.Name):
        to_gid = lambda cid: cid  # noqa: E731
    else:
        mapping = cid_to_gid.read_bytes()
        to_gid = lambda cid: int.from_bytes(mapping[2 * cid:2 * cid + 2], "big")  # noqa: E731
    to_text = _unicode_map(font["/ToUnicode"].read_bytes().decode("latin-1")) if "/ToUnicode" in font else {}
    return name, to_cid, to_gid, to_text


def _cid_map(text: str) -> dict[int, int]:
    table: dict[int, int] = {}
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s*(\d+)", block):
            table[int(code, 16)] = int(cid)
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for low, high, cid in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)", block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code] = int(cid) + offset
    return table


def _utf16(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be")


def _unicode_map(text: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            table[int(code, 16)] = _utf16(value)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(value, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code] = chr(start + offset)
    return table
