"""The JSON Schema of the brief format, generated from the pydantic model.

Editors with a YAML language server (VS Code, Neovim, JetBrains) read it to autocomplete keys,
show each field's description on hover and flag mistakes while the analyst types.
"""

from __future__ import annotations

import json
from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# An identifier, not a download location: the schema is generated locally by `reportgen
# schema`, so its identity must not depend on where a repository of briefs happens to live.
# The format's version is in it (1.1 added key figures, the map and images).
SCHEMA_ID = "urn:reportgen:schema:brief:1.1"
SCHEMA_FILE = "brief.schema.json"


def brief_schema() -> dict[str, Any]:
    from reportgen.brief.model import Brief

    generated = Brief.model_json_schema(by_alias=True)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "reportgen brief",
    }
    schema.update((k, v) for k, v in generated.items() if k != "title")
    return schema


def schema_text() -> str:
    """The schema as the file `reportgen schema` writes: stable key order, UTF-8, final newline."""
    return json.dumps(brief_schema(), indent=2, ensure_ascii=False) + "\n"


def undocumented_fields(schema: dict[str, Any]) -> list[str]:
    """Properties that carry no description (the tests keep this list empty)."""
    missing = []
    objects = [("", schema)] + [(f"$defs.{name}.", d) for name, d in
                                schema.get("$defs", {}).items()]
    for prefix, obj in objects:
        missing += [prefix + key for key, prop in obj.get("properties", {}).items()
                    if not prop.get("description")]
    return missing
