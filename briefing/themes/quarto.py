"""Quarto's `_brand.yml`, read as briefing's brand settings.

A house that already keeps its identity in a brand.yml (https://posit-dev.github.io/brand-yml/)
for Quarto documents, Shiny apps and slides can use the same file here, beside the
content or given with `--brand`. What it says is mapped to briefing's tokens:

    color.primary       → --color-accent   (and --color-accent-soft, a 12 % tint of it on the background,
                                             unless the palette names accent-soft)
    color.foreground    → --color-ink
    color.background    → --color-paper
    color.secondary     → --color-muted
    color.palette.NAME  → --color-NAME      (names a template or stylesheet may use; a palette entry
                                             named like a token above sets that token)
    typography.base     → --font-text       (its `family`, or the family as a plain string)
    typography.headings → --font-display
    typography.fonts    → @font-face for each `source: file` font's files
    logo                → the logo on page 1: a path, or `medium`, `large`, `small` (first found),
                          each a path, a name from `logo.images`, `{path, alt}` or `{light, dark}`
    meta.name           → the logo's alt text when the logo gives none

Colours may be written as a palette name as well as `#rrggbb`. Everything else a brand.yml
may hold (font sizes and weights for the web, link colours, Google or Bunny fonts, which a
build does not fetch, `defaults` for other tools) is reported as a located warning and
otherwise left alone: the same file keeps serving Quarto.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BriefError, Problem

NAMES = ("_brand.yml", "_brand.yaml")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
#: color.* keys that become briefing's tokens.
COLOR_TOKENS = {"primary": "accent", "foreground": "ink", "background": "paper", "secondary": "muted"}
#: color.* keys that brand.yml defines and a printed brief has no use for.
UNUSED_COLORS = ("tertiary", "success", "info", "warning", "danger", "light", "dark")
FONT_TOKENS = {"base": "text", "headings": "display"}
LOGO_SIZES = ("medium", "large", "small")
TINT = 0.12


def is_quarto_brand(path: Path) -> bool:
    return path.name in NAMES


def read_quarto_brand(path: Path, *, max_bytes: int, max_entries: int) -> tuple[dict[str, Any], list[Problem]]:
    """The brand settings (as data for `Brand`) that `path`, a Quarto _brand.yml, describes, and a
    located warning for every part of it that briefing does not use."""
    from ..content.load import parse

    if not path.is_file():
        raise BriefError([Problem(path, "no such file")])
    parsed = parse(path, max_bytes=max_bytes, kind="settings files")
    if parsed.problems:
        raise BriefError(list(parsed.problems))
    data = parsed.data if parsed.data is not None else {}
    reader = _Reader(path, parsed.positions, max_entries)
    if not isinstance(data, dict):
        raise BriefError([Problem(path, "expected a mapping (meta, color, typography, logo, …)", line=1, column=1)])
    settings: dict[str, Any] = {}
    palette = reader.palette(data.get("color"))
    settings["colors"] = reader.colors(data.get("color"), palette)
    fonts, files = reader.typography(data.get("typography"))
    settings["fonts"], settings["font_files"] = fonts, files
    settings.update(reader.logo(data.get("logo"), data.get("meta")))
    for key in data:
        if key not in ("meta", "color", "typography", "logo"):
            reader.unused((key,), "not used by briefing (it holds settings for other tools)")
    if isinstance(data.get("meta"), dict):
        for key in data["meta"]:
            if key != "name":
                reader.unused(("meta", key), "not used by briefing")
    if reader.errors:
        raise BriefError(reader.errors)
    warnings = sorted(reader.warnings, key=lambda p: (p.line is None, p.line or 0, p.column or 0))
    return {key: value for key, value in settings.items() if value}, warnings


class _Reader:
    def __init__(self, path: Path, positions: Any, max_entries: int):
        self.path, self.positions, self.max_entries = path, positions, max_entries
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []

    def _problem(self, loc: tuple[Any, ...], message: str, **kind: str) -> Problem:
        line, column = self.positions.locate(loc)
        return Problem(self.path, message, field=".".join(str(step) for step in loc), line=line, column=column,
                       **kind)

    def unused(self, loc: tuple[Any, ...], why: str) -> None:
        self.warnings.append(self._problem(loc, why, code="unused_brand_setting", severity="warning"))

    def error(self, loc: tuple[Any, ...], message: str) -> None:
        self.errors.append(self._problem(loc, message, code="invalid_brand_setting"))

    # ---- colours

    def palette(self, color: Any) -> dict[str, str]:
        if not isinstance(color, dict) or color.get("palette") is None:
            return {}
        palette = color["palette"]
        if not isinstance(palette, dict):
            self.error(("color", "palette"), "expected a mapping of colour names to #rrggbb colours")
            return {}
        if len(palette) > self.max_entries:
            self.error(("color", "palette"), f"holds {len(palette)} colours; at most {self.max_entries} are allowed")
            return {}
        found = {}
        for name, value in palette.items():
            if isinstance(value, str) and _HEX.match(value.strip()):
                found[str(name)] = value.strip()
            elif isinstance(value, str) and value.strip() in palette and _HEX.match(str(palette[value.strip()])):
                found[str(name)] = str(palette[value.strip()]).strip()
            else:
                self.unused(("color", "palette", name), f"{value!r} is not a colour written #rgb or #rrggbb; "
                                                        "not used")
        return found

    def colors(self, color: Any, palette: dict[str, str]) -> dict[str, str]:
        if color is None:
            return {}
        if not isinstance(color, dict):
            self.error(("color",), "expected a mapping (palette, primary, foreground, background, …)")
            return {}
        tokens = {}
        for name, value in palette.items():
            token = _token_name(name)
            if token is None:
                self.unused(("color", "palette", name), "a colour name briefing cannot make a token of "
                                                        "(lower-case letters, digits and -); not used")
            else:
                tokens[token] = value
        for key, value in color.items():
            if key == "palette":
                continue
            if key in COLOR_TOKENS:
                resolved = self._colour(("color", key), value, palette)
                if resolved is not None:
                    tokens[COLOR_TOKENS[key]] = resolved
            elif key in UNUSED_COLORS:
                self.unused(("color", key), "not used by briefing's themes")
            else:
                self.unused(("color", key), "not a brand.yml colour briefing knows; not used")
        if "accent" in tokens and "accent-soft" not in tokens:
            tokens["accent-soft"] = _tint(tokens["accent"], tokens.get("paper", "#ffffff"), TINT)
        return tokens

    def _colour(self, loc: tuple[Any, ...], value: Any, palette: dict[str, str]) -> str | None:
        if isinstance(value, str) and _HEX.match(value.strip()):
            return value.strip()
        if isinstance(value, str) and value.strip() in palette:
            return palette[value.strip()]
        self.unused(loc, f"{value!r} is neither #rrggbb nor a name in color.palette; not used")
        return None

    # ---- typography

    def typography(self, typography: Any) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
        if typography is None:
            return {}, []
        if not isinstance(typography, dict):
            self.error(("typography",), "expected a mapping (fonts, base, headings, …)")
            return {}, []
        files = self._font_files(typography.get("fonts"))
        fonts: dict[str, list[str]] = {}
        for key, value in typography.items():
            if key == "fonts":
                continue
            if key in FONT_TOKENS:
                family = self._family((("typography", key)), value)
                if family:
                    generic = "serif" if key == "base" else "sans-serif"
                    fonts[FONT_TOKENS[key]] = [family, generic]
            else:
                self.unused(("typography", key), "not used by briefing's themes")
        return fonts, files

    def _family(self, loc: tuple[Any, ...], value: Any) -> str | None:
        if isinstance(value, str):
            return value.strip() or None
        if not isinstance(value, dict):
            self.unused(loc, "expected a family name or a mapping with family; not used")
            return None
        for key in value:
            if key != "family":
                self.unused((*loc, key), "not used: a printed brief sets its own sizes, weights and colours")
        family = value.get("family")
        return family.strip() if isinstance(family, str) and family.strip() else None

    def _font_files(self, fonts: Any) -> list[dict[str, Any]]:
        if fonts is None:
            return []
        if not isinstance(fonts, list):
            self.error(("typography", "fonts"), "expected a list of fonts (family, source, files)")
            return []
        if len(fonts) > self.max_entries:
            self.error(("typography", "fonts"), f"lists {len(fonts)} fonts; at most {self.max_entries} are allowed")
            return []
        found = []
        for index, font in enumerate(fonts):
            loc = ("typography", "fonts", index)
            if not isinstance(font, dict) or not isinstance(font.get("family"), str):
                self.error(loc, "expected a font with a family")
                continue
            source = font.get("source", "system")
            if source in ("google", "bunny"):
                self.unused((*loc, "source"), f"{source} fonts are fetched from the network, which a build "
                                              f"does not do; {font['family']!r} is used only if installed")
                continue
            if source == "system":
                continue
            if source != "file":
                self.unused((*loc, "source"), f"unknown font source {source!r}; not used")
                continue
            files = font.get("files")
            if not isinstance(files, list):
                self.error((*loc, "files"), "expected a list of font files")
                continue
            for number, entry in enumerate(files):
                entry = {"path": entry} if isinstance(entry, str) else entry
                if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                    self.error((*loc, "files", number), "expected a file path or a mapping with path")
                    continue
                style = entry.get("style", "normal")
                weight = _weight(entry.get("weight", 400))
                if weight is None or style not in ("normal", "italic"):
                    self.unused((*loc, "files", number), "a weight or style briefing cannot use; not used")
                    continue
                found.append({"family": font["family"], "file": entry["path"], "weight": weight, "style": style})
        return found

    # ---- logo

    def logo(self, logo: Any, meta: Any) -> dict[str, Any]:
        name = meta.get("name") if isinstance(meta, dict) else None
        name = name if isinstance(name, str) else (name.get("full") or name.get("short")
                                                   if isinstance(name, dict) else None)
        if logo is None:
            return {}
        images = logo.get("images", {}) if isinstance(logo, dict) else {}
        chosen: Any = logo
        loc: tuple[Any, ...] = ("logo",)
        if isinstance(logo, dict):
            for key in logo:
                if key not in (*LOGO_SIZES, "images"):
                    self.unused(("logo", key), "not used by briefing")
            size = next((size for size in LOGO_SIZES if logo.get(size) is not None), None)
            if size is None:
                self.unused(("logo",), "no small, medium or large logo; no logo shown")
                return {}
            for other in LOGO_SIZES:
                if other != size and logo.get(other) is not None:
                    self.unused(("logo", other), f"briefing shows one logo, the {size} one; not used")
            chosen, loc = logo[size], ("logo", size)
        if isinstance(chosen, dict) and ("light" in chosen or "dark" in chosen):
            if "dark" in chosen:
                self.unused((*loc, "dark"), "a printed page is light; not used")
            chosen, loc = chosen.get("light", chosen.get("dark")), (*loc, "light")
        if isinstance(chosen, str) and isinstance(images, dict) and chosen in images:
            chosen, loc = images[chosen], ("logo", "images", chosen)
        alt = None
        if isinstance(chosen, dict):
            alt = chosen.get("alt")
            chosen = chosen.get("path")
        if not isinstance(chosen, str):
            self.error(loc, "expected a file path, a name from logo.images or a mapping with path")
            return {}
        alt = alt if isinstance(alt, str) else name
        return {"logo": chosen, **({"logo_alt": alt} if alt else {})}


def _token_name(name: Any) -> str | None:
    text = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    return text if re.fullmatch(r"[a-z][a-z0-9-]*", text) else None


def _weight(value: Any) -> int | None:
    names = {"thin": 100, "extra-light": 200, "light": 300, "normal": 400, "regular": 400, "medium": 500,
             "semi-bold": 600, "bold": 700, "extra-bold": 800, "black": 900}
    if isinstance(value, str):
        value = names.get(value.strip().lower(), value.strip())
    try:
        weight = int(value)
    except (TypeError, ValueError):
        return None
    return weight if 100 <= weight <= 900 else None


def _tint(colour: str, background: str, amount: float) -> str:
    """`amount` of `colour` laid over `background`, as #rrggbb."""
    def rgb(value: str) -> tuple[int, ...]:
        value = value.lstrip("#")
        if len(value) in (3, 4):
            value = "".join(part * 2 for part in value[:3])
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))

    mixed = (round(a * amount + b * (1 - amount)) for a, b in zip(rgb(colour), rgb(background)))
    return "#" + "".join(f"{part:02x}" for part in mixed)


def validated(path: Path, model: type, *, max_bytes: int, max_entries: int) -> tuple[Any, list[Problem]]:
    """The _brand.yml at `path` (refused when larger than `max_bytes`, or with a palette or font
    list of more than `max_entries`) as a `model` (briefing's `Brand`), with its warnings."""
    data, warnings = read_quarto_brand(path, max_bytes=max_bytes, max_entries=max_entries)
    try:
        return model.model_validate(data), warnings
    except ValidationError as error:
        problems = [Problem(path, entry["msg"], field=".".join(str(step) for step in entry["loc"]),
                            code=entry["type"]) for entry in error.errors()]
        raise BriefError(problems) from None
