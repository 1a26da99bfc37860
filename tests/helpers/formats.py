"""Test helpers: write plain brief data as YAML, JSON, TOML or Markdown with front matter."""

from __future__ import annotations

import copy
import io
import json

import tomlkit
from ruamel.yaml import YAML

from briefing.content.formats import MARKDOWN_SECTIONS


def to_yaml(data) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def to_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_toml(data) -> str:
    return tomlkit.dumps(_without_none(data))


def to_markdown(data) -> str:
    """Front matter with everything but the sections' titles and bodies, which become headings."""
    front = copy.deepcopy(data)
    headings = []
    for kind, default in MARKDOWN_SECTIONS.items():
        section = front.get(kind)
        if not isinstance(section, dict):
            continue
        body = section.pop("body", None)
        title = section.pop("title", None)
        if body is None and title is None:
            continue
        headings.append(f"## {title or default} {{#{kind}}}\n\n{body or ''}\n")
    return "---\n" + to_yaml(front) + "---\n\n" + "\n".join(headings)


WRITERS = {"yaml": to_yaml, "json": to_json, "toml": to_toml, "markdown": to_markdown}
SUFFIXES = {"yaml": ".yaml", "json": ".json", "toml": ".toml", "markdown": ".md"}


def _without_none(value):
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value if item is not None]
    return value
