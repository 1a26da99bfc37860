"""A published brief's facts in the PDF's XMP: creators, identifiers and rights.

    dc:creator        the authors in credit order (the publisher when none is named)
    dc:identifier     doi:10.5555/… (else urn:isbn:…, else the brief's identifier)
    prism:doi, prism:isbn, prism:issn   where given (PRISM Basic 2.0)
    dc:rights         the copyright line and the licence's name
    xmpRights:Marked  True for a rights-managed work, False for the public domain (CC0)
    xmpRights:WebStatement   the licence deed's address

Dublin Core and XMP Rights are schemas every PDF/A part knows; PRISM is not, so
PDF/A-1, -2 and -3 get its extension schema (ISO 19005-1 6.7.8, 19005-2 6.6.2.3).
PDF/A-4 needs none. A PDF without XMP (a plain PDF) gets a whole packet.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from . import variants

DC = "http://purl.org/dc/elements/1.1/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass(frozen=True)
class Publication:
    """What the XMP says of a published brief; built by the commands from the brief."""

    title: str
    creators: tuple[str, ...] = ()
    identifier: str | None = None
    doi: str | None = None
    isbn: str | None = None
    issn: str | None = None
    rights: str | None = None
    marked: bool | None = None
    web_statement: str | None = None
    language: str | None = None


_PRISM_PROPERTIES = (("doi", "Digital Object Identifier of the resource"),
                     ("isbn", "ISBN of the publication"), ("issn", "ISSN of the series"))


def _prism_schema_entry() -> str:
    properties = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
        f"<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        for name, description in _PRISM_PROPERTIES)
    return ('<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>PRISM Basic Metadata</pdfaSchema:schema>'
            f"<pdfaSchema:namespaceURI>{PRISM}</pdfaSchema:namespaceURI>"
            "<pdfaSchema:prefix>prism</pdfaSchema:prefix>"
            f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property></rdf:li>")


EXTENSION_NAMESPACES = ('xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
                        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
                        'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"')


def descriptions(publication: Publication, *, with_title: bool) -> str:
    """The rdf:Description elements of `publication`, every property an element."""
    parts: list[str] = []

    def description(namespaces: str, body: str) -> None:
        parts.append(f'<rdf:Description rdf:about="" {namespaces}>{body}</rdf:Description>')

    dc = ""
    if with_title:
        dc += f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(publication.title)}</rdf:li></rdf:Alt></dc:title>'
        if publication.creators:
            dc += "<dc:creator><rdf:Seq>" + "".join(f"<rdf:li>{escape(name)}</rdf:li>" for name in
                                                   publication.creators) + "</rdf:Seq></dc:creator>"
        if publication.language:
            dc += f"<dc:language><rdf:Bag><rdf:li>{escape(publication.language)}</rdf:li></rdf:Bag></dc:language>"
    if publication.identifier:
        dc += f"<dc:identifier>{escape(publication.identifier)}</dc:identifier>"
    if publication.rights:
        dc += f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{escape(publication.rights)}</rdf:li></rdf:Alt></dc:rights>'
    if dc:
        description(f'xmlns:dc="{DC}"', dc)
    prism = "".join(f"<prism:{name}>{escape(value)}</prism:{name}>" for name, value in
                    (("doi", publication.doi), ("isbn", publication.isbn), ("issn", publication.issn)) if value)
    if prism:
        description(f'xmlns:prism="{PRISM}"', prism)
    rights = ""
    if publication.marked is not None:
        rights += f"<xmpRights:Marked>{'True' if publication.marked else 'False'}</xmpRights:Marked>"
    if publication.web_statement:
        rights += f"<xmpRights:WebStatement>{escape(publication.web_statement)}</xmpRights:WebStatement>"
    if rights:
        description(f'xmlns:xmpRights="{XMP_RIGHTS}"', rights)
    return "".join(parts)


def _one_creator(xmp: str, creators: tuple[str, ...]) -> str:
    """PDF/A-1 (ISO 19005-1 6.7.3) holds the Info dictionary's /Author and dc:creator to be one and the
    same: a single entry, the names as /Author lists them ("Zoë Ångström, Kofi Mensah"), in credit order."""
    import re

    joined = f"<rdf:li>{escape(', '.join(creators))}</rdf:li>"
    return re.sub(r"(<dc:creator>\s*<rdf:Seq>).*?(</rdf:Seq>\s*</dc:creator>)",
                  lambda match: match.group(1) + joined + match.group(2), xmp, count=1, flags=re.S)


def add(pdf: object, publication: Publication, variant: variants.Variant) -> None:
    """Write `publication` into the XMP of `pdf` (a pikepdf.Pdf), creating the XMP if there is none."""
    import pikepdf

    has_xmp = "/Metadata" in pdf.Root  # type: ignore[attr-defined]
    body = descriptions(publication, with_title=not has_xmp)
    archival = variants.archival(variant) or ""
    if (publication.doi or publication.isbn or publication.issn) and archival[:7] in ("pdf/a-1", "pdf/a-2",
                                                                                      "pdf/a-3"):
        extension = _prism_schema_entry()
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8") if has_xmp else ""  # type: ignore[attr-defined]
        if "</rdf:Bag></pdfaExtension:schemas>" not in xmp:
            body += (f'<rdf:Description rdf:about="" {EXTENSION_NAMESPACES}><pdfaExtension:schemas><rdf:Bag>'
                     f"{extension}</rdf:Bag></pdfaExtension:schemas></rdf:Description>")
        else:
            xmp = xmp.replace("</rdf:Bag></pdfaExtension:schemas>", extension + "</rdf:Bag></pdfaExtension:schemas>", 1)
            pdf.Root.Metadata.write(xmp.encode("utf-8"))  # type: ignore[attr-defined]
    if has_xmp:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")  # type: ignore[attr-defined]
        if archival.startswith("pdf/a-1") and len(publication.creators) > 1:
            xmp = _one_creator(xmp, publication.creators)
        pdf.Root.Metadata.write(xmp.replace("</rdf:RDF>", body + "</rdf:RDF>", 1).encode("utf-8"))  # type: ignore[attr-defined]
        return
    packet = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
              f'<rdf:RDF xmlns:rdf="{RDF}">{body}</rdf:RDF></x:xmpmeta>\n<?xpacket end="r"?>')
    stream = pikepdf.Stream(pdf, packet.encode("utf-8"))
    stream.Type = pikepdf.Name.Metadata
    stream.Subtype = pikepdf.Name.XML
    pdf.Root.Metadata = pdf.make_indirect(stream)  # type: ignore[attr-defined]
