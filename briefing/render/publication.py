"""The back matter: what a published brief prints after its sources, prepared for the templates.

About the authors, acknowledgements, funding, how to cite (formatted here by the
CSL processor, see `citation`), the licence with its deed and statement,
copyright, identifiers, version, contact and disclaimer. Templates only show
what `back_matter()` gives them; a brief that sets none of these fields gets
`shown=False` and prints as it did before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..content.identifiers import LicenceFacts, licence_facts
from ..content.models import Author, Brief, Labels

#: The meta fields that make a brief a publication, one that is cited and has a "How to cite".
PUBLISHED_FIELDS = ("doi", "url", "isbn", "issn", "licence", "copyright", "version", "citation_style")


@dataclass(frozen=True)
class Identifier:
    """One row of the identifiers: its label, its value as printed and, for a DOI, its link."""

    label: str
    value: str
    href: str | None = None


@dataclass(frozen=True)
class Licence:
    """The licence as printed: its facts, its statement in the brief's language and its badge."""

    id: str
    name: str
    url: str | None
    statement: tuple[str, ...]
    badge: tuple[str, ...] = ()
    """The Creative Commons badge's parts, such as ('CC', 'BY', 'NC'); empty for other licences."""


@dataclass(frozen=True)
class BackMatter:
    shown: bool = False
    """Whether anything is printed at all."""
    authors: tuple[Author, ...] = ()
    """The authors with a biography, an ORCID iD or an e-mail address, in credit order."""
    acknowledgements: str | None = None
    funding: str | None = None
    citation: Markup | None = None
    """How to cite the brief, formatted in `citation_style` (HTML, its addresses as links)."""
    citation_style: str | None = None
    licence: Licence | None = None
    copyright: str | None = None
    identifiers: tuple[Identifier, ...] = field(default_factory=tuple)
    contact: str | None = None
    disclaimer: str | None = None


def is_published(brief: Brief) -> bool:
    """Whether the brief carries any of the facts of a publication (a DOI, a licence, a URL, …)."""
    return any(getattr(brief.meta, name) is not None for name in PUBLISHED_FIELDS)


def licence(value: str, labels: Labels) -> Licence:
    facts: LicenceFacts = licence_facts(value)
    if facts.elements == ("zero",):
        return Licence(facts.id, facts.name, facts.url, (labels.cc_zero,), ("CC", "0"))
    if facts.elements:
        statement = tuple(getattr(labels, f"cc_{element}") for element in facts.elements)
        return Licence(facts.id, facts.name, facts.url, statement,
                       ("CC", *(element.upper() for element in facts.elements)))
    if facts.url is None:
        return Licence(facts.id, labels.all_rights_reserved, None, ())
    return Licence(facts.id, facts.name, facts.url, ())


def back_matter(brief: Brief, labels: Labels, citation_style: str | None = None) -> BackMatter:
    """What the back matter shows for `brief`, with `labels` in its language; "How to cite" is in the
    brief's `citation_style`, else in `citation_style` (the project's or the theme's)."""
    from .citation import citation_html, style_of

    meta = brief.meta
    published = is_published(brief)
    authors = tuple(author for author in meta.authors if author.bio or author.orcid or author.email)
    identifiers: list[Identifier] = []
    if meta.doi:
        identifiers.append(Identifier("DOI", meta.doi, f"https://doi.org/{meta.doi}"))
    if meta.isbn:
        identifiers.append(Identifier("ISBN", meta.isbn))
    if meta.issn:
        identifiers.append(Identifier("ISSN", meta.issn))
    if meta.identifier and published:
        identifiers.append(Identifier(labels.reference, meta.identifier))
    if meta.version:
        identifiers.append(Identifier(labels.version, meta.version))
    found: dict[str, Any] = {
        "authors": authors, "acknowledgements": meta.acknowledgements, "funding": meta.funding,
        "licence": licence(meta.licence, labels) if meta.licence else None, "copyright": meta.copyright,
        "identifiers": tuple(identifiers), "contact": meta.contact, "disclaimer": meta.disclaimer,
    }
    if published:
        found["citation_style"] = style_of(brief, default=citation_style)
        found["citation"] = Markup(citation_html(brief, default=citation_style))
    return BackMatter(shown=any(bool(value) for value in found.values()), **found)


# --- the web page's head: Highwire Press tags and schema.org JSON-LD ---------------------------------

def citation_tags(brief: Brief) -> tuple[tuple[str, str], ...]:
    """The `<meta name="citation_*">` tags Google Scholar and Zotero read, for a published brief."""
    from .citation import csl_item

    if not is_published(brief):
        return ()
    meta, item = brief.meta, csl_item(brief)
    tags: list[tuple[str, str]] = [("citation_title", item["title"])]
    for name in item.get("author", []):
        tags.append(("citation_author", name.get("literal") or f"{name['family']}, {name['given']}"))
    tags.append(("citation_publication_date", meta.date.strftime("%Y/%m/%d")))
    optional = (("citation_doi", meta.doi), ("citation_isbn", meta.isbn), ("citation_issn", meta.issn),
                ("citation_publisher", meta.publisher), ("citation_technical_report_institution", meta.publisher),
                ("citation_technical_report_number", meta.identifier), ("citation_language", meta.language),
                ("citation_abstract_html_url", meta.url),
                ("citation_pdf_url", meta.url if meta.url and meta.url.lower().endswith(".pdf") else None))
    tags += [(name, value) for name, value in optional if value]
    tags += [("citation_keywords", keyword) for keyword in meta.keywords]
    return tuple(tags)


def json_ld(brief: Brief) -> Markup | None:
    """schema.org's Report for a published brief, as JSON ready for a `<script type="application/ld+json">`."""
    import json

    from .citation import _plain

    if not is_published(brief):
        return None
    meta = brief.meta
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Report", "name": _plain(meta.title),
                            "datePublished": meta.date.isoformat(), "inLanguage": meta.language}
    if meta.subtitle:
        data["description"] = _plain(meta.subtitle)
    if meta.authors:
        data["author"] = [{"@type": "Person", "name": _plain(author.name),
                           **({"affiliation": {"@type": "Organization", "name": author.affiliation}}
                              if author.affiliation else {}),
                           **({"sameAs": f"https://orcid.org/{author.orcid}"} if author.orcid else {})}
                          for author in meta.authors]
    if meta.publisher:
        data["publisher"] = {"@type": "Organization", "name": meta.publisher}
    identifiers = [{"@type": "PropertyValue", "propertyID": kind, "value": value}
                   for kind, value in (("DOI", meta.doi), ("ISBN", meta.isbn), ("ISSN", meta.issn)) if value]
    if identifiers:
        data["identifier"] = identifiers
    if meta.doi or meta.url:
        data["url"] = meta.url or f"https://doi.org/{meta.doi}"
    if meta.doi:
        data["sameAs"] = f"https://doi.org/{meta.doi}"
    if meta.isbn:
        data["isbn"] = meta.isbn
    if meta.identifier:
        data["reportNumber"] = meta.identifier
    if meta.version:
        data["version"] = meta.version
    if meta.licence:
        facts = licence_facts(meta.licence)
        data["license"] = facts.url or facts.name
    if meta.copyright:
        data["copyrightNotice"] = meta.copyright
    if meta.keywords:
        data["keywords"] = list(meta.keywords)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # Inside <script>, "</script>" or "<!--" in a value would end or change the element: no "<", ">" or "&" is left.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
