"""Compiled templates are kept in the user's cache folder between processes, safely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import minimal_brief, write_yaml

from briefing.render import environment

RENDER = """
import sys
from briefing.content.load import load
from briefing.render import environment
if sys.argv[3] == "cached":  # every template must come from the cache: compiling one fails
    def compile(*args, **kwargs):
        raise AssertionError("compiled a template")
    environment.BoundedSandbox.compile = compile
from briefing.render.html import render_html
from briefing.themes.theme import load_theme
print(render_html(load(sys.argv[1]), load_theme(sys.argv[2])))
"""


def render_in_new_process(content: Path, theme: Path, cache: Path, how: str = "compile") -> str:
    result = subprocess.run([sys.executable, "-c", RENDER, str(content), str(theme), how], capture_output=True,
                            text=True, env={**os.environ, "BRIEFING_CACHE": str(cache)}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_a_new_process_finds_the_templates_compiled_by_the_last_and_an_edit_is_compiled_again(tmp_path):
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "base.html.j2").write_text("<html><body><h1>{{ brief.meta.title }}</h1><p>first</p></body></html>")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    cache = tmp_path / "cache"
    assert "<p>first</p>" in render_in_new_process(content, theme, cache)
    [folder] = cache.iterdir()
    assert folder.name.startswith("templates-") and list(folder.glob("*.cache"))
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert "<p>first</p>" in render_in_new_process(content, theme, cache, "cached")
    (theme / "base.html.j2").write_text("<html><body><h1>{{ brief.meta.title }}</h1><p>second</p></body></html>")
    assert "<p>second</p>" in render_in_new_process(content, theme, cache)
    with pytest.raises(AssertionError, match="compiled a template"):  # the control: without a cache it compiles
        render_in_new_process(content, theme, tmp_path / "empty", "cached")


@pytest.fixture
def fresh_cache(monkeypatch, tmp_path):
    environment.bytecode_cache.cache_clear()
    monkeypatch.setenv("BRIEFING_CACHE", str(tmp_path / "cache"))
    yield tmp_path / "cache"
    environment.bytecode_cache.cache_clear()


def test_a_cache_folder_others_can_write_to_is_never_used(fresh_cache):
    fresh_cache.mkdir(mode=0o700)
    os.chmod(fresh_cache, 0o777)
    assert environment.bytecode_cache() is None


def test_a_cache_folder_that_is_a_link_is_never_used(fresh_cache, tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    fresh_cache.symlink_to(tmp_path / "elsewhere")
    assert environment.bytecode_cache() is None


def test_the_cache_can_be_switched_off(fresh_cache, monkeypatch):
    monkeypatch.setenv("BRIEFING_CACHE", "off")
    assert environment.bytecode_cache() is None
    monkeypatch.setenv("BRIEFING_CACHE", "relative/folder")
    environment.bytecode_cache.cache_clear()
    assert environment.bytecode_cache() is None


def test_the_cache_stays_bounded(fresh_cache, monkeypatch):
    monkeypatch.setattr(environment, "MAX_CACHED_TEMPLATES", 10)
    assert environment.bytecode_cache() is not None
    [folder] = fresh_cache.iterdir()
    for number in range(11):
        (folder / f"entry-{number}.cache").write_bytes(b"x")
    environment.bytecode_cache.cache_clear()
    environment.bytecode_cache()
    assert len(list(folder.iterdir())) == 6
