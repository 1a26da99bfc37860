"""How to cite a brief: its CSL data, formatted by a CSL processor, and the formats reference managers read.

The brief's own citation is one CSL-JSON item (type `report`). citeproc-py
formats it with the official CSL styles shipped in `csl/` beside this file
(from the citation-style-language/styles repository, CC BY-SA 3.0, see
`csl/LICENSE.md`), in the CSL locale of the brief's language. `bibtex()` and
`ris()` write the same facts for reference managers.

Nothing here imports WeasyPrint: `briefing cite` uses it on its own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..content.identifiers import CITATION_STYLES, DEFAULT_CITATION_STYLE
from ..content.models import Brief

TYPE_CHECKING = False
if TYPE_CHECKING:
    from markupsafe import Markup

STYLES_FOLDER = Path(__file__).with_name("csl")
FORMATS = ("text", "bibtex", "ris", "csl-json")
#: Names written family name first, without a space to split at, in these languages.
_FAMILY_FIRST = ("ja", "ko", "zh")


def style_of(brief: Brief, style: str | None = None, default: str | None = None) -> str:
    """The CSL style to use: `style` if given, else the brief's `citation_style`, else `default` (the
    project's or the theme's `citation_style`), else chicago-author-date."""
    chosen = style or brief.meta.citation_style or default or DEFAULT_CITATION_STYLE
    if chosen not in CITATION_STYLES:
        raise ValueError(f"unknown citation style {chosen!r} (offered: {', '.join(CITATION_STYLES)})")
    return chosen


def item_id(brief: Brief) -> str:
    return brief.meta.identifier or "brief"


def _plain(value: str | None) -> str:
    """A text field without its `[…]{lang=…}` marks."""
    return re.sub(r"\[([^\[\]\n]+)\]\{lang=[A-Za-z0-9-]+\}", r"\1", value or "")


def csl_name(name: str, language: str | None, brief_language: str) -> dict[str, str]:
    """A person's name as CSL wants it: family and given, split at the last space; written whole
    (`literal`) for a one-word name or a name in Chinese, Japanese or Korean."""
    name = _plain(name).strip()
    tag = (language or brief_language).split("-")[0].lower()
    if " " not in name or tag in _FAMILY_FIRST:
        return {"literal": name}
    given, family = name.rsplit(" ", 1)
    return {"family": family, "given": given}


def csl_item(brief: Brief) -> dict[str, Any]:
    """The brief as one CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    meta = brief.meta
    item: dict[str, Any] = {"id": item_id(brief), "type": "report", "title": _plain(meta.title)}
    if meta.authors:
        item["author"] = [csl_name(author.name, author.language, meta.language) for author in meta.authors]
    item["issued"] = {"date-parts": [[meta.date.year, meta.date.month, meta.date.day]]}
    optional = {"DOI": meta.doi, "URL": meta.url or (f"https://doi.org/{meta.doi}" if meta.doi else None),
                "publisher": meta.publisher, "number": meta.identifier, "ISBN": meta.isbn, "ISSN": meta.issn,
                "collection-title": meta.series, "version": meta.version, "language": meta.language,
                "abstract": _plain(meta.subtitle) or None}
    item.update({key: value for key, value in optional.items() if value})
    if meta.keywords:
        item["keyword"] = ", ".join(meta.keywords)
    return item


def csl_json(brief: Brief) -> str:
    """The brief's CSL-JSON: a list of one item, as reference managers import it."""
    return json.dumps([csl_item(brief)], ensure_ascii=False, indent=2) + "\n"


@lru_cache(maxsize=1)
def _primary_dialects() -> dict[str, str]:
    from citeproc import frontend

    path = Path(frontend.LOCALES_PATH) / "locales.json"
    return json.loads(path.read_text(encoding="utf-8"))["primary-dialects"]


def csl_locale(tag: str) -> str:
    """The CSL locale for a BCP 47 tag: the tag itself where citeproc-py has it (en-GB, pt-BR),
    zh-TW for traditional Chinese, else the language's primary dialect (ko: ko-KR), else en-US."""
    from citeproc import frontend

    parts = tag.replace("_", "-").split("-")
    language = parts[0].lower()
    candidates = ["-".join([language, *(part.upper() if len(part) == 2 else part.title() for part in parts[1:])])]
    if language == "zh" and any(part.lower() in ("hant", "tw", "hk", "mo") for part in parts[1:]):
        candidates.insert(0, "zh-TW")
    candidates.append(_primary_dialects().get(language, "en-US"))
    for candidate in candidates:
        if (Path(frontend.LOCALES_PATH) / f"locales-{candidate}.xml").is_file():
            return candidate
    return "en-US"


@lru_cache(maxsize=32)
def _style(name: str, locale: str) -> Any:
    from citeproc import CitationStylesStyle

    _honour_initialize_false()
    _capitalize_after_opening_marks()
    return CitationStylesStyle(str(STYLES_FOLDER / f"{name}.csl"), locale=locale, validate=False)


@lru_cache(maxsize=1)
def _capitalize_after_opening_marks() -> None:
    """citeproc-py 0.11 capitalises a word by its first character, so in title case a word after an
    opening bracket or quotation mark stayed lower case: "Drink From (fictional Example)". The CSL
    processors of pandoc (jgm/citeproc#27) and Zotero capitalise its first letter; so does this."""
    from citeproc import string

    if getattr(string.String.capitalize_first, "after_opening_marks", False):
        return

    def capitalize_first(self: Any) -> Any:
        text = str(self)
        for index, character in enumerate(text):
            if character.isalnum():
                return self.__class__(text[:index] + character.upper() + text[index + 1:])
            if not (unicodedata.category(character) in ("Ps", "Pi") or character in "\"'\ue000\u2068"):
                break
        return self.__class__(text[:1].upper() + text[1:])

    capitalize_first.after_opening_marks = True  # type: ignore[attr-defined]
    string.String.capitalize_first = capitalize_first


@lru_cache(maxsize=1)
def _honour_initialize_false() -> None:
    """citeproc-py 0.11 ignores CSL 1.0.1's `initialize="false"` on cs:name ("given names are no longer
    initialized"), so Chicago's bibliography printed "Ångström, Z." for "Ångström, Zoë"; a name
    element that says so keeps its given names whole."""
    from citeproc import model

    initialize = model.Name.initialize
    if getattr(initialize, "honours_initialize_false", False):
        return

    def honouring(self: Any, given: str, mark: str, context: Any) -> str:
        if self.get("initialize") == "false":
            return given
        return initialize(self, given, mark, context)

    honouring.honours_initialize_false = True  # type: ignore[attr-defined]
    model.Name.initialize = honouring


def formatted(items: list[dict[str, Any]], style: str, language: str = "en", *, html: bool = True) -> list[str]:
    """Bibliography entries for CSL `items` in `style`, as HTML (escaped, with <i> and <b>) or plain text.

    Formatted once per distinct input (citeproc-py takes some 25 ms a list): a re-render after a
    prose edit formats nothing again."""
    return list(_formatted(json.dumps(items, ensure_ascii=False, sort_keys=True), style, language, html))


@lru_cache(maxsize=64)
def _formatted(items_json: str, style: str, language: str, html: bool) -> tuple[str, ...]:
    import warnings

    items = json.loads(items_json)

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():  # citeproc-py warns of CSL features it leaves out, such as `display`
        warnings.simplefilter("ignore")
        # citeproc-py escapes the style's own strings but passes the data through as it is: the data
        # is escaped first, so a title holding "<b>" or "&" prints as written and never as markup.
        data = _escaped(items) if html else items
        bibliography = CitationStylesBibliography(_style(style, csl_locale(language)), CiteProcJSON(data),
                                                  formatter.html if html else formatter.plain)
        for item in items:  # rendered in this order: bibliography.sort() is never called
            bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return tuple(_tidy(entry, csl_locale(language)) for entry in entries)


def _escaped(value: Any) -> Any:
    from markupsafe import escape

    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: value if key == "id" else _escaped(value) for key, value in value.items()}
    return value


def _tidy(entry: str, locale: str = "en-US") -> str:
    """IEEE's entries open with their number ("[1]"), which a lone citation or a numbered list does
    not need. American English sets a full stop or comma inside the closing quotation mark (the
    en-US locale's `punctuation-in-quote`, which citeproc-py leaves out)."""
    entry = re.sub(r"^\[\d+\]\s*", "", entry.strip())
    entry = re.sub(r"[,;:]$", ".", entry)  # an entry whose last part is missing (IEEE's document without a date)
    # A title that ends in its own question or exclamation mark takes no full stop after it.
    entry = re.sub(r"([?!](?:\u2069?\ue001)?(?:</i>)?[”’\"]?)\.(?=\s|$|[”’\"<])", r"\1", entry)
    if locale == "en-US":
        entry = re.sub(r"”([.,])", r"\1”", entry)
    return entry


#: Styles whose manual names the publisher only once when it is also the author (APA 7, 9.24:
#: "When the author and publisher are the same, omit the publisher"). Chicago repeats it (CMOS 14.84).
_PUBLISHER_ONCE = {"apa"}


def _as_cited(brief: Brief, style: str) -> dict[str, Any]:
    """The CSL item to format: a brief with no author named is cited under its publisher, as a work
    by an organisation is (citeproc-py would otherwise print the title twice: once in the author's
    place, as the styles substitute it, and once more in its own)."""
    item = csl_item(brief)
    if "author" not in item and brief.meta.publisher:
        item["author"] = [{"literal": _plain(brief.meta.publisher)}]
        if style in _PUBLISHER_ONCE:
            item.pop("publisher", None)
    return item


def citation_text(brief: Brief, style: str | None = None, default: str | None = None) -> str:
    """How to cite the brief, as plain text in `style` (default: the brief's citation_style, else
    `default`)."""
    style = style_of(brief, style, default)
    return formatted([_as_cited(brief, style)], style, brief.meta.language, html=False)[0]


def citation_html(brief: Brief, style: str | None = None, default: str | None = None) -> str:
    """How to cite the brief, as HTML in `style`, its addresses made links."""
    style = style_of(brief, style, default)
    entry = formatted([_as_cited(brief, style)], style, brief.meta.language)[0]
    return _linked(entry)


# --- the sources list ------------------------------------------------------------------------------

#: Private-use marks around a source's title while the CSL processor formats it; afterwards they
#: become the title's span (with its language) and its bidirectional isolation.
_TITLE_OPEN, _TITLE_CLOSE = "\ue000", "\ue001"
_ISOLATE = "\u2068{}\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: a Latin name in Arabic text


def english(tag: str | None) -> bool:
    """Whether a language tag names English (the language of the shipped citation styles)."""
    return (tag or "en").split("-")[0].lower() == "en"


def source_item(source: Any, style: str | None = None) -> dict[str, Any]:
    """A source of the brief as a CSL item (type `document`: a source may be an article, a report or
    a web page). Its author is written as given (`literal`): it may be an organisation or several
    people. A source with no author is listed under its publisher, one with neither under its title,
    so the styles never put the title in the author's place and print it twice (citeproc-py 0.11
    does not suppress a substituted title). In a style that names a publisher once (`_PUBLISHER_ONCE`),
    one standing in for the author is not named again."""
    item: dict[str, Any] = {"id": source.id, "type": "document",
                            "title": _TITLE_OPEN + _plain(source.title) + _TITLE_CLOSE}
    author = _plain(source.author) or _plain(source.publisher)
    if author:
        item["author"] = [{"literal": _ISOLATE.format(author)}]
    else:
        item["author"] = [{"literal": item.pop("title")}]
    if source.publisher and not (style in _PUBLISHER_ONCE and not _plain(source.author)):
        item["publisher"] = _ISOLATE.format(_plain(source.publisher))
    if source.date is not None:
        item["issued"] = {"date-parts": [[part for part in (source.date.year, source.date.month, source.date.day)
                                          if part is not None]]}
    if source.url:
        item["URL"] = source.url
    if source.language:
        item["language"] = source.language
    return item


def source_entries(brief: Brief, style: str | None = None, default: str | None = None) -> dict[str, Markup]:
    """Each source's entry in the sources list, by its id: HTML formatted by the CSL processor in the
    brief's style, in the brief's language, its addresses made links; the title is a
    `<span class="source-title">` (with `lang` where the source gives its language)."""
    from markupsafe import Markup, escape

    if not brief.sources or not english(brief.meta.language):
        return {}  # the shipped styles are English-language styles: the theme lists these itself
    chosen = style_of(brief, style, default)
    items = [source_item(source, chosen) for source in brief.sources]
    kept = {}  # a title in another language keeps its own capitals (CSL applies title case to English only)
    for index, (source, item) in enumerate(zip(brief.sources, items)):
        if source.language and not english(source.language) and _TITLE_OPEN in str(item.get("title", "")):
            kept[index] = escape(_plain(source.title))
            item["title"] = _TITLE_OPEN + f"\ue002{index}\ue003" + _TITLE_CLOSE
    entries = formatted(items, chosen, brief.meta.language)
    found = {}
    for index, (source, entry) in enumerate(zip(brief.sources, entries)):
        if index in kept:
            entry = entry.replace(f"\ue002{index}\ue003", str(kept[index]))
            entry = re.sub(r"([?!]\ue001(?:</i>)?[”’\"]?)\.(?=\s|$|[”’\"<])", r"\1", entry)
        lang = f' lang="{escape(source.language)}"' if source.language else ""
        entry = entry.replace(_TITLE_OPEN, f'<span class="source-title"{lang}>\u2068')
        entry = entry.replace(_TITLE_CLOSE, "\u2069</span>")
        found[source.id] = Markup(_linked(entry, ' class="source-url" dir="ltr"'))
    return found


_ADDRESS = re.compile(r"(?:https?://|mailto:)[^\s<>\"]+")


def _linked(entry: str, attributes: str = "") -> str:
    """Every https address in an HTML entry as a link (a closing full stop stays outside)."""
    def link(match: re.Match[str]) -> str:
        address = match.group(0)
        end = ""
        while address and address[-1] in ".,;:)\u2069":
            address, end = address[:-1], address[-1] + end
        return f'<a href="{address}"{attributes}>{address}</a>{end}'
    return _ADDRESS.sub(link, entry)


# --- BibTeX and RIS ------------------------------------------------------------------------------

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#$_~^])")


def _bibtex_text(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}",
                                          "^": r"\textasciicircum{}"}.get(m.group(1), "\\" + m.group(1)), value)


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _bibtex_text(name["literal"]) + "}"
    return f"{_bibtex_text(name['family'])}, {_bibtex_text(name['given'])}"


def bibtex(brief: Brief) -> str:
    """The brief as a BibTeX @techreport entry (UTF-8, for BibLaTeX and Biber or BibTeX 8-bit)."""
    item = csl_item(brief)
    key = re.sub(r"[^A-Za-z0-9_.:-]", "", item["id"]) or "brief"
    year, month, day = item["issued"]["date-parts"][0]
    fields: list[tuple[str, str]] = [("title", "{" + _bibtex_text(item["title"]) + "}")]
    if "author" in item:
        fields.append(("author", " and ".join(_bibtex_name(name) for name in item["author"])))
    fields += [("year", str(year)), ("month", str(month)), ("date", f"{year:04d}-{month:02d}-{day:02d}")]
    for field, name in (("institution", "publisher"), ("number", "number"), ("series", "collection-title"),
                        ("isbn", "ISBN"), ("issn", "ISSN"), ("version", "version"), ("langid", "language")):
        if name in item:
            fields.append((field, _bibtex_text(item[name])))
    for field, name in (("doi", "DOI"), ("url", "URL")):  # verbatim fields: no escaping
        if name in item:
            fields.append((field, item[name]))
    body = ",\n".join(f"  {field} = {{{value}}}" for field, value in fields)
    return f"@techreport{{{key},\n{body}\n}}\n"


def ris(brief: Brief) -> str:
    """The brief as an RIS record (type RPRT), as Zotero, EndNote and Mendeley import it."""
    item = csl_item(brief)
    year, month, day = item["issued"]["date-parts"][0]
    lines = [("TY", "RPRT"), ("TI", item["title"])]
    for name in item.get("author", []):
        lines.append(("AU", name.get("literal") or f"{name['family']}, {name['given']}"))
    lines += [("PY", str(year)), ("DA", f"{year:04d}/{month:02d}/{day:02d}/")]
    for tag, name in (("PB", "publisher"), ("T3", "collection-title"), ("M1", "number"), ("DO", "DOI"),
                      ("UR", "URL"), ("SN", "ISBN"), ("SN", "ISSN"), ("ET", "version"), ("LA", "language"),
                      ("AB", "abstract")):
        if name in item:
            lines.append((tag, item[name]))
    lines += [("KW", keyword) for keyword in brief.meta.keywords]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in lines)


def export(brief: Brief, format: str = "text", style: str | None = None, default: str | None = None) -> str:
    """The brief's citation in `format`: text (in `style`, else the brief's citation_style, else
    `default`), bibtex, ris or csl-json."""
    if format == "text":
        return citation_text(brief, style, default) + "\n"
    if format == "bibtex":
        return bibtex(brief)
    if format == "ris":
        return ris(brief)
    if format == "csl-json":
        return csl_json(brief)
    raise ValueError(f"unknown citation format {format!r} (expected {', '.join(FORMATS)})")
