"""The CSL citation styles briefing ships, named without importing pydantic (for the options and the CLI).

Each is an official CSL style in `briefing/render/csl/`, by its file name in the
citation-style-language/styles repository.
"""

CITATION_STYLES = ("chicago-author-date", "apa", "harvard-cite-them-right", "ieee", "modern-language-association")
DEFAULT_CITATION_STYLE = "chicago-author-date"
