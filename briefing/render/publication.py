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


def back_matter(brief: Brief, labels: Labels) -> BackMatter:
    """What the back matter shows for `brief`, with `labels` in its language."""
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
        found["citation_style"] = style_of(brief)
        found["citation"] = Markup(citation_html(brief))
    return BackMatter(shown=any(bool(value) for value in found.values()), **found)
