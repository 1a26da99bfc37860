"""No work outside the limits: nothing a theme or a content file holds makes the parent process
compute, read or wait without bound, and absurd inputs are errors, not tracebacks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import minimal_brief, run_cli, write_yaml

from briefing.content.formats import MAX_YAML_DEPTH, parse_text
from briefing.content.load import MAX_CONTENT_BYTES, check, load
from briefing.errors import BriefError
from briefing.printing.embed import MAX_ATTACHMENT_BYTES, refuse_oversized
from briefing.render.environment import environment
from briefing.sandbox.limits import Limits
from briefing.themes.theme import load_theme

TWO_TO_THE_HUNDRED = str(2**100)


# Templates: nothing is computed while compiling -------------------------------------------------

@pytest.mark.parametrize("source", [
    "{{ 2**100 }}", "{{ 'x' ~ 2**100 }}", "{% if 2**100 %}{% endif %}{{ -(2**100) }}",
    "{% set n = 2**100 %}{{ n }}", "{{ (2**100)|string }}",
    "{% autoescape (2**100)|string|length > 0 %}{{ '<' }}{% endautoescape %}"])
def test_compiling_a_template_computes_none_of_its_expressions(tmp_path, source):
    env = environment((tmp_path,))
    code = env.compile(source, raw=True)
    assert TWO_TO_THE_HUNDRED not in code
    rendered = env.from_string(source).render()
    assert TWO_TO_THE_HUNDRED in rendered or rendered in ("&lt;", "")


def test_arithmetic_and_filters_still_work_when_the_template_renders(tmp_path):
    env = environment((tmp_path,))
    assert env.from_string("{{ 7 // 2 }} {{ 7 % 3 }} {{ -5 }} {{ 2 * 3 + 1 }} {{ 'ab'|upper }} {{ 1.5 - 1 }} "
                           "{{ [1, 2]|join('-') }} {{ '<b>' }}").render() == "3 1 -5 7 AB 0.5 1-2 &lt;b&gt;"


@pytest.mark.pdf
def test_a_huge_constant_in_a_template_that_never_renders_does_not_stop_the_build(tmp_path):
    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "partials" / "unused.html.j2").write_text("{{ 9**(9**9) }}")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--theme", str(theme), "-o", str(tmp_path / "b.pdf"),
                     "--timeout", "30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.pdf
def test_a_huge_constant_in_a_rendered_template_stops_at_the_time_limit(tmp_path):
    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "partials" / "outlook.html.j2").write_text("{{ 9**(9**9) }}")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--theme", str(theme), "-o", str(tmp_path / "b.pdf"),
                     "--timeout", "2", cwd=tmp_path)
    assert result.returncode == 2
    assert "rendering took longer than the 2 s limit" in result.stderr or \
        "rendering used more than the 2 s limit of CPU time" in result.stderr


# YAML nesting -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "meta: " + "[" * 100_000 + "\n", "meta: " + "[" * 20_000 + "]" * 20_000 + "\n",
    "meta: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n", "- " * 100_000 + "x\n"])
def test_deeply_nested_yaml_is_refused_at_once(text):
    with pytest.raises(BriefError) as raised:
        parse_text(text, "brief.yaml", "yaml")
    [problem] = raised.value.problems
    assert problem.message == f"invalid YAML: nested more than {MAX_YAML_DEPTH} levels deep"
    assert problem.line == 1 and problem.column is not None


def test_yaml_nested_to_the_limit_is_read():
    depth = MAX_YAML_DEPTH - 1
    parsed = parse_text("a: " + "[" * depth + "]" * depth + "\n", "brief.yaml", "yaml")
    assert parsed.data["a"] is not None


def test_deeply_nested_front_matter_is_refused():
    with pytest.raises(BriefError) as raised:
        parse_text("---\nmeta: " + "[" * 50_000 + "\n---\n# Title\n", "brief.md", "markdown")
    assert "nested more than" in str(raised.value)


# Content files: regular files of bounded size -------------------------------------------------

def test_a_content_file_that_links_to_dev_zero_is_refused(tmp_path):
    (tmp_path / "brief.yaml").symlink_to("/dev/zero")
    with pytest.raises(BriefError) as raised:
        load(tmp_path / "brief.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path / 'brief.yaml'}: is not a regular file (a device, FIFO or socket); refused"]


def test_a_content_file_that_is_a_fifo_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "brief.yaml")
    with pytest.raises(BriefError) as raised:
        check(tmp_path / "brief.yaml")
    assert "is not a regular file" in str(raised.value)


def test_a_content_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "brief.yaml"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024 ** 3)  # 3 GiB, sparse: nothing is written, and nothing may be read
    with pytest.raises(BriefError) as raised:
        load(big)
    assert "is larger than the 10.0 MiB limit for content files (3072.0 MiB)" in str(raised.value)


def test_a_build_refuses_an_oversized_content_file_before_hashing_it(tmp_path, monkeypatch):
    import briefing.commands.cache as cache
    from briefing.commands.build import build

    big = tmp_path / "brief.yaml"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024 ** 3)

    def no_hashing(path):
        raise AssertionError(f"hashed {path}")

    monkeypatch.setattr(cache, "_file_digest", no_hashing)
    with pytest.raises(BriefError) as raised:
        build(big, tmp_path / "b.pdf")
    assert "is larger than the 10.0 MiB limit for content files" in str(raised.value)


def test_the_content_size_cap_can_be_raised_and_lowered(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    size = content.stat().st_size
    assert MAX_CONTENT_BYTES == 10 * 1024 * 1024
    assert load(content, max_bytes=size).meta.title
    with pytest.raises(BriefError):
        load(content, max_bytes=size - 1)


@pytest.mark.pdf  # runs the command in a new process
def test_validate_takes_max_content_size(tmp_path):
    content = tmp_path / "brief.yaml"
    write_yaml(content, minimal_brief(summary=["x" * 1024 * 1024 + "."] * 2))
    refused = run_cli("validate", str(content), "--max-content-size", "1", cwd=tmp_path)
    assert refused.returncode == 2 and "is larger than the 1.0 MiB limit" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_settings_file_that_is_a_fifo_is_refused(tmp_path):
    theme = tmp_path / "house"
    theme.mkdir()
    os.mkfifo(theme / "theme.yaml")
    with pytest.raises(BriefError) as raised:
        load_theme(theme)
    assert "is not a regular file" in str(raised.value)


# Attachments: size first ------------------------------------------------------------------------

def test_an_oversized_attachment_is_refused_by_its_size_alone(tmp_path):
    big = tmp_path / "data.csv"
    with big.open("wb") as handle:
        handle.truncate(4 * 1024 ** 3)  # 4 GiB, sparse
    with pytest.raises(BriefError) as raised:
        refuse_oversized([big, tmp_path / "missing.csv"])
    assert [str(problem) for problem in raised.value.problems] == [
        f"{big}: --attach: larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB"]


def test_a_build_refuses_an_oversized_attachment_before_hashing_it(tmp_path, monkeypatch):
    import briefing.commands.cache as cache

    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    big = tmp_path / "data.csv"
    with big.open("wb") as handle:
        handle.truncate(4 * 1024 ** 3)

    def no_hashing(path):
        raise AssertionError(f"hashed {path}")

    monkeypatch.setattr(cache, "_file_digest", no_hashing)
    from briefing.commands.build import build

    with pytest.raises(BriefError) as raised:
        build(content, tmp_path / "b.pdf", attach=(big,))
    assert "--attach: larger than 32 MiB" in str(raised.value)


# Numbers too long to convert, limits too large to apply --------------------------------------

@pytest.mark.pdf  # runs the command in a new process
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_an_integer_of_more_than_4300_digits_is_a_located_error(tmp_path, suffix):
    data = minimal_brief()
    if suffix == ".toml":
        text = 'summary = ["One."]\n[meta]\ntitle = "T"\nidentifier = ' + "9" * 5000 + "\n"
    else:
        text = json.dumps(data)[:-1] + ',\n"n": ' + "9" * 5000 + "}"
    path = tmp_path / f"brief{suffix}"
    path.write_text(text)
    result = run_cli("validate", str(path), cwd=tmp_path)
    assert result.returncode == 2
    line = 4 if suffix == ".toml" else 2
    assert f"{path}:{line}:" in result.stderr and "a number of more than 4300 digits" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.pdf
def test_a_brand_file_with_a_4300_digit_integer_is_a_located_error(tmp_path):
    brand = tmp_path / "brand.toml"
    brand.write_text("logo_height = " + "1" * 5000 + "\n")
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--brand", str(brand), "-o", str(tmp_path / "b.pdf"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: {brand}:1:15: invalid TOML: a number of more than 4300 digits" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.pdf  # runs the command in a new process
@pytest.mark.parametrize("option, value, message", [
    ("--timeout", "inf", "--timeout: must be at most 86400 s, got inf"),
    ("--timeout", "1e300", "--timeout: must be at most 86400 s, got 1e+300"),
    ("--timeout", "nan", "--timeout: must be positive, got nan"),
    ("--max-memory", "99999999999999", "--max-memory: must be at most 1048576 MiB, got 99999999999999"),
    ("--max-pages", "99999999999999", "--max-pages: must be at most 1000000, got 99999999999999"),
])
def test_absurd_limits_are_clear_errors_with_exit_status_2(tmp_path, option, value, message):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), option, value, "-o", str(tmp_path / "b.pdf"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_limits_validate_themselves():
    with pytest.raises(BriefError) as raised:
        Limits(timeout=float("inf"), max_memory=10 ** 14, max_pages=True)
    assert [str(problem) for problem in raised.value.problems] == [
        "limits: timeout: must be at most 86400 s, got inf", "limits: max_pages: must be a whole number, got True",
        "limits: max_memory: must be at most 1048576 MiB, got 100000000000000"]
    assert Limits(timeout=None, max_pages=None, max_memory=None).timeout is None
