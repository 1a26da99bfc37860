"""Schema: the JSON Schema of a brief, for editors and other tools.

Point an editor at it and fields autocomplete and are checked while typing;
see docs/content-format.md. The schema is made from the models, so it never
disagrees with them; checks that span fields (a `source` must name a listed
source, a quote needs a source) are the loader's and not in the schema.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from .models import Brief

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a brief's content."""
    schema = Brief.model_json_schema(mode="validation")
    schema["properties"] = {
        "$schema": {"type": "string", "description": "Where editors find this schema (a path or URL); "
                                                     "briefing ignores it."},
        **schema["properties"],
    }
    return {"$schema": SCHEMA_DIALECT, "$comment": f"briefing {__version__}", **schema}


def json_schema_text() -> str:
    """The schema as stable, readable JSON text (same bytes for the same version)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
