"""Charts: a brief's chart drawn as SVG from its own data, with its text alternative and data table.

The SVG is written here directly from the data, element by element: rectangles for bars,
one path per line or area, `<text>` for every label. No plotting library is loaded, so a
chart costs well under a millisecond, fits WeasyPrint's SVG support (no `clipPath`, no
markers, no `<use>`, no embedded fonts or pictures), and its text stays text in the theme's
fonts. Sizes, fonts and colours are the theme's design tokens (`--chart-*`, `--font-display`,
`--color-*`, `--color-series-1`…), read from its stylesheets and settings, so `memo` or a
house style restyles a chart without code. The same chart, style and language give the same
SVG, byte for byte, and it is drawn once per process (`draw` is cached).

The text alternative is written from the data in the brief's language (`labels.yaml`,
`charts:`): the kind, the title, the span of the categories, the unit, each series' highest
and lowest values and, where it holds, that it rises or falls at every step.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from ..content.models import Brief, Chart
from .language import babel_locale, wording

#: The tokens a chart reads, with the values used when a theme's stylesheets lack them.
DEFAULT_TOKENS = {
    "chart-width": "160mm", "chart-height": "62mm", "chart-text": "7.5pt", "chart-line": "1.5pt",
    "font-display": '"Inter"', "font-display-scripts": "sans-serif",
    "color-ink": "#1d2329", "color-muted": "#59636e", "color-rule": "#c9d1d8", "color-paper": "#ffffff",
    "color-accent": "#0b4f6c",
}
SERIES_TOKENS = 8
_UNITS = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0}
_DECLARATION = re.compile(r"--([A-Za-z0-9_-]+)\s*:\s*([^;{}]+);")
_ROOT = re.compile(r":root\s*\{([^}]*)\}")
_VAR = re.compile(r"var\(\s*--([A-Za-z0-9_-]+)\s*(?:,\s*([^()]*))?\)")
MAX_STYLESHEET_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ChartStyle:
    """What a theme says about charts, in points and #rrggbb (hashable: it is part of the cache key)."""

    width: float = 453.5
    height: float = 175.7
    text: float = 7.5
    line: float = 1.5
    font: str = "Inter, sans-serif"
    ink: str = "#1d2329"
    muted: str = "#59636e"
    rule: str = "#c9d1d8"
    paper: str = "#ffffff"
    series: tuple[str, ...] = ("#0b4f6c",)


@dataclass(frozen=True)
class ChartView:
    """One chart as the templates show it: everything prepared, nothing left to compute."""

    anchor: str
    field: str
    chart: Chart
    svg: Markup
    alt: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    data_label: str
    source_label: str


def style_of(theme: Any) -> ChartStyle:
    """The chart tokens of `theme`: its stylesheets' `:root` custom properties, then its settings."""
    tokens = dict(DEFAULT_TOKENS)
    if theme is not None:
        from ..sandbox.files import Refused, read_inside

        for path in theme.stylesheets:
            try:
                css = read_inside(path, theme.folders, MAX_STYLESHEET_BYTES).decode("utf-8", "replace")
            except Refused:
                continue
            for block in _ROOT.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
                tokens.update((name, value.strip()) for name, value in _DECLARATION.findall(block))
        tokens.update((f"color-{name}", value) for name, value in theme.colors)
        tokens.update((f"font-{name}", ", ".join(families)) for name, families in theme.fonts)
    value = lambda name: _resolve(tokens.get(name, DEFAULT_TOKENS.get(name, "")), tokens)  # noqa: E731
    series = tuple(colour for number in range(1, SERIES_TOKENS + 1)
                   if (colour := _colour(value(f"color-series-{number}"))))
    fonts = ", ".join(part for part in (value("font-display"), value("font-display-scripts")) if part)
    return ChartStyle(
        width=_length(value("chart-width"), 453.5), height=_length(value("chart-height"), 175.7),
        text=_length(value("chart-text"), 7.5), line=_length(value("chart-line"), 1.5),
        font=fonts.replace('"', "").replace("'", ""),
        ink=_colour(value("color-ink")) or "#1d2329", muted=_colour(value("color-muted")) or "#59636e",
        rule=_colour(value("color-rule")) or "#c9d1d8", paper=_colour(value("color-paper")) or "#ffffff",
        series=series or (_colour(value("color-accent")) or "#0b4f6c",))


def _resolve(text: str, tokens: dict[str, str], depth: int = 0) -> str:
    if depth > 8:
        return text
    return _VAR.sub(lambda m: _resolve(tokens.get(m.group(1), m.group(2) or ""), tokens, depth + 1), text)


def _length(text: str, default: float) -> float:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(pt|px|mm|cm|in|pc)\s*", text or "")
    if not match:
        return default
    return round(float(match.group(1)) * _UNITS[match.group(2)], 2)


def _colour(text: str) -> str | None:
    text = (text or "").strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
        return text.lower()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", text):
        return "#" + "".join(2 * c for c in text[1:]).lower()
    return None


def mix(colour: str, other: str, share: float) -> str:
    """`share` of `colour` over `other`, as one opaque colour (PDF/A-1 allows no transparency)."""
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (colour, other))
    return "#" + "".join(f"{round(x * share + y * (1 - share)):02x}" for x, y in zip(a, b))


def series_colours(chart: Chart, style: ChartStyle) -> tuple[str, ...]:
    """The colour of each series: the chart's own `colors`, then the theme's series tokens, in turn."""
    palette = tuple(colour.lower() for colour in chart.colors or ()) or style.series
    return tuple(palette[number % len(palette)] for number in range(len(chart.series)))


# ---- the views the templates show -------------------------------------------------------------------

def chart_views(brief: Brief, theme: Any, kinds: tuple[str, ...], printing: bool = False) -> dict[str, list[ChartView]]:
    """For each section kind shown, its charts ready to show: to print, with `printing` (see `draw`)."""
    style = style_of(theme)
    language = brief.meta.language
    words = chart_words(language)
    titles = {source.id: source.title for source in brief.sources}
    views: dict[str, list[ChartView]] = {kind: [] for kind in kinds}
    for kind in kinds:
        section = getattr(brief, kind, None)
        for index, chart in enumerate(getattr(section, "charts", None) or ()):
            anchor = f"{kind}-charts-{index}"  # where the sources list links to
            alt = chart.description or alt_text(chart, language)
            svg = Markup(draw(chart.model_dump_json(), style, language, anchor, alt,
                              _plain_desc(chart, titles, words), printing))
            columns = (chart.x, *(f"{name} ({chart.unit})" if chart.unit else name for name in chart.series))
            rows = tuple((category(row[chart.x], language),
                          *(number(row[name], language) for name in chart.series)) for row in chart.data)
            views.setdefault(kind, []).append(ChartView(
                anchor=anchor, field=f"{kind}.charts.{index}", chart=chart, svg=svg, alt=alt,
                columns=columns, rows=rows, data_label=words["data"], source_label=words["source"]))
    return views


def _plain_desc(chart: Chart, titles: dict[str, str], words: dict[str, Any]) -> str:
    parts = [re.sub(r"[*_`\[\]]", "", chart.caption)] if chart.caption else []
    parts.append(f"{words['source']}: {titles.get(chart.source, chart.source)}")
    return " ".join(part if part.endswith(".") else part + "." for part in parts)


def chart_words(language: str) -> dict[str, Any]:
    """The wording of charts in `language` (labels.yaml), English where it has none."""
    english = wording("en")["charts"]
    return {**english, **(wording(language).get("charts") or {})}


# ---- numbers and categories as the language writes them --------------------------------------------

def number(value: Any, language: str) -> str:
    """A value as the locale writes it (412, 1,234.5; 1 234,5 in French), through Babel."""
    from babel.numbers import format_decimal

    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return format_decimal(value, format="#,##0.###", locale=babel_locale(language))


def category(value: Any, language: str) -> str:
    """A category as printed: a year as written (2015, never 2,015), another number as the locale writes it."""
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, language)
    return str(value)


def _is_years(values: list[Any]) -> bool:
    return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) and 1000 <= v <= 2999
                                for v in values)


# ---- the text alternative ---------------------------------------------------------------------------

def alt_text(chart: Chart, language: str) -> str:
    """The chart in words, from its data, in `language`: what a reader who cannot see it needs.

    "Column chart: dry-season flow at the border by year, 2015 to 2025, in m³/s. Highest 412 in
    2015, lowest 338 in 2025, falling every year."
    """
    words = chart_words(language)
    rows = chart.data
    categories = [row[chart.x] for row in rows]
    title = chart.title.rstrip(". ")
    if words.get("lower_title") and len(title) > 1 and title[0].isupper() and not title[1].isupper():
        title = title[0].lower() + title[1:]
    head = words["head"].format(kind=words[chart.kind], title=title, x=chart.x,
                                first=category(categories[0], language), last=category(categories[-1], language))
    if len(rows) == 1:
        head = f"{words[chart.kind]}: {title}"
    if chart.unit:
        head += ", " + words["unit"].format(unit=chart.unit)
    sentences = [head]
    years = _is_years(categories)
    for name in chart.series:
        values = [row[name] for row in rows]
        high = max(range(len(values)), key=lambda i: values[i])
        low = min(range(len(values)), key=lambda i: values[i])
        if len(values) == 1:  # one value: itself, and where it stands
            sentences.append(f"{name}: " * (len(chart.series) > 1) + f"{number(values[0], language)} "
                             f"({category(categories[0], language)})")
            continue
        sentence = words["extremes"].format(high=number(values[high], language),
                                            high_at=category(categories[high], language),
                                            low=number(values[low], language),
                                            low_at=category(categories[low], language))
        steps = list(zip(values, values[1:]))
        if steps and all(b > a for a, b in steps):
            sentence += ", " + words["rising_years" if years else "rising"]
        elif steps and all(b < a for a, b in steps):
            sentence += ", " + words["falling_years" if years else "falling"]
        if len(chart.series) > 1:
            sentence = f"{name}: {sentence}"
        sentences.append(sentence)
    return " ".join(_capital(sentence) + ("" if sentence.endswith((".", "。")) else _stop(language))
                    for sentence in sentences)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stop(language: str) -> str:
    return "。" if language.split("-")[0].lower() in ("ja", "zh") else "."


# ---- drawing ----------------------------------------------------------------------------------------

def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values covering `low` to `high`: the finest 1-2-2.5-5 step with at most `count` intervals."""
    if high == low:
        high = low + (abs(low) or 1)
    magnitude = 10 ** math.floor(math.log10((high - low) / count))
    for step in (m * magnitude for m in (1, 2, 2.5, 5, 10, 20, 25, 50)):
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        if last - first <= count:
            return [round(n * step, 10) for n in range(first, last + 1)]
    raise AssertionError("unreachable: a step of 50 magnitudes covers any range")  # pragma: no cover


def text_width(text: str, size: float) -> float:
    """An estimate of a label's width in points (wide characters count double)."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.56 for c in text) * size


def fits(chart: Chart, style: ChartStyle) -> bool:
    """Whether every category gets room enough: at least one text height of the axis for each."""
    room = (style.height if chart.kind in ("bar", "stacked-bar") else style.width) * 0.8
    return len(chart.data) * style.text * 1.0 <= room


def _f(value: float) -> str:
    """A coordinate, rounded to 0.01 pt and written the same way every time."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=128)
def draw(chart_json: str, style: ChartStyle, language: str, anchor: str, alt: str, desc: str,
         printing: bool = False) -> str:
    """The SVG of one chart (cached: drawn once per distinct chart, style, language and place).

    With `printing`, a label WeasyPrint's SVG would draw wrongly (`needs_shaping`: Arabic,
    Hebrew, Indic scripts…) is set as HTML text over the drawing instead of an SVG `<text>`:
    WeasyPrint draws SVG text one code point at a time, so such a label would print with its
    letters unjoined and in the wrong order. Browsers draw SVG text whole, so the web edition
    keeps every label in the SVG.
    """
    chart = Chart.model_validate_json(chart_json)
    return _Drawing(chart, style, language, anchor, alt, desc, printing).svg()


def needs_shaping(text: str) -> bool:
    """Whether `text` needs more than one glyph per code point set left to right: a right-to-left
    letter, a combining mark, or a joiner."""
    return any(unicodedata.bidirectional(c) in ("R", "AL", "AN") or unicodedata.category(c) in ("Mn", "Mc", "Me")
               or c in "\u200c\u200d" for c in text)


def _right_to_left(text: str) -> bool:
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


#: Where an HTML label's baseline falls below its box's top with `line-height: 0`, in ems: half the
#: primary face's ascent less its descent (Inter's 0.969 and 0.242; within 0.03 em for the usual faces).
_BASELINE = 0.36


class _Drawing:
    def __init__(self, chart: Chart, style: ChartStyle, language: str, anchor: str, alt: str, desc: str,
                 printing: bool = False):
        self.chart, self.style, self.language, self.anchor = chart, style, language, anchor
        self.alt, self.desc, self.printing = alt, desc, printing
        self.colours = series_colours(chart, style)
        self.parts: list[str] = []
        self.labels: list[str] = []  # HTML labels set over the drawing (printing only)
        self.horizontal = chart.kind in ("bar", "stacked-bar")
        self.stacked = chart.kind.startswith("stacked")

    def text(self, x: float, y: float, content: str, anchor: str = "start", fill: str | None = None,
             weight: str | None = None) -> None:
        if self.printing and needs_shaping(content):
            self.label(x, y, content, anchor, fill, weight)
            return
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' fill="{fill}"' if fill else ""
        attrs += f' font-weight="{weight}"' if weight else ""
        self.parts.append(f'<text x="{_f(x)}" y="{_f(y)}"{attrs}>{escape(content)}</text>')

    def label(self, x: float, y: float, content: str, anchor: str, fill: str | None, weight: str | None) -> None:
        """A label as HTML text whose baseline starts, centres or ends at (x, y) of the drawing, placed
        in shares of its size so that it stays in place when the drawing is scaled to fit."""
        width, height, size = self.width, self.height, self.style.text
        top = f"top:{_f((y - size * _BASELINE) / height * 100)}%"
        if anchor == "end":
            where = f"right:{_f((width - x) / width * 100)}%"
        elif anchor == "middle":
            where = f"left:{_f(x / width * 100 - 50)}%;width:100%;text-align:center"
        else:
            where = f"left:{_f(x / width * 100)}%"
        font = escape(re.sub(r"[;{}()\\<>]", "", self.style.font))  # a value, never a second declaration
        look = f"font-family:{font};font-size:{_f(size)}pt;color:{fill or self.style.ink}"
        look += f";font-weight:{weight}" if weight else ""
        direction = ' dir="rtl"' if _right_to_left(content) else ""
        self.labels.append(f'<span class="chart-label"{direction} style="position:absolute;{top};{where};'
                           f'{look};line-height:0;white-space:nowrap">{escape(content)}</span>')

    def svg(self) -> str:
        chart, style = self.chart, self.style
        rows = chart.data
        categories = [category(row[chart.x], self.language) for row in rows]
        series = chart.series
        values = [[float(row[name]) for name in series] for row in rows]
        if self.stacked:
            highs = [sum(v for v in row if v > 0) for row in values]
            lows = [sum(v for v in row if v < 0) for row in values]
        else:
            highs = [max(row) for row in values]
            lows = [min(row) for row in values]
        low, high = min(lows), max(highs)
        if chart.kind != "line" or low > 0 and (high - low) > 0.5 * high or low == high:
            low, high = min(low, 0.0), max(high, 0.0)
        if chart.unit == "%" and chart.kind != "line" and 0 <= low and high <= 100:
            high = 100.0  # a share is read against the whole
        ticks = nice_ticks(low, high)
        low, high = ticks[0], ticks[-1]
        size = style.text
        width, height = style.width, style.height
        tick_labels = [number(tick, self.language) for tick in ticks]
        legend = len(series) > 1
        top = size * 1.6 + (size * 1.9 if legend else 0)  # the unit above the axis, and the legend
        if self.horizontal:  # a bar chart is as tall as its bars need, up to the theme's height
            height = min(height, top + size * 2.2 + len(rows) * size * 4.4)
            left = min(max(text_width(c, size) for c in categories) + size, width * 0.35)
            bottom = size * 2.2
            right = max(text_width(tick_labels[-1], size) / 2, size)
        else:
            left = max(text_width(label, size) for label in tick_labels) + size * 0.8
            bottom = size * 2.4
            right = size
        plot_w, plot_h = width - left - right, height - top - bottom
        self.width, self.height = width, height
        self.start = top if self.horizontal else left  # where the categories begin along their axis
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
                f'width="{_f(width)}pt" height="{_f(height)}pt" viewBox="0 0 {_f(width)} {_f(height)}" '
                f'id="{self.anchor}-svg" aria-labelledby="{self.anchor}-title" '
                f'aria-describedby="{self.anchor}-desc {self.anchor}-table">'
                f'<title id="{self.anchor}-title">{escape(self.alt)}</title>'
                f'<desc id="{self.anchor}-desc">{escape(self.desc)}</desc>')
        self.parts.append(f'<g font-family="{escape(style.font)}" font-size="{_f(size)}" fill="{style.ink}">')
        if chart.unit:
            self.text(left if not self.horizontal else width - right, top - size * 0.9, chart.unit,
                      anchor="start" if not self.horizontal else "end", fill=style.muted)
        if legend:
            x = left
            for name, colour in zip(series, self.colours):
                self.parts.append(f'<rect x="{_f(x)}" y="{_f(size * 0.2)}" width="{_f(size)}" '
                                  f'height="{_f(size)}" fill="{colour}"/>')
                self.text(x + size * 1.4, size * 1.05, name)
                x += size * 1.4 + text_width(name, size) + size * 1.6

        def scale(value: float) -> float:  # a value's place along the value axis
            share = (value - low) / (high - low)
            return left + share * plot_w if self.horizontal else top + plot_h - share * plot_h

        # the value axis: grid lines and their labels
        for tick, label in zip(ticks, tick_labels):
            position = scale(tick)
            colour = style.muted if tick == 0 else style.rule
            if self.horizontal:
                self.parts.append(f'<line x1="{_f(position)}" y1="{_f(top)}" x2="{_f(position)}" '
                                  f'y2="{_f(top + plot_h)}" stroke="{colour}" stroke-width="0.5"/>')
                self.text(position, top + plot_h + size * 1.4, label, anchor="middle", fill=style.muted)
            else:
                self.parts.append(f'<line x1="{_f(left)}" y1="{_f(position)}" x2="{_f(left + plot_w)}" '
                                  f'y2="{_f(position)}" stroke="{colour}" stroke-width="0.5"/>')
                self.text(left - size * 0.5, position + size * 0.35, label, anchor="end", fill=style.muted)

        count = len(rows)
        span = (plot_h if self.horizontal else plot_w) / count
        every = 1
        if not self.horizontal:  # thin out category labels that would run into each other
            widest = max(text_width(c, size) for c in categories) + size * 0.6
            every = max(1, math.ceil(widest / span))
        elif size * 1.1 > span:
            every = math.ceil(size * 1.1 / span)
        for index, label in enumerate(categories):
            if index % every:
                continue
            middle = (top if self.horizontal else left) + span * (index + 0.5)
            if self.horizontal:
                self.text(left - size * 0.5, middle + size * 0.35, label, anchor="end")
            else:
                self.text(middle, top + plot_h + size * 1.5, label, anchor="middle")

        if chart.kind in ("line", "area"):
            self._lines(values, scale, span, low)
        else:
            self._bars(values, scale, span)
        self.parts.append("</g>")
        drawing = head + "".join(self.parts) + "</svg>"
        if not self.labels:
            return drawing
        return (f'<div class="chart-drawing" style="position:relative;width:{_f(width)}pt;max-width:100%">'
                + drawing + "".join(self.labels) + "</div>")

    def _bars(self, values: list[list[float]], scale: Any, span: float) -> None:
        zero = scale(0.0)
        band = min(span * 0.72, self.style.text * (3.2 if self.horizontal else 6))
        for index, row in enumerate(values):
            start = self.start + span * index + (span - band) / 2
            positive = negative = 0.0
            for number_, (value, colour) in enumerate(zip(row, self.colours)):
                if self.stacked:
                    base = positive if value >= 0 else negative
                    a, b = scale(base), scale(base + value)
                    if value >= 0:
                        positive += value
                    else:
                        negative += value
                    offset, thickness = start, band
                else:
                    a, b = zero, scale(value)
                    thickness = band / len(row)
                    offset = start + thickness * number_
                first, extent = min(a, b), abs(b - a)
                if self.horizontal:
                    x, y, w, h = first, offset, extent, thickness
                else:
                    x, y, w, h = offset, first, thickness, extent
                self.parts.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" '
                                  f'fill="{colour}"/>')

    def _lines(self, values: list[list[float]], scale: Any, span: float, low: float) -> None:
        for number_, colour in enumerate(self.colours):
            points = [(self.start + span * (index + 0.5), scale(row[number_])) for index, row in enumerate(values)]
            path = "M" + " L".join(f"{_f(x)} {_f(y)}" for x, y in points)
            if self.chart.kind == "area":
                base = scale(max(low, 0.0))
                area = f"{path} L{_f(points[-1][0])} {_f(base)} L{_f(points[0][0])} {_f(base)} Z"
                tint = mix(colour, self.style.paper, 0.4 if len(self.colours) == 1 else 0.22)
                self.parts.append(f'<path d="{area}" fill="{tint}" stroke="none"/>')  # no transparency: PDF/A-1
            self.parts.append(f'<path d="{path}" fill="none" stroke="{colour}" '
                              f'stroke-width="{_f(self.style.line)}" stroke-linejoin="round"/>')
            if self.chart.kind == "line" and len(points) <= 40:
                for x, y in points:
                    self.parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(self.style.line * 1.3)}" '
                                      f'fill="{colour}"/>')
