"""Preflight: one small brief per finding, built once, each reporting exactly its finding
at the right field and line; a clean brief reports none."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import EXAMPLE, ROOT, minimal_brief, run_cli, write_yaml

pytestmark = pytest.mark.pdf

ARTICLE = ROOT.parent / "shared" / "seed" / "korea-japan-article.txt"
QUOTE = "Data is the first dam to open."
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
        '<rect width="40" height="10" fill="#0b4f6c"/></svg>')
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082")


def words(count: int) -> str:
    return " ".join(["lorem"] * count)


def clean_brief(**overrides):
    """A brief with nothing to find: two takeaways, its quote archived beside it."""
    data = minimal_brief(summary=["Dams upstream change the river downstream.", "Data sharing is the first step."])
    data["sources"][0]["archive"] = "sources/mrc.txt"
    data.update(overrides)
    return data


def built(tmp_path, data, *, files=None, **options):
    """Write the brief (and its archive and other files) and build it once; the findings as (code, field, line)."""
    from briefing import build

    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "mrc.txt").write_text(f"The commission writes: “{QUOTE}” So it said.\n", encoding="utf-8")
    for name, body in (files or {}).items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body) if isinstance(body, bytes) else target.write_text(body, encoding="utf-8")
    content = write_yaml(tmp_path / "brief.yaml", data)
    result = build(content, tmp_path / "out" / "brief.pdf", **options)
    return content, [problem for problem in result.warnings if problem.severity != "info"]


def line_of(path, needle: str, after: str = "") -> int:
    """The 1-based line of the first line holding `needle` (after the first line holding `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(index for index, line in enumerate(lines) if after in line) if after else 0
    return next(index for index, line in enumerate(lines[start:], start) if needle in line) + 1


def line_and_column(path, needle: str) -> tuple[int, int]:
    line = line_of(path, needle)
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    return line, text.index(needle) + 1


def found(problems):
    return [(problem.code, problem.field, problem.line) for problem in problems]


def test_a_clean_brief_has_no_findings(tmp_path):
    _, problems = built(tmp_path, clean_brief())
    assert found(problems) == []


def test_an_unbreakable_word_overflows_the_page_at_its_field(tmp_path):
    data = clean_brief()
    data["background"]["body"] = "Before " + "x" * 300 + " after."
    content, problems = built(tmp_path, data)
    assert found(problems) == [("overflow", "background.body", line_of(content, "Before"))]
    assert "past the right edge of the text on page 1" in problems[0].message
    assert "fix:" in problems[0].message and "WCAG 2.2 SC 1.4.10" in problems[0].message
    assert problems[0].column == line_and_column(content, "Before")[1]


def test_a_long_date_label_overflows_its_box_in_the_timeline(tmp_path):
    data = clean_brief()
    data["background"]["timeline"][0]["when"] = "Springtime2025extraordinarily"
    content, problems = built(tmp_path, data)
    assert found(problems) == [("overflow", "background.timeline.0.when", line_of(content, "Springtime"))]
    assert "past its box (.timeline-date) on page 1" in problems[0].message


def test_takeaways_past_page_1(tmp_path):
    data = clean_brief(summary=[f"Takeaway {number} " + words(20) for number in range(5)])
    data["meta"].update(title=words(70), subtitle=words(120), short_title="Short")
    content, problems = built(tmp_path, data)
    codes = found(problems)
    assert [code for code, _, _ in codes] == ["takeaways_past_page_1"], codes
    field = codes[0][1]
    assert field.startswith("summary.")
    index = int(field.split(".")[1])
    assert codes[0][2] == line_of(content, f"Takeaway {index} ")


def test_page_budget_names_the_pages_each_section_takes(tmp_path):
    data = clean_brief()
    data["meta"]["page_budget"] = 1
    content, problems = built(tmp_path, data)
    assert found(problems) == [("page_budget", "meta.page_budget", line_of(content, "page_budget:"))]
    assert "the brief takes 2 pages, 1 over its budget of 1" in problems[0].message
    assert "Background" in problems[0].message


def test_word_budget(tmp_path):
    data = clean_brief()
    data["meta"]["word_budget"] = 20
    content, problems = built(tmp_path, data)
    assert found(problems) == [("word_budget", "meta.word_budget", line_of(content, "word_budget:"))]
    assert "over its budget of 20" in problems[0].message


def test_a_heading_stranded_at_the_foot_of_a_page(tmp_path):
    data = clean_brief(summary=["Dams upstream change the river downstream " + words(20)] * 5)
    data["meta"].update(title=words(60), subtitle=words(60), short_title="Short")
    content, problems = built(tmp_path, data)
    assert found(problems) == [("stranded", "background.title", line_of(content, "background:"))]
    assert "heading is stranded at the foot of page 1" in problems[0].message


@pytest.fixture
def breaking_theme(tmp_path):
    """A theme that breaks the page where it should not: between an expert's name line and the proposal."""
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\nstylesheets: [brief.css, breaks.css]\n")
    (theme / "breaks.css").write_text(".proposal-text { break-before: page; }\n")
    return theme


def test_an_expert_name_line_stranded(tmp_path, breaking_theme):
    content, problems = built(tmp_path, clean_brief(), theme=breaking_theme)
    assert found(problems) == [("stranded", "expert_proposals.proposals.0.expert", line_of(content, "expert:"))]
    assert "expert's name line" in problems[0].message


def test_a_pull_quote_split_across_pages(tmp_path):
    data = clean_brief()
    data["sources"][0].pop("archive")
    data["expert_proposals"]["proposals"][0]["quote"] = words(700)
    content, problems = built(tmp_path, data)
    assert found(problems) == [("split_block", "expert_proposals.proposals.0.quote", line_of(content, "quote:"))]
    assert "pull quote is split across pages" in problems[0].message


def test_a_page_left_empty_by_a_block_that_moved(tmp_path):
    data = clean_brief()
    data.pop("expert_proposals")
    data["sources"][0].pop("archive")
    data["outlook"]["signposts"] = [{"item": words(25)} for _ in range(14)]
    content, problems = built(tmp_path, data)
    assert found(problems) == [("page_left_empty", "outlook.signposts", line_of(content, "signposts:"))]
    assert "moved to page 2, leaving" in problems[0].message and "of page 1 empty" in problems[0].message


def wrapping_theme(tmp_path):
    """The default theme as a house might change it: running header and dateline free to wrap."""
    import shutil

    from briefing.themes.theme import builtin_themes

    theme = tmp_path / "wrapping-theme"
    shutil.copytree(builtin_themes() / "default", theme)
    css = theme / "brief.css"
    css.write_text(css.read_text(encoding="utf-8").replace("line-clamp: 1;", "line-clamp: none;"), encoding="utf-8")
    return theme


def test_a_running_header_that_wraps_suggests_short_title(tmp_path):
    data = clean_brief()
    data["meta"]["title"] = "A " + words(30)
    data["background"]["body"] = "\n\n".join([words(120)] * 8)
    content, problems = built(tmp_path, data, theme=wrapping_theme(tmp_path))
    assert found(problems) == [("running_head_wraps", "meta.title", line_of(content, "title: A lorem"))]
    assert "set meta.short_title" in problems[0].message


def test_a_long_series_wraps_the_dateline(tmp_path):
    data = clean_brief()
    data["meta"]["series"] = "The Extraordinarily Long Series Name of the Institute for Very Long Names"
    content, problems = built(tmp_path, data, theme=wrapping_theme(tmp_path))
    assert found(problems) == [("dateline_wraps", "meta.series", line_of(content, "series:"))]


def test_low_contrast_brand_colour_is_located_in_the_brand_file(tmp_path):
    brand = "colors:\n  accent: '#8fb8cc'\n"
    _, problems = built(tmp_path, clean_brief(), files={"brand.yaml": brand})
    assert found(problems) == [("low_contrast", "colors.accent", 2)]
    assert str(problems[0].path).endswith("brand.yaml") and problems[0].column == 11
    message = problems[0].message
    assert "colors.accent #8fb8cc on --color-paper #ffffff" in message and ":1" in message
    assert "WCAG 2.2 SC 1.4.3" in message and "fix: use #" in message


def test_low_contrast_theme_token_is_located_in_the_stylesheet(tmp_path):
    theme = tmp_path / "pale"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\nstylesheets: [brief.css, pale.css]\n")
    (theme / "pale.css").write_text("/* A paler grey. */\n:root {\n  --color-muted: #a9b0b8;\n}\n")
    _, problems = built(tmp_path, clean_brief(), theme=theme)
    assert found(problems) == [("low_contrast", "--color-muted", 3)]
    assert problems[0].path == theme / "pale.css" and problems[0].column == 3
    assert "--color-muted #a9b0b8 on --color-paper #ffffff" in problems[0].message


def test_a_logo_without_alt_text(tmp_path):
    brand = "logo: logo.svg\n"
    _, problems = built(tmp_path, clean_brief(), files={"brand.yaml": brand, "logo.svg": LOGO})
    assert found(problems) == [("image_without_alt", "logo", 1)]
    assert "Matterhorn 13-004" in problems[0].message and "logo_alt" in problems[0].message


def test_an_image_in_prose_without_alt_text(tmp_path):
    data = clean_brief()
    data["background"]["body"] = "The basin: ![](basin.png)"
    content, problems = built(tmp_path, data, files={"basin.png": PIXEL})
    assert found(problems) == [("image_without_alt", "background.body", line_of(content, "basin.png"))]


def test_a_skipped_heading_level_in_a_template_override(tmp_path):
    override = tmp_path / "templates" / "partials"
    override.mkdir(parents=True)
    outlook = (ROOT / "templates" / "default" / "partials" / "outlook.html.j2").read_text(encoding="utf-8")
    outlook = outlook.replace('<div class="prose"', '<h4 class="kicker">Looking ahead</h4>\n  <div class="prose"', 1)
    (override / "outlook.html.j2").write_text(outlook, encoding="utf-8")
    _, problems = built(tmp_path, clean_brief(), templates=tmp_path / "templates")
    template = override / "outlook.html.j2"
    assert found(problems) == [("heading_skipped", "", line_of(template, "<h4"))]
    assert problems[0].path == template and "h4 right after an h2" in problems[0].message


def test_link_text_that_says_nothing(tmp_path):
    data = clean_brief()
    data["background"]["body"] = "The report is [here](https://example.org/report)."
    content, problems = built(tmp_path, data)
    assert found(problems) == [("vague_link", "background.body", line_of(content, "[here]"))]


def test_a_bare_address_as_link_text_where_the_title_is_known(tmp_path):
    data = clean_brief()
    data["sources"][0]["url"] = "https://example.org/basin"
    data["background"]["body"] = "See <https://example.org/basin>."
    content, problems = built(tmp_path, data)
    assert found(problems) == [("bare_url_link", "background.body", line_of(content, "See <https"))]
    assert "[State of the Basin](https://example.org/basin)" in problems[0].message


def test_a_quote_that_differs_from_its_archive_names_the_words(tmp_path):
    data = clean_brief()
    data["expert_proposals"]["proposals"][0]["quote"] = "Data is the first gate to open."
    content, problems = built(tmp_path, data)
    assert found(problems) == [("quote_differs", "expert_proposals.proposals.0.quote", line_of(content, "quote:"))]
    assert 'differs from the source at “gate” (source: “…the first dam”)' in problems[0].message


def test_a_quoted_passage_in_a_proposal_is_checked_too(tmp_path):
    data = clean_brief()
    data["expert_proposals"]["proposals"][0]["proposal"] = "She says “data is the first gate” to open."
    content, problems = built(tmp_path, data)
    assert found(problems) == [("quote_differs", "expert_proposals.proposals.0.proposal",
                                line_of(content, "proposal: She says"))]


def test_an_archive_outside_the_content_folder_is_an_error(tmp_path):
    data = clean_brief()
    data["sources"][0]["archive"] = "../elsewhere.txt"
    (tmp_path / "brief").mkdir()
    content = write_yaml(tmp_path / "brief" / "brief.yaml", data)
    result = run_cli("validate", str(content), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{content}:{line_of(content, 'archive:')}:" in result.stderr
    assert "sources.0.archive: '../elsewhere.txt' is outside the content file's folder" in result.stderr


def test_check_reports_findings_and_strict_fails_with_json(tmp_path):
    data = clean_brief()
    data["meta"]["word_budget"] = 20
    data["sources"][0].pop("archive")
    content = write_yaml(tmp_path / "brief.yaml", data)
    plain = run_cli("check", "brief.yaml", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert f"brief.yaml:{line_of(content, 'word_budget:')}:" in plain.stdout
    assert "unverified" not in plain.stdout  # only with --strict
    strict = run_cli("check", "--strict", "--format", "json", "brief.yaml", cwd=tmp_path)
    assert strict.returncode == 2
    findings = json.loads(strict.stdout)
    assert {item["code"] for item in findings} == {"word_budget", "unverified_quote"}
    unverified = next(item for item in findings if item["code"] == "unverified_quote")
    assert unverified["field"] == "expert_proposals.proposals.0.quote" and unverified["line"] == line_of(content, "quote:")
    assert set(unverified) >= {"code", "severity", "field", "line", "column", "message"}
    # The build prints the same findings as warnings, from the cache it shares with check.
    build = run_cli("build", "brief.yaml", cwd=tmp_path)
    assert build.returncode == 0 and "up to date" in build.stdout
    assert f"warning: brief.yaml:{line_of(content, 'word_budget:')}:" in build.stderr


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the source article is not beside the repository")
def test_the_example_with_its_article_archived_passes_check_strict(tmp_path):
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    source = next(item for item in data["sources"] if item["id"] == "st-2021")
    source["archive"] = "sources/st-2021.txt"
    (tmp_path / "sources").mkdir()
    shutil.copyfile(ARTICLE, tmp_path / "sources" / "st-2021.txt")
    with (tmp_path / "brief.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    result = run_cli("check", "--strict", "brief.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
