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


# ---- Colour-vision deficiency (issue 22: telling a chart's series apart) ---------------------------

#: Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color
#: vision deficiency", IEEE TVCG 15(6): the matrices for severity 1.0, applied to linear sRGB.
DEFICIENCIES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
}
#: Two colours closer than this (CIE ΔE 1976 in CIELAB) are hard to tell apart as a chart's series.
DISTINCT = 12.0


def _linear(colour: str) -> tuple[float, float, float]:
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4  # type: ignore[return-value]
                 for c in _channels(colour))


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def seen_with(colour: str, deficiency: str | None) -> tuple[float, float, float]:
    """`colour` in CIELAB as a reader with `deficiency` (protanopia, deuteranopia; None: typical) sees it."""
    rgb = _linear(colour)
    if deficiency is not None:
        rgb = tuple(sum(m * c for m, c in zip(row, rgb)) for row in DEFICIENCIES[deficiency])  # type: ignore
    return _lab(rgb)


def difference(first: str, second: str, deficiency: str | None = None) -> float:
    """How far apart two colours look (CIE ΔE 1976), to a reader with `deficiency` or without."""
    a, b = seen_with(first, deficiency), seen_with(second, deficiency)
    return sum((p - q) ** 2 for p, q in zip(a, b)) ** 0.5
