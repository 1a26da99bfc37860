"""The reader's view of revisions: the "What changed in this version" box after the key takeaways,
and the revision history in the back matter, read back from real PDFs with pdftotext."""

from __future__ import annotations

import os
import subprocess
import sys

import pikepdf
import pytest
from helpers import ROOT, minimal_brief, pdf_text, write_yaml

import briefing
from briefing import BriefError

pytestmark = pytest.mark.pdf


def versions():
    old = minimal_brief()
    old["meta"]["version"] = "1.0"
    old["summary"].append("Fish catches have fallen by a third.")
    old["background"]["figures"].append({"value": "62%", "label": "of the catch is wild fish", "source": "mrc"})
    new = minimal_brief()
    new["meta"].update(version="1.1", date="2024-06-15", revisions=[
        {"version": "1.0", "date": "2024-05-01", "note": "First edition."},
        {"version": "1.1", "date": "2024-06-15", "note": "A figure corrected and a proposal added."}])
    new["summary"].append("Fish catches have fallen by half.")
    new["background"]["figures"].append({"value": "64%", "label": "of the catch is wild fish", "source": "mrc"})
    proposals = new["expert_proposals"]["proposals"]
    proposals[0]["quote"] = "Data is the first gate to open."
    proposals.append({"expert": {"name": "Cy Scholar"}, "proposal": "Fund a joint monitoring body."})
    return old, new


def page_text(pdf, page):
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def one_line(text):
    return " ".join(text.split())


def test_the_changes_box_follows_the_takeaways_and_says_what_changed(tmp_path):
    old, new = versions()
    old_path, new_path = write_yaml(tmp_path / "v1.yaml", old), write_yaml(tmp_path / "v2.yaml", new)
    result = briefing.build(new_path, tmp_path / "v2.pdf", changes_since=old_path, html=True)
    first = one_line(page_text(result.pdf, 1))
    assert first.index("KEY TAKEAWAYS") < first.index("WHAT CHANGED IN THIS VERSION") < first.index("1 Background")
    box = first[first.index("WHAT CHANGED IN THIS VERSION"):first.index("1 Background")]
    assert "Version 1.1 · 15 June 2024" in box
    assert "Key takeaway 2: revised" in box
    assert "Key figures: of the catch is wild fish: 64% (was 62%)" in box
    assert "Expert proposals: Bo Expert: quote corrected" in box
    assert "Expert proposals: Cy Scholar: added" in box
    assert box.count("•") == 4  # the edition's own facts (version, date, history) are not listed
    # Each line links to where its change now stands, in the PDF and in the web edition.
    html = result.html.read_text(encoding="utf-8")
    for anchor in ("takeaway-1", "background-figures-1", "expert_proposals-proposals-0",
                   "expert_proposals-proposals-1"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    assert "What changed in this version" in html
    with pikepdf.open(result.pdf) as pdf:
        links = [annot for annot in pdf.pages[0].get("/Annots", []) if annot.get("/Subtype") == "/Link"]
        assert len(links) >= 4


def test_the_revision_history_closes_the_brief(tmp_path):
    _, new = versions()
    result = briefing.build(write_yaml(tmp_path / "v2.yaml", new), tmp_path / "v2.pdf")
    text = pdf_text(result.pdf)
    assert "WHAT CHANGED" not in text  # no box without an earlier version
    last = one_line(page_text(result.pdf, result.pages))
    history = last[last.index("REVISION HISTORY"):]
    assert "Version Date Note" in history
    assert history.index("1.0 1 May 2024 First edition.") < history.index(
        "1.1 15 June 2024 A figure corrected and a proposal added.")
    assert last.index("SOURCES") < last.index("REVISION HISTORY")


def test_the_box_speaks_the_brief_s_language(tmp_path):
    old, new = versions()
    for data in (old, new):
        data["meta"]["language"] = "fr"
    result = briefing.build(write_yaml(tmp_path / "v2.yaml", new), tmp_path / "v2.pdf",
                            changes_since=write_yaml(tmp_path / "v1.yaml", old))
    text = one_line(pdf_text(result.pdf)).replace("\u00a0", " ").replace("\u202f", " ")
    assert "CE QUI A CHANGÉ DANS CETTE VERSION" in text
    # French sets a no-break space before the colon (docs/languages.md)
    assert "64% (auparavant 62%)" in text and "citation corrigée" in text and "Cy Scholar : ajouté" in text
    assert "HISTORIQUE DES RÉVISIONS" in text


def run_build(*arguments, cwd=None):
    return subprocess.run([sys.executable, "-m", "briefing", "build", *map(str, arguments)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def git(folder, *arguments):
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, timeout=30,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def test_build_since_a_git_revision_prints_the_box(tmp_path):
    old, new = versions()
    brief = write_yaml(tmp_path / "brief.yaml", old)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "brief.yaml")
    git(tmp_path, "commit", "-qm", "1.0")
    write_yaml(brief, new)
    result = run_build("brief.yaml", "-o", "brief.pdf", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "64% (was 62%)" in one_line(page_text(tmp_path / "brief.pdf", 1))


def test_a_bad_earlier_version_is_a_located_error_and_the_old_pdf_stays(tmp_path):
    old, new = versions()
    new_path = write_yaml(tmp_path / "v2.yaml", new)
    pdf = tmp_path / "v2.pdf"
    briefing.build(new_path, pdf)
    before = pdf.read_bytes()
    old["meta"]["date"] = "2024-13-01"
    bad = write_yaml(tmp_path / "v1.yaml", old)
    result = run_build(new_path, "-o", pdf, "--changes-since", bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{bad}:" in result.stderr and "meta.date" in result.stderr
    assert pdf.read_bytes() == before
    outside = run_build(new_path, "-o", pdf, "--since", "HEAD")
    assert outside.returncode == 2 and "is not in a git repository" in outside.stderr
    with pytest.raises(BriefError):
        briefing.build(new_path, pdf, changes_since=tmp_path / "missing.yaml")
    assert pdf.read_bytes() == before
