"""`briefing schema`: a JSON Schema that describes every field and agrees with the loader."""

from __future__ import annotations

import json

import jsonschema
import pytest
from helpers.formats import to_yaml
from helpers import EXAMPLE, minimal_brief, run_cli

from briefing.content.formats import parse_text


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    result = run_cli("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def example_data(path=EXAMPLE):
    kind = "markdown" if path.suffix == ".md" else "yaml"
    return parse_text(path.read_text(encoding="utf-8"), path, kind).data


@pytest.mark.pdf
def test_schema_command_prints_a_valid_json_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_accepts_the_example_brief(schema):
    jsonschema.Draft202012Validator(schema).validate(example_data())
    jsonschema.Draft202012Validator(schema).validate(example_data(EXAMPLE.with_suffix(".md")))


def test_schema_allows_the_editors_schema_key(schema):
    data = {"$schema": "brief.schema.json", **example_data()}
    jsonschema.Draft202012Validator(schema).validate(data)


def test_schema_rejects_an_invalid_brief(schema):
    data = example_data()
    data["meta"]["autors"] = []
    del data["summary"]
    data["background"]["figures"][0].pop("source")
    errors = {error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(data)}
    assert "'summary' is a required property" in errors
    assert "'source' is a required property" in errors
    assert any("'autors' was unexpected" in message for message in errors)


def test_schema_describes_every_field(schema):
    undescribed = []

    def walk(node, where):
        if isinstance(node, dict):
            for name, field in node.get("properties", {}).items():
                if not field.get("description"):
                    undescribed.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(schema, "")
    assert undescribed == []
    assert all(definition.get("description") for definition in schema["$defs"].values())


def test_schema_and_loader_agree_on_a_minimal_brief(schema):
    data = parse_text(to_yaml(minimal_brief()), "brief.yaml", "yaml").data
    jsonschema.Draft202012Validator(schema).validate(data)


@pytest.mark.pdf
def test_schema_can_be_written_to_a_file(tmp_path, schema):
    result = run_cli("schema", "-o", "brief.schema.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "brief.schema.json").read_text(encoding="utf-8")) == schema
