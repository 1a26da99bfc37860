"""Templates from elsewhere: Jinja2's sandbox, and a loader that stays inside its folders.

The sandbox refuses `__class__`, `__globals__` and the like, so a template cannot reach
Python; `ConfinedLoader` refuses a template that is a symbolic link out of the template
folders (Jinja2's own loader follows links anywhere). Time and memory are bounded by
running the rendering in a limited child (`briefing.limits`).
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from .errors import BriefError, Problem

__all__ = ["ConfinedLoader", "SandboxedEnvironment"]


class ConfinedLoader(jinja2.FileSystemLoader):
    """A `FileSystemLoader` that refuses templates resolving outside the folder they are found in."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)
            if os.path.isfile(filename):
                real = Path(os.path.realpath(filename))
                if not real.is_relative_to(os.path.realpath(folder)):
                    raise BriefError([Problem(filename, f"template {template!r} links outside its folder "
                                                        f"(to {real}); refused")])
                break
        return super().get_source(environment, template)
