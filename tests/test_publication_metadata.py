"""A published brief's facts in its PDF metadata, valid in every PDF/A variant, and in its web page."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from briefing import build
from briefing.printing import variants
from helpers import ROOT, conformance, minimal_brief, write_yaml

pytestmark = pytest.mark.pdf

EXAMPLE = ROOT / "docs" / "examples" / "basin-note.yaml"
COMBINED = (("pdf/a-3b", "pdf/ua-1"), ("pdf/a-2a", "pdf/ua-1"), ("pdf/a-4f", "pdf/ua-2"))
BUILDS = {"plain": None, **{name: name for name in variants.VARIANTS}, **{" + ".join(p): p for p in COMBINED}}
DC, PRISM = "{http://purl.org/dc/elements/1.1/}", "{http://prismstandard.org/namespaces/basic/2.0/}"
RIGHTS, RDF = "{http://ns.adobe.com/xap/1.0/rights/}", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("published")
    return {key: build(EXAMPLE, folder / (key.replace("/", "-").replace(" + ", "+") + ".pdf"), variant=variant,
                       limits=None).pdf for key, variant in BUILDS.items()}


def _xmp(path):
    with pikepdf.open(path) as pdf:
        return conformance.xmp_tree(pdf)


@pytest.mark.parametrize("key", BUILDS)
def test_xmp_carries_creators_identifiers_and_rights(published, key):
    tree = _xmp(published[key])
    creators = [li.text for li in tree.iter(f"{DC}creator") for li in li.iter(f"{RDF}li")]
    if key.startswith("pdf/a-1"):  # ISO 19005-1 6.7.3: one entry, equal to the Info dictionary's /Author
        assert creators == ["Zoë Ångström, Kofi Mensah"]
    else:
        assert creators == ["Zoë Ångström", "Kofi Mensah"]  # in credit order, once
    properties = conformance.xmp_properties(tree)
    assert properties[f"{DC}identifier"] == "doi:10.5555/bgn.2026.07"
    assert properties[f"{PRISM}doi"] == "10.5555/bgn.2026.07"
    assert properties[f"{PRISM}isbn"] == "978-0-306-40615-7" and properties[f"{PRISM}issn"] == "2049-3630"
    assert properties[f"{RIGHTS}Marked"] == "True"
    assert properties[f"{RIGHTS}WebStatement"] == "https://creativecommons.org/licenses/by/4.0/"
    rights = [li.text for element in tree.iter(f"{DC}rights") for li in element.iter(f"{RDF}li")]
    assert rights == ["© 2026 Institute for Transboundary Water Policy (fictional). "
                      "Creative Commons Attribution 4.0 International."]


@pytest.mark.parametrize("key", BUILDS)
def test_every_variant_stays_valid_with_the_publication_metadata(published, key):
    assert conformance.verapdf_subset(published[key]) == []
    assert conformance.qpdf_check(published[key])[0]


def test_pdf_a_1_with_publication_metadata_passes_pdfbox_preflight(published):
    paths = [published[key] for key in BUILDS if key.startswith("pdf/a-1")]
    assert conformance.pdfbox_preflight(paths) == {path: [] for path in paths}


@pytest.mark.parametrize("key", BUILDS)
def test_the_citation_is_embedded_as_csl_json_where_the_variant_allows_files(published, key):
    with pikepdf.open(published[key]) as pdf:
        files = dict(pdf.attachments.items())
        if not variants.embeds_files(BUILDS[key]):
            assert files == {}
            return
        spec = files["basin-note.csl.json"]
        (item,) = json.loads(spec.get_file().read_bytes())
        assert item["DOI"] == "10.5555/bgn.2026.07" and item["type"] == "report"
        assert str(spec.obj.get("/AFRelationship")) == "/Supplement"
        assert any(entry.objgen == spec.obj.objgen for entry in pdf.Root.get("/AF", []))


def test_a_brief_that_is_not_published_gets_no_publication_metadata(tmp_path):
    path = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    pdf = build(path, tmp_path / "out.pdf", limits=None).pdf
    with pikepdf.open(pdf) as document:
        assert "/Metadata" not in document.Root
        assert "brief.csl.json" not in dict(document.attachments.items())


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name", "").startswith("citation_"):
            self.meta.append((attrs["name"], attrs["content"]))
        self._in_json = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json:
            self.json_ld.append(data)

    def handle_endtag(self, tag):
        self._in_json = False


def test_the_web_page_carries_highwire_tags_and_schema_org_json_ld(tmp_path):
    result = build(EXAMPLE, tmp_path / "basin.pdf", html=True, limits=None)
    head = _Head()
    head.feed(result.html.read_text(encoding="utf-8"))
    tags = head.meta
    assert ("citation_title", "Sharing a river that six countries drink from (fictional example)") in tags
    assert [value for name, value in tags if name == "citation_author"] == ["Ångström, Zoë", "Mensah, Kofi"]
    assert ("citation_publication_date", "2026/07/01") in tags and ("citation_doi", "10.5555/bgn.2026.07") in tags
    assert ("citation_isbn", "978-0-306-40615-7") in tags and ("citation_issn", "2049-3630") in tags
    assert ("citation_technical_report_number", "BGN-2026-07") in tags
    assert ("citation_publisher", "Institute for Transboundary Water Policy (fictional)") in tags
    (data,) = [json.loads(text) for text in head.json_ld]
    assert data["@context"] == "https://schema.org" and data["@type"] == "Report"
    assert [person["name"] for person in data["author"]] == ["Zoë Ångström", "Kofi Mensah"]
    assert data["author"][0]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["identifier"][0] == {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.5555/bgn.2026.07"}
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["reportNumber"] == "BGN-2026-07" and data["datePublished"] == "2026-07-01"
