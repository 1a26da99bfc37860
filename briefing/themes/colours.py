"""Colour contrast as WCAG 2.2 measures it (relative luminance of sRGB colours)."""

from __future__ import annotations


def _channels(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    if len(value) in (3, 4):
        value = "".join(char * 2 for char in value[:3])
    return tuple(int(value[index:index + 2], 16) / 255 for index in (0, 2, 4))  # type: ignore[return-value]


def luminance(colour: str) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def passing_colour(colour: str, against: str, needed: float) -> str | None:
    """The colour nearest `colour`, mixed towards black (or white, on a dark `against`), that reaches `needed`."""
    red, green, blue = _channels(colour)
    towards = 0.0 if luminance(against) > 0.18 else 1.0
    for step in range(1, 101):
        share = step / 100
        mixed = "#" + "".join(f"{round((channel + (towards - channel) * share) * 255):02x}"
                              for channel in (red, green, blue))
        if contrast(mixed, against) >= needed:
            return mixed
    return None


def mix(colour: str, other: str, share: float) -> str:
    """`colour` moved `share` (0–1) of the way towards `other`."""
    return "#" + "".join(f"{round((a + (b - a) * share) * 255):02x}" for a, b in zip(_channels(colour), _channels(other)))


#: Colour pairs the default theme draws, as (foreground, background, contrast needed): text on the
#: paper and on the accent's tint (takeaways, position cards), rules and markers in the accent.
PAIRS = (("ink", "paper", 4.5), ("muted", "paper", 4.5), ("accent", "paper", 4.5),
         ("ink", "accent-soft", 4.5), ("accent", "accent-soft", 4.5), ("muted", "accent-soft", 4.5))

DARK_PAPER = "#15181c"
DARK_INK = "#e6e9ec"


def dark_scheme(light: dict[str, str], given: dict[str, str]) -> dict[str, str]:
    """The colour tokens of a dark scheme: `given` (a brand's own dark colours) where set, the rest
    derived from the light tokens — a near-black paper with a trace of the accent, light ink, and
    the accent lightened until its text reaches 4.5:1 on the paper and on its own tint."""
    accent = light.get("accent", "#0b4f6c")
    paper = given.get("paper") or mix(DARK_PAPER, accent, 0.04)
    ink = given.get("ink") or DARK_INK
    derived = {"paper": paper, "ink": ink}
    soft = given.get("accent-soft") or mix(paper, accent, 0.16)
    derived["accent-soft"] = soft
    bright = given.get("accent") or accent
    if "accent" not in given:
        for step in range(0, 101):
            candidate = mix(accent, "#ffffff", step / 100)
            if min(contrast(candidate, paper), contrast(candidate, soft)) >= 4.5:
                bright = candidate
                break
    derived["accent"] = bright
    muted = given.get("muted") or mix(ink, paper, 0.3)
    derived["muted"] = muted
    derived["rule"] = given.get("rule") or mix(paper, ink, 0.28)
    return {**derived, **given}


def failing_pairs(tokens: dict[str, str]) -> list[tuple[str, str, float, float]]:
    """The `PAIRS` below their contrast in `tokens`: (foreground, background, ratio, needed)."""
    failing = []
    for foreground, background, needed in PAIRS:
        if foreground in tokens and background in tokens:
            ratio = contrast(tokens[foreground], tokens[background])
            if ratio < needed:
                failing.append((foreground, background, ratio, needed))
    return failing
