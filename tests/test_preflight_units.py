"""The pieces of preflight that need no layout: quotes against an archive, contrast ratios, the check list."""

from __future__ import annotations

import pytest

from helpers import ROOT

ARTICLE = ROOT.parent / "shared" / "seed" / "korea-japan-article.txt"
TEXT = ("Prof Kimura said: \"It is extremely difficult for either side to compromise due to the domestic "
        "political processes,\" he told the paper. The Korea–Japan talks – such as they are – resume.")


@pytest.fixture(scope="module")
def archive():
    from briefing.content.quotes import Archive

    return Archive.of(TEXT)


@pytest.mark.parametrize("quote", [
    "It is extremely difficult for either side to compromise due to the domestic political processes.",
    "it is extremely difficult for either side to compromise due to the domestic political processes",
    "It is  extremely\ndifficult for either side",
    "The Korea-Japan talks — such as they are — resume",
    "It is extremely difficult … domestic political processes",
    "It is extremely difficult ... due to the domestic political processes!",
])
def test_quotes_that_stand_in_the_archive(archive, quote):
    from briefing.content.quotes import compare

    assert compare(quote, archive) == ""


def test_a_changed_word_is_named_with_the_closest_passage(archive):
    from briefing.content.quotes import compare

    quote = "It is extremely difficult for either side to compromise due to the domestic political procedures."
    assert compare(quote, archive) == "differs from the source at “procedures” (source: “…domestic political processes,”)"


def test_an_added_and_a_missing_word(archive):
    from briefing.content.quotes import compare

    assert compare("It is very extremely difficult for either side", archive).startswith(
        "differs from the source at “very”, which the source does not have")
    assert compare("It is difficult for either side to compromise", archive).startswith(
        "differs from the source after “is”: the source has “extremely” there")


def test_words_in_the_wrong_order_of_an_ellipsis(archive):
    from briefing.content.quotes import compare

    assert compare("domestic political processes … It is extremely difficult", archive) != ""


def test_a_quote_from_elsewhere(archive):
    from briefing.content.quotes import compare

    assert compare("Bananas grow in tropical places all year round", archive) == \
        "is not in the source archive (no passage comes close)"


def test_markdown_archives_lose_their_marks():
    from briefing.content.quotes import Archive, compare

    archive = Archive.of("# Interview\n\n> It is *extremely* difficult to **compromise**.\n")
    assert compare("It is extremely difficult to compromise.", archive) == ""


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the source article is not beside the repository")
def test_the_issue_example_against_the_article():
    from briefing.content.quotes import Archive, compare

    archive = Archive.of(ARTICLE.read_text(encoding="utf-8"))
    quote = "It is extremely difficult for either side to compromise due to the domestic political procedures."
    assert compare(quote, archive) == "differs from the source at “procedures” (source: “…domestic political processes,”)"


@pytest.mark.parametrize("first, second, ratio", [
    ("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48),
    ("#767676", "#ffffff", 4.54), ("#fff", "#000", 21.0),
])
def test_contrast_ratios_as_wcag_measures_them(first, second, ratio):
    from briefing.themes.colours import contrast

    assert contrast(first, second) == pytest.approx(ratio, abs=0.01)


def test_the_suggested_colour_passes_and_stays_close():
    from briefing.themes.colours import contrast, passing_colour

    suggestion = passing_colour("#8fb8cc", "#ffffff", 4.5)
    assert contrast(suggestion, "#ffffff") >= 4.5
    assert contrast(passing_colour("#404040", "#202020", 4.5), "#202020") >= 4.5  # lighter on a dark ground
    assert passing_colour("#ffffff", "#ffffff", 22) is None


def test_the_default_theme_passes_its_own_contrast():
    """Every colour pair of the default theme's tokens that it draws text in reaches 4.5:1."""
    from briefing.themes.colours import contrast

    tokens = {"ink": "#1d2329", "muted": "#59636e", "accent": "#0b4f6c", "accent-soft": "#e8f0f3",
              "paper": "#ffffff"}
    css = (ROOT / "templates" / "default" / "brief.css").read_text(encoding="utf-8")
    for name, value in tokens.items():
        assert f"--color-{name}: {value};" in css
    for text in ("ink", "muted", "accent"):
        for ground in ("paper", "accent-soft"):
            assert contrast(tokens[text], tokens[ground]) >= 4.5, (text, ground)


def test_every_check_says_why_and_how_to_fix():
    from briefing.commands.preflight import CHECKS

    doc = (ROOT / "docs" / "preflight.md").read_text(encoding="utf-8")
    for code, check in CHECKS.items():
        assert check.why and check.fix, code
        assert f"`{code}`" in doc, code
