"""Checking documents against the JSON Schemas in `schemas/`, in words a user can act on.

Shared by the resource loader (`project.loader`), the project file (`project.settings`) and
import, which reads the schemas for what a file may hold: every schema problem is an `Issue` at
the offending key (unknown keys) or value (everything else; the mapping for a missing key), and
an unknown word gets a did-you-mean.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from botops.support.yamlpos import Document, Issue, NodePath, excerpt

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


def schema_issues(document: Document, schema_file: str) -> list[Issue]:
    """Every way `document` breaks `schema_file` (in `schemas/`), in words, at the offending
    key (unknown keys) or value (everything else; the mapping for a missing key)."""
    if plainly_valid(document.value, schema_file):
        return []
    issues: list[Issue] = []
    for error in validator(schema_file).iter_errors(document.value):
        issues.extend(_explain(error, document))
    return issues


@cache
def schema(schema_file: str) -> dict[str, Any]:
    """The JSON Schema `schema_file` (in `schemas/`), read once."""
    loaded: dict[str, Any] = json.loads((SCHEMAS_DIR / schema_file).read_text(encoding="utf-8"))
    return loaded


@cache
def validator(schema_file: str) -> Any:
    """The validator of `schema_file` (in `schemas/`) that explains errors, made once."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    return Draft202012Validator(schema(schema_file))


def plainly_valid(value: Any, schema_file: str) -> bool:
    """True only when `value` certainly meets `schema_file`: asked of `jsonschema_rs` (a
    compiled validator, ~100-200x faster, when it is installed), which says yes or no and no
    more; False says nothing (jsonschema then finds and explains the errors).

    The two agree on every keyword the schemas use but one: in `pattern`, Python's `\\s`
    also matches the separators U+001C-U+001F and NEL (U+0085). A value holding one is left
    to jsonschema (a test compares the two on characters across Unicode and on the validation
    corpus, each value of it changed to awkward ones)."""
    fast = _fast_validator(schema_file)
    if fast is None or _has_separator(value):
        return False
    try:
        return bool(fast.is_valid(value))
    except Exception:  # a value it can't take (a date, a huge number): jsonschema decides
        return False


@cache
def _fast_validator(schema_file: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.Draft202012Validator(schema(schema_file))
    except Exception:  # a schema it can't compile (a reference to another file): none
        return None


# What Python's `\s` matches and jsonschema_rs's does not.
_SEPARATOR = re.compile("[\x1c-\x1f\x85]")


def _has_separator(value: Any) -> bool:
    """Whether any text in `value`, key or value, holds one of U+001C-U+001F or U+0085."""
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SEPARATOR.search(item):
                return True
        elif isinstance(item, dict | list) and id(item) not in seen:
            seen.add(id(item))  # an alias is one shared object: looked at once
            stack.extend([*item.keys(), *item.values()] if isinstance(item, dict) else item)
    return False


def _explain(error: Any, document: Document) -> list[Issue]:
    """One schema error in words: a problem with a mapping's keys at the key (or at the
    mapping, for a missing one), any other at the value."""
    path: NodePath = tuple(error.absolute_path)
    if isinstance(error.instance, dict) or "propertyNames" in error.relative_schema_path:
        found = _key_problems(error, path, document)
        if found is not None:
            return found
    return [_value_problem(error, path, document)]


def _key_problems(error: Any, path: NodePath, document: Document) -> list[Issue] | None:
    """A key's name against `propertyNames`, unknown keys, missing keys, two keys of which
    only one may be given; None for an error about something else."""
    keyword: str = error.validator
    schema: dict[str, Any] = error.schema
    instance: Any = error.instance
    if "propertyNames" in error.relative_schema_path and isinstance(instance, str):
        # The schema of a key (an environment's name): reported at that key.
        expected = _expected(schema, keyword)
        return [Issue.at(document.key_at((*path, instance)), f"{instance!r} is not {expected}")]
    if not isinstance(instance, dict):
        return None
    allowed = list(schema.get("properties", {}))
    if keyword == "additionalProperties":
        return [
            Issue.at(
                document.key_at((*path, key)), f"unknown key {key!r}{did_you_mean(key, allowed)}"
            )
            for key in instance
            if key not in allowed
        ]
    if keyword == "required":
        # A key missing because it is misspelt is reported once: as the unknown key.
        typos = {closest(k, allowed) for k in instance if k not in allowed}
        return [
            Issue.at(document.where(path), f"missing required key {key!r}")
            for key in error.validator_value
            if key not in instance and key not in typos
        ]
    # `not: {required: [a, b]}`: a and b exclude each other.
    named = error.validator_value.get("required", []) if keyword == "not" else []
    keys = [k for k in named if k in instance]
    if len(keys) == 2:
        later = max(keys, key=lambda k: document.key_at((*path, k)))
        message = f"give either {keys[0]!r} or {keys[1]!r}, not both"
        return [Issue.at(document.key_at((*path, later)), message)]
    return None


def _value_problem(error: Any, path: NodePath, document: Document) -> Issue:
    """A value that breaks its schema: what it must be and what it is, at the value."""
    keyword: str = error.validator
    schema: dict[str, Any] = error.schema
    instance: Any = error.instance
    if keyword == "uniqueItems" and isinstance(instance, list):
        return _not_unique(path, instance, schema, document)
    if keyword in _VALUE_KEYWORDS:
        expected = _expected(schema, keyword)
        message = f"{_subject(path)} must be {expected}, got {render_value(instance)}"
        if keyword == "type" and schema.get("type") == "string" and _is_number_like(instance):
            message += " (put it in quotes to make it text)"
        return Issue.at(document.where(path), message)
    return Issue.at(document.where(path), f"{_subject(path)}: {error.message}")


_VALUE_KEYWORDS = frozenset(
    {
        "type",
        "const",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)


def _is_number_like(value: Any) -> bool:
    """A YAML scalar that became a number or boolean where text was meant (`bot_id: 12345`)."""
    return isinstance(value, int | float)


def _not_unique(
    path: NodePath, items: list[Any], schema: dict[str, Any], document: Document
) -> Issue:
    seen: list[Any] = []
    for index, item in enumerate(items):
        if item in seen:
            count = sum(1 for other in items if other == item)
            times = "twice" if count == 2 else f"{count} times"
            message = (
                f"{_subject(path)} must be {_expected(schema, 'uniqueItems')}: "
                f"{render_value(item)} appears {times}"
            )
            return Issue.at(document.where((*path, index)), message)
        seen.append(item)
    return Issue.at(document.where(path), f"{_subject(path)} must not repeat an item")


def _subject(path: NodePath) -> str:
    """How a message names the value at `path`: `'temperature'`, `every item of 'agents'`."""
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        parents = [p for p in path[:-1] if isinstance(p, str)]
        return f"every item of {parents[-1]!r}" if parents else "every item"
    return repr(last)


def _expected(schema: dict[str, Any], keyword: str) -> str:
    """What a valid value is, in words, from the schema (its editor message `Expected X.`
    when it has one)."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if keyword in ("minimum", "maximum") and low is not None and high is not None:
        return f"between {low} and {high}"
    said = schema.get("errorMessage") or schema.get("patternErrorMessage")
    if isinstance(said, str):
        return said.removeprefix("Expected ").removesuffix(".")
    if schema.get("type") == "object" and keyword == "type":
        # An editor shows an object's errorMessage for every error inside it (an unknown key
        # too), so mappings carry none: their words come from their keys.
        required, keys = schema.get("required") or [], list(schema.get("properties") or {})
        if required:
            return "a mapping with " + " and ".join(f"a {key}" for key in required)
        if len(keys) > 1:
            return f"a mapping of {', '.join(keys[:-1])} and {keys[-1]}"
    if "const" in schema:
        return render_value(schema["const"])
    types = schema.get("type")
    names = [_TYPE_WORDS.get(t, t) for t in ([types] if isinstance(types, str) else types or [])]
    words = " or ".join(names) or "valid"
    if low is not None and high is not None:
        return f"{words} between {low} and {high}"
    if low is not None:
        return f"{words} >= {low}"
    if high is not None:
        return f"{words} <= {high}"
    return words


_TYPE_WORDS = {
    "boolean": "true or false",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def render_value(value: Any) -> str:
    """A value as a message shows it: YAML's words for booleans and null, quotes for text
    (at most `yamlpos.EXCERPT` characters of it: a file may hold a secret)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def did_you_mean(word: str, candidates: list[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, else nothing."""
    match = closest(word, candidates)
    return f" (did you mean {match!r}?)" if match else ""


def closest(word: str, candidates: list[str]) -> str | None:
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in candidates}
    return lowered.get(word.lower())
