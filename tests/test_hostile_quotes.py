"""Quotes checked against a large archive: near-linear, the same verdicts, and bounded by --timeout.

Issue 21, item 13: a 400-word quote against a 4 MB archive took a minute under `build --timeout 5`
(the check ran in the parent, in time proportional to the archive's words times the quote's). The
verdicts of the new check are compared with those of the code it replaced (`helpers.quotes_before`),
word for word, on many generated archives and quotes.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import pytest
from helpers import minimal_brief, run_cli, write_yaml
from helpers import quotes_before as before

from briefing.content import quotes

VOCABULARY = ("the", "The", "river", "dam", "data", "Data", "is", "first", "to", "open", "talks", "resume",
              "Mekong", "water", "of", "and", "a", "A", "it's", "upstream", "down-stream", ",", ".", ";", "—",
              "“", "”", "‘", "’", "-", "!", "?", "(", ")", "1995", "60", "per", "cent")


def _archive_text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        word = rng.choice(VOCABULARY)
        if rng.random() < 0.02:
            word = f"*{word}*" if rng.random() < 0.5 else f"\n\n> {word}"
        out.append(word)
    return " ".join(out)


def _quote_from(rng: random.Random, text: str) -> str:
    """A passage of `text`, often changed the ways a quote goes wrong."""
    words = text.split()
    size = rng.randint(1, 30)
    start = rng.randrange(max(1, len(words) - size))
    passage = words[start:start + size]
    change = rng.choice(["none", "replace", "insert", "delete", "case", "ellipsis", "swap", "final", "elsewhere"])
    if change == "replace" and passage:
        passage[rng.randrange(len(passage))] = rng.choice(VOCABULARY + ("zebra",))
    elif change == "insert":
        passage.insert(rng.randrange(len(passage) + 1), rng.choice(VOCABULARY + ("zebra",)))
    elif change == "delete" and len(passage) > 1:
        del passage[rng.randrange(len(passage))]
    elif change == "case" and passage:
        passage[0] = passage[0].upper()
    elif change == "ellipsis" and len(passage) > 2:
        passage.insert(rng.randrange(1, len(passage)), rng.choice(["…", "..."]))
    elif change == "swap" and len(passage) > 4:
        middle = len(passage) // 2
        passage = [*passage[middle:], "…", *passage[:middle]]
    elif change == "final":
        passage.append(rng.choice([".", "!", ",", "”"]))
    elif change == "elsewhere":
        passage = [rng.choice(VOCABULARY) for _ in range(size)]
    return " ".join(passage)


@pytest.mark.parametrize("spellings", [quotes.MAX_SPELLINGS, 0], ids=["bytes-find", "one-pass-kmp"])
@pytest.mark.parametrize("seed", range(12))
def test_the_verdicts_are_those_of_the_check_it_replaced(seed, spellings, monkeypatch):
    """Found or not, and the same words named in the same message, on archives with case
    variants, typographic marks, Markdown emphasis and block quotes; both ways of finding a quote."""
    monkeypatch.setattr(quotes, "MAX_SPELLINGS", spellings)
    rng = random.Random(seed)
    text = _archive_text(rng, rng.choice([5, 60, 400, 2000]))
    new, old = quotes.Archive.of(text), before.Archive.of(text)
    assert new.words == [word for word, _, _ in old.tokens]
    for _ in range(40):
        quote = _quote_from(rng, text)
        assert quotes.compare(quote, new) == before.compare(quote, old), quote


@pytest.mark.parametrize("spellings", [quotes.MAX_SPELLINGS, 0], ids=["bytes-find", "one-pass-kmp"])
def test_near_matches_and_variants_against_a_known_text(spellings, monkeypatch):
    monkeypatch.setattr(quotes, "MAX_SPELLINGS", spellings)
    archive = quotes.Archive.of("Prof Kimura said: \"It is extremely difficult for either side to compromise "
                                "due to the domestic political processes,\" he told the paper. The Korea–Japan "
                                "talks – such as they are – resume.")
    assert quotes.compare("it is extremely difficult … domestic political processes!", archive) == ""
    assert quotes.compare("The Korea-Japan talks — such as they are — resume", archive) == ""
    assert quotes.compare("It is extremely difficult for either side to compromise due to the domestic "
                          "political procedures.", archive) == \
        "differs from the source at “procedures” (source: “…domestic political processes,”)"
    assert quotes.compare("It is very extremely difficult", archive).startswith(
        "differs from the source at “very”, which the source does not have")
    assert quotes.compare("It Is extremely difficult", archive) != ""  # only the first word's case is free
    assert quotes.compare("domestic political processes … It is extremely difficult", archive) != ""


def test_a_first_word_in_many_spellings_is_found_in_one_pass(monkeypatch):
    """More spellings of the first word than MAX_SPELLINGS: the rest is looked for once, and each
    place it stands is checked for a spelling of the first word."""
    spellings = ["data", "Data", "DATA", "dAta", "daTa", "datA", "DAta", "dATA", "DaTa", "dAtA", "DATa"]
    assert len(spellings) > quotes.MAX_SPELLINGS
    text = " ".join(f"{spelling} is the first gate" for spelling in spellings) + " dATa is the first dam to open."
    archive, old = quotes.Archive.of(text), before.Archive.of(text)
    for quote in ("Data is the first dam to open.", "DATA is the first gate", "data is the first river",
                  "is the first dam", "dAta", "Zebra is the first dam"):
        assert quotes.compare(quote, archive) == before.compare(quote, old), quote
    assert quotes.compare("Data is the first dam to open.", archive) == ""


def test_a_repetitive_archive_and_quote_are_judged_in_one_pass():
    """The worst case of the old search: the same word over and over, a quote of it that differs at
    its end; and more spellings of it than the quick search takes."""
    text = " ".join(["a"] * 200_000 + ["b"])
    archive = quotes.Archive.of(text)
    assert quotes.compare(" ".join(["a"] * 1_600 + ["b"]), archive) == ""
    assert quotes.compare(" ".join(["a"] * 1_600 + ["c"]), archive).startswith("differs from the source")
    mixed = quotes.Archive.of(" ".join(["a", "A"] * 100_000 + ["b"]))
    assert quotes.compare(" ".join(["A"] + ["a", "A"] * 800), mixed) == ""


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A brief whose 1,600-word quote (one word changed) cites a 3.3 MB archive, and the same brief
    with the quote as the archive has it."""
    folder = tmp_path_factory.mktemp("large")
    rng = random.Random(21)
    vocabulary = ["".join(rng.choice("aeioubdgklmnprst") for _ in range(rng.randint(2, 9))) for _ in range(5_000)]
    words = [rng.choice(vocabulary) for _ in range(520_000)]
    (folder / "archive.txt").write_text(" ".join(words), encoding="utf-8")
    passage = words[300_000:301_600]
    briefs = {}
    for name, quote in (("same", passage), ("changed", [*passage[:800], "zebra", *passage[801:]])):
        data = minimal_brief()
        data["sources"][0]["archive"] = "archive.txt"
        data["expert_proposals"]["proposals"][0]["quote"] = " ".join(quote)
        briefs[name] = write_yaml(folder / f"{name}.yaml", data)
    return folder, briefs


@pytest.mark.pdf
def test_a_long_quote_against_a_multi_megabyte_archive_gets_its_verdict(large):
    folder, briefs = large
    assert 3_000_000 < (folder / "archive.txt").stat().st_size <= quotes.MAX_ARCHIVE_BYTES
    same = run_cli("validate", str(briefs["same"]), cwd=folder)
    assert same.returncode == 0 and "quote" not in same.stderr, same.stderr
    changed = run_cli("validate", str(briefs["changed"]), cwd=folder)
    assert changed.returncode == 0, changed.stderr
    assert "expert_proposals.proposals.0.quote: differs from the source at “zebra”" in changed.stderr


@pytest.mark.pdf
def test_a_long_quote_against_a_multi_megabyte_archive_builds_under_a_timeout(large):
    folder, briefs = large
    result = run_cli("build", str(briefs["changed"]), "-o", str(folder / "changed.pdf"), "--timeout", "120",
                     cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "differs from the source at “zebra”" in result.stderr
    assert (folder / "changed.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.pdf
def test_a_quote_check_past_the_timeout_is_stopped_there(tmp_path):
    """The check runs in the bounded worker: one that would run for a minute ends at --timeout, as a
    located error, and no PDF is written. (A new process, so the slow check is what its worker runs.)"""
    data = minimal_brief()
    data["sources"][0]["archive"] = "archive.txt"
    content = write_yaml(tmp_path / "brief.yaml", data)
    (tmp_path / "archive.txt").write_text("Data is the first dam to open.", encoding="utf-8")
    code = textwrap.dedent(f"""
        import time
        import briefing
        from briefing.content import quotes
        from briefing.errors import BriefError
        from briefing.sandbox.limits import Limits
        def slow(quote, archive):
            time.sleep(60)
            return ""
        quotes.compare = slow
        try:
            briefing.build({str(content)!r}, {str(tmp_path / "brief.pdf")!r}, limits=Limits(timeout=2))
        except BriefError as error:
            print(error)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=50)
    assert "checking quotes took longer than the 2 s limit (raise it with --timeout)" in result.stdout, \
        result.stdout + result.stderr
    assert str(content) in result.stdout
    assert not (tmp_path / "brief.pdf").exists()
