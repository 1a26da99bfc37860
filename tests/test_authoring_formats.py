"""Content formats: YAML, JSON, TOML and Markdown with front matter give the same brief,
and every mistake in a file is reported at once, located and readable."""

from __future__ import annotations

import textwrap

import pytest
from helpers.formats import SUFFIXES, WRITERS, to_yaml
from helpers import EXAMPLE, minimal_brief, pdf_text, run_cli

from briefing import BriefError, build, load, load_text

EXAMPLE_MD = EXAMPLE.with_suffix(".md")


def problems_of(text: str, format: str = "yaml") -> list[str]:
    with pytest.raises(BriefError) as caught:
        load_text(text, format, path="brief")
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("format", ["yaml", "json", "toml", "markdown"])
def test_every_format_loads_the_same_brief(tmp_path, format):
    data = minimal_brief()
    expected = load_text(to_yaml(data), "yaml")
    path = tmp_path / f"brief{SUFFIXES[format]}"
    path.write_text(WRITERS[format](data), encoding="utf-8")
    assert load(path) == expected


def test_windows_line_endings_read_like_unix_ones():
    for format in ("yaml", "json", "toml", "markdown"):
        text = WRITERS[format](minimal_brief())
        assert load_text(text.replace("\n", "\r\n"), format) == load_text(text, format)


def test_markdown_headings_become_section_bodies_and_titles():
    text = textwrap.dedent("""\
        ---
        meta: {title: T, date: 2024-05-01}
        summary: [One, Two]
        outlook:
          signposts: [{item: Watch this.}]
        ---

        ## Background

        First paragraph.

        ### A subheading stays in the body

        Second paragraph.

        ## What comes next {#outlook}

        The outlook.
        """)
    brief = load_text(text, "markdown")
    assert brief.background.title == "Background"
    assert brief.background.body == ("First paragraph.\n\n### A subheading stays in the body\n\n"
                                     "Second paragraph.")
    assert brief.outlook.title == "What comes next"
    assert brief.outlook.body == "The outlook."
    assert brief.outlook.signposts[0].item == "Watch this."


def test_markdown_heading_that_names_no_section_is_located():
    text = "---\nmeta: {title: T, date: 2024-05-01}\nsummary: [One]\n---\n\n## Background\n\nText.\n\n## Conclusoins\n\nMore.\n"
    assert problems_of(text, "markdown") == [
        "brief:10:4: heading 'Conclusoins' names no section (background, legal_deadlock, expert_proposals, "
        "outlook); write its kind after it, as in `## Conclusoins {#background}`"]


def test_markdown_front_matter_errors_point_at_lines_of_the_whole_file():
    text = "---\nmeta:\n  title: T\n  date: 2024-05-01\n  autors: []\nsummary: [One]\n---\n\n## Background\n\nText.\n"
    assert problems_of(text, "markdown") == ["brief:5:3: meta.autors: unknown field; did you mean 'authors'?"]


def test_markdown_missing_body_says_which_heading_to_write():
    text = "---\nmeta: {title: T, date: 2024-05-01}\nsummary: [One]\nbackground: {timeline: []}\n---\n"
    assert problems_of(text, "markdown") == [
        "brief:4:1: background.body: required field is missing (write it under a `## Background` heading)"]


@pytest.mark.pdf
def test_example_in_markdown_renders_the_same_text_as_the_yaml_example(example_pdf, tmp_path):
    markdown_pdf = build(EXAMPLE_MD, tmp_path / "example-md.pdf").pdf
    assert pdf_text(markdown_pdf) == pdf_text(example_pdf)


def test_example_in_markdown_is_the_yaml_example_field_for_field():
    def words(value):
        if isinstance(value, dict):
            return {key: words(item) for key, item in value.items()}
        if isinstance(value, list):
            return [words(item) for item in value]
        return " ".join(value.split()) if isinstance(value, str) else value

    assert words(load(EXAMPLE_MD).model_dump()) == words(load(EXAMPLE).model_dump())


def test_markdown_body_written_twice_and_stray_text_are_errors():
    text = ("---\nmeta: {title: T, date: 2024-05-01}\nsummary: [One]\nbackground:\n  body: In front.\n---\n"
            "Stray words.\n\n## Background\n\nUnder the heading.\n\n## Outlook\n\nA.\n\n## outlook\n\nB.\n")
    assert problems_of(text, "markdown") == [
        "brief:5:3: background.body: the body is written both here and under the heading on line 9; keep one",
        "brief:7:1: text before the first `## ` section heading belongs to no section",
        "brief:17:1: outlook: a second `outlook` heading (the first is on line 13)",
    ]


# YAML traps ---------------------------------------------------------------------------------------

def test_yaml_no_yes_and_on_stay_strings():
    data = minimal_brief(legal_deadlock={"positions": [{"party": "NO", "stance": "yes"},
                                                       {"party": "on", "stance": "Off"}]})
    text = to_yaml(data).replace("'NO'", "NO").replace("'yes'", "yes").replace("'on'", "on")
    assert "party: NO" in text
    positions = load_text(text).legal_deadlock.positions
    assert [(p.party, p.stance) for p in positions] == [("NO", "yes"), ("on", "Off")]


def test_yaml_number_like_text_keeps_its_digits():
    data = minimal_brief()
    text = to_yaml(data).replace("value: 60 million", "value: 1.10")
    assert load_text(text).background.figures[0].value == "1.10"


def test_yaml_duplicate_keys_are_errors():
    text = to_yaml(minimal_brief()).replace("  language: en\n", "  language: en\n  language: fr\n")
    assert problems_of(text) == [
        "brief:5:3: meta.language: duplicate key 'language' (first given on line 4); the later value is ignored"]


def test_yaml_python_tags_are_refused():
    text = to_yaml(minimal_brief()).replace("title: Water sharing", "title: !!python/object/apply:os.system Water")
    assert problems_of(text) == [
        "brief:2:10: meta.title: tag !!python/object/apply:os.system is not allowed; content is plain data"]


def test_yaml_alias_bomb_is_refused_without_expanding():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8))
    problems = problems_of(bomb)
    assert len(problems) > 8
    assert all("alias" in problem or "unknown field" in problem or "required" in problem
               for problem in problems)


def test_yaml_tab_indentation_is_reported_and_the_rest_still_checked():
    text = "meta:\n  title: T\n\tdate: 2024-05-01\n  autors: []\nsummary: [One]\nbackground: {body: B}\n"
    assert problems_of(text) == [
        "brief:3:1: meta.date: tab used for indentation; YAML indents with spaces",
        "brief:4:3: meta.autors: unknown field; did you mean 'authors'?",
    ]


def test_yaml_syntax_error_is_located():
    assert problems_of("meta:\n  title: [T\nsummary: x\n") == [
        "brief:3:8: invalid YAML: while parsing a flow sequence did not find expected ',' or ']', but found ':'"]


def test_yaml_read_without_libyaml_gives_the_same_data_positions_and_problems(monkeypatch):
    """PyYAML built without libyaml parses in Python: the same events, so the same brief."""
    import yaml

    from briefing.content.formats import parse_yaml

    assert yaml.__with_libyaml__, "PyYAML without libyaml: briefing reads YAML about thirty times slower"
    texts = [EXAMPLE.read_text(encoding="utf-8"), "a: 한국어\nb: [x, ]\nc: &x 1\nd: *x\ne: !!int 5\n",
             "meta:\n  title: T\n\tdate: 2024-05-01\n", "a:\n  - b\n  -\n  - ''\nb: {c: d, c: e}\n"]
    with_c = [parse_yaml(text, "brief") for text in texts]
    monkeypatch.delattr(yaml, "CBaseLoader")
    in_python = [parse_yaml(text, "brief") for text in texts]
    for c, python in zip(with_c, in_python):
        assert (c.data, c.positions, c.problems) == (python.data, python.positions, python.problems)
    assert [str(problem) for problem in in_python[1].problems] == [
        "brief:4:4: d: alias *x is not allowed; write the value out",
        "brief:5:4: e: tag !!int is not allowed; content is plain data"]


def test_yaml_errors_name_the_character_the_parser_stopped_at():
    assert problems_of("meta:\n  title: `T`\n") == [
        "brief:2:10: invalid YAML: while scanning for the next token found character '`' that cannot start any token"]
    assert problems_of('meta:\n  title: "a\\q"\n') == [
        "brief:2:12: invalid YAML: while parsing a quoted scalar found unknown escape character '\\\\q'"]
    assert problems_of("meta: [a, b\n") == [
        "brief:2:1: invalid YAML: while parsing a flow sequence did not find expected ',' or ']', "
        "but found the end of the line"]


# JSON and TOML ------------------------------------------------------------------------------------

def test_json_duplicate_keys_are_errors_located_at_the_second_key():
    text = '{\n  "meta": {"title": "T", "date": "2024-05-01", "title": "U"},\n  "summary": ["One"],\n' \
           '  "background": {"body": "B"}\n}\n'
    assert problems_of(text, "json") == [
        "brief:2:48: meta.title: duplicate key 'title' (first given on line 2); the later value is ignored"]


def test_json_errors_point_at_the_value():
    data = minimal_brief()
    data["meta"]["keywords"] = "water"
    text = WRITERS["json"](data)
    line = next(number for number, row in enumerate(text.split("\n"), 1) if '"keywords"' in row)
    assert problems_of(text, "json") == [f"brief:{line}:17: meta.keywords: input should be a valid list, got 'water'"]


def test_toml_errors_point_at_the_key_line():
    text = textwrap.dedent("""\
        summary = ["One"]

        [meta]
        title = "T"
        date = 2024-05-01
        autors = []

        [background]
        body = "B"

        [[background.timeline]]
        date = 1995
        event = "Signed."

        [[background.timeline]]
        date = "1995-13"
        event = "Signed again."
        """)
    assert problems_of(text, "toml") == [
        "brief:6:1: meta.autors: unknown field; did you mean 'authors'?",
        "brief:16:8: background.timeline.1.date: not a real date: month must be in 1..12",
    ]


def test_toml_positions_follow_sub_tables_dotted_keys_and_multi_line_values():
    text = textwrap.dedent('''\
        summary = [
          "One",
          "Two",
        ]

        [meta]
        title = "T"
        date = 2024-05-01
        authors = [{name = "A", affiliaton = "X"}]

        [background]
        body = """
        Text with [brackets and = signs
        [meta]
        """

        [[expert_proposals.proposals]]
        proposal = "P"

        [expert_proposals.proposals.expert]
        name = "N"
        rank = "R"

        [[expert_proposals.proposals]]
        proposal = "P2"
        expert.name = "M"
        expert.title = "Dr"
        ''')
    assert problems_of(text, "toml") == [
        "brief:9:1: meta.authors.0.affiliaton: unknown field; did you mean 'affiliation'?",
        "brief:22:1: expert_proposals.proposals.0.expert.rank: unknown field (allowed: name, role, affiliation, language)",
        "brief:27:1: expert_proposals.proposals.1.expert.title: unknown field (allowed: name, role, affiliation, language)",
    ]


def test_toml_positions_find_every_field_of_the_example():
    from helpers.formats import to_toml

    from briefing.content.formats import parse_text, toml_positions

    data = parse_text(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE, "yaml").data
    text = to_toml(data)
    positions, lines = toml_positions(text), text.split("\n")

    def leaves(value, loc=()):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from leaves(item, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from leaves(item, (*loc, index))
        else:
            yield loc

    for loc in leaves(data):
        line, _ = positions.locate(loc)
        key = [step for step in loc if isinstance(step, str)][-1]
        assert lines[line - 1].startswith(key), (loc, line)


def test_toml_syntax_error_is_located():
    assert problems_of('[meta]\ntitle = "T"\ntitle = "U"\n', "toml") == [
        "brief:3:12: invalid TOML: cannot overwrite a value"]


# Ten mistakes in one file -------------------------------------------------------------------------

TEN_MISTAKES = """\
meta:
  title: Water sharing on the Mekong
  date: 2024-02-30
  language: en
  authers:
    - name: Ada Analyst
  keywords: water
summary:
  - Dams upstream change the river downstream.
background:
  body: The river crosses six countries.
  timeline:
    - date: 1995
      event: The Mekong Agreement is signed.
\t  source: mrc
legal_deadlock:
  positions:
    - party: NO
      stance: Against.
    - party: Laos
legal_deadlock: {}
expert_proposals:
  proposals:
    - expert: {name: Bo Expert}
      proposal: Share data.
      quote: Data is the first dam to open.
      source: unknown-report
outlook:
  body:
    - Talks resume next year.
sources:
  - id: mrc
    title: !!python/object:os.system State of the Basin
    date: 1.10
"""


@pytest.mark.pdf
def test_ten_mistakes_give_ten_located_errors_and_status_2(tmp_path):
    content = tmp_path / "mistakes.yaml"
    content.write_text(TEN_MISTAKES, encoding="utf-8")
    result = run_cli("validate", str(content), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"{content}:{line}" for line in [
        "3:9: meta.date: not a real date: day is out of range for month",
        "5:3: meta.authers: unknown field; did you mean 'authors'?",
        "7:13: meta.keywords: input should be a valid list, got 'water'",
        "15:1: background.timeline.0.source: tab used for indentation; YAML indents with spaces",
        "20:7: legal_deadlock.positions.1.stance: required field is missing",
        "21:1: legal_deadlock: duplicate key 'legal_deadlock' (first given on line 16); the later value is ignored",
        "27:15: expert_proposals.proposals.0.source: cites source 'unknown-report', which is not in sources "
        "(known: mrc)",
        "29:3: outlook.body: input should be a valid string, got a list",
        "33:12: sources.0.title: tag !!python/object:os.system is not allowed; content is plain data",
        "34:11: sources.0.date: expected a date such as 2021, 2021-02 or 2021-02-28",
    ]]


def test_no_as_a_party_name_among_mistakes_is_not_one_of_them():
    problems = problems_of(TEN_MISTAKES)
    assert not any("party" in problem and "positions.0" in problem for problem in problems)


@pytest.mark.parametrize("name, text, expected", [
    ("brief.txt", "x", "unknown content format '.txt'"),
    ("brief.yaml", None, "no such file"),
    ("brief.yaml", "- a list\n", "1:1: expected a mapping of sections"),
    ("brief.md", "no front matter\n", "1:1: a Markdown brief starts with front matter"),
])
@pytest.mark.pdf
def test_unreadable_files_get_one_clear_error(tmp_path, name, text, expected):
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:") and expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.pdf
def test_markdown_example_validates_from_the_command_line(tmp_path):
    result = run_cli("validate", str(EXAMPLE_MD), str(EXAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{EXAMPLE_MD}: ok", f"{EXAMPLE}: ok"]
    assert result.stderr == ""


def test_quote_without_source_is_reported_even_when_its_proposal_has_other_errors():
    text = textwrap.dedent("""\
        meta: {title: T, date: 2024-01-01}
        summary: [a]
        background: {body: b}
        expert_proposals:
          proposals:
            - expert: {name: N, rank: 1}
              proposal: P
              quote: Q
        """)
    assert problems_of(text) == [
        "brief:6:7: expert_proposals.proposals.0.source: a quote must name its source",
        "brief:6:25: expert_proposals.proposals.0.expert.rank: unknown field (allowed: name, role, affiliation, language)",
    ]
