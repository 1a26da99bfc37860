"""Content is data: markup in any field is shown as text, and nothing in the content can
add attachments, stylesheets, scripts or network requests."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pikepdf
import pytest
from helpers import minimal_brief, pdf_text, write_yaml
from helpers.hostile import HOSTNAME, embedded_files, listening, scripts_and_actions

from briefing import build, render_html
from briefing.errors import BriefError
from briefing.content.load import load, validate

PAYLOAD = ('<script>alert(1)</script><link rel="attachment" href="file:///etc/hostname">'
           '<img src="file:///etc/hostname"><style>@import "/etc/hostname";</style>')
# Fields whose values are constrained to identifiers, dates, language tags or URLs.
CONSTRAINED = {"id", "source", "date", "language", "identifier", "url"}


def every_field() -> dict:
    """A brief that uses every section and every optional field."""
    data = minimal_brief()
    data["meta"].update(subtitle="A subtitle", short_title="Short", publisher="A publisher")
    data["meta"]["authors"][0]["role"] = "Fellow"
    data["background"]["title"] = "Background"
    data["background"]["timeline"][0].update(when="Spring 1995", source="mrc")
    data["legal_deadlock"] = {
        "title": "Legal deadlock", "body": "The body.",
        "positions": [{"party": "Laos", "stance": "Dams are needed.", "source": "mrc"}],
        "agreements": [{"date": 1995, "name": "The Agreement", "summary": "Shared use.", "source": "mrc"}],
        "rulings": [{"date": 2020, "court": "A court", "holding": "A holding.", "source": "mrc"}],
    }
    data["expert_proposals"].update(title="Proposals", body="The body.")
    data["outlook"].update(title="Outlook")
    data["outlook"]["signposts"][0]["when"] = "Early 2025"
    data["sources"][0].update(author="An author", note="A note", url="https://example.org/report")
    data["labels"] = {name: name.title() for name in ("takeaways", "timeline", "figures", "positions", "agreements",
                                                     "rulings", "signposts", "sources", "page", "of", "cited_by")}
    return data


def poisoned(data, key: str = ""):
    """`data` with PAYLOAD appended to every free-text value; returns (data, how many were poisoned)."""
    if isinstance(data, dict):
        pairs = [(name, poisoned(value, name)) for name, value in data.items()]
        return {name: value for name, (value, _) in pairs}, sum(count for _, (_, count) in pairs)
    if isinstance(data, list):
        items = [poisoned(value, key) for value in data]
        return [value for value, _ in items], sum(count for _, count in items)
    if isinstance(data, str) and key not in CONSTRAINED:
        return f"{data} {PAYLOAD}", 1
    return data, 0


class Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("href", "src"):
                self.urls.append(value)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-content")
    data, count = poisoned(every_field())
    content = write_yaml(folder / "brief.yaml", data)
    output = folder / "brief.pdf"
    build(content, output)
    return output, render_html(load(content)), count


@pytest.mark.pdf
def test_markup_in_every_field_builds_and_reads_back_as_text(hostile_build):
    pdf, _, count = hostile_build
    assert count >= 40
    text = " ".join(pdf_text(pdf).split())
    # Every poisoned field that is printed shows the markup literally.
    assert text.count("<script>alert(1)</script>") >= 30


@pytest.mark.pdf
def test_markup_in_content_adds_no_elements_to_the_html(hostile_build):
    _, document, _ = hostile_build
    elements = Elements()
    elements.feed(document)
    assert not {"script", "link", "style", "img", "iframe", "object", "embed", "svg", "base"} & set(elements.tags)
    assert not {"rel", "src", "style"} & elements.attributes
    assert not any(name.startswith("on") for name in elements.attributes)
    assert all(url.startswith(("#", "https://example.org/")) for url in elements.urls)


@pytest.mark.pdf
def test_markup_in_content_embeds_nothing_but_its_own_source_and_adds_no_scripts(hostile_build):
    pdf, _, _ = hostile_build
    assert sorted(embedded_files(pdf)) == ["brief.validated.json", "brief.yaml"]
    with pikepdf.open(pdf) as document:
        embedded = document.attachments["brief.yaml"].get_file().read_bytes()
    assert embedded == (pdf.parent / "brief.yaml").read_bytes()
    assert HOSTNAME.read_bytes().strip() not in embedded
    assert scripts_and_actions(pdf) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "file:///etc/hostname", "data:text/html,<script>alert(1)</script>",
                                 "ftp://example.org/x", "//example.org/x", "/etc/hostname", "example.org",
                                 "https://exa mple.org", "HTTPS://example.org"])
def test_url_field_refuses_anything_but_http_https_and_mailto(url):
    data = minimal_brief()
    data["sources"][0]["url"] = url
    with pytest.raises(BriefError) as raised:
        validate(data, Path("brief.yaml"))
    [problem] = raised.value.problems
    assert problem.field == "sources.0.url"


@pytest.mark.parametrize("url", ["https://example.org/a?b=c#d", "http://example.org", "mailto:office@example.org"])
def test_url_field_accepts_http_https_and_mailto(url):
    data = minimal_brief()
    data["sources"][0]["url"] = url
    assert validate(data, Path("brief.yaml")).sources[0].url == url


@pytest.mark.parametrize("text", ["[open](javascript:alert(1))", "[open](file:///etc/hostname)",
                                  "![x](file:///etc/hostname)", "![x](data:image/svg+xml;base64,PHN2Zy8+)",
                                  "[open](data:text/html,x)", "[open](ftp://example.org/)", "<javascript:alert(1)>"])
def test_markdown_links_to_other_schemes_stay_text(text):
    brief = validate(minimal_brief(summary=[text]), Path("brief.yaml"))
    elements = Elements()
    elements.feed(render_html(brief))
    assert elements.urls == [url for url in elements.urls if url.startswith("#")]
    assert "img" not in elements.tags


@pytest.mark.pdf
def test_markdown_image_of_a_file_outside_is_refused_by_name(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(summary=["See ![map](/etc/hostname)."]))
    output = tmp_path / "brief.pdf"
    with pytest.raises(BriefError) as raised:
        build(content, output)
    assert [str(problem) for problem in raised.value.problems] == [
        "file:///etc/hostname: refused: outside the brief's and theme's folders"]
    assert not output.exists()


@pytest.mark.pdf
def test_markdown_image_and_link_to_a_local_server_make_no_connection(tmp_path):
    with listening() as server:
        content = write_yaml(tmp_path / "brief.yaml", minimal_brief(summary=[f"See ![map]({server.base}/map.png)."]))
        with pytest.raises(BriefError) as raised:
            build(content, tmp_path / "brief.pdf")
        assert [str(problem) for problem in raised.value.problems] == [
            f"{server.base}/map.png: refused: network access is off (allow a prefix with --allow-url)"]
        linked = write_yaml(tmp_path / "linked.yaml", minimal_brief(summary=[f"See [the map]({server.base}/map)."]))
        build(linked, tmp_path / "linked.pdf")
    assert server.connections == 0
    assert re.search(r"See the map", pdf_text(tmp_path / "linked.pdf"))


def test_deeply_nested_markdown_is_capped():
    brief = validate(minimal_brief(summary=[">" * 5000 + " deep", "- " * 5000 + "deep"]), Path("brief.yaml"))
    elements = Elements()
    elements.feed(render_html(brief))
    assert elements.tags.count("blockquote") <= 20
    assert elements.tags.count("ul") <= 21


def test_script_check_finds_a_script_when_there_is_one(tmp_path):
    # The control for every "no scripts" assertion.
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    pdf.save(tmp_path / "script.pdf")
    assert scripts_and_actions(tmp_path / "script.pdf") != []
