"""`briefing cite`: the brief's own citation, read back with a BibTeX parser, an RIS reader and a CSL processor."""

from __future__ import annotations

import json

import pytest

from helpers import ROOT, minimal_brief, run_cli, write_yaml

EXAMPLE = ROOT / "docs" / "examples" / "basin-note.yaml"


def cite(*args, cwd=ROOT):
    result = run_cli("cite", *args, cwd=cwd)
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.pdf
def test_text_is_the_brief_s_citation_in_its_style():
    result = cite(str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Ångström, Zoë, and Kofi Mensah. 2026. Sharing a River")
    assert result.stdout.rstrip().endswith("https://doi.org/10.5555/bgn.2026.07.")
    apa = cite(str(EXAMPLE), "--style", "apa").stdout
    assert apa.startswith("Ångström, Z., & Mensah, K. (2026). Sharing a river")


@pytest.mark.pdf
def test_title_case_capitalises_a_word_after_an_opening_bracket():
    # Chicago's title case, as pandoc's and Zotero's CSL processors apply it: "(Fictional Example)".
    chicago = cite(str(EXAMPLE)).stdout
    assert "Sharing a River That Six Countries Drink from (Fictional Example). BGN-2026-07." in chicago
    apa = cite(str(EXAMPLE), "--style", "apa").stdout  # sentence case leaves the words as written
    assert "Sharing a river that six countries drink from (fictional example)" in apa


@pytest.mark.pdf
def test_apa_names_a_publisher_that_is_also_the_author_once():
    example = ROOT / "content" / "korea-japan-2021.yaml"
    apa = cite(str(example), "--style", "apa").stdout.strip()
    assert apa == ("The Sunday Times. (2021). Meaningful progress in South Korea–Japan relations possible with "
                   "US prodding (AI-2021-02; Asian Insider).")
    chicago = cite(str(example)).stdout  # the Chicago Manual (14.84) names it as author and as publisher
    assert chicago.count("The Sunday Times") == 2


@pytest.mark.pdf
def test_bibtex_reads_back_with_a_bibtex_parser():
    import bibtexparser

    result = cite(str(EXAMPLE), "--format", "bibtex")
    assert result.returncode == 0, result.stderr
    library = bibtexparser.parse_string(result.stdout)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "techreport" and entry.key == "BGN-2026-07"
    fields = {field.key: field.value for field in entry.fields}
    assert fields["author"] == "Ångström, Zoë and Mensah, Kofi"
    assert fields["doi"] == "10.5555/bgn.2026.07" and fields["isbn"] == "978-0-306-40615-7"
    assert fields["year"] == "2026" and fields["number"] == "BGN-2026-07"
    assert fields["institution"] == "Institute for Transboundary Water Policy (fictional)"


@pytest.mark.pdf
def test_bibtex_escapes_what_latex_would_read_as_commands(tmp_path):
    import bibtexparser

    data = minimal_brief()
    data["meta"]["title"] = "Rivers & dams: 50% of {flow}"
    write_yaml(tmp_path / "brief.yaml", data)
    result = cite("brief.yaml", "--format", "bibtex", cwd=tmp_path)
    (entry,) = bibtexparser.parse_string(result.stdout).entries
    assert entry.fields_dict["title"].value == r"{Rivers \& dams: 50\% of \{flow\}}"


@pytest.mark.pdf
def test_ris_reads_back_with_an_ris_reader():
    import rispy

    result = cite(str(EXAMPLE), "--format", "ris")
    assert result.returncode == 0, result.stderr
    (record,) = rispy.loads(result.stdout)
    assert record["type_of_reference"] == "RPRT"
    assert record["authors"] == ["Ångström, Zoë", "Mensah, Kofi"]
    assert record["doi"] == "10.5555/bgn.2026.07" and record["year"] == "2026"
    assert record["publisher"] == "Institute for Transboundary Water Policy (fictional)"


@pytest.mark.pdf
def test_csl_json_has_the_fields_reference_managers_read_and_a_csl_processor_formats_it():
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    from briefing.render.citation import STYLES_FOLDER

    result = cite(str(EXAMPLE), "--format", "csl-json")
    assert result.returncode == 0, result.stderr
    (item,) = json.loads(result.stdout)
    assert item["type"] == "report" and item["title"].startswith("Sharing a river")
    assert item["author"][0] == {"family": "Ångström", "given": "Zoë"}
    assert item["issued"] == {"date-parts": [[2026, 7, 1]]}
    assert (item["DOI"], item["URL"], item["number"], item["ISBN"]) == (
        "10.5555/bgn.2026.07", "https://itwp.example.org/briefs/bgn-2026-07", "BGN-2026-07", "978-0-306-40615-7")
    assert item["publisher"] == "Institute for Transboundary Water Policy (fictional)"
    style = CitationStylesStyle(str(STYLES_FOLDER / "ieee.csl"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    assert "doi: 10.5555/bgn.2026.07" in str(bibliography.bibliography()[0])


@pytest.mark.pdf
def test_a_brief_with_errors_is_not_cited(tmp_path):
    data = minimal_brief()
    data["meta"]["doi"] = "10.5555"
    write_yaml(tmp_path / "brief.yaml", data)
    result = cite("brief.yaml", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "brief.yaml:" in result.stderr and "meta.doi: '10.5555' is not a DOI" in result.stderr


@pytest.mark.pdf
def test_unknown_style_is_refused_by_name():
    result = cite(str(EXAMPLE), "--style", "vancouver")
    assert result.returncode == 2 and "vancouver" in result.stderr


def test_the_command_offers_the_styles_briefing_ships():
    from briefing.cli.cite import FORMATS, STYLES
    from briefing.content.identifiers import CITATION_STYLES
    from briefing.render import citation

    assert STYLES == CITATION_STYLES and FORMATS == citation.FORMATS


@pytest.mark.pdf
def test_cite_never_imports_weasyprint():
    import subprocess
    import sys

    code = ("import sys, runpy; sys.argv = ['briefing', 'cite', %r];\n"
            "try: runpy.run_module('briefing', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print('weasyprint' in sys.modules, file=sys.stderr)") % str(EXAMPLE)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr
    assert "Ångström" in result.stdout


CSL_SCHEMA = ROOT / "tests" / "schemas" / "csl" / "csl-data.json"


def csl_validator():
    import jsonschema

    schema = json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.mark.pdf
def test_csl_json_is_valid_against_the_official_csl_data_schema(tmp_path):
    validator = csl_validator()
    data = minimal_brief()  # no author, no identifiers: the smallest item briefing writes
    write_yaml(tmp_path / "brief.yaml", data)
    for content, cwd in ((str(EXAMPLE), ROOT), (str(ROOT / "content" / "korea-japan-2021.yaml"), ROOT),
                         ("brief.yaml", tmp_path)):
        result = cite(content, "--format", "csl-json", cwd=cwd)
        assert result.returncode == 0, result.stderr
        items = json.loads(result.stdout)
        errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(items)]
        assert errors == [], (content, errors)


@pytest.mark.pdf
def test_the_csl_schema_check_can_fail():
    """The vendored schema is the real one: it refuses what CSL-JSON does not allow."""
    validator = csl_validator()
    (item,) = json.loads(cite(str(EXAMPLE), "--format", "csl-json").stdout)
    assert not validator.is_valid([{**item, "type": "policy-brief"}])  # not a CSL item type
    assert not validator.is_valid([{**item, "author": "Zoë Ångström"}])  # names are a list of name objects
    assert not validator.is_valid([{key: value for key, value in item.items() if key != "type"}])
