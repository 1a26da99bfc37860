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


@pytest.mark.pdf
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


# --- every load is checked, at the file (issue 21, item 11) ---------------------------------------
#
# The cache object lives as long as the process (a warm worker, a watch); the folder and the file
# are judged again at every load. Each hostile file below holds compiled code that, if run, writes
# a marker file and renders PLANTED; the control shows that the cache would run it.

def _render(folder: Path) -> str:
    """Render t.html from `folder` with a new environment (as a new search path would), whose
    bytecode cache is the one this process made at its first render."""
    environment.environment.cache_clear()
    return environment.environment((folder,)).get_template("t.html").render()


def _plant(template: Path, checksum: str, marker: Path) -> bytes:
    """Compiled code for `template` under its source's checksum that creates `marker` when it is
    loaded and renders PLANTED."""
    import marshal
    import pickle

    import jinja2.bccache

    python = environment.BoundedSandbox().compile("PLANTED", "t.html", str(template), raw=True)
    code = compile(f"open({str(marker)!r}, 'w').close()\n{python}", str(template), "exec")
    return jinja2.bccache.bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)


class _Touch:
    """Unpickled, creates the file: a cache file whose header is a hostile pickle."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def compiled(fresh_cache, tmp_path):
    """A template rendered once, its compiled form in the cache, and planted bytecode for it."""
    import pickle

    import jinja2.bccache

    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "t.html").write_text("real")
    assert _render(theme) == "real"
    [folder] = fresh_cache.iterdir()
    [cache_file] = folder.iterdir()
    data = cache_file.read_bytes()
    checksum = pickle.loads(data[len(jinja2.bccache.bc_magic):])  # our own file, from the render above
    marker = tmp_path / "planted-code-ran"
    return theme, folder, cache_file, _plant(theme / "t.html", checksum, marker), marker


def test_planted_bytecode_of_our_own_in_our_folder_is_what_the_cache_would_run(compiled):
    """The control: the plant works, so the tests below fail if a check is missing."""
    theme, folder, cache_file, planted, marker = compiled
    cache_file.write_bytes(planted)
    assert _render(theme) == "PLANTED" and marker.exists()


@pytest.mark.parametrize("kind", ["owned-by-another-user", "group-writable", "others-can-write", "a-symlink",
                                  "a-symlink-to-a-file-of-ours", "two-hard-links", "a-fifo", "a-folder",
                                  "too-large"])
def test_a_bytecode_file_that_is_not_ours_alone_is_never_run(compiled, tmp_path, kind, monkeypatch):
    theme, folder, cache_file, planted, marker = compiled
    cache_file.unlink()
    if kind.startswith("a-symlink"):
        target = tmp_path / "planted.cache"
        target.write_bytes(planted)
        os.chmod(target, 0o600)
        cache_file.symlink_to(target)
    elif kind == "a-fifo":
        os.mkfifo(cache_file, 0o600)
    elif kind == "a-folder":
        cache_file.mkdir(mode=0o700)
    else:
        cache_file.write_bytes(planted)
        os.chmod(cache_file, 0o600)
    if kind == "group-writable":
        os.chmod(cache_file, 0o620)
    elif kind == "others-can-write":
        os.chmod(cache_file, 0o602)
    elif kind == "two-hard-links":
        os.link(cache_file, tmp_path / "second-name.cache")
    elif kind == "too-large":
        monkeypatch.setattr(environment, "MAX_BYTECODE_BYTES", len(planted) - 1)
    elif kind == "owned-by-another-user":
        if os.getuid() != 0:
            pytest.skip("only root can give a file to another user")
        os.chown(cache_file, 65534, 65534)  # nobody, inside our own 0700 folder
    assert _render(theme) == "real"
    assert not marker.exists()


def test_a_hostile_pickle_in_a_file_of_ours_is_never_unpickled(compiled):
    """The header is compared byte for byte with what the cache writes, never unpickled."""
    import pickle

    import jinja2.bccache

    theme, folder, cache_file, planted, marker = compiled
    cache_file.write_bytes(jinja2.bccache.bc_magic + pickle.dumps(_Touch(marker), 2))
    assert _render(theme) == "real"
    assert not marker.exists()


@pytest.mark.parametrize("swap", ["a-link-to-another-folder", "a-folder-others-can-write",
                                  "a-folder-of-another-user", "a-parent-others-can-write",
                                  "a-parent-that-is-a-link"])
def test_a_cache_folder_swapped_after_the_first_load_is_never_used(compiled, tmp_path, swap):
    """After the first render the folder is replaced; the next load (same process, same cache
    object) neither runs what the new folder holds nor writes into it."""
    theme, folder, cache_file, planted, marker = compiled
    other = tmp_path / "swapped-in"
    other.mkdir(mode=0o700)
    (other / cache_file.name).write_bytes(planted)
    os.chmod(other / cache_file.name, 0o600)
    root = folder.parent
    if swap == "a-parent-others-can-write":
        os.chmod(root, 0o777)
        (folder / cache_file.name).write_bytes(planted)  # as the other user could, now
        os.chmod(folder / cache_file.name, 0o600)
        other = folder
    elif swap == "a-parent-that-is-a-link":
        hostile_root = tmp_path / "hostile-root"
        hostile_root.mkdir(mode=0o700)
        other.rename(hostile_root / folder.name)
        other = hostile_root / folder.name
        root.rename(tmp_path / "moved-away")
        root.symlink_to(hostile_root)
    else:
        folder.rename(tmp_path / "moved-away")
        if swap == "a-link-to-another-folder":
            folder.symlink_to(other)
        else:
            other.rename(folder)
            other = folder
            if swap == "a-folder-others-can-write":
                os.chmod(folder, 0o777)
            else:
                if os.getuid() != 0:
                    pytest.skip("only root can give a folder to another user")
                os.chown(folder, 65534, 65534)
    before = sorted(path.name for path in other.iterdir())
    assert _render(theme) == "real"
    assert not marker.exists()
    assert sorted(path.name for path in other.iterdir()) == before  # nothing written into it either


def test_our_own_entry_is_loaded_by_the_same_process_without_compiling(compiled, monkeypatch):
    """The checks refuse only what is not ours alone: the entry the cache wrote loads again."""
    theme, folder, cache_file, planted, marker = compiled

    def refuse(*args, **kwargs):
        raise AssertionError("compiled a template")

    monkeypatch.setattr(environment.BoundedSandbox, "compile", refuse)
    assert _render(theme) == "real"
