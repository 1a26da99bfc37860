"""Build options: every setting of a build, validated once, in one frozen object.

    options = BuildOptions(theme="memo", paper="letter")
    briefing.build("brief.yaml", "out.pdf", options)

Errors name the field (`paper`), never a command-line flag; the command line
takes its choices and defaults from here and from `Limits`. The canonical form
(`BuildOptions.canonical()`) is the build cache's key: a file named by an
option counts by its content as well as its path. Importing this module imports
neither pydantic nor WeasyPrint, so an unchanged rebuild stays cheap.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.styles import CITATION_STYLES
from ..errors import BriefError, Problem, closest
from ..variants import VARIANTS
from ..variants import check as check_variant
from ..sandbox.limits import Limits
from ..sandbox.urls import parse_url_prefix

PAPERS = ("a4", "letter")
#: PNG pictures of the pages: the resolution range, in dots per inch, and the default.
RESOLUTIONS = (10, 1200)
DEFAULT_RESOLUTION = 96
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class BuildOptions:
    """How to build a brief. Every field has a default; `BuildOptions()` builds as `briefing build` does."""

    theme: Any = "default"
    """A built-in theme name, a theme folder, or a loaded `Theme`."""
    templates: Path | None = None
    """A folder whose files replace the theme's files of the same name."""
    brand: Path | None = None
    """A brand settings file; by default the `brand.yaml` beside the content, if any."""
    paper: str | None = None
    """a4 or letter (any case); by default the theme's paper, else a4."""
    variant: str | tuple[str, ...] | None = None
    """A PDF variant such as pdf/a-3b or pdf/ua-1, or one PDF/A and one PDF/UA variant together."""
    attach: tuple[Path, ...] = ()
    """Further files from the brief's folder to embed."""
    first_page: int | None = None
    """Number the pages from this number on, for a brief that sits inside a report."""
    html: bool = False
    """Also write the HTML that was printed, beside the PDF."""
    png: int | None = None
    """Also write each page as a PNG picture at this resolution (dots per inch)."""
    allowed_urls: tuple[str, ...] = ()
    """http(s) URL prefixes below which resources may be fetched; none by default."""
    limits: Limits | None = field(default=DEFAULT_LIMITS)
    """Time, memory and page limits of rendering and printing; None runs both in this process, unbounded."""
    strict: bool = False
    """Editorial warnings fail the build."""
    changes_since: Path | None = None
    """An earlier version's content file: the brief then shows what changed since it, after the takeaways."""
    since: str | None = None
    """A git revision: the brief shows what changed since its own content file at that revision."""
    redline: Path | None = None
    """An earlier version's content file: the PDF is then a review copy, its changes since that version
    marked (inserted words underlined, deleted words struck), never a PDF/A file."""
    citation_style: str | None = None
    """The CSL style of the sources list and of "How to cite" for a brief that names none in
    meta.citation_style; by default the theme's, else chicago-author-date."""

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise through the back door, once, here
        problems: list[Problem] = []

        def bad(name: str, message: str) -> None:
            problems.append(Problem("options", message, field=name, code="invalid_option"))

        if self.theme is None:
            set_(self, "theme", "default")
        for name in ("templates", "brand"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                if isinstance(value, str):
                    set_(self, name, Path(value))
                else:
                    bad(name, f"expected a path, got {type(value).__name__}")
        if isinstance(self.theme, str) and ("/" in self.theme or "\\" in self.theme):
            set_(self, "theme", Path(self.theme))
        if self.paper is not None:
            paper = str(self.paper).lower()
            if paper not in PAPERS:
                hint = closest(paper, PAPERS)
                bad("paper", f"unknown paper size {self.paper!r} (expected {' or '.join(PAPERS)})"
                             + (f"; did you mean {hint!r}?" if hint else ""))
            set_(self, "paper", paper)
        if self.variant is not None:  # one name, or one PDF/A and one PDF/UA name together
            try:
                names = check_variant(self.variant)
            except ValueError as error:
                hint = closest(str(self.variant).lower(), VARIANTS) if isinstance(self.variant, str) else None
                bad("variant", str(error) + (f"; did you mean {hint!r}?" if hint else ""))
            else:
                set_(self, "variant", names[0] if len(names) == 1 else (names or None))
        if isinstance(self.attach, (str, Path)):
            set_(self, "attach", (self.attach,))
        set_(self, "attach", tuple(Path(path) for path in self.attach))
        if self.first_page is not None and (isinstance(self.first_page, bool) or not isinstance(self.first_page, int)
                                            or self.first_page < 1):
            bad("first_page", f"must be a whole number of 1 or more, got {self.first_page!r}")
        if self.png is not None:
            low, high = RESOLUTIONS
            if isinstance(self.png, bool) or not isinstance(self.png, int) or not low <= self.png <= high:
                bad("png", f"the resolution must be a whole number from {low} to {high} dots per inch, "
                           f"got {self.png!r}")
        if isinstance(self.allowed_urls, str):
            set_(self, "allowed_urls", (self.allowed_urls,))
        set_(self, "allowed_urls", tuple(self.allowed_urls))
        for prefix in self.allowed_urls:
            try:
                parse_url_prefix(prefix)
            except ValueError as error:
                bad("allowed_urls", str(error))
        if self.limits is not None and not isinstance(self.limits, Limits):
            bad("limits", f"expected Limits or None, got {type(self.limits).__name__}")
        if self.changes_since is not None and not isinstance(self.changes_since, Path):
            if isinstance(self.changes_since, str):
                set_(self, "changes_since", Path(self.changes_since))
            else:
                bad("changes_since", f"expected a path, got {type(self.changes_since).__name__}")
        if self.since is not None and (not isinstance(self.since, str) or not self.since.strip()):
            bad("since", f"expected a git revision, got {self.since!r}")
        if self.since is not None and self.changes_since is not None:
            bad("since", "give either changes_since (a file) or since (a git revision), not both")
        if self.redline is not None and not isinstance(self.redline, Path):
            if isinstance(self.redline, str):
                set_(self, "redline", Path(self.redline))
            else:
                bad("redline", f"expected a path, got {type(self.redline).__name__}")
        if self.redline is not None and (self.changes_since is not None or self.since is not None):
            bad("redline", "a review copy marks the changes in the text; give it without changes_since or since")
        if self.redline is not None and isinstance(self.variant, (str, tuple)):
            archival = [name for name in ((self.variant,) if isinstance(self.variant, str) else self.variant)
                        if name.startswith("pdf/a")]
            if archival:
                bad("redline", f"a review copy is never a PDF/A file: it marks changes for the editor and is "
                               f"not an edition to archive; build it without {archival[0]}")
        if self.citation_style is not None and self.citation_style not in CITATION_STYLES:
            hint = closest(str(self.citation_style), CITATION_STYLES)
            bad("citation_style", f"unknown citation style {self.citation_style!r} (offered: "
                                  f"{', '.join(CITATION_STYLES)})" + (f"; did you mean {hint!r}?" if hint else ""))
        set_(self, "html", bool(self.html))
        set_(self, "strict", bool(self.strict))
        if problems:
            raise BriefError(problems)

    @classmethod
    def of(cls, options: BuildOptions | None = None, **changes: Any) -> BuildOptions:
        """`options` (or the defaults) with `changes` applied, validated again."""
        unknown = sorted(set(changes) - {item.name for item in dataclasses.fields(cls)})
        if unknown:
            known = [item.name for item in dataclasses.fields(cls)]
            raise BriefError([Problem("options", "unknown build option"
                                      + (f"; did you mean {hint!r}?" if (hint := closest(name, known)) else ""),
                                      field=name, code="unknown_option") for name in unknown])
        base = options if options is not None else cls()
        return dataclasses.replace(base, **changes) if changes else base

    def canonical(self) -> dict[str, Any]:
        """The options as plain data, with every file an option names counted by its content: the cache key."""
        from .cache import canonical

        return {item.name: canonical(getattr(self, item.name)) for item in dataclasses.fields(self)}
