"""A web page that stands on its own: the brief's web edition, with everything it needs inside.

`briefing build --html` writes it beside the PDF. Everything the print adds to the
HTML is put into it: the theme's stylesheets, the settings stylesheet (design tokens
from theme.yaml and brand files), the paper size, the variant's and the page
numbering's rules — each inlined in a `<style>` of the head, in the order the print
applies them, so the cascade is the print's. After them come the theme's `web.css`
(the screen layout: a reading column, the table of contents, the reflowing
components; print rules that hide what only a screen needs) and the dark scheme
drawn from the brand (`Theme.dark_css`). `python -m weasyprint page.html page.pdf`,
with no other arguments, prints the same pages, and a browser shows it with the
brief's fonts and colours.

It is light: every font is cut down to the characters the page draws and carried as
WOFF2 (`webfonts`), and a face that draws none of them is left out. It is one file:
the fonts and images become `data:` URIs, so nothing can go missing when the page
is moved, and nothing is fetched when it is read.

It is safe to open: a Content-Security-Policy, the first thing in its head, allows
no script and no request (fonts and images only from `data:`, each `<style>` by its
hash); and every address in the stylesheets — `@import`, `@font-face`, `url()`,
`image-set()`, in any at-rule, for screen or print — is either a file inside the
theme's or content's folders, made a `data:` URI, or removed. The stylesheets are
read with tinycss2 and written back, so escapes such as `u\\72l(` are seen for what
they are.

The page is assembled here, in Python, not in a Jinja2 template: autoescaping
would escape the quotes of the stylesheets and silently drop rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from . import variants
from .sanitize import inert_markup
from ..sandbox.files import Refused, read_inside
from ..themes.theme import Theme

MAX_RESOURCE_BYTES = 32 * 1024 * 1024
WEB_STYLESHEET = "web.css"
PAPER = {"a4": ("A4", "210mm"), "letter": ("letter", "8.5in")}
TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
         ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp", ".css": "text/css"}
#: Characters a page may draw that are in none of its texts: counters, list markers, the "…" of a
#: clamped line, the hyphen of a hyphenated word.
ALWAYS_DRAWN = "0123456789 \u00a0.,:;-\u2010\u2026[]()·–—"
REMOVED = "data:,"
#: At-rules whose block holds rules, read and cleaned rule by rule.
GROUPING = {"media", "supports", "layer", "container", "document", "-moz-document", "scope", "starting-style"}

_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc=")(?P<url>[^"]*)(")""")
_HEAD_START = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BEFORE_HEAD = re.compile(r"\A\s*(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*|<html\b[^>]*>\s*)*\Z", re.IGNORECASE | re.DOTALL)
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
NAMING_RELS = {"canonical", "alternate", "author", "license", "me", "cite-as", "describedby", "item"}
_CHARSET = re.compile(r"\s*<meta\s+charset=[^>]*>", re.IGNORECASE)
_DATA_FIELD = re.compile(r'\sdata-field="[^"]*"')
#: A string that names a file or a place elsewhere (`…://`, `//host`, `\\\\host`, a file name), not text to show.
_ADDRESS = re.compile(r"^(?!data:)(?://|\\\\|\S*://)|^[^\s\"']+\.(?:png|jpe?g|gif|svg|webp|avif|ico|bmp|css|woff2?|ttf|otf)"
                      r"(?:[?#]\S*)?$", re.IGNORECASE)
_CONTENT = re.compile(r"""\bcontent\s*:\s*([^;{}]*)""")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')


def standalone_html(html: str, theme: Theme, paper: str = "a4", *, variant: str | None = None,
                    first_page: int | None = None, allowed_folders: tuple[Path, ...] = (),
                    base_folder: Path | None = None) -> str:
    """`html` as printed with `theme` on `paper`, as one self-contained, script-free HTML document.

    The arguments are `print_pdf`'s: `variant` and `first_page` add the rules the print adds
    for them; files are read only from the theme's folders and `allowed_folders` (the
    content's folder, in a build), and an image with a relative address from `base_folder`
    or else the theme's folders, as the print reads them. A reference to anything else is
    removed.
    """
    from .typeset import PAPER_SIZES, _numbering_css

    folders = tuple(Path(folder).resolve() for folder in (*theme.folders, *allowed_folders))
    sheets: list[tuple[str, str, Path | None]] = [
        (path.name, _read(path, folders), path.resolve().parent) for path in theme.stylesheets]
    if theme.settings_css:
        sheets.append(("settings", theme.settings_css, None))
    sheets.append(("paper", f"@page {{ size: {PAPER_SIZES.get(paper, 'A4')}; }}\n", None))
    if extra := variants.stylesheet(variant) + _numbering_css(first_page):
        sheets.append(("variant and page numbers", extra, None))
    if (web := theme.find(WEB_STYLESHEET)) is not None:
        sheets.append((WEB_STYLESHEET, _read(web, folders), web.resolve().parent))
    if dark := theme.dark_css:
        sheets.append(("dark scheme", dark, None))

    # What the templates wrote, made inert: nothing that runs, embeds, navigates or fetches by itself.
    inline_styles = _Cleaner(folders, set())
    body = inert_markup(html, lambda text: inline_styles.declarations(text, base_folder or folders[0]))
    body = _DATA_FIELD.sub("", body)  # the preflight's locators: the page has no use for them
    # A <link> that loads (a stylesheet, a preload, an icon) goes: Chromium's preload scanner asks for
    # some before the policy refuses them. Links that only name a page (canonical, alternate) stay.
    body = _LINK.sub(lambda match: match.group(0) if _names_only(match.group(0)) else "", body)
    search = tuple(Path(folder).resolve() for folder in ((base_folder,) if base_folder else ()) + theme.folders)
    body = _IMG_SRC.sub(lambda match: match.group(1) + _image(match["url"], search, folders) + match.group(3), body)
    drawn = drawn_characters(body, (text for _, text, _ in sheets))
    cleaner = _Cleaner(folders, drawn)
    styles = [(name, _in_style(cleaner.stylesheet(text, folder or folders[0]))) for name, text, folder in sheets]
    head = (f'<meta http-equiv="Content-Security-Policy" content="{_attribute(policy(css for _, css in styles))}">\n'
            '<meta http-equiv="x-dns-prefetch-control" content="off">\n'
            '<meta name="referrer" content="no-referrer">\n')
    tags = "".join(f'<style data-from="{_attribute(name)}">\n{css}</style>\n' for name, css in styles)
    start = _HEAD_START.search(body)
    if start and _BEFORE_HEAD.match(body[:start.start()]):
        at = start.end()
        if charset := _CHARSET.match(body, at):  # the encoding first, then the policy
            at = charset.end()
        body = body[:at] + "\n" + head + body[at:]
    else:  # no head, or something before it: the policy goes first, before anything it must govern
        body = head + body
    if end := _HEAD_END.search(body):
        return body[:end.start()] + tags + body[end.start():]
    return body.replace(head, head + tags, 1)


def _names_only(tag: str) -> bool:
    """Whether a <link> only names another page (and loads nothing)."""
    rel = _REL.search(tag)
    words = set((next(group for group in rel.groups() if group is not None) if rel else "").lower().split())
    return bool(words) and words <= NAMING_RELS


def policy(styles: Any) -> str:
    """The page's Content-Security-Policy: no script, no request; these styles only, by their hashes."""
    digests = (base64.b64encode(hashlib.sha256(b"\n" + css.encode()).digest()).decode() for css in styles)
    hashes = " ".join(f"'sha256-{digest}'" for digest in digests)  # of each <style>'s text: a line break, the CSS
    return (f"default-src 'none'; script-src 'none'; style-src {hashes}; font-src data:; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def drawn_characters(html: str, stylesheets: Any = ()) -> set[str]:
    """Every character the page may draw: its text, the strings its stylesheets insert (`content`),
    their capitals and small letters (`text-transform`), and `ALWAYS_DRAWN`."""
    reader = _Text()
    reader.feed(html)
    reader.close()
    text = "".join(reader.parts)
    for css in stylesheets:
        for declaration in _CONTENT.finditer(css):
            for match in _STRING.finditer(declaration.group(1)):
                text += _unescape_css(match.group(1) or match.group(2) or "")
    text += ALWAYS_DRAWN
    return set(text) | set(text.upper()) | set(text.lower())


class _Text(HTMLParser):
    """The text of an HTML document, outside `<head>`, `<style>` and `<script>`."""

    SKIPPED = {"head", "style", "script", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _unescape_css(text: str) -> str:
    return re.sub(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)",
                  lambda m: chr(min(int(m.group(1), 16), 0x10FFFF)) if m.group(1) else m.group(2), text)


class _Cleaner:
    """Writes stylesheets back with their imports inlined, their files as data: URIs, their
    fonts cut to the page's characters, and every other address removed."""

    def __init__(self, folders: tuple[Path, ...], drawn: set[str]):
        self.folders = folders
        self.drawn = drawn

    def stylesheet(self, css: str, folder: Path, depth: int = 0) -> str:
        import tinycss2

        rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        return "".join(self._rule(rule, folder, depth, top=True) for rule in rules)

    def _rule(self, rule: Any, folder: Path, depth: int, top: bool) -> str:
        import tinycss2

        if rule.type == "qualified-rule":
            return f"{tinycss2.serialize(rule.prelude).strip()} {{{self._values(rule.content, folder)}}}\n"
        if rule.type != "at-rule":  # a parse error: left out, as a browser leaves it out
            return ""
        keyword = rule.lower_at_keyword
        if keyword == "import":
            return self._import(rule, folder, depth) if top else ""
        if keyword in ("charset", "namespace"):
            return ""
        if keyword == "font-face":
            return self._font_face(rule, folder)
        prelude = tinycss2.serialize(rule.prelude).strip()
        keyword_and_prelude = f"@{rule.at_keyword} {prelude}" if prelude else f"@{rule.at_keyword}"
        if rule.content is None:
            return f"@{rule.at_keyword} {self._values(rule.prelude, folder).strip()};\n"
        if keyword in GROUPING:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            return f"{keyword_and_prelude} {{\n{''.join(self._rule(r, folder, depth, False) for r in inner)}}}\n"
        return f"{keyword_and_prelude} {{{self._values(rule.content, folder)}}}\n"

    def _import(self, rule: Any, folder: Path, depth: int) -> str:
        import tinycss2

        tokens = [token for token in rule.prelude if token.type not in ("whitespace", "comment")]
        if not tokens or depth >= 8:
            return ""
        first = tokens[0]
        if first.type in ("url", "string"):
            url = first.value
        elif first.type == "function" and first.lower_name == "url":
            strings = [token for token in first.arguments if token.type == "string"]
            url = strings[0].value if strings else ""
        else:
            return ""
        target = _local(url, folder, self.folders)
        if target is None:
            return ""  # a remote or missing stylesheet: never fetched
        inner = self.stylesheet(_read(target, self.folders), target.parent, depth + 1)
        media = tinycss2.serialize(rule.prelude[rule.prelude.index(first) + 1:]).strip()
        return f"@media {media} {{\n{inner}}}\n" if media else inner

    def _font_face(self, rule: Any, folder: Path) -> str:
        import tinycss2

        from .webfonts import subset_woff2

        declarations = tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True, skip_whitespace=True)
        written = []
        for declaration in declarations:
            if declaration.type != "declaration":
                continue
            value = tinycss2.serialize(declaration.value).strip()
            if declaration.lower_name == "src":
                font = next((data for data in map(lambda url: self._bytes(url, folder), _urls(declaration.value))
                             if data is not None), None)
                woff2 = subset_woff2(font, self.drawn) if font is not None else None
                if woff2 is None:
                    return ""  # no file, or a face that draws nothing on this page: left out
                value = f'url("data:font/woff2;base64,{base64.b64encode(woff2).decode("ascii")}") format("woff2")'
            else:
                value = self._values(declaration.value, folder).strip()
            written.append(f"{declaration.name}: {value}{' !important' if declaration.important else ''};")
        return "@font-face { " + " ".join(written) + " }\n"

    def _bytes(self, url: str, folder: Path) -> bytes | None:
        """The bytes a data: URI holds or a local file has; None for anything else."""
        if url.lower().startswith("data:"):
            header, _, payload = url[5:].partition(",")
            try:
                return base64.b64decode(payload, validate=False) if header.endswith(";base64") \
                    else unquote_to_bytes(payload)
            except (binascii.Error, ValueError):
                return None
        path = _local(url, folder, self.folders)
        if path is None:
            return None
        try:
            return read_inside(path, self.folders, MAX_RESOURCE_BYTES)
        except Refused:
            return None

    def declarations(self, text: str, folder: Path) -> str:
        """The text of a `style` attribute, cleaned as the stylesheets are."""
        import tinycss2

        return self._values(tinycss2.parse_component_value_list(text, skip_comments=True), folder).strip()

    def _values(self, tokens: list[Any], folder: Path) -> str:
        import tinycss2

        return tinycss2.serialize(self._rewrite(tokens, folder))

    def _rewrite(self, tokens: list[Any], folder: Path, custom: bool = False) -> list[Any]:
        """The tokens with every address judged. `custom`: inside a custom property's value, whose
        strings may become addresses where it is used (`image-set(var(--x))`)."""
        from tinycss2 import ast

        out: list[Any] = []
        previous = None
        for token in tokens:
            if token.type == "comment":
                continue
            if token.type == "literal" and token.value == ";":
                custom = False
            elif token.type == "literal" and token.value == ":" and previous is not None \
                    and previous.type == "ident" and previous.value.startswith("--"):
                custom = True
            if token.type not in ("whitespace",):
                previous = token
            if custom and token.type == "string" and _ADDRESS.match(token.value.strip()):
                out.append(ast.StringToken(token.source_line, token.source_column, REMOVED, f'"{REMOVED}"'))
            elif token.type == "url":
                out.append(ast.LiteralToken(token.source_line, token.source_column, self._url(token.value, folder)))
            elif token.type == "function" and token.lower_name in ("url", "src"):
                strings = [argument for argument in token.arguments if argument.type == "string"]
                out.append(ast.LiteralToken(token.source_line, token.source_column,
                                            self._url(strings[0].value if strings else "", folder)))
            elif token.type == "function":
                arguments = self._rewrite(token.arguments, folder, custom)
                if token.lower_name.endswith("image-set"):  # its strings are addresses too
                    arguments = [ast.LiteralToken(item.source_line, item.source_column, self._url(item.value, folder))
                                 if item.type == "string" else item for item in arguments]
                out.append(ast.FunctionBlock(token.source_line, token.source_column, token.name, arguments))
            elif token.type in ("{} block", "[] block", "() block"):
                block = {"{} block": ast.CurlyBracketsBlock, "[] block": ast.SquareBracketsBlock,
                         "() block": ast.ParenthesesBlock}[token.type]
                out.append(block(token.source_line, token.source_column, self._rewrite(token.content, folder, custom)))
            else:
                out.append(token)
        return out

    def _url(self, url: str, folder: Path) -> str:
        """`url("…")` with the file as a data: URI, a fragment or data: URI as it is, anything else removed."""
        url = url.strip()
        if url.startswith("#") or url.lower().startswith("data:"):
            kept = url
        else:
            inlined = _inline(url, folder, self.folders)
            kept = inlined if inlined.startswith("data:") else REMOVED
        return 'url("' + kept.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '")'


def _urls(tokens: list[Any]) -> list[str]:
    """The addresses in a `src` descriptor, in order."""
    found = []
    for token in tokens:
        if token.type == "url":
            found.append(token.value)
        elif token.type == "function" and token.lower_name in ("url", "src"):
            found += [argument.value for argument in token.arguments if argument.type == "string"][:1]
    return found


def _read(path: Path, folders: tuple[Path, ...]) -> str:
    try:
        return read_inside(path, folders, MAX_RESOURCE_BYTES).decode("utf-8")
    except (Refused, UnicodeDecodeError):
        return ""


def _image(url: str, search: tuple[Path, ...], folders: tuple[Path, ...]) -> str:
    """An image's address as a data: URI, from the first folder of `search` that has the file; else removed."""
    if url.lower().startswith("data:"):
        return url
    for folder in search:
        if (inlined := _inline(url, folder, folders)) != url:
            return inlined
    return REMOVED


def _local(url: str, folder: Path, folders: tuple[Path, ...]) -> Path | None:
    """The file a relative or file: URL names, if it lies inside `folders`."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file") or (not parts.scheme and not parts.path) or parts.netloc:
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
    css = css.replace("\r\n", "\n").replace("\r", "\n").replace("</", "<\\/")  # as the HTML parser reads it
    return css if css.endswith("\n") else css + "\n"


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
