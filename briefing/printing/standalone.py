"""A web page that stands on its own: the HTML a brief was printed from, with everything it needs inside.

`briefing build --html` writes it beside the PDF. Everything the print adds to the
HTML is put into it: the theme's stylesheets, the settings stylesheet (design tokens
from theme.yaml and brand files), the paper size, the variant's and the page
numbering's rules — each inlined in a `<style>` of the head, in the order the print
applies them, so the cascade is the print's. The files those stylesheets name
(fonts, images, imported stylesheets) and the images of the page become `data:`
URIs, so the page is one file that can be mailed, moved or opened anywhere:
`python -m weasyprint page.html page.pdf`, with no other arguments, prints the
same pages, and a browser shows it with the brief's fonts and colours.

One file rather than a folder of assets beside it: the brief's fonts make it about
6 MB (base64 costs a third more than the files), and in exchange nothing can go
missing when the page is moved, and a build writes exactly one more file.

Rules for the screen only (`@media screen`, which printing ignores) hide the
strings that feed the running header and footer and set the page on a grey desk.

The page is assembled here, in Python, not in a Jinja2 template: autoescaping
would escape the quotes of the stylesheets and silently drop rules.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import variants
from ..sandbox.files import Refused, read_inside
from ..themes.theme import Theme

MAX_RESOURCE_BYTES = 32 * 1024 * 1024
PAPER = {"a4": ("A4", "210mm"), "letter": ("letter", "8.5in")}
TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
         ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp", ".css": "text/css"}

_URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<url>[^'")]*?)(?P=quote)\s*\)""")
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(?P<quote>['"]?)(?P<url>[^'")\s;]+)(?P=quote)\s*\)?"""
                     r"""\s*(?P<media>[^;]*);""")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc=")(?P<url>[^"]*)(")""")
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def screen_css(paper: str = "a4") -> str:
    """Rules for a browser only: no running strings, the page as a sheet of paper on a desk."""
    width = PAPER.get(paper, PAPER["a4"])[1]
    return ("@media screen {\n"
            "  .running { display: none; }\n"
            "  html { background: #e4e6e8; }\n"
            f"  body {{ box-sizing: border-box; max-width: {width}; margin: 2rem auto; padding: 20mm 21mm;\n"
            "         background: var(--color-paper, #fff); box-shadow: 0 1px 6px rgba(0, 0, 0, 0.25); }\n"
            "}\n")


def standalone_html(html: str, theme: Theme, paper: str = "a4", *, variant: str | None = None,
                    first_page: int | None = None, allowed_folders: tuple[Path, ...] = (),
                    base_folder: Path | None = None) -> str:
    """`html` as printed with `theme` on `paper`, as one self-contained HTML document.

    The arguments are `print_pdf`'s: `variant` and `first_page` add the rules the print adds
    for them; files are read only from the theme's folders and `allowed_folders` (the
    content's folder, in a build), and an image with a relative address from `base_folder`
    or else the theme's folders, as the print reads them. A reference to anything else is
    left as written.
    """
    from .typeset import PAPER_SIZES, _numbering_css

    folders = tuple(Path(folder).resolve() for folder in (*theme.folders, *allowed_folders))
    sheets = [(path.name, _stylesheet(path, folders, depth=0)) for path in theme.stylesheets]
    if theme.settings_css:
        sheets.append(("settings", theme.settings_css))
    sheets.append(("paper", f"@page {{ size: {PAPER_SIZES.get(paper, 'A4')}; }}\n"))
    if extra := variants.stylesheet(variant) + _numbering_css(first_page):
        sheets.append(("variant and page numbers", extra))
    sheets.append(("screen", screen_css(paper)))
    styles = "".join(f'<style data-from="{_attribute(name)}">\n{_in_style(css)}</style>\n'
                     for name, css in sheets)
    search = tuple(Path(folder).resolve() for folder in ((base_folder,) if base_folder else ()) + theme.folders)
    body = _IMG_SRC.sub(lambda match: match.group(1) + _image(match["url"], search, folders) + match.group(3),
                        html)
    if _HEAD_END.search(body):
        return _HEAD_END.sub(lambda match: styles + match.group(0), body, count=1)
    return styles + body


def _stylesheet(path: Path, folders: tuple[Path, ...], depth: int) -> str:
    """The stylesheet's text with its imports inlined and every file it names as a data: URI."""
    try:
        text = read_inside(path, folders, MAX_RESOURCE_BYTES).decode("utf-8")
    except (Refused, UnicodeDecodeError):
        return ""
    folder = path.resolve().parent

    def imported(match: re.Match[str]) -> str:
        target = _local(match["url"], folder, folders)
        if target is None or depth >= 8:
            return match.group(0)
        inner = _stylesheet(target, folders, depth + 1)
        media = match["media"].strip()
        return f"@media {media} {{\n{inner}\n}}\n" if media else inner

    text = _IMPORT.sub(imported, text)
    return _URL.sub(lambda match: f'url("{_inline(match["url"], folder, folders)}")', text)


def _image(url: str, search: tuple[Path, ...], folders: tuple[Path, ...]) -> str:
    """An image's address as a data: URI, from the first folder of `search` that has the file."""
    for folder in search:
        if (inlined := _inline(url, folder, folders)) != url:
            return inlined
    return url


def _local(url: str, folder: Path, folders: tuple[Path, ...]) -> Path | None:
    """The file a relative or file: URL names, if it lies inside `folders`."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file") or (not parts.scheme and not parts.path):
        return None
    path = Path(unquote(parts.path))
    path = (path if path.is_absolute() else folder / path).resolve()
    return path if any(path.is_relative_to(allowed) for allowed in folders) and path.is_file() else None


def _inline(url: str, folder: Path, folders: tuple[Path, ...]) -> str:
    """A data: URI with the file `url` names, or `url` itself when it names no readable local file."""
    path = _local(url, folder, folders)
    if path is None:
        return url
    try:
        data = read_inside(path, folders, MAX_RESOURCE_BYTES)
    except Refused:
        return url
    kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _in_style(css: str) -> str:
    """CSS safe inside a <style> element: `</` could end it early, and `\\/` means `/` in CSS."""
    css = css.replace("</", "<\\/")
    return css if css.endswith("\n") else css + "\n"


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
