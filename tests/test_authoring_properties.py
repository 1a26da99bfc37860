"""Properties of the loaders: any valid brief round-trips through every format, and any
document at all either loads or yields located errors — never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from helpers.formats import WRITERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing import Brief, BriefError, load_text

FORMATS = list(WRITERS)
# A modest number of examples keeps the suite quick; AUTHORING_EXAMPLES=600 searches harder.
# Under CI the examples are fixed, so a run never fails on a case no one has seen before.
SETTINGS = settings(max_examples=int(os.environ.get("AUTHORING_EXAMPLES", 40)), deadline=None,
                    derandomize=bool(os.environ.get("CI")), suppress_health_check=[HealthCheck.too_slow])

# Words that trip naive YAML, TOML or JSON handling, next to ordinary ones.
TRICKY = ["NO", "yes", "on", "off", "null", "~", "1.10", "0x1F", "1e3", "2021-02-28", "12:30", "true",
          "-", "#", "'", '"', "\\", ":", "- x", "{a}", "[b]", "*c", "&d", "!e", "%", "@", "|", ">",
          "…", "–", "’", "é", "ß", "한국", "日本"]
WORDS = ["water", "treaty", "court", "Seoul", "Tokyo", "policy", "talks", "2021", "Mr", "per cent"]
word = st.sampled_from(WORDS + TRICKY)
text = st.lists(word, min_size=1, max_size=6).map(" ".join)
# Prose for Markdown bodies: words that cannot start a heading, fence or thematic break.
prose_word = st.sampled_from(WORDS + ["NO", "yes", "1.10", "null", "é", "’", "**bold**", "*it*", "a:b"])
paragraph = st.lists(prose_word, min_size=1, max_size=12).map(" ".join)
prose = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
maybe = lambda strategy: st.none() | strategy  # noqa: E731
source_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,8}", fullmatch=True)


@st.composite
def partial_dates(draw):
    year = draw(st.integers(1900, 2030))
    form = draw(st.sampled_from(["int", "year", "month", "day"]))
    if form == "int":
        return year
    if form == "year":
        return str(year)
    month = draw(st.integers(1, 12))
    if form == "month":
        return f"{year}-{month:02d}"
    return dt.date(year, month, draw(st.integers(1, 28))).isoformat()


def without_none(mapping):
    return {key: value for key, value in mapping.items() if value is not None}


@st.composite
def briefs(draw):
    """Plain data for a valid brief, as JSON would hold it."""
    ids = draw(st.lists(source_id, min_size=1, max_size=3, unique=True))
    cite = st.sampled_from(ids)
    meta = without_none({
        "title": draw(text), "subtitle": draw(maybe(text)), "series": draw(maybe(text)),
        "date": draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))).isoformat(),
        "language": draw(st.sampled_from(["en", "en-GB", "ko", "ja"])),
        "authors": draw(st.lists(st.builds(lambda n, a: without_none({"name": n, "affiliation": a}),
                                           text, maybe(text)), max_size=2)),
        "keywords": draw(st.lists(text, max_size=3)),
    })
    background = without_none({
        "title": draw(maybe(text)), "body": draw(prose),
        "timeline": draw(st.lists(st.builds(
            lambda d, e, s: without_none({"date": d, "event": e, "source": s}),
            partial_dates(), text, maybe(cite)), max_size=3)),
        "figures": draw(st.lists(st.builds(lambda v, l, s: {"value": v, "label": l, "source": s},
                                           text, text, cite), max_size=2)),
    })
    data = {"meta": meta, "summary": draw(st.lists(text, min_size=1, max_size=4)), "background": background,
            "sources": [without_none({"id": id_, "title": draw(text), "date": draw(maybe(partial_dates()))})
                        for id_ in ids]}
    if draw(st.booleans()):
        data["legal_deadlock"] = without_none({
            "body": draw(maybe(prose)),
            "positions": draw(st.lists(st.builds(
                lambda p, s, c: without_none({"party": p, "stance": s, "source": c}),
                text, text, maybe(cite)), max_size=2)),
            "rulings": draw(st.lists(st.builds(
                lambda d, c, h: {"date": d, "court": c, "holding": h}, partial_dates(), text, text),
                max_size=2)),
        })
    if draw(st.booleans()):
        data["expert_proposals"] = without_none({
            "title": draw(maybe(text)),
            "proposals": draw(st.lists(st.builds(
                lambda n, p, q, s: without_none({"expert": {"name": n}, "proposal": p, "quote": q, "source": s}),
                text, text, maybe(text), cite), min_size=1, max_size=2)),
        })
    if draw(st.booleans()):
        data["outlook"] = {"body": draw(prose), "signposts": draw(st.lists(st.builds(
            lambda d, i: without_none({"date": d, "item": i}), maybe(partial_dates()), text), max_size=2))}
    return data


@pytest.mark.pdf
@pytest.mark.parametrize("format", FORMATS)
@SETTINGS
@given(data=briefs())
def test_any_valid_brief_round_trips_through_every_format(format, data):
    expected = Brief.model_validate(json.loads(json.dumps(data)))
    assert load_text(WRITERS[format](data), format) == expected


def assert_located(error: BriefError) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.line is not None and problem.line >= 1, problem
        assert problem.message and "Traceback" not in str(problem)


def load_or_locate(document: str, format: str) -> None:
    try:
        load_text(document, format)
    except BriefError as error:
        assert_located(error)


# Documents made of the characters and fragments the formats care about.
fragment = st.sampled_from(["\n", " ", "  ", "\t", ":", "- ", "---\n", "## ", "{", "}", "[", "]", ",", '"',
                            "'", "=", "#", "&a ", "*a", "!!python/name:os.system ", "meta", "summary",
                            "title", "date", "body", "background", "2021-02-30", "NO", "1.10", "~", "|",
                            ">", "\\", "\x00", "\ufeff", "é", "[[a]]\n", "[meta]\n", "{#outlook}"])
documents = st.one_of(st.text(max_size=200), st.lists(fragment, max_size=60).map("".join))


@pytest.mark.parametrize("format", FORMATS)
@SETTINGS
@given(document=documents)
def test_any_document_loads_or_yields_located_errors(format, document):
    load_or_locate(document, format)


# Structurally plausible data with wrong parts: every problem still points at a line.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["meta", "title", "date", "summary", "body", "source", "id", "sources", "x"]),
        children, max_size=4),
    max_leaves=12)


@st.composite
def broken_briefs(draw):
    data = draw(briefs())
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(sorted(data)))
        if isinstance(data[section], dict) and data[section] and draw(st.booleans()):
            data[section][draw(st.sampled_from(sorted(data[section]) + ["typo"]))] = draw(json_values)
        else:
            data[section] = draw(json_values)
    return data


@pytest.mark.pdf
@pytest.mark.parametrize("format", FORMATS)
@SETTINGS
@given(data=broken_briefs())
def test_any_broken_brief_yields_located_errors(format, data):
    load_or_locate(WRITERS[format](data), format)
