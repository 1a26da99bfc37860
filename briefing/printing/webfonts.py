"""Fonts for the web page: each face cut down to the characters the page draws, as WOFF2.

A brief's faces weigh about 0.3–0.8 MB each; the page draws a few hundred characters of
them. `subset_woff2(data, characters)` keeps the glyphs of those characters (and what
shaping them needs: ligatures, Arabic joining forms, marks, kerning — HarfBuzz's default
layout features) and compresses the result with Brotli, which makes each face some 5–20 KB.

HarfBuzz's subsetter (uharfbuzz) cuts a face in some 20 ms, where fontTools' took 1–3 s for
each of the default theme's faces; WOFF2's Brotli then costs 0.1–0.3 s a face. Each result is
kept, keyed by the font's bytes and the set of characters: a page built again with the same
text reuses it.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable

#: Subset faces kept in this process, newest last.
MAX_CACHED = 128
_cache: OrderedDict[tuple[str, str], bytes | None] = OrderedDict()


#: Characters that every face draws (spaces, punctuation, digits, signs): a face that draws only
#: these of a page's characters is never the one a browser picks for them (the house faces come
#: first in every font stack), so it is left out.
SHARED_CATEGORIES = {"Zs", "Zl", "Zp", "Po", "Ps", "Pe", "Pd", "Pi", "Pf", "Pc", "Nd", "Cf", "Cc", "Sm", "Sc", "Sk"}


def subset_woff2(data: bytes, characters: Iterable[str]) -> bytes | None:
    """The font in `data` with only the glyphs of `characters`, as WOFF2; None if it draws none of them
    but the shared ones (`SHARED_CATEGORIES`), or is no font fontTools can read."""
    wanted = "".join(sorted(set(characters)))
    key = (hashlib.sha256(data).hexdigest(), wanted)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    result = _subset(data, wanted)
    _cache[key] = result
    while len(_cache) > MAX_CACHED:
        _cache.popitem(last=False)
    return result


def _subset(data: bytes, wanted: str) -> bytes | None:
    import uharfbuzz
    from fontTools.ttLib import TTFont, TTLibError

    try:
        face = uharfbuzz.Face(uharfbuzz.Blob(data))
        drawn = {ord(char) for char in wanted} & set(face.unicodes)
        if all(unicodedata.category(chr(code)) in SHARED_CATEGORIES for code in drawn):
            return None
        request = uharfbuzz.SubsetInput()
        for code in drawn:
            request.unicode_set.add(code)
        request.flags = uharfbuzz.SubsetFlags.NOTDEF_OUTLINE
        cut = uharfbuzz.subset(face, request)
        if cut is None:
            return None
        font = TTFont(io.BytesIO(cut.blob.data))
        font.flavor = "woff2"
        out = io.BytesIO()
        font.save(out)
    except (TTLibError, AssertionError, KeyError, ValueError, TypeError, IndexError, struct_error()):
        return None
    return out.getvalue()


def struct_error() -> type[Exception]:
    import struct

    return struct.error
