"""Layout: where everything fell on the pages, read from WeasyPrint's boxes after layout.

`inspect(document)` runs inside the print (in its bounded child) and returns
plain, picklable data: findings that name the content field whose element
(`data-field="background.timeline.3"` in the templates) they concern and the
page, the share of each page every section takes, and the colour pairs the
text and heavy rules are drawn in. `briefing.commands.preflight` turns them
into located problems with a reason and a fix.

Boxes are measured in CSS pixels (96 per inch); findings report millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MM = 96 / 25.4
#: How far a box may run past its edge before it counts as overflowing (rounding, italic overhang).
TOLERANCE = 1.5
#: A page other than the last is reported when more than this share of it is empty.
EMPTY_SHARE = 0.25
#: Heavy rules that mark a block (takeaways bar, card tops) must stand out from their background;
#: thinner ones are dividers, which WCAG counts as decoration.
HEAVY_RULE = 2.0  # px, 1.5pt
#: Blocks that should never be split across pages.
UNSPLIT = {"pull-quote": "pull quote", "position": "position card"}
#: What stranded at a page's foot, by class, and what it is called.
KEEP_WITH_NEXT = {"section-title": "heading", "subsection-title": "heading", "aside-title": "heading",
                  "takeaways-title": "heading", "sources-title": "heading", "expert": "expert's name line"}
SECTIONS = ("meta", "summary", "background", "legal_deadlock", "expert_proposals", "outlook", "sources")


@dataclass(frozen=True)
class Finding:
    code: str
    field: str
    page: int
    """1-based, counted in the PDF (not the printed page number)."""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ColourUse:
    """A foreground drawn on a background, as text (large or not) or as a heavy rule."""

    foreground: str
    background: str
    kind: str  # "text", "large text" or "graphic"
    field: str
    page: int
    sample: str


@dataclass(frozen=True)
class Layout:
    pages: int = 0
    findings: tuple[Finding, ...] = ()
    sections: dict[str, dict[int, float]] = field(default_factory=dict)
    """For each top-level part (meta for the masthead, summary, each section, sources): page -> share of it."""
    colours: tuple[ColourUse, ...] = ()


@dataclass
class _Placed:
    box: Any
    chain: tuple[Any, ...]
    """The box's ancestors, outermost first, ending with the box itself."""
    fields: tuple[str, ...]
    hidden: bool
    margin: str | None
    background: str
    """The colour behind the box's content (its own background, else the nearest ancestor's)."""
    outer: str
    """The colour behind the box itself (the nearest ancestor's background)."""

    def has_class(self, name: str) -> Any:
        """The innermost box of the chain whose element has class `name`, or None."""
        for box in reversed(self.chain):
            element = getattr(box, "element", None)
            if element is not None and type(box).__name__ not in ("TextBox", "LineBox") \
                    and name in (element.get("class") or "").split():
                return box
        return None


def inspect(document: Any) -> Layout:
    """What the laid-out `document` (a WeasyPrint Document) shows about its own layout."""
    findings: list[Finding] = []
    sections: dict[str, dict[int, float]] = {}
    colours: dict[tuple[str, str, str], ColourUse] = {}
    pages = [page._page_box for page in document.pages]
    seen: dict[tuple[str, str], set[int]] = {}  # (class, field) -> pages an unsplit block appears on
    overflow: dict[tuple[str, int], tuple[float, str]] = {}
    stranded: dict[str, tuple[int, str]] = {}
    wraps: dict[str, tuple[int, str]] = {}
    lasts: list[_Placed | None] = []
    firsts: list[_Placed | None] = []
    late: list[tuple[int, str]] = []
    for number, page in enumerate(pages, 1):
        left, top = page.content_box_x(), page.content_box_y()
        right, bottom = left + page.width, top + page.height
        root = next(iter(page.children), None)
        paper = (_hex(root.style["background_color"]) if root is not None else None) or "#ffffff"
        placed = _walk(page, (), (), False, None, paper, paper)
        lines = [item for item in placed if _is_line(item.box) and not item.hidden and item.margin is None]
        lasts.append(max(reversed(lines), key=lambda item: item.box.position_y + item.box.height, default=None))
        firsts.append(min(lines, key=lambda item: item.box.position_y, default=None))
        for item in placed:
            box, name = item.box, type(item.box).__name__
            if item.hidden:
                continue
            if item.margin is not None:
                if name == "MarginBox" and item.margin in ("top-left", "top-right"):
                    count = sum(1 for child in box.children if type(child).__name__ == "LineBox")
                    field_name = _margin_field(placed, item.margin)
                    if count > 1 and field_name:
                        wraps.setdefault(item.margin, (number, field_name))
                elif name == "TextBox" and box.text.strip():
                    _colour(item, number, colours)
                continue
            if name in ("TextBox", "InlineReplacedBox", "BlockReplacedBox") and item.fields:
                key = (item.fields[-1], number)
                edge = box.position_x + box.width
                container = _container(item)
                if edge > right + TOLERANCE:
                    _worst(overflow, key, edge - right, "the right edge of the text")
                elif _marker(item):
                    pass
                elif container is not None and edge > (limit := container.padding_box_x()
                                                       + container.padding_width()) + TOLERANCE:
                    _worst(overflow, key, edge - limit, f"its box ({_describe(container)})")
                elif container is not None and box.position_x < container.padding_box_x() - TOLERANCE:
                    _worst(overflow, key, container.padding_box_x() - box.position_x,
                           f"the left of its box ({_describe(container)})")
                if name != "TextBox" and box.position_y + box.height > bottom + TOLERANCE:
                    _worst(overflow, key, box.position_y + box.height - bottom, "the foot of the page")
            if name == "TextBox" and box.text.strip():
                _colour(item, number, colours)
                if number > 1 and item.fields and item.fields[-1].startswith("summary."):
                    late.append((number, item.fields[-1]))
            elif name not in ("LineBox", "TextBox"):
                _rules(item, number, colours)
                element = getattr(box, "element", None)
                if element is not None and element.get("data-field"):
                    for kind in (element.get("class") or "").split():
                        if kind in UNSPLIT:
                            seen.setdefault((kind, element.get("data-field")), set()).add(number)
        _section_shares(placed, number, top, bottom, sections)
        _dateline(placed, number, wraps)
        _table_headers(placed, number, len(pages), stranded)
    for number, last in enumerate(lasts, 1):
        if number == len(pages) or last is None:
            continue
        for kind, what in KEEP_WITH_NEXT.items():
            holder = last.has_class(kind)
            if holder is not None:
                stranded.setdefault(_field_of(last, holder), (number, what))
                break
    for (kind, field_name), on in sorted(seen.items(), key=lambda item: min(item[1])):
        if len(on) > 1:
            findings.append(Finding("split_block", field_name, min(on), {"what": UNSPLIT[kind], "pages": sorted(on)}))
    for (field_name, number), (by, edge) in sorted(overflow.items(), key=lambda item: item[0][1]):
        findings.append(Finding("overflow", field_name, number, {"mm": round(by / MM, 1), "edge": edge}))
    for field_name, (number, what) in stranded.items():
        findings.append(Finding("stranded", field_name, number, {"what": what}))
    if "top-left" in wraps:  # the series beside it wraps because the title takes the room
        wraps.pop("top-right", None)
    if "dateline" in wraps:  # one field, one finding: the series that wraps the dateline wraps its header too
        dateline_field = wraps["dateline"][1]
        wraps = {margin: found for margin, found in wraps.items() if margin == "dateline" or found[1] != dateline_field}
    for margin, (number, field_name) in wraps.items():
        findings.append(Finding("dateline_wraps" if margin == "dateline" else "running_head_wraps",
                                field_name, number, {"where": margin}))
    if late:
        number, field_name = late[0]
        count = len({name for _, name in late})
        findings.append(Finding("takeaways_past_page_1", field_name, number, {"count": count}))
    for number in range(1, len(pages)):
        page, last, first = pages[number - 1], lasts[number - 1], firsts[number]
        height = page.height
        end = last.box.position_y + last.box.height if last is not None else page.content_box_y()
        empty = (page.content_box_y() + height - end) / height if height else 0
        if empty > EMPTY_SHARE and first is not None and not _forced(first) and not (late and late[0][0] == number + 1
                                                                and first.fields and first.fields[0] == "summary"):
            findings.append(Finding("page_left_empty", _moved_field(first, pages[number]), number,
                                    {"share": round(empty * 100), "next": number + 1}))
    return Layout(pages=len(pages), findings=tuple(_causes(findings)), sections=sections,
                  colours=tuple(colours.values()))


def _walk(box: Any, chain: tuple[Any, ...], fields: tuple[str, ...], hidden: bool, margin: str | None,
          background: str, outer: str) -> list[_Placed]:
    """Every box below `box` (itself first), in document order, with what it inherits from above.

    A loop over a stack rather than nested generators: a page holds thousands of boxes, some
    twenty deep, and each level of generators would pass every box below it up once more.
    """
    placed: list[_Placed] = []
    stack = [(box, chain, fields, hidden, margin, background)]
    while stack:
        box, chain, fields, hidden, margin, outer = stack.pop()
        background = outer
        element = getattr(box, "element", None)
        name = type(box).__name__
        chain = (*chain, box)
        if name == "MarginBox":
            margin = str(getattr(box, "at_keyword", "") or "").lstrip("@") or "margin"
        structural = element is not None and name not in ("TextBox", "LineBox")
        own = element.get("data-field") if structural else None
        if own and (not fields or fields[-1] != own):
            fields = (*fields, own)
        if structural and element.get("aria-hidden") == "true":
            hidden = True
        if name not in ("TextBox", "LineBox") and (colour := _hex(box.style["background_color"])) is not None:
            background = colour
        placed.append(_Placed(box, chain, fields, hidden, margin, background, outer))
        children = getattr(box, "children", ())
        stack.extend((child, chain, fields, hidden, margin, background) for child in reversed(children))
    return placed


def _is_line(box: Any) -> bool:
    return type(box).__name__ in ("LineBox", "BlockReplacedBox")


def _margin_field(placed: list[_Placed], margin: str) -> str:
    """The content field a running head shows: from the hidden element that feeds its string."""
    wanted = "running-title" if margin == "top-left" else "running-series"
    for item in placed:
        element = getattr(item.box, "element", None)
        if element is not None and wanted in (element.get("class") or "").split() and element.get("data-field"):
            return element.get("data-field")
    return {"top-left": "meta.title", "top-right": "meta.series"}[margin]


def _field_of(item: _Placed, holder: Any) -> str:
    """The field of `holder` (a box in `item`'s chain): its own data-field, else the nearest above it."""
    found = ""
    for box in item.chain:
        element = getattr(box, "element", None)
        if element is not None and type(box).__name__ not in ("TextBox", "LineBox") and element.get("data-field"):
            found = element.get("data-field")
        if box is holder:
            break
    return found


def _moved_field(item: _Placed, page: Any) -> str:
    """The field of the block that opens a page: the outermost one that starts it and asked not to be split."""
    top = page.content_box_y()
    for box in item.chain:
        element = getattr(box, "element", None)
        if element is None or type(box).__name__ in ("TextBox", "LineBox", "PageBox"):
            continue
        if box.style["break_inside"] in ("avoid", "avoid-page") and element.get("data-field") \
                and box.position_y <= top + TOLERANCE + (box.margin_top or 0):
            return element.get("data-field")
    return item.fields[-1] if item.fields else ""


def _hex(colour: Any) -> str | None:
    """A solid colour as #rrggbb, or None when it is transparent."""
    if colour is None or isinstance(colour, str):
        return None
    key = (type(colour), repr(colour))
    if (known := _HEX.get(key, _UNKNOWN)) is not _UNKNOWN:
        return known
    if len(_HEX) > 4096:
        _HEX.clear()
    _HEX[key] = found = _to_hex(colour)
    return found


_HEX: dict[tuple[type, str], str | None] = {}  # colours met, by value: a page has thousands of boxes, few colours
_UNKNOWN = object()


def _to_hex(colour: Any) -> str | None:
    alpha = getattr(colour, "alpha", 1)
    if alpha <= 0:
        return None
    if hasattr(colour, "to"):
        colour = colour.to("srgb")
    red, green, blue = (max(0.0, min(1.0, value)) for value in colour.coordinates[:3])
    return "#{:02x}{:02x}{:02x}".format(*(round(value * 255) for value in (red, green, blue)))


def _colour(item: _Placed, page: int, found: dict[tuple[str, str, str], ColourUse]) -> None:
    box = item.box
    foreground = _hex(box.style["color"])
    if foreground is None:
        return
    size, weight = box.style["font_size"], box.style["font_weight"]
    kind = "large text" if size >= 24 or (size >= 18.66 and weight >= 700) else "text"
    key = (foreground, item.background, kind)
    if key not in found:
        found[key] = ColourUse(foreground, item.background, kind, item.fields[-1] if item.fields else "", page,
                               box.text.strip()[:40])


def _rules(item: _Placed, page: int, found: dict[tuple[str, str, str], ColourUse]) -> None:
    box, style = item.box, item.box.style
    for side in ("top", "right", "bottom", "left"):
        width = getattr(box, f"border_{side}_width", 0) or 0
        if width < HEAVY_RULE or style[f"border_{side}_style"] in ("none", "hidden"):
            continue
        colour = _hex(style[f"border_{side}_color"])
        if colour is None:
            continue
        key = (colour, item.outer, "graphic")
        if key not in found:
            element = getattr(box, "element", None)
            classes = (element.get("class") or "").split() if element is not None else []
            found[key] = ColourUse(colour, item.outer, "graphic", item.fields[-1] if item.fields else "", page,
                                   f"the {side} rule of {'.' + classes[0] if classes else 'a block'}")


def _section_shares(placed: list[_Placed], page: int, top: float, bottom: float,
                    sections: dict[str, dict[int, float]]) -> None:
    """How much of the page's height each top-level part takes: from its first line to the next part's."""
    height = bottom - top
    spans: dict[str, tuple[float, float]] = {}
    for item in placed:
        if item.hidden or item.margin is not None or not item.fields or not _is_line(item.box):
            continue
        part = item.fields[0].split(".")[0]
        if part not in SECTIONS:
            continue
        low, high = spans.get(part, (item.box.position_y, item.box.position_y))
        spans[part] = (min(low, item.box.position_y), max(high, item.box.position_y + item.box.height))
    ordered = sorted(spans.items(), key=lambda item: item[1][0])
    for index, (part, (low, high)) in enumerate(ordered):
        end = ordered[index + 1][1][0] if index + 1 < len(ordered) else high
        if height:
            sections.setdefault(part, {})[page] = round((end - low) / height, 2)


def _dateline(placed: list[_Placed], page: int, wraps: dict[str, tuple[int, str]]) -> None:
    """The masthead bar holds the series and the dateline on one line; more lines mean it wrapped."""
    for item in placed:
        element = getattr(item.box, "element", None)
        if element is None or type(item.box).__name__ in ("TextBox", "LineBox") \
                or "masthead-bar" not in (element.get("class") or "").split():
            continue
        if _stacked(_lines(item.box)) and "dateline" not in wraps:
            series = next((other.box.element.get("data-field") for other in placed
                           if getattr(other.box, "element", None) is not None
                           and "series" in (other.box.element.get("class") or "").split()
                           and other.box.element.get("data-field")), "meta.series")
            wraps["dateline"] = (page, series)
        return


def _stacked(lines: list[Any]) -> bool:
    """Whether some of `lines` stand below others rather than beside them.

    Lines side by side share no top: a date in Hangul and a series in Latin capitals, aligned
    on one baseline, have lines of different heights that start at different heights. What
    tells a second line is that it stands clear of the first, with no height in common.
    """
    spans = sorted((line.position_y, line.position_y + line.height) for line in lines)
    bottom = None
    for top, end in spans:
        if bottom is not None and top >= bottom - TOLERANCE:
            return True
        bottom = end if bottom is None else max(bottom, end)
    return False


def _lines(box: Any) -> list[Any]:
    if type(box).__name__ == "LineBox":
        return [box]
    return [line for child in getattr(box, "children", ()) for line in _lines(child)]


def _table_headers(placed: list[_Placed], page: int, pages: int, stranded: dict[str, tuple[int, str]]) -> None:
    """A table whose header row is on this page but none of its body rows."""
    if page == pages:
        return
    for item in placed:
        if type(item.box).__name__ != "TableBox" or item.hidden:
            continue
        groups = [child for child in item.box.children if type(child).__name__ == "TableRowGroupBox"]
        header = [group for group in groups if getattr(group, "is_header", False) and group.children]
        body = [group for group in groups if not getattr(group, "is_header", False)
                and not getattr(group, "is_footer", False)]
        if header and not any(group.children for group in body) and item.fields:
            stranded.setdefault(item.fields[-1], (page, "table's header row"))


def _forced(item: _Placed) -> bool:
    """Whether the block that opens the page asked for a new page (a break the theme wants)."""
    return any(type(box).__name__ not in ("TextBox", "LineBox") and box.style["break_before"] in
               ("page", "left", "right", "recto", "verso") for box in item.chain)


def _causes(findings: list[Finding]) -> list[Finding]:
    """A block too long for any page is moved, then split anyway, and pushes what leads up to it in its
    section (a heading, the card around it) onto pages of their own: report the split, not those gaps."""
    dropped: set[int] = set()
    for split in (finding for finding in findings if finding.code == "split_block"):
        section = split.field.split(".")[0]
        page = split.page - 1
        while page >= 1:
            chained = [index for index, finding in enumerate(findings) if finding.page == page
                       and finding.code in ("stranded", "page_left_empty") and finding.field.split(".")[0] == section]
            if not chained:
                break
            dropped.update(chained)
            page -= 1
    return [finding for index, finding in enumerate(findings) if index not in dropped]


_CONTAINERS = ("BlockBox", "TableCellBox", "InlineBlockBox", "FlexBox")


def _container(item: _Placed) -> Any:
    """The nearest block that holds the box's line (a paragraph, a table cell, a card, a positioned box)."""
    for box in reversed(item.chain[:-1]):
        box = getattr(box, "_box", box)  # an absolutely positioned box sits in the tree behind a placeholder
        if type(box).__name__ in _CONTAINERS:
            return box
    return None


def _marker(item: _Placed) -> bool:
    """List markers and generated content stand outside their box on purpose."""
    return any(getattr(box, "pseudo_type", None) in ("marker", "before", "after") for box in item.chain)


def _describe(box: Any) -> str:
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    return f".{classes[0]}" if classes else f"<{getattr(element, 'tag', 'block')}>"


def _worst(overflow: dict[tuple[str, int], tuple[float, str]], key: tuple[str, int], by: float, edge: str) -> None:
    if key not in overflow or by > overflow[key][0]:
        overflow[key] = (by, edge)
