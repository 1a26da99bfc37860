"""The editor's view of revisions: `briefing build NEW --redline OLD` writes a review copy, its
changes marked in the text. Read back with pdftotext and pdfplumber (which gives each character's
colour and the rules drawn under or through it), and the HTML with Python's own parser."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser

import pdfplumber
import pytest
from helpers import minimal_brief, run_cli, write_yaml

import briefing
from briefing import BriefError
from briefing.content.diff import word_diff
from briefing.render.redline import DEL_CLOSE, DEL_OPEN, INS_CLOSE, INS_OPEN, mark_up, marked_text

#: The default theme's --color-inserted (#0b6b3a) and --color-deleted (#b3261e), as PDF fill colours.
INSERTED = (0x0b / 255, 0x6b / 255, 0x3a / 255)
DELETED = (0xb3 / 255, 0x26 / 255, 0x1e / 255)


def versions():
    """Two versions with an edit in each part a review copy marks (made-up data)."""
    old = minimal_brief()
    old["summary"].append("Fish catches have fallen by a third.")
    old["background"]["body"] = "The river crosses six countries and feeds sixty million people."
    old["background"]["figures"].append({"value": "62%", "label": "of the catch is wild fish", "source": "mrc"})
    old["background"]["timeline"].append({"date": 2010, "event": "A dam opens upstream.", "source": "mrc"})
    old["legal_deadlock"] = {"body": "No treaty binds the upstream states.",
                             "positions": [{"party": "Laos", "stance": "Dams are a sovereign right."}]}
    old["expert_proposals"]["proposals"].append(
        {"expert": {"name": "Di Official"}, "proposal": "Agree on minimum flows.", "source": "mrc"})
    new = minimal_brief()
    new["summary"].append("Fish catches have fallen by half.")
    new["background"]["body"] = "The river crosses six countries and feeds seventy million people."
    new["background"]["figures"].append({"value": "64%", "label": "of the catch is wild fish", "source": "mrc"})
    new["background"]["timeline"].append({"date": 2010, "event": "A second dam opens upstream.", "source": "mrc"})
    new["legal_deadlock"] = {"body": "No treaty binds the upstream states.",
                             "positions": [{"party": "Laos", "stance": "Dams are a sovereign right, shared."}]}
    new["expert_proposals"]["proposals"].append(
        {"expert": {"name": "Cy Scholar"}, "proposal": "Fund a joint monitoring body.", "source": "mrc"})
    return old, new


def one_line(text):
    return " ".join(text.split())


def coloured_words(pdf_path):
    """Each word of the PDF with its fill colour and whether a rule of that colour runs under its
    letters (an underline) or through their middle (a strike), as pdfplumber reads them."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            # WeasyPrint strokes a line for an underline or a strike; a rule may also be a thin filled box.
            rules = [(shape, shape.get("stroking_color")) for shape in page.lines] + [
                (shape, shape.get("non_stroking_color")) for shape in page.rects if shape["height"] < 2]
            for word in page.extract_words(x_tolerance=1, extra_attrs=["non_stroking_color"]):
                colour = tuple(round(value, 2) for value in (word["non_stroking_color"] or ()))
                under = through = False
                for rule, rule_colour in rules:
                    if rule["width"] < 1 or rule["x1"] < word["x0"] or rule["x0"] > word["x1"]:
                        continue
                    if tuple(round(value, 2) for value in (rule_colour or ())) != colour:
                        continue
                    middle = (rule["top"] + rule["bottom"]) / 2
                    height = word["bottom"] - word["top"]
                    if word["bottom"] - 0.3 * height <= middle <= word["bottom"] + 0.3 * height:
                        under = True
                    elif word["top"] + 0.3 * height < middle < word["bottom"] - 0.3 * height:
                        through = True
                found.append((word["text"], colour, under, through))
    return found


def rounded(colour):
    return tuple(round(value, 2) for value in colour)


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redline")
    old, new = versions()
    old_path, new_path = write_yaml(folder / "v1.yaml", old), write_yaml(folder / "v2.yaml", new)
    result = briefing.build(new_path, folder / "review.pdf", redline=old_path, html=True)
    return result, folder, old_path, new_path


@pytest.mark.pdf
def test_inserted_words_are_underlined_and_deleted_words_struck_in_each_part(review):
    result, *_ = review
    words = coloured_words(result.pdf)

    def marks(text):
        return {(colour, under, through) for word, colour, under, through in words if word.strip(".,") == text}

    inserted, deleted = (rounded(INSERTED), True, False), (rounded(DELETED), False, True)
    assert inserted in marks("half") and deleted in marks("third")          # a takeaway
    assert inserted in marks("seventy") and deleted in marks("sixty")       # prose
    assert inserted in marks("64%") and deleted in marks("62%")             # a key figure
    assert inserted in marks("second")                                      # a timeline event
    assert inserted in marks("shared")                                      # a party's position
    assert inserted in marks("Cy") and inserted in marks("monitoring")      # an added proposal
    assert deleted in marks("Di") and deleted in marks("minimum")           # a removed one, struck where it stood
    # What did not change is printed as in any brief: not coloured, neither underlined nor struck.
    for word in ("river", "crosses", "Dams", "Agreement"):
        assert marks(word) and all(colour not in (rounded(INSERTED), rounded(DELETED)) and not under and not through
                                   for colour, under, through in marks(word)), word


@pytest.mark.pdf
def test_the_review_copy_has_a_legend_and_says_so_in_every_running_header(review):
    result, *_ = review
    with pdfplumber.open(result.pdf) as pdf:
        pages = len(pdf.pages)
        tops = [one_line(page.crop((0, 0, page.width, 60)).extract_text() or "") for page in pdf.pages]
    assert pages >= 2
    assert all("REVIEW COPY" in top for top in tops), tops
    text = one_line(subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout)
    assert "Review copy: the changes since the earlier version · inserted · deleted" in text
    words = coloured_words(result.pdf)
    legend = {word: (colour, under, through) for word, colour, under, through in words if word in ("inserted", "deleted")}
    assert legend["inserted"] == (rounded(INSERTED), True, False)
    assert legend["deleted"] == (rounded(DELETED), False, True)


@pytest.mark.pdf
def test_the_web_edition_of_a_review_copy_is_well_formed_and_keeps_attributes_plain(review):
    result, *_ = review
    page = result.html.read_text(encoding="utf-8")
    assert '<del class="redline-del">a third.</del> <ins class="redline-ins">half.</ins>' in page
    assert_balanced(page)
    assert not any(mark in page for mark in (INS_OPEN, INS_CLOSE, DEL_OPEN, DEL_CLOSE))
    title = page[page.index("<title>"):page.index("</title>")]
    assert "<ins" not in title and "<del" not in title


@pytest.mark.pdf
def test_a_review_copy_is_never_the_default(review, tmp_path):
    _, folder, old_path, new_path = review
    plain = briefing.build(new_path, tmp_path / "plain.pdf")
    text = subprocess.run(["pdftotext", str(plain.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "REVIEW COPY" not in text.upper() and "sixty" not in text
    assert not any(colour in (rounded(INSERTED), rounded(DELETED)) for _, colour, _, _ in coloured_words(plain.pdf))
    # Without -o, a review copy is written beside the edition, never in its place.
    (tmp_path / "v1.yaml").write_bytes(old_path.read_bytes())
    (tmp_path / "v2.yaml").write_bytes(new_path.read_bytes())
    edition = run_cli("build", "v2.yaml", cwd=tmp_path)
    assert edition.returncode == 0, edition.stderr
    before = (tmp_path / "output" / "v2.pdf").read_bytes()
    copy = run_cli("build", "v2.yaml", "--redline", "v1.yaml", cwd=tmp_path)
    assert copy.returncode == 0, copy.stderr
    assert "output/v2-review.pdf" in copy.stdout
    assert (tmp_path / "output" / "v2.pdf").read_bytes() == before
    assert "REVIEW COPY" in subprocess.run(["pdftotext", str(tmp_path / "output" / "v2-review.pdf"), "-"],
                                           capture_output=True, text=True, check=True).stdout


@pytest.mark.pdf
def test_a_review_copy_is_refused_with_a_pdf_a_variant(tmp_path):
    old, new = versions()
    old_path, new_path = write_yaml(tmp_path / "v1.yaml", old), write_yaml(tmp_path / "v2.yaml", new)
    result = run_cli("build", "v2.yaml", "--redline", "v1.yaml", "--pdf-variant", "pdf/a-3b", "-o", "r.pdf",
                     cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--redline" in result.stderr and "never a PDF/A file" in result.stderr and "pdf/a-3b" in result.stderr
    assert not (tmp_path / "r.pdf").exists()
    with pytest.raises(BriefError) as raised:
        briefing.build(new_path, tmp_path / "r.pdf", redline=old_path, variant=("pdf/a-2a", "pdf/ua-1"))
    assert [problem.field for problem in raised.value.problems] == ["redline"]
    assert "pdf/a-2a" in raised.value.problems[0].message
    with pytest.raises(BriefError):
        briefing.BuildOptions(redline=old_path, changes_since=old_path)


@pytest.mark.pdf
def test_a_bad_earlier_version_is_a_located_error(tmp_path):
    old, new = versions()
    old["meta"]["date"] = "2024-13-01"
    write_yaml(tmp_path / "v1.yaml", old)
    write_yaml(tmp_path / "v2.yaml", new)
    result = run_cli("build", "v2.yaml", "--redline", "v1.yaml", "-o", "r.pdf", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "v1.yaml:" in result.stderr and "meta.date" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


# The marks, without printing ---------------------------------------------------------------------

class _Balance(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
            "path", "rect", "line", "circle", "polyline", "polygon"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def assert_balanced(html):
    checker = _Balance()
    checker.feed(html)
    assert not checker.errors[:5] and not checker.stack, (checker.errors[:5], checker.stack)


def test_marks_close_and_reopen_at_element_boundaries():
    text = marked_text(word_diff("one two three", "one **two four** five"))
    html = mark_up(f"<p>{text.replace('**two four**', '<strong>two four</strong>')}</p>")
    assert_balanced(html)
    assert ('<strong><ins class="redline-ins">two four</ins></strong><ins class="redline-ins"> five</ins>'
            in html)
    assert '<del class="redline-del">two three</del>' in html
    across = mark_up(f"<ul><li>a {INS_OPEN}b</li><li>c{INS_CLOSE} d</li></ul>")
    assert across == ('<ul><li>a <ins class="redline-ins">b</ins></li><li><ins class="redline-ins">c</ins> d</li>'
                      '</ul>')
    inside = mark_up(f"<p><em>x {DEL_OPEN}y</em> z{DEL_CLOSE}</p>")
    assert_balanced(inside)
    assert inside == '<p><em>x <del class="redline-del">y</del></em><del class="redline-del"> z</del></p>'


def test_attributes_the_head_and_svg_say_what_the_new_brief_says():
    html = mark_up(f'<html><head><title>A {DEL_OPEN}old{DEL_CLOSE}{INS_OPEN}new{INS_CLOSE} title</title></head>'
                   f'<body><a title="{DEL_OPEN}was {DEL_CLOSE}is">k</a><svg><text>{INS_OPEN}t{INS_CLOSE}</text>'
                   f'</svg></body></html>')
    assert "<title>A new title</title>" in html and 'title="is"' in html and "<text>t</text>" in html
    assert "<ins" not in html and "<del" not in html


def test_a_list_item_keeps_its_markdown_outside_the_marks():
    text = marked_text(word_diff("Intro.\n\n- one\n- two", "Intro.\n\n- one\n- two\n- three\n- four"))
    assert "- " + INS_OPEN + "three" in text and "- " + INS_OPEN + "four" in text
    assert f"{DEL_CLOSE} {INS_OPEN}" in marked_text(word_diff("62%", "64%"))
