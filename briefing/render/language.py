"""The brief's language: labels, dates, quotation marks and writing direction.

Dates are written as CLDR writes them for the language, through Babel. The
layout's fixed wording comes from `labels.yaml` beside this file for the
languages it lists (a brief's own `labels:` and section titles win), and
English for any other.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..content.models import Brief, Labels, PartialDate

LABELS_FILE = Path(__file__).with_name("labels.yaml")
SECTION_TITLES = ("background", "legal_deadlock", "expert_proposals", "outlook")


@lru_cache(maxsize=1)
def translations() -> dict[str, dict[str, Any]]:
    """Every language's layout wording, by lower-case tag (en, fr, zh-hant, …).

    The file is briefing's own, read with libyaml where PyYAML has it (5 ms, against 60 ms for a
    parser in Python); tests/test_languages.py checks that it reads as YAML 1.2 reads it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(LABELS_FILE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def _candidates(tag: str) -> list[str]:
    """The tags to look a language up by, most specific first: zh-Hant-TW, zh-hant, zh."""
    parts = tag.lower().replace("_", "-").split("-")
    found = ["-".join(parts[:end]) for end in range(len(parts), 0, -1)]
    if parts[0] == "zh" and len(parts) > 1 and parts[1] in ("tw", "hk", "mo"):
        found.insert(1, "zh-hant")
    return found


def wording(tag: str) -> dict[str, Any]:
    """The layout's wording for language `tag`: its own where known, else English.

    A regional entry (pt-pt) need give only what differs from its language's (pt): the
    most specific entry's wording wins, label by label.
    """
    known = translations()
    found = [known[candidate] for candidate in _candidates(tag) if candidate in known]
    if not found:
        return known["en"]
    merged: dict[str, Any] = {}
    for entry in reversed(found):
        merged = {**merged, **entry, "sections": {**merged.get("sections", {}), **entry.get("sections", {})}}
    return merged


def has_wording(tag: str) -> bool:
    """Whether briefing knows the layout's wording in language `tag` (else it is English)."""
    return any(candidate in translations() for candidate in _candidates(tag))


def layout_labels(brief: Brief) -> Labels:
    """The brief's labels: its language's wording, with every label the brief sets itself on top."""
    own = brief.labels.model_dump(include=brief.labels.model_fields_set)
    if "date" in own and "ruling_date" not in own:  # a brief that renamed "Date" before ruling_date existed
        own["ruling_date"] = own["date"]
    defaults = {name: value for name, value in wording(brief.meta.language).items() if name in Labels.model_fields}
    return Labels.model_validate({**defaults, **own})


def section_title(brief: Brief, kind: str) -> str:
    """A section's heading: the brief's own title, else its language's default."""
    section = getattr(brief, kind)
    if section is not None and "title" in section.model_fields_set:
        return section.title
    return wording(brief.meta.language)["sections"][kind]


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Any:
    """The Babel locale for a BCP 47 tag; plain `en` is British English, the house style
    (28 February 2021); an unknown tag falls back to its language, then to English."""
    from babel import Locale, UnknownLocaleError

    if tag.lower() == "en":
        return Locale.parse("en_GB")
    parts = tag.replace("_", "-").split("-")
    for end in range(len(parts), 0, -1):
        try:
            return Locale.parse("-".join(parts[:end]), sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en_GB")


def direction(tag: str) -> str:
    """`rtl` for a language written right to left (ar, he, fa, ur, …), else `ltr`, as CLDR says."""
    return "rtl" if babel_locale(tag).character_order == "right-to-left" else "ltr"


def format_date(value: dt.date | PartialDate | None, tag: str) -> str:
    """A date as the language writes it: the long form for a day, the month and year, or the year."""
    from babel.dates import format_skeleton

    if value is None:
        return ""
    locale = babel_locale(tag)
    if isinstance(value, PartialDate):
        if value.month is None:
            return _digits(format_skeleton("y", dt.date(value.year, 1, 1), locale=locale), locale)
        if value.day is None:
            return _digits(format_skeleton("yMMMM", dt.date(value.year, value.month, 1), locale=locale), locale)
        value = dt.date(value.year, value.month, value.day)
    return _digits(_long_date(value, locale), locale)


#: The first digit (zero) of each numbering system CLDR names as a locale's default, where it is
#: not Latin: Arabic-Indic (ar-SY, ar-IQ, ar-EG, …), extended Arabic-Indic (fa), Devanagari, Bengali.
ZEROS = {"arab": "\u0660", "arabext": "\u06f0", "deva": "\u0966", "beng": "\u09e6", "mymr": "\u1040"}


def _digits(text: str, locale: Any) -> str:
    """`text` with its digits in the locale's own numbering system, as CLDR names it."""
    zero = ZEROS.get(getattr(locale, "default_numbering_system", "latn"))
    return text.translate({ord("0") + step: chr(ord(zero) + step) for step in range(10)}) if zero else text


def _long_date(value: dt.date, locale: Any) -> str:
    from babel.dates import format_date as babel_date

    if value.day == 1 and locale.language == "fr":
        # French writes the first of the month as an ordinal: 1er septembre 2023 (CLDR's long form
        # has the plain day, "d MMMM y"; the ordinal goes into that very pattern).
        pattern = re.sub(r"(?<![d'])d(?![d'])", "d'er'", locale.date_formats["long"].pattern, count=1)
        return babel_date(value, pattern, locale=locale)
    return babel_date(value, "long", locale=locale)
