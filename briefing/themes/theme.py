"""Themes: where templates, stylesheets and assets are found, and the settings that style them.

A theme is a folder holding templates (`base.html.j2`, partials, the
`components.html.j2` macros), stylesheets built on design tokens, assets
(fonts, a logo) and an optional `theme.yaml` of settings. Templates are looked
up along one ordered search path, so an override is simply a file of the same
name earlier on the path:

    --templates DIR  →  the theme's folder  →  the folder of the theme it extends  →  …  →  default

Settings (colours, fonts, logo, paper, sections shown) layer the same way,
most general first: the stylesheet's own `:root` tokens, each `theme.yaml` on
the path, then the brand file (`brand.yaml` beside the content or `--brand
FILE`). They reach the page as a small generated stylesheet of CSS custom
properties (`Theme.settings_css`) printed after the theme's stylesheets.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from ..sandbox.files import Refused, allow_hard_links_below, note, read_inside
from ..content.identifiers import CITATION_STYLES
from ..errors import BriefError, Problem, closest

STYLESHEET = "brief.css"
SETTINGS = "theme.yaml"
BRAND = "brand.yaml"
BASE = "base.html.j2"
SECTION_KINDS = ("background", "legal_deadlock", "expert_proposals", "outlook")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
MAX_ASSET_BYTES = 8 * 1024 * 1024
#: A theme or templates folder holds a theme's templates, stylesheets and assets: at most this many
#: files and folders, this deep. Every file in it is part of the build, so a bigger tree is refused
#: before anything walks it further (`--theme /` would otherwise walk the whole file system).
MAX_THEME_ENTRIES = 5000
MAX_THEME_DEPTH = 16
#: A settings file (`theme.yaml`, `brand.yaml`, a Quarto `_brand.yml`) is a few kilobytes; a larger
#: one is refused before it is parsed, so that parsing and validating it stay quick.
MAX_SETTINGS_BYTES = 256 * 1024
#: Entries in one mapping or list of a settings file (colours, fonts, font files, sections, …).
MAX_SETTINGS_ENTRIES = 200
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}

TokenName = Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z][a-z0-9-]*$")]
Colour = Annotated[str, StringConstraints(
    strip_whitespace=True, pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]
FontFamily = Annotated[str, StringConstraints(strip_whitespace=True, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")]
Length = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d+(\.\d+)?(mm|cm|in|pt|px)$")]
RelativeFile = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1024)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FontFile(_Settings):
    """A font file shipped beside the settings file, declared as an @font-face."""

    family: FontFamily
    file: RelativeFile
    weight: int = Field(400, ge=100, le=900)
    style: Literal["normal", "italic"] = "normal"


class Brand(_Settings):
    """House style without templates: colours, fonts and a logo (`brand.yaml` or `--brand FILE`)."""

    colors: dict[TokenName, Colour] = Field(
        default_factory=dict, max_length=MAX_SETTINGS_ENTRIES, description="Colour tokens: `accent: '#7a1f2b'` sets --color-accent.")
    dark_colors: dict[TokenName, Colour] = Field(
        default_factory=dict, max_length=MAX_SETTINGS_ENTRIES, description="The web page's dark scheme: `paper: '#111418'` sets --color-paper "
                                          "under prefers-color-scheme: dark; tokens left out are derived.")
    fonts: dict[TokenName, Annotated[list[FontFamily], Field(max_length=MAX_SETTINGS_ENTRIES)]] = Field(
        default_factory=dict, max_length=MAX_SETTINGS_ENTRIES, description="Font tokens: `text: [EB Garamond, serif]` sets --font-text.")
    font_files: list[FontFile] = Field(default_factory=list, max_length=MAX_SETTINGS_ENTRIES)
    logo: RelativeFile | None = Field(None, description="An SVG, PNG or JPEG beside the settings file.")
    logo_alt: str | None = Field(None, max_length=2000, description="Text for readers who cannot see the logo.")
    logo_height: Length | None = Field(None, description="Height of the logo on page 1, such as 12mm.")


    @field_validator("fonts", mode="before")
    @classmethod
    def _one_family_is_a_list(cls, fonts: Any) -> Any:
        if isinstance(fonts, dict):
            return {key: [value] if isinstance(value, str) else value for key, value in fonts.items()}
        return fonts


class ThemeSettings(Brand):
    """A theme's `theme.yaml`: what a brand can set, plus the theme's own choices."""

    description: str = Field("", max_length=2000)
    extends: str | None = Field(
        "default", description="The built-in theme this one falls back to for files it does not have.")
    paper: Literal["a4", "letter"] | None = None
    sections: list[Literal[SECTION_KINDS]] | None = Field(  # type: ignore[valid-type]
        None, max_length=MAX_SETTINGS_ENTRIES, description="Which sections show, in the brief's order (default: all).")
    stylesheets: list[RelativeFile] | None = Field(
        None, max_length=MAX_SETTINGS_ENTRIES, description="Stylesheet names, each taken from the first folder on the path that has it.")
    citation_style: Literal[CITATION_STYLES] | None = Field(  # type: ignore[valid-type]
        None, description="The CSL style of the sources list and of \"How to cite\" for briefs that set no "
                          "meta.citation_style (and when briefing.toml sets none): "
                          + ", ".join(CITATION_STYLES) + ".")

    @field_validator("stylesheets")
    @classmethod
    def _plain_names(cls, names: list[str] | None) -> list[str] | None:
        for name in names or []:
            if Path(name).is_absolute() or ".." in Path(name).parts:
                raise ValueError(f"{name!r} must be a name inside the theme folder")
        return names


@dataclass(frozen=True)
class Asset:
    """A file from a settings file's folder, carried into the page as a data: URI."""

    uri: str = field(repr=False)
    source: Path


@dataclass(frozen=True)
class Theme:
    """An ordered search path of template folders, the stylesheets to apply and the settings."""

    name: str
    folders: tuple[Path, ...]
    description: str = ""
    paper: str | None = None
    sections: tuple[str, ...] = SECTION_KINDS
    stylesheet_names: tuple[str, ...] = (STYLESHEET,)
    colors: tuple[tuple[str, str], ...] = ()
    dark_colors: tuple[tuple[str, str], ...] = ()
    fonts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    font_faces: tuple[tuple[FontFile, Asset], ...] = ()
    logo: Asset | None = None
    logo_alt: str = ""
    logo_height: str | None = None
    citation_style: str | None = None
    """The CSL style for briefs that name none in meta.citation_style (theme.yaml, or briefing.toml's)."""
    settings_files: tuple[Path, ...] = field(default=(), compare=False)
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    """Parts of the settings files that were read but are not used (of a Quarto _brand.yml)."""

    @property
    def stylesheets(self) -> tuple[Path, ...]:
        """Each named stylesheet from the first folder on the search path that has it."""
        found = []
        for name in self.stylesheet_names:
            path = self.find(name)
            if path is not None:
                found.append(path)
        return tuple(found)

    def find(self, name: str) -> Path | None:
        """The first file called `name` on the search path."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        return None

    @property
    def settings_css(self) -> str:
        """The settings as CSS: @font-face rules and `:root` custom properties."""
        lines = []
        for face, asset in self.font_faces:
            lines.append(f'@font-face {{ font-family: "{face.family}"; src: url({asset.uri}); '
                         f"font-weight: {face.weight}; font-style: {face.style}; }}")
        tokens = [f"  --color-{name}: {value};" for name, value in self.colors]
        tokens += [f"  --font-{name}: {_font_stack(families)};" for name, families in self.fonts]
        if self.logo_height:
            tokens.append(f"  --logo-height: {self.logo_height};")
        if tokens:
            lines += [":root {", *tokens, "}"]
        return "\n".join(lines) + ("\n" if lines else "")

    @property
    def color_tokens(self) -> dict[str, str]:
        """Every colour token's value: the stylesheets' `--color-NAME: #rrggbb`, then the settings'."""
        tokens: dict[str, str] = {}
        for path in self.stylesheets:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            tokens.update(_COLOR_TOKEN.findall(text))
        tokens.update(self.colors)
        return tokens

    @property
    def dark_tokens(self) -> dict[str, str]:
        """The colour tokens of the web page's dark scheme: the settings' `dark_colors`, the rest derived."""
        from .colours import dark_scheme

        return dark_scheme(self.color_tokens, dict(self.dark_colors))

    @property
    def dark_css(self) -> str:
        """The dark scheme for screens whose reader asks for one (`prefers-color-scheme: dark`)."""
        tokens = "".join(f"    --color-{name}: {value};\n" for name, value in self.dark_tokens.items())
        return ("@media screen { :root { color-scheme: light dark; } }\n"
                f"@media screen and (prefers-color-scheme: dark) {{\n  :root {{\n{tokens}  }}\n}}\n")

    @property
    def logo_uri(self) -> str | None:
        return self.logo.uri if self.logo else None


_COLOR_TOKEN = re.compile(r"--color-([a-z][a-z0-9-]*)\s*:\s*(#[0-9a-fA-F]{3,8})\b")


def _font_stack(families: tuple[str, ...]) -> str:
    return ", ".join(family if family in GENERIC_FAMILIES else f'"{family}"' for family in families)


def builtin_themes() -> Path:
    """The folder of built-in themes: inside the package when installed, `templates/` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "default" / BASE).is_file():
            allow_hard_links_below(candidate)  # installers may link the installation's files from a cache
            return candidate
    raise BriefError([Problem(package, "the built-in templates are missing from this installation")])


def theme_names() -> list[str]:
    """The built-in themes, `default` first."""
    root = builtin_themes()
    names = sorted(folder.name for folder in root.iterdir()
                   if folder.is_dir() and ((folder / SETTINGS).is_file() or (folder / BASE).is_file()))
    return sorted(names, key=lambda name: name != "default")


def themes() -> list[Theme]:
    """Every built-in theme, loaded."""
    return [load_theme(name) for name in theme_names()]


def load_theme(name: str | Path = "default", *, templates: str | Path | None = None,
               brand: str | Path | None = None) -> Theme:
    """The built-in theme `name` or the theme in folder `name`, with overrides.

    `templates` is a folder whose files replace the theme's files of the same
    name; `brand` is a brand settings file whose colours, fonts and logo
    replace the theme's.
    """
    chain = _theme_chain(name)
    folders = tuple(folder for folder, _, _ in chain)
    if templates is not None:
        user = Path(templates)
        if not user.is_dir():
            raise BriefError([Problem(str(templates), "templates folder not found", field="--templates")])
        if (problem := folder_problem(user, theme=False)) is not None:
            raise BriefError([Problem(str(templates), problem, field="--templates")])
        folders = (user.resolve(), *folders)
    if not any((folder / BASE).is_file() for folder in folders):
        raise BriefError([Problem(folders[0], f"the theme has no {BASE} and extends no theme that has one")])

    # Most general first, so later settings replace earlier ones.
    layers: list[tuple[Brand, Path]] = [(settings, path) for _, settings, path in reversed(chain)
                                        if settings is not None and path is not None]
    warnings: list[Problem] = []
    if brand is not None:
        brand_path = Path(brand)
        layers.append((_read_brand(brand_path, warnings), brand_path))
    theme = _assemble(chain[0][0].name, folders, layers)
    return replace(theme, warnings=tuple(warnings)) if warnings else theme


def _read_brand(path: Path, warnings: list[Problem]) -> Brand:
    """A brand file: briefing's own brand.yaml, or Quarto's _brand.yml mapped to the same settings."""
    from .quarto import is_quarto_brand, validated

    if not is_quarto_brand(path):
        return _read_settings(path, Brand)
    brand, unused = validated(path, Brand, max_bytes=MAX_SETTINGS_BYTES, max_entries=MAX_SETTINGS_ENTRIES)
    warnings.extend(unused)
    return brand


def _theme_chain(name: str | Path) -> list[tuple[Path, ThemeSettings | None, Path | None]]:
    """The theme's folder, then the folder of each theme it extends, with their settings.

    `extends` names a built-in theme, or a theme folder (one with a `theme.yaml`) inside the
    theme folder the user chose: a theme cannot reach any other folder, since every folder on
    the chain is readable to its templates and to the print.
    """
    default = builtin_themes() / "default"
    chain: list[tuple[Path, ThemeSettings | None, Path | None]] = []
    current: str | Path | None = name
    referrer: tuple[Path, Any] | None = None  # the theme.yaml that named `current`, and its positions
    root: Path | None = None  # the folder the user chose; `extends` stays inside it
    while current is not None:
        folder = _theme_folder(current, referrer, root)
        if root is None and not folder.is_relative_to(builtin_themes().resolve()):
            root = folder
        if any(folder == seen for seen, _, _ in chain):
            names = " → ".join(seen.name for seen, _, _ in chain)
            raise _extends_problem(referrer, f"themes extend each other in a circle: {names} → {folder.name}") \
                if referrer else BriefError([Problem(folder, "themes extend each other in a circle")])
        path = folder / SETTINGS
        settings, locate = _read_settings_located(path, ThemeSettings) if os.path.lexists(path) else (None, None)
        chain.append((folder, settings, path if settings is not None else None))
        if folder == default:
            break
        current = settings.extends if settings is not None else "default"
        referrer = (path, locate) if settings is not None else None
    return chain


def _theme_folder(name: str | Path, referrer: tuple[Path, Any] | None, root: Path | None) -> Path:
    """A built-in theme by name, or a folder: any the user names, or for `extends` (relative to
    the referring theme.yaml) a folder with a theme.yaml inside the user's theme folder."""
    text = str(name)
    looks_like_path = isinstance(name, Path) or "/" in text or "\\" in text or text.startswith(".")
    builtin = builtin_themes()
    if not looks_like_path and text in theme_names():
        return builtin / text
    known = ", ".join(theme_names())
    if referrer is None:
        candidate = Path(name)
        if candidate.is_dir():
            if (problem := folder_problem(candidate)) is not None:
                raise BriefError([Problem("--theme", f"{text!r} {problem}")])
            return candidate.resolve()
        hint = closest(text, theme_names())
        raise BriefError([Problem("--theme", f"no such theme {text!r}"
                                  + (f"; did you mean {hint!r}?" if hint else "")
                                  + f" (built-in themes: {known}; or give a theme folder)")])
    settings_path = referrer[0]
    inside = root if root is not None else settings_path.parent.resolve()
    if Path(text).is_absolute():
        raise _extends_problem(referrer, f"{text!r} is outside the theme folder {inside}; extends names a "
                                         f"built-in theme ({known}) or a theme folder inside {inside}")
    candidate = Path(os.path.realpath(settings_path.parent / text))
    if not candidate.is_relative_to(inside) or candidate.is_relative_to(builtin.resolve()):
        raise _extends_problem(referrer, f"{text!r} is outside the theme folder {inside}; extends names a "
                                         f"built-in theme ({known}) or a theme folder inside {inside}")
    if not (candidate / SETTINGS).is_file():
        hint = closest(text, theme_names())
        raise _extends_problem(referrer, f"no such theme {text!r}"
                                         + (f"; did you mean {hint!r}?" if hint else "")
                                         + f": a theme folder holds a {SETTINGS} (built-in themes: {known})")
    return candidate


#: What marks a folder as a theme: its settings, or a template or stylesheet at its top or in partials/.
THEME_MARKS = (SETTINGS, BASE, STYLESHEET, "main.html.j2", "components.html.j2", "web.css")


def folder_problem(folder: Path, *, theme: bool = True) -> str | None:
    """Why `folder` cannot be a theme folder (`theme`) or a templates folder, or None if it can.

    A theme folder must look like one: a `theme.yaml`, or a template (`.j2`) or stylesheet
    (`.css`) at its top or in `partials/`; that is judged from at most two folder listings.
    Either kind holds at most `MAX_THEME_ENTRIES` files and folders, at most `MAX_THEME_DEPTH`
    deep, counted by a walk that follows no link and stops at the first entry over the bound.
    """
    if theme and not _looks_like_a_theme(folder):
        return (f"is not a theme folder: it holds no {SETTINGS}, and no template (.j2) or stylesheet (.css) "
                "at its top or in partials/")
    kind = "theme" if theme else "templates"
    counted = 0
    pending = [(Path(folder), 0)]
    while pending:
        directory, depth = pending.pop()
        if depth > MAX_THEME_DEPTH:
            return f"is not a {kind} folder: it is more than {MAX_THEME_DEPTH} folders deep"
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    counted += 1
                    if counted > MAX_THEME_ENTRIES:
                        return (f"is not a {kind} folder: it holds more than {MAX_THEME_ENTRIES} files and "
                                "folders (a theme holds its templates, stylesheets and assets)")
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        pending.append((Path(entry.path), depth + 1))
        except OSError as error:
            if depth == 0:
                return f"cannot be read: {error.strerror or error}"
    return None


def _looks_like_a_theme(folder: Path) -> bool:
    for place in (folder, folder / "partials"):
        try:
            with os.scandir(place) as entries:
                for count, entry in enumerate(entries):
                    if entry.name in THEME_MARKS or entry.name.endswith((".j2", ".css")):
                        return True
                    if count >= MAX_THEME_ENTRIES:
                        break
        except OSError:
            continue
    return False


def _extends_problem(referrer: tuple[Path, Any], message: str) -> BriefError:
    path, locate = referrer
    line, column = locate(("extends",)) if locate is not None else (None, None)
    return BriefError([Problem(path, message, field="extends", line=line, column=column, code="invalid_extends")])


def _read_settings(path: Path, model: type[Brand]) -> Any:
    """Parse and validate one settings file, with located problems."""
    return _read_settings_located(path, model)[0]


def _read_settings_located(path: Path, model: type[Brand]) -> tuple[Any, Any]:
    """The validated settings of `path`, and a function that locates a field in the file."""
    from ..content.load import parse, validation_problems

    if not path.exists():
        raise BriefError([Problem(path, "no such file")])
    parsed = parse(path, max_bytes=MAX_SETTINGS_BYTES, kind="settings files")
    if parsed.problems:
        raise BriefError(list(parsed.problems))
    data = parsed.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BriefError([Problem(path, "expected a mapping of settings", line=1, column=1)])
    try:
        return model.model_validate(data), parsed.positions.locate
    except ValidationError as error:
        raise BriefError(validation_problems(error, path, parsed.positions, model, patterns=_PATTERN_MEANINGS)) \
            from None


_PATTERN_MEANINGS = {"colors": "a colour written #rgb, #rrggbb or #rrggbbaa",
                     "fonts": "a font family name (letters, digits, spaces, . _ -)",
                     "logo_height": "a length such as 12mm or 0.5in"}


def _assemble(name: str, folders: tuple[Path, ...], layers: list[tuple[Brand, Path]]) -> Theme:
    colors: dict[str, str] = {}
    dark_colors: dict[str, str] = {}
    fonts: dict[str, tuple[str, ...]] = {}
    faces: dict[tuple[str, int, str], tuple[FontFile, Asset]] = {}
    values: dict[str, Any] = {}
    for settings, path in layers:
        colors.update(settings.colors)
        dark_colors.update(settings.dark_colors)
        fonts.update({key: tuple(value) for key, value in settings.fonts.items()})
        for index, face in enumerate(settings.font_files):
            asset = _asset(path, face.file, FONT_TYPES, f"font_files.{index}.file")
            faces[(face.family, face.weight, face.style)] = (face, asset)
        if settings.logo is not None:
            values["logo"] = _asset(path, settings.logo, LOGO_TYPES, "logo")
            values["logo_alt"] = settings.logo_alt or ""
        elif settings.logo_alt is not None:
            values["logo_alt"] = settings.logo_alt
        if settings.logo_height is not None:
            values["logo_height"] = settings.logo_height
        if isinstance(settings, ThemeSettings):
            for key in ("paper", "description", "citation_style"):
                if getattr(settings, key):
                    values[key] = getattr(settings, key)
            if settings.sections is not None:
                values["sections"] = tuple(settings.sections)
            if settings.stylesheets is not None:
                values["stylesheet_names"] = tuple(settings.stylesheets)
    return Theme(name=name, folders=folders, colors=tuple(colors.items()), dark_colors=tuple(dark_colors.items()),
                 fonts=tuple(fonts.items()),
                 font_faces=tuple(faces.values()), settings_files=tuple(path for _, path in layers),
                 **values)


def _asset(settings_path: Path, name: str, types: dict[str, str], field_name: str) -> Asset:
    """Read a file named in a settings file; it must lie inside that file's folder."""
    folder = settings_path.resolve().parent
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise BriefError([Problem(settings_path, f"{name!r} is outside the folder of {settings_path.name}",
                                  field=field_name)])
    kind = types.get(path.suffix.lower())
    if kind is None:
        raise BriefError([Problem(settings_path, f"{name!r}: expected a {', '.join(sorted(types))} file",
                                  field=field_name)])
    try:
        data = base64.b64encode(read_inside(path, (folder,), MAX_ASSET_BYTES)).decode("ascii")
    except Refused as refusal:
        message = {"missing": f"{name!r} not found beside {settings_path.name}",
                   "too_large": f"{name!r} is larger than {MAX_ASSET_BYTES} bytes"}.get(
                       refusal.kind, f"{name!r}: {refusal.reason}")
        raise BriefError([Problem(settings_path, message, field=field_name)]) from None
    return Asset(uri=f"data:{kind};base64,{data}", source=path)


def files_state(folders: tuple[Path, ...], files: Iterable[Path] = ()) -> tuple[tuple[str, int | None, int | None], ...]:
    """Every file below `folders`, and each of `files`, with its size and modification time
    (None for a file that cannot be read): it changes whenever any of them does."""
    paths = set(files)
    for folder in folders:
        for directory, _, names in os.walk(folder):
            paths.update(Path(directory) / name for name in names)
    found = []
    for path in sorted(paths):
        try:
            stat = path.stat()
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            found.append((str(path), None, None))
    return tuple(found)


def _regular_files(folder: Path) -> list[tuple[Path, Path]]:
    """(path relative to `folder`, path) of every regular file below `folder`, never through a
    symbolic link: a link (to a file or a folder, inside or out) is skipped, as is every device,
    FIFO or socket."""
    found = []
    root = Path(os.path.realpath(folder))
    for directory, subdirectories, names in os.walk(root, followlinks=False):
        here = Path(directory)
        subdirectories[:] = sorted(name for name in subdirectories if not (here / name).is_symlink())
        for name in sorted(names):
            path = here / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and Path(os.path.realpath(path)).is_relative_to(root):
                found.append((path.relative_to(root), path))
    return found


def _copy_regular(source: Path, target: Path) -> None:
    """Copy `source` to a new file `target`, refusing a source that became a link or a non-regular file."""
    descriptor = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as reader:
        if not stat.S_ISREG(os.fstat(reader.fileno()).st_mode):
            raise OSError(f"{source} is not a regular file")
        with open(target, "xb") as writer:
            shutil.copyfileobj(reader, writer)


def brand_beside(content: Path) -> Path | None:
    """The `brand.yaml` in the content file's folder, else Quarto's `_brand.yml` there, if there is one."""
    from .quarto import NAMES

    for name in (BRAND, *NAMES):
        candidate = content.parent / name
        if candidate.is_file():
            return candidate
        note(candidate, None)  # looked for: creating it later changes the build
    return None


def eject(theme: Theme, destination: str | Path) -> list[Path]:
    """Copy the theme's templates, stylesheets and assets into `destination`, ready for `--templates`.

    Each file comes from the first folder on the search path that has it, so
    the copy is what the theme prints with. Settings files are not copied:
    they stay with the theme, and `brand.yaml` stays beside the content.
    """
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BriefError([Problem(destination, "already exists and is not an empty folder")])
    chosen: dict[Path, Path] = {}
    for folder in theme.folders:
        for relative, source in _regular_files(folder):
            if relative in chosen or relative.name == SETTINGS or \
                    any(part.startswith((".", "__")) for part in relative.parts):
                continue
            chosen[relative] = source
    written = []
    try:
        for relative, source in sorted(chosen.items()):
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_regular(source, target)
            written.append(target)
    except OSError as error:
        raise BriefError([Problem(destination, f"cannot write: {error.strerror or error}")]) from None
    return written


try:  # a process that only unpickles a Theme (a print worker) reads the installation's files as well
    builtin_themes()
except BriefError:  # no built-in themes here: loading one says so
    pass
