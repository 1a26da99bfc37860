"""Preflight: what an editor and an accessibility auditor would find in a printed brief.

After the print, `findings()` turns what the layout showed (`printing.layout`)
and what the theme uses (colours, logo, heading levels) into problems located
at the content field, or the brand or theme setting, responsible. Each says
what is wrong, why it matters (with the WCAG 2.2 success criterion or the
Matterhorn checkpoint where one applies) and how to fix it. `CHECKS` is the
one list of them; docs/preflight.md describes each.

Content-only checks (quotes against their archive, word budget, images without
alt text in prose, vague link text) run when the content is checked
(`content.load.check`, `content.review`, `content.quotes`); the missing-glyph
warning of the languages work joins the build's warnings the same way, so
`briefing check` reports everything the build warned about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..themes.colours import contrast, passing_colour


@dataclass(frozen=True)
class Check:
    what: str
    why: str
    fix: str


#: Every preflight check by its code (the content-only ones too, for the documentation test).
CHECKS: dict[str, Check] = {
    "overflow": Check("content runs past the page or its box",
                      "text past the page's edge is lost or cut by the printer, and text past its box runs into "
                      "what stands beside it (WCAG 2.2 SC 1.4.10)",
                      "break the long word or address (a space, a hyphen or a shorter link text)"),
    "takeaways_past_page_1": Check("key takeaways not all on page 1",
                                   "a reader who reads only the first page misses them",
                                   "shorten the takeaways, the title or the subtitle"),
    "page_budget": Check("more pages than meta.page_budget", "the publisher's limit",
                         "cut the sections that take most pages, or raise meta.page_budget"),
    "word_budget": Check("more words than meta.word_budget", "the publisher's limit",
                         "cut the longest sections, or raise meta.word_budget"),
    "stranded": Check("a heading, an expert's name line or a table's header row at the foot of a page",
                      "it is cut off from what it introduces",
                      "shorten the text before it, or move the block"),
    "split_block": Check("a pull quote or a position card split across pages",
                         "it is meant to be read at a glance", "shorten it so that it fits on one page"),
    "page_left_empty": Check("a page other than the last more than a quarter empty",
                             "a block that may not split moved to the next page and left a gap",
                             "shorten the block, or the text before it, so that it fits"),
    "running_head_wraps": Check("the running header wraps", "it then takes two lines on every page",
                                "set meta.short_title (or a shorter series)"),
    "dateline_wraps": Check("the masthead's series and dateline do not fit on one line",
                            "the date is pushed onto a line of its own",
                            "shorten meta.series, or set meta.short_title for the running header"),
    "low_contrast": Check("a colour pair below WCAG contrast",
                          "readers with low vision or on a poor print cannot read it (WCAG 2.2 SC 1.4.3, "
                          "1.4.11; Section 508)", "use a darker colour (one that passes is suggested)"),
    "image_without_alt": Check("an image without alt text",
                               "readers who cannot see it hear nothing (WCAG 2.2 SC 1.1.1; Matterhorn 13-004)",
                               "describe the image: logo_alt in the brand file, ![what it shows](file) in prose"),
    "heading_skipped": Check("heading levels skipped in a template",
                             "screen-reader users navigate by heading level (WCAG 2.2 SC 1.3.1; "
                             "Matterhorn 14-003)", "use the next level down (h2 after h1, h3 after h2)"),
    "vague_link": Check("link text that says nothing", "a link read out of context must say where it goes "
                        "(WCAG 2.2 SC 2.4.4)", "name the page or document in the link text"),
    "bare_url_link": Check("a bare address as link text where the title is known",
                           "an address read aloud says little (WCAG 2.2 SC 2.4.4)",
                           "write [title](address), or cite the source"),
    "quote_differs": Check("a quote that is not verbatim in the source's archive",
                           "a quote is the source's exact words", "copy the words from the source"),
    "unverified_quote": Check("a quote whose source has no archive (with --strict)",
                              "nothing shows that the quote is what the source says",
                              "archive the source's text (sources[].archive)"),
    "chart_contrast": Check("a chart's series colour below 3:1 against the paper",
                            "bars and lines a reader cannot make out carry no meaning (WCAG 2.2 SC 1.4.11)",
                            "use a darker colour (one that passes is suggested)"),
    "chart_colour_blind": Check("two series of a chart that look alike with deuteranopia or protanopia",
                                "about one man in twelve sees red and green alike, and cannot tell the series "
                                "apart (WCAG 2.2 SC 1.4.1)",
                                "choose colours that differ in lightness too, or fewer series"),
    "chart_text_small": Check("a chart's text smaller than 7 pt",
                              "tick labels and legends that small are hard to read in print",
                              "raise --chart-text in the theme's stylesheet"),
    "chart_crowded": Check("more categories than fit the chart's width",
                           "bars thinner than a line of text, and labels left out, cannot be read",
                           "show fewer categories, or use a bar chart (kind: bar)"),
    "missing_glyphs": Check("characters that no installed font can draw",
                           "they print as empty boxes (Matterhorn 31-009)", "install a font that draws them"),
}


def findings(checked: Any, theme: Any, html: str, printed: Any, content: Path) -> list[Problem]:
    """The preflight problems of one printed brief (all of severity `warning`)."""
    positions = checked.positions
    found: list[Problem] = []

    def at(field: str, code: str, message: str) -> None:
        loc = tuple(int(step) if step.isdigit() else step for step in field.split(".")) if field else ()
        line, column = positions.locate(loc) if positions is not None else (None, None)
        found.append(Problem(content, _explained(code, message), field=field, line=line, column=column,
                             code=code, severity="warning"))

    layout = getattr(printed, "layout", None)
    if layout is not None:
        for finding in layout.findings:
            _layout_finding(finding, checked.brief, at)
        _page_budget(checked.brief, layout, printed.pages, at)
        found += _contrast(theme, layout)
    found += _dark_contrast(theme)
    found += _logo(theme)
    found += _headings(theme, html)
    _charts(checked.brief, theme, at)
    return found


def _charts(brief: Any, theme: Any, at: Any) -> None:
    """Each chart's colours against the paper and against each other (as readers with protanopia or
    deuteranopia see them, Machado et al. 2009), its text size, and whether its categories fit."""
    from ..render.charts import fits, series_colours, style_of
    from ..themes.colours import DISTINCT, contrast, difference, passing_colour

    style = style_of(theme)
    for section_name in ("background", "legal_deadlock", "expert_proposals", "outlook"):
        for index, chart in enumerate(getattr(getattr(brief, section_name, None), "charts", None) or ()):
            field = f"{section_name}.charts.{index}"
            colours = series_colours(chart, style)

            def where(number: int) -> tuple[str, str]:  # the field that chose the colour, and what to call it
                if chart.colors:
                    return f"{field}.colors.{number % len(chart.colors)}", "its colour"
                return field, f"the theme's --color-series-{number % len(style.series) + 1}"

            for number, (name, colour) in enumerate(zip(chart.series, colours)):
                ratio = contrast(colour, style.paper)
                if ratio < 3:
                    place, called = where(number)
                    better = passing_colour(colour, style.paper, 3)
                    at(place, "chart_contrast", f"series {name!r} in {called} {colour} has a contrast of "
                                                f"{ratio:.2f}:1 against the paper {style.paper}, below the 3:1 of "
                                                f"WCAG 2.2 SC 1.4.11; fix: use {better} or darker")
            for first in range(len(colours)):
                for second in range(first + 1, len(colours)):
                    alike = [deficiency for deficiency in ("deuteranopia", "protanopia")
                             if difference(colours[first], colours[second], deficiency) < DISTINCT]
                    if alike and colours[first] != colours[second] or colours[first] == colours[second]:
                        place, _ = where(second)
                        seen = " and ".join(alike) or "anyone"
                        at(place, "chart_colour_blind",
                           f"series {chart.series[first]!r} ({colours[first]}) and {chart.series[second]!r} "
                           f"({colours[second]}) look alike to a reader with {seen}")
            if style.text < 7:
                at(field, "chart_text_small", f"the chart's text is {style.text:g} pt (the theme's --chart-text)")
            if not fits(chart, style):
                at(f"{field}.data", "chart_crowded",
                   f"{len(chart.data)} categories in a chart {style.width / 72 * 25.4:.0f} mm wide: each gets "
                   f"less than a line of text")


def _explained(code: str, message: str) -> str:
    check = CHECKS.get(code)
    if check is None or "; fix:" in message:
        return message
    return f"{message} — {check.why}; fix: {check.fix}"


def _layout_finding(finding: Any, brief: Any, at: Any) -> None:
    detail, page = finding.detail, finding.page
    if finding.code == "overflow":
        edge = detail.get("edge", "the right edge of the text")
        at(finding.field, "overflow", f"runs {detail['mm']} mm past {edge} on page {page}")
    elif finding.code == "takeaways_past_page_1":
        count = detail["count"]
        at(finding.field, "takeaways_past_page_1",
           f"{count} key takeaway{'s' if count != 1 else ''} fall{'s' if count == 1 else ''} on page {page}, "
           "not page 1")
    elif finding.code == "stranded":
        at(finding.field, "stranded", f"the {detail['what']} is stranded at the foot of page {page}, "
                                      f"apart from what follows it on page {page + 1}")
    elif finding.code == "split_block":
        pages = detail["pages"]
        at(finding.field, "split_block", f"the {detail['what']} is split across pages {pages[0]} and {pages[-1]}")
    elif finding.code == "page_left_empty":
        at(finding.field, "page_left_empty", f"this block moved to page {detail['next']}, leaving "
                                             f"{detail['share']}% of page {page} empty")
    elif finding.code == "running_head_wraps":
        field = finding.field
        message = f"the running header wraps to two lines (page {page})"
        if field == "meta.title":
            message += "; set meta.short_title to a few words"
        at(field, "running_head_wraps", message)
    elif finding.code == "dateline_wraps":
        at(finding.field, "dateline_wraps", f"the series name pushes the dateline onto another line (page {page}); "
                                            "shorten it")


def _page_budget(brief: Any, layout: Any, pages: int, at: Any) -> None:
    budget = brief.meta.page_budget
    if budget is None or pages <= budget:
        return
    names = {"meta": "masthead", "summary": brief.labels.takeaways, "sources": brief.labels.sources}
    for kind in ("background", "legal_deadlock", "expert_proposals", "outlook"):
        section = getattr(brief, kind, None)
        if section is not None:
            names[kind] = section.title
    parts = ", ".join(f"{names.get(part, part)} {sum(shares.values()):.1f}"
                      for part, shares in layout.sections.items() if sum(shares.values()) >= 0.05)
    at("meta.page_budget", "page_budget", f"the brief takes {pages} pages, {pages - budget} over its budget of "
                                          f"{budget} (pages per part: {parts})")


# Colours ------------------------------------------------------------------------------------------

NEEDED = {"text": 4.5, "large text": 3.0, "graphic": 3.0}


def _contrast(theme: Any, layout: Any) -> list[Problem]:
    """One finding per colour setting whose pairs fall below WCAG contrast, naming each pair and its ratio."""
    tokens = _colour_tokens(theme)
    failing: dict[Any, list[tuple[Any, float, float]]] = {}
    strictest: dict[tuple[str, str], Any] = {}  # a pair used as text and as a rule is held to the text's ratio
    for use in layout.colours:
        key = (use.foreground, use.background)
        if key not in strictest or NEEDED[use.kind] > NEEDED[strictest[key].kind]:
            strictest[key] = use
    for use in strictest.values():
        ratio, needed = contrast(use.foreground, use.background), NEEDED[use.kind]
        if ratio >= needed:
            continue
        foreground, background = tokens.get(use.foreground), tokens.get(use.background)
        blame = foreground if foreground and foreground.settings else \
            background if background and background.settings else foreground or background
        failing.setdefault(blame, []).append((use, ratio, needed))
    found: list[Problem] = []
    for blame, uses in failing.items():
        pairs = []
        for use, ratio, needed in uses:
            name = lambda value: f"{tokens[value].name} {value}" if value in tokens else value  # noqa: E731
            criterion = "SC 1.4.11" if use.kind == "graphic" else "SC 1.4.3"
            sample = f", such as {use.sample!r} on page {use.page}" if use.sample else ""
            pairs.append(f"{use.kind} in {name(use.foreground)} on {name(use.background)} has a contrast of "
                         f"{ratio:.2f}:1, below the {needed:g}:1 of WCAG 2.2 {criterion}{sample}")
        value = next((value for value, token in tokens.items() if token is blame), uses[0][0].foreground)
        suggestion = None
        for use, _, needed in uses:
            against = use.background if value == use.foreground else use.foreground
            candidate = passing_colour(suggestion or value, against, needed)
            suggestion = candidate or suggestion
        fix = f"use {suggestion} or darker" if suggestion else "choose colours further apart"
        message = ("; ".join(pairs) + " — readers with low vision, or with a poor print, cannot make it out "
                   f"(Section 508 asks for 4.5:1 too); fix: {fix}")
        where = blame.where if blame else (theme.name, None, None, "")
        found.append(Problem(where[0], message, field=where[3], line=where[1], column=where[2],
                             code="low_contrast", severity="warning"))
    return found


def _dark_contrast(theme: Any) -> list[Problem]:
    """One finding per dark-scheme colour of the web page whose pairs fall below WCAG contrast, at the
    brand field that set it (`dark_colors.NAME`), else at the light colour it was derived from."""
    from ..content.load import parse
    from ..themes.colours import failing_pairs

    dark = theme.dark_tokens
    failing = failing_pairs(dark)
    if not failing:
        return []
    given = dict(theme.dark_colors)
    by_field: dict[tuple[Any, ...], list[str]] = {}
    for foreground, background, ratio, needed in failing:
        blame = foreground if foreground in given else background if background in given else foreground
        field = f"dark_colors.{blame}" if blame in given else f"colors.{blame}"
        where: tuple[Any, ...] = (theme.name, None, None, field)
        for path in reversed(theme.settings_files):
            try:
                parsed = parse(Path(path))
            except Exception:  # noqa: BLE001 - it was read without fault when the theme loaded
                continue
            section = parsed.data.get(field.split(".")[0]) if isinstance(parsed.data, dict) else None
            if isinstance(section, dict) and blame in section:
                line, column = parsed.positions.locate(tuple(field.split(".")))
                where = (Path(path), line, column, field)
                break
        by_field.setdefault(where, []).append(
            f"text in --color-{foreground} {dark[foreground]} on --color-{background} {dark[background]} has a "
            f"contrast of {ratio:.2f}:1, below the {needed:g}:1 of WCAG 2.2 SC 1.4.3")
    return [Problem(where[0], "in the web page's dark scheme: " + "; ".join(pairs) +
                    " — fix: choose dark colours further apart", field=where[3], line=where[1], column=where[2],
                    code="low_contrast", severity="warning")
            for where, pairs in by_field.items()]


@dataclass(frozen=True)
class _Token:
    name: str
    where: tuple[Any, int | None, int | None, str]
    settings: bool
    """Set in a settings file (theme.yaml or the brand file), not only in the stylesheet."""


def _colour_tokens(theme: Any) -> dict[str, _Token]:
    """The theme's colour tokens by final value: the stylesheet's `:root`, then each settings file."""
    from ..content.load import parse

    tokens: dict[str, tuple[str, str, tuple[Any, int | None, int | None, str], bool]] = {}
    for path in theme.stylesheets:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for match in re.finditer(r"--color-([a-z][a-z0-9-]*)\s*:\s*(#[0-9a-fA-F]{3,8})", text):
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            tokens[match.group(1)] = (match.group(1), _full(match.group(2)), (path, line, column, f"--color-{match.group(1)}"),
                                      False)
    for path in theme.settings_files:
        try:
            parsed = parse(Path(path))
        except Exception:  # noqa: BLE001 - it was read without fault when the theme loaded
            continue
        colors = parsed.data.get("colors") if isinstance(parsed.data, dict) else None
        for name, value in (colors or {}).items():
            line, column = parsed.positions.locate(("colors", name))
            tokens[name] = (name, _full(str(value)), (Path(path), line, column, f"colors.{name}"), True)
    by_value: dict[str, _Token] = {}
    for name, value, where, settings in tokens.values():
        current = by_value.get(value)
        if current is None or (settings and not current.settings):
            by_value[value] = _Token(f"{'colors.' if settings else '--color-'}{name}", where, settings)
    return by_value


def _full(value: str) -> str:
    value = value.strip().lower()
    if len(value) in (4, 5):
        value = "#" + "".join(char * 2 for char in value[1:4])
    return value[:7]


# The logo and headings ----------------------------------------------------------------------------

def _logo(theme: Any) -> list[Problem]:
    if theme.logo is None or theme.logo_alt.strip():
        return []
    from ..content.load import parse

    for path in reversed(theme.settings_files):
        try:
            parsed = parse(Path(path))
        except Exception:  # noqa: BLE001
            continue
        if isinstance(parsed.data, dict) and parsed.data.get("logo"):
            line, column = parsed.positions.locate(("logo",))
            return [Problem(path, _explained("image_without_alt", "the logo has no alt text: set logo_alt to the "
                                             "organisation's name"), field="logo", line=line, column=column,
                            code="image_without_alt", severity="warning")]
    return []


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str, list[str]]] = []
        self.hidden = 0
        self.depth = 0
        self.current: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and self.current is None:
            self.current = [int(tag[1]), attributes.get("class") or "", []]

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.current is not None and tag == f"h{self.current[0]}":
            level, classes, text = self.current
            self.found.append((level, classes, " ".join("".join(text).split())))
            self.current = None


def _headings(theme: Any, html: str) -> list[Problem]:
    parser = _Headings()
    parser.feed(html)
    found: list[Problem] = []
    previous = 0
    for level, classes, text in parser.found:
        if previous and level > previous + 1:
            path, line, column = _template_of(theme, level, classes)
            found.append(Problem(path, _explained("heading_skipped", f"the heading “{text}” is h{level} right "
                                                  f"after an h{previous}; readers expect h{previous + 1}"),
                                 line=line, column=column, code="heading_skipped", severity="warning"))
        previous = level
    return found


def _template_of(theme: Any, level: int, classes: str) -> tuple[Any, int | None, int | None]:
    """The template file (first on the theme's path) that writes this heading."""
    pattern = re.compile(rf"<h{level}\b[^>]*class=\"{re.escape(classes)}\"" if classes else rf"<h{level}\b")
    seen: set[str] = set()
    for folder in theme.folders:
        for path in sorted(Path(folder).rglob("*.j2")):
            relative = str(path.relative_to(folder))
            if relative in seen:
                continue
            seen.add(relative)
            text = path.read_text(encoding="utf-8", errors="replace")
            if match := pattern.search(text):
                line = text.count("\n", 0, match.start()) + 1
                return path, line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return theme.folders[0], None, None
