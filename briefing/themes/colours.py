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
