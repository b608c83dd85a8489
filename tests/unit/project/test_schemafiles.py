"""The schemas editors use (DESIGN §11): strict 2020-12, made from the registered kinds, errors in
words; the environments example passes the schema its modeline names."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.support import ROOT

SCHEMAS = ROOT / "botops" / "schemas"


def _standard_keywords() -> set[str]:
    """Every keyword of JSON Schema 2020-12: the properties of its vocabularies' metaschemas."""
    from jsonschema_specifications import REGISTRY

    found: set[str] = set()
    for vocabulary in Draft202012Validator.META_SCHEMA["allOf"]:
        uri = "https://json-schema.org/draft/2020-12/" + vocabulary["$ref"]
        found |= set(REGISTRY.contents(uri).get("properties", {}))
    return found


STANDARD = _standard_keywords()
# The three editor keywords yaml-language-server reads, declared to Ajv.
EDITOR = {"markdownDescription", "patternErrorMessage", "errorMessage"}


def keywords(node: Any, inside_properties: bool = False) -> set[str]:
    """Every keyword used in a schema (property names under `properties` are not keywords)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not inside_properties:
                found.add(key)
            found |= keywords(value, key in ("properties", "$defs") and not inside_properties)
    elif isinstance(node, list):
        for item in node:
            found |= keywords(item)
    return found


def load_schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


# --- the schemas ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_schema_is_2020_12_with_only_editor_keywords_added(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"$ref", "properties", "pattern", "description"} <= STANDARD
    assert keywords(schema) - STANDARD <= EDITOR


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_pattern_errors_read_as_words(name: str) -> None:
    def patterns(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            here = [node] if "pattern" in node else []
            return here + [p for v in node.values() for p in patterns(v)]
        return [p for v in node for p in patterns(v)] if isinstance(node, list) else []

    for schema in patterns(load_schema(name)):
        message = schema.get("patternErrorMessage", "")
        assert message.startswith("Expected ") and not re.search(r"[\^$\\]|\[[A-Za-z0-9]", message)


def test_resource_schema_is_made_from_the_registered_kinds() -> None:
    from botops.project.schemafiles import resource_schema

    assert load_schema("resource.schema.json") == resource_schema(), (
        "a kind was added or changed: write botops/schemas/resource.schema.json from "
        "botops.project.schemafiles.resource_schema()"
    )


def test_resource_schema_picks_the_kinds_schema_from_kind() -> None:
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s))
        for s in map(load_schema, ["voicebot.schema.json", "assistant.schema.json"])
    )
    validator = Draft202012Validator(load_schema("resource.schema.json"), registry=registry)

    def errors(document: dict[str, Any]) -> list[str]:
        return sorted(e.message for e in validator.iter_errors(document))

    assert errors({"kind": "Voicebot", "name": "A"}) == []
    assert errors({"kind": "Assistant", "assistant_id": "a1", "llm_config": {"model": "x"}}) == []
    # An assistant's field in a voicebot is unknown there, and the other way round.
    assert errors({"kind": "Voicebot", "name": "A", "llm_config": {}}) != []
    assert errors({"kind": "Assistant", "assistant_id": "a1", "name": "A"}) != []
    assert errors({"kind": "Voicbot", "name": "A"}) != []
    assert errors({"name": "A"}) == ["'kind' is a required property"]


# ---------------------------------------------------------------------------------- example

EXAMPLE = ROOT / "examples" / "environments"


def test_the_environments_example_validates_in_an_editor() -> None:
    """What yaml-language-server sees: each file against the schema its modeline names."""
    for file in [EXAMPLE / "botops.yaml", *sorted((EXAMPLE / "bots").glob("*.yaml"))]:
        text = file.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), file
        schema_path = (file.parent / first.split("=", 1)[1]).resolve()
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        errors = list(Draft202012Validator(schema).iter_errors(yaml.safe_load(text)))
        assert errors == [], (file, [e.message for e in errors])
