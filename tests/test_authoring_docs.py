"""docs/content-format.md: its examples load, and it explains every field of every model."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT

from briefing import load_text
from briefing.content import models

DOC = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")


def code_blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, flags=re.S | re.M)


@pytest.mark.parametrize("language, format", [("markdown", "markdown"), ("json", "json"), ("toml", "toml")])
def test_the_docs_examples_are_valid_briefs(language, format):
    (example,) = code_blocks(language)
    assert load_text(example, format).meta.title


def test_editor_schema_pointers_are_accepted_by_the_loader():
    (json_example,) = code_blocks("json")
    assert '"$schema"' in json_example
    (toml_example,) = code_blocks("toml")
    assert load_text("#:schema ./brief.schema.json\n" + toml_example, "toml")
    modeline = re.search(r"^ *(# yaml-language-server: \$schema=\S+)$", DOC, flags=re.M).group(1)
    (markdown_example,) = code_blocks("markdown")
    front = markdown_example.removeprefix("---\n").split("\n---\n", 1)[0]
    assert load_text(modeline + "\n" + front.replace("background:\n", "background:\n  body: Text.\n"), "yaml")


@pytest.mark.parametrize("model", [models.Brief, models.Meta, models.Author, models.Background, models.Event,
                                   models.Figure, models.LegalDeadlock, models.Position, models.Agreement,
                                   models.Ruling, models.ExpertProposals, models.Proposal, models.Expert,
                                   models.Outlook, models.Signpost, models.Source, models.Labels],
                         ids=lambda model: model.__name__)
def test_the_docs_name_every_field(model):
    missing = [name for name in model.model_fields if f"`{name}`" not in DOC]
    assert missing == []
