"""Embedded files: the brief's source always, further attachments only from the brief's own folder."""

from __future__ import annotations

import json
import os

import pikepdf
import pytest

from briefing import build
from briefing.errors import BriefError
from helpers import minimal_brief, run_cli, write_yaml


def embedded(path) -> dict[str, tuple[str, str, bytes]]:
    with pikepdf.open(path) as pdf:
        return {name: (str(spec.obj.AFRelationship), spec.description, spec.get_file().read_bytes())
                for name, spec in pdf.attachments.items()}


@pytest.mark.pdf
def test_every_pdf_carries_its_validated_brief_and_content_file(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    files = embedded(build(content, tmp_path / "brief.pdf").pdf)
    assert set(files) == {"brief.validated.json", "brief.yaml"}
    assert files["brief.yaml"][2] == content.read_bytes()
    assert json.loads(files["brief.validated.json"][2])["sources"][0]["id"] == "mrc"
    assert {relationship for relationship, _, _ in files.values()} == {"/Source"}
    with pikepdf.open(tmp_path / "brief.pdf") as pdf:
        assert len(pdf.Root.AF) == 2


@pytest.mark.pdf
def test_attachments_listed_in_the_content_are_embedded_with_their_description(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "flows.csv").write_text("year,flow\n2023,100\n")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(attachments=[
        {"path": "data/flows.csv", "description": "Yearly river flow", "relationship": "Data"}]))
    files = embedded(build(content, tmp_path / "brief.pdf").pdf)
    assert files["flows.csv"] == ("/Data", "Yearly river flow", b"year,flow\n2023,100\n")


@pytest.mark.pdf
def test_cli_attach_option_embeds_a_file_from_the_brief_folder(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief())
    (tmp_path / "annex.txt").write_text("Annex text")
    result = run_cli("build", "brief.yaml", "-o", "brief.pdf", "--attach", "annex.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    relationship, description, data = embedded(tmp_path / "brief.pdf")["annex.txt"]
    assert (relationship, description, data) == ("/Supplement", "annex.txt", b"Annex text")


def test_attachment_outside_the_brief_folder_is_refused_at_its_line(tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "brief").mkdir()
    content = write_yaml(tmp_path / "brief" / "brief.yaml",
                         minimal_brief(attachments=[{"path": "../secret.txt"}]))
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "brief.pdf")
    [problem] = caught.value.problems
    assert problem.field == "attachments.0.path"
    assert problem.line is not None and problem.column is not None
    assert "inside the brief's folder" in problem.message
    assert not (tmp_path / "brief.pdf").exists()


def test_attachment_through_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "brief").mkdir()
    os.symlink(tmp_path / "secret.txt", tmp_path / "brief" / "table.csv")
    content = write_yaml(tmp_path / "brief" / "brief.yaml", minimal_brief(attachments=[{"path": "table.csv"}]))
    with pytest.raises(BriefError, match="inside the brief's folder"):
        build(content, tmp_path / "brief.pdf")


@pytest.mark.pdf
def test_cli_attach_option_outside_the_brief_folder_is_refused(tmp_path):
    (tmp_path / "brief").mkdir()
    write_yaml(tmp_path / "brief" / "brief.yaml", minimal_brief())
    result = run_cli("build", "brief/brief.yaml", "-o", "brief.pdf", "--attach", "/etc/hostname", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: /etc/hostname: --attach: attachments must be inside")
    assert "Traceback" not in result.stderr


@pytest.mark.pdf
def test_missing_attachment_names_file_line_and_field(tmp_path):
    write_yaml(tmp_path / "brief.yaml", minimal_brief(attachments=[{"path": "missing.csv"}]))
    result = run_cli("build", "brief.yaml", cwd=tmp_path)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.startswith("error: brief.yaml:")
    assert "attachments.0.path: no such file: " in line
    assert "\n" not in line


@pytest.mark.pdf
def test_pdf_a_2b_carries_no_embedded_files(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    pdf = build(content, tmp_path / "brief.pdf", variant="pdf/a-2b").pdf
    with pikepdf.open(pdf) as document:
        assert len(document.attachments) == 0


def test_unknown_relationship_is_rejected(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(
        attachments=[{"path": "a.csv", "relationship": "Related"}]))
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "brief.pdf")
    assert caught.value.problems[0].field == "attachments.0.relationship"


def test_a_fifo_named_as_an_attachment_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "table.csv")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(attachments=[{"path": "table.csv"}]))
    with pytest.raises(BriefError) as caught:
        build(content, tmp_path / "brief.pdf")
    [problem] = caught.value.problems
    assert problem.field == "attachments.0.path"
    assert problem.message.startswith("not a regular file: ")
    assert not (tmp_path / "brief.pdf").exists()


@pytest.mark.pdf
def test_the_step_by_step_print_embeds_only_what_it_is_given_as_the_readme_says(tmp_path):
    import briefing
    from helpers import ROOT

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "This holds for `briefing build` and `briefing.build()`; the step-by-step" in readme
    assert "`briefing.print_pdf(html)` knows only the HTML and embeds only what its `attachments=` names" in readme
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    html = briefing.render_html(briefing.load(content))
    bare = briefing.print_pdf(html, limits=None)
    briefing.write_pdf(bare.pdf, tmp_path / "bare.pdf")
    assert embedded(tmp_path / "bare.pdf") == {}
    given = briefing.print_pdf(html, limits=None, attachments=[
        briefing.EmbeddedFile(name="brief.yaml", data=content.read_bytes(), description="The content",
                               relationship="Source")])
    briefing.write_pdf(given.pdf, tmp_path / "given.pdf")
    assert set(embedded(tmp_path / "given.pdf")) == {"brief.yaml"}


@pytest.mark.pdf
def test_every_embedded_file_is_found_by_name_by_qpdf(tmp_path):
    """The EmbeddedFiles name tree is sorted, as ISO 32000-1 7.9.6 requires: qpdf looks names up in
    it, and missed the ones written out of order."""
    import subprocess

    from helpers.tools import tool

    (tmp_path / "zeta.csv").write_text("z\n1\n")
    (tmp_path / "alpha.txt").write_text("Alpha")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief(attachments=[
        {"path": "zeta.csv", "description": "Last by name"}, {"path": "alpha.txt", "description": "First"}]))
    pdf = build(content, tmp_path / "brief.pdf").pdf
    names = set(embedded(pdf))
    assert {"zeta.csv", "alpha.txt", "brief.yaml"} <= names
    for name in sorted(names):
        shown = subprocess.run([tool("qpdf"), f"--show-attachment={name}", str(pdf)], capture_output=True,
                               timeout=60)
        assert shown.returncode == 0, (name, shown.stderr)
    assert subprocess.run([tool("qpdf"), "--show-attachment=alpha.txt", str(pdf)], capture_output=True,
                          timeout=60).stdout == b"Alpha"
