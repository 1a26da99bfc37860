"""A published brief's identifiers are checked: each wrong one is one error at its file:line:col and field."""

from __future__ import annotations

import pytest

from helpers import minimal_brief, run_cli, write_yaml

pytestmark = pytest.mark.pdf  # the slow layer: every test here starts processes


def _validate(tmp_path, data):
    path = write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("validate", "brief.yaml", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    return path.read_text(encoding="utf-8").splitlines(), result


def _place(lines, key, value):
    """line:col of `value` written after `key:` in the YAML as written."""
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip(" -")
        if stripped.startswith(f"{key}:") and value in line:
            return f"{number}:{line.index(value, line.index(key)) + 1}"
    raise AssertionError(f"{key}: {value} not written")


WRONG_META = [
    ("doi", "11.5555/bgn.2026.07", "is not a DOI"),
    ("doi", "10.5555 /space", "is not a DOI"),
    ("isbn", "978-0-306-40615-8", "is not an ISBN: its check digit is wrong"),
    ("isbn", "978-0-306-4061", "is not an ISBN (the number has an invalid length)"),
    ("issn", "2049-3631", "is not an ISSN: its check digit is wrong"),
    ("licence", "CC-BY-4", "is not an SPDX licence id (such as CC-BY-4.0) nor all-rights-reserved; "
                           "did you mean 'CC-BY-4.0'?"),
    ("licence", "Creative Commons", "is not an SPDX licence id"),
    ("url", "http://itwp.example.org/briefs/1", "is not an https address"),
    ("url", "itwp.example.org", "is not an https address"),
    ("contact", "briefs.example.org", "is not an e-mail address"),
    ("citation_style", "vancouver", "input should be 'chicago-author-date'"),
]


@pytest.mark.parametrize(("field", "value", "message"), WRONG_META, ids=[f"{f}={v}" for f, v, _ in WRONG_META])
def test_wrong_meta_identifier_is_located(tmp_path, field, value, message):
    data = minimal_brief()
    data["meta"][field] = value
    lines, result = _validate(tmp_path, data)
    assert result.returncode == 2
    assert f"brief.yaml:{_place(lines, field, value)}: meta.{field}: " in result.stderr
    assert message in result.stderr
    assert result.stderr.count("brief.yaml:") == 1


WRONG_AUTHOR = [
    ("orcid", "0000-0002-1825-0098", "its check digit (the last) is wrong (ISO 7064 MOD 11-2)"),
    ("orcid", "0000-0002-1825", "is not an ORCID iD: expected four groups of four digits"),
    ("email", "z.angstrom@@example.org", "is not an e-mail address"),
]


@pytest.mark.parametrize(("field", "value", "message"), WRONG_AUTHOR, ids=[f"{f}={v}" for f, v, _ in WRONG_AUTHOR])
def test_wrong_author_identifier_is_located(tmp_path, field, value, message):
    data = minimal_brief()
    data["meta"]["authors"][0][field] = value
    lines, result = _validate(tmp_path, data)
    assert result.returncode == 2
    assert f"brief.yaml:{_place(lines, field, value)}: meta.authors.0.{field}: " in result.stderr
    assert message in result.stderr


def test_number_in_json_asks_for_quotes(tmp_path):
    import json

    data = minimal_brief()
    data["meta"]["isbn"] = 9780306406157  # a number: an ISBN-10 such as 0306406152 would lose its first digit
    text = json.dumps(data, indent=2)
    (tmp_path / "brief.json").write_text(text, encoding="utf-8")
    result = run_cli("validate", "brief.json", cwd=tmp_path)
    assert result.returncode == 2
    line = next(number for number, row in enumerate(text.splitlines(), 1) if '"isbn"' in row)
    assert f"brief.json:{line}:" in result.stderr
    assert "meta.isbn: write it in quotes, as text: 9780306406157 was read as a number" in result.stderr


def test_right_identifiers_validate_and_are_kept_in_canonical_form(tmp_path):
    from briefing.content.load import load

    data = minimal_brief()
    data["meta"].update(doi="https://doi.org/10.5555/bgn.2026.07", isbn="978-0-306-40615-7", issn="2049-3630",
                        licence="cc-by-4.0", url="https://itwp.example.org/briefs/1", contact="briefs@example.org",
                        citation_style="apa", version="1.0")
    data["meta"]["authors"][0].update(orcid="https://orcid.org/0000-0002-1825-0097", email="ada@example.org")
    brief = load(write_yaml(tmp_path / "brief.yaml", data))
    assert brief.meta.doi == "10.5555/bgn.2026.07"
    assert brief.meta.licence == "CC-BY-4.0"
    assert brief.meta.authors[0].orcid == "0000-0002-1825-0097"
    assert (tmp_path / "brief.yaml").exists()
    result = run_cli("validate", "brief.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_notes_a_published_brief_without_licence_or_affiliation(tmp_path):
    data = minimal_brief()
    data["meta"]["doi"] = "10.5555/test.2"
    data["meta"]["authors"].append({"name": "Bea Unaffiliated"})
    path = write_yaml(tmp_path / "brief.yaml", data)
    lines = path.read_text(encoding="utf-8").splitlines()
    result = run_cli("validate", "brief.yaml", cwd=tmp_path)  # the editorial checks `check` runs too
    assert result.returncode == 0, result.stderr
    assert f"brief.yaml:{_place(lines, 'doi', '10.5555/test.2')}: meta.doi: the brief is published (a DOI) " \
           "but names no licence" in result.stderr
    assert f"brief.yaml:{_place(lines, 'name', 'Bea Unaffiliated')}: meta.authors.1.name: author " \
           "'Bea Unaffiliated' of a published brief (a DOI) has no affiliation" in result.stderr
    strict = run_cli("validate", "brief.yaml", "--strict", cwd=tmp_path)
    assert strict.returncode != 0


def test_a_licensed_published_brief_with_affiliations_gets_no_such_note(tmp_path):
    data = minimal_brief()
    data["meta"].update(url="https://itwp.example.org/b/1", licence="all-rights-reserved")
    write_yaml(tmp_path / "brief.yaml", data)
    result = run_cli("validate", "brief.yaml", cwd=tmp_path)
    assert "licence" not in result.stderr and "affiliation" not in result.stderr
