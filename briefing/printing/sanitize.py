"""The web page's markup, made inert: what a theme's templates wrote, without anything that runs or loads.

The page's Content-Security-Policy already forbids script and requests; this is the second wall,
for what a policy does not cover (a `<meta http-equiv="refresh">` navigates the page whatever the
policy says; Chromium asks for some addresses before the policy refuses them) and for browsers that
ignore policies. The HTML is parsed as a browser parses it, by tinyhtml5 (the HTML5 parser
WeasyPrint prints from), so `<svg><meta …>`, upper case, unquoted or broken markup are seen as
the browser sees them; the tree is cleaned and written back:

- elements that run, embed or navigate are removed with their contents: `script` (but a
  `type="application/ld+json"` data block, which never runs), `noscript`, `iframe`, `frame`,
  `frameset`, `object`, `embed`, `applet`, `portal`, `base`, `meta http-equiv`, `style` (the page's
  own stylesheets are added after, by their hashes), a `link` that loads (only `canonical`,
  `alternate` and the like, which name a page, stay), and the raw-text `xmp`, `noembed`,
  `noframes`, `plaintext`;
- every `on…` event handler attribute, and every attribute whose value is a `javascript:` (or
  `vbscript:`) address, however spaced or cased;
- every attribute that makes the browser fetch on its own: `srcset`, `ping`, `background`,
  `poster`, `manifest`, `formaction`, …; a `src` or a `href` of anything but an image (`<img>`,
  which the page inlines from the theme's files) or a link (`<a href>`, followed only when clicked)
  that is not a `#fragment` or a `data:` address;
- `style` attributes, through the stylesheets' own cleaner (no address but `data:` and files inlined).

The print is never given this markup: WeasyPrint runs no script and fetches only through its
confined fetcher, so the PDF is printed from the templates' HTML as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

HTML = "{http://www.w3.org/1999/xhtml}"
NAMESPACES = {"http://www.w3.org/1999/xlink": "xlink", "http://www.w3.org/XML/1998/namespace": "xml",
              "http://www.w3.org/2000/xmlns/": "xmlns"}
REMOVED_ELEMENTS = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "portal",
                    "fencedframe", "base", "style", "xmp", "noembed", "noframes", "plaintext", "param"}
#: `<link rel=…>` values that only name another page: such a link loads nothing.
NAMING_RELS = {"canonical", "alternate", "author", "license", "me", "cite-as", "describedby", "item"}
DATA_SCRIPTS = {"application/ld+json"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
        "basefont", "bgsound", "frame", "keygen", "param"}
#: Attributes that make a browser fetch, ping or navigate by themselves: never kept.
FETCHING = {"srcset", "imagesrcset", "ping", "background", "lowsrc", "dynsrc", "manifest", "formaction",
            "codebase", "archive", "classid", "longdesc", "poster", "attributionsrc", "data"}
#: Elements whose `href` is followed only when the reader clicks it.
LINKS = {"a", "area"}
_SCHEME_SCRIPT = re.compile(r"^(?:javascript|vbscript|livescript):", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")  # a browser strips tabs, line breaks and spaces from them
_DOCTYPE = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*<!doctype\s", re.IGNORECASE | re.DOTALL)


def inert_markup(html: str, clean_style: Callable[[str], str]) -> str:
    """`html` with everything that runs, embeds or fetches removed (see the module's text);
    `clean_style(declarations)` cleans the text of a `style` attribute."""
    import tinyhtml5

    root = tinyhtml5.parse(html)
    out: list[str] = ["<!DOCTYPE html>\n"] if _DOCTYPE.match(html) else []
    _write(root, out, clean_style)
    return "".join(out) + "\n"


def _name(tag: Any) -> tuple[str, bool]:
    """An element's local name, and whether it is an HTML element."""
    if not isinstance(tag, str):
        return "", False
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return local, namespace == HTML[1:-1]
    return tag, True


def _write(element: Any, out: list[str], clean_style: Callable[[str], str]) -> None:
    name, is_html = _name(element.tag)
    if not name:  # a comment or a processing instruction: nothing a reader sees
        if element.tail:
            out.append(_text(element.tail))
        return
    local = name.lower()
    if _removed(local, element):
        if element.tail:
            out.append(_text(element.tail))
        return
    attributes = _attributes(local, element, clean_style)
    out.append(f"<{name}{attributes}>")
    if not (is_html and local in VOID):
        if local == "script":  # a data block that was kept: its text as it is
            out.append(element.text or "")
        else:
            text = element.text or ""
            if is_html and local in ("pre", "textarea", "listing") and text.startswith("\n"):
                out.append("\n")  # the parser drops one line break after the start tag
            out.append(_text(text))
            for child in element:
                _write(child, out, clean_style)
        out.append(f"</{name}>")
    if element.tail:
        out.append(_text(element.tail))


def _removed(local: str, element: Any) -> bool:
    if local == "script":
        text = element.text or ""
        kept = (element.get("type") or "").strip().lower() in DATA_SCRIPTS and "<!--" not in text \
            and "</script" not in text.lower()
        return not kept
    if local in REMOVED_ELEMENTS:
        return True
    if local == "meta":
        return any(key.lower() == "http-equiv" for key in element.attrib)
    if local == "link":
        rel = set((element.get("rel") or "").lower().split())
        return not rel or not rel <= NAMING_RELS
    return False


def _attributes(local: str, element: Any, clean_style: Callable[[str], str]) -> str:
    written = []
    for key, value in element.attrib.items():
        name = _attribute_name(key)
        lower = name.lower()
        address = _IGNORED_IN_URLS.sub("", value)
        if lower.startswith("on") or lower in FETCHING or _SCHEME_SCRIPT.match(address):
            continue
        if local == "script" and lower != "type":
            continue
        if lower in ("src", "href", "xlink:href") and not _kept_address(local, lower, address):
            continue
        if lower == "style":
            value = clean_style(value)
        written.append(f' {name}="{_quoted(value)}"')
    return "".join(written)


def _kept_address(local: str, attribute: str, address: str) -> bool:
    """Whether an address in `src` or `href` may stay: an image's (inlined or removed by the page),
    a link's, one within the page, a `data:` one."""
    if address.startswith("#") or address.lower().startswith("data:") or not address:
        return True
    if local == "img" and attribute == "src":
        return True
    return local in LINKS and attribute != "src" or local == "link"


def _attribute_name(key: str) -> str:
    if key.startswith("{"):
        namespace, _, local = key[1:].partition("}")
        prefix = NAMESPACES.get(namespace)
        return f"{prefix}:{local}" if prefix else local
    return key


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quoted(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
