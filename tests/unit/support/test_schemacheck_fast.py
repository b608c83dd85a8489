"""The compiled validator (`jsonschema_rs`) only ever says "valid" where jsonschema finds no
error: it is asked first, and jsonschema explains whatever it refuses. Compared on the
validation corpus, the examples, every value of them changed to awkward ones, and (for the
patterns) on characters across Unicode."""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from botops.support import schemacheck
from botops.support.schemacheck import (
    SCHEMAS_DIR,
    plainly_valid,
    schema,
    schema_issues,
    validator,
)
from botops.support.yamlpos import Document, parse
from tests.support import ROOT

jsonschema_rs = pytest.importorskip("jsonschema_rs")

FILES = {
    "Voicebot": "voicebot.schema.json",
    "Assistant": "assistant.schema.json",
    "Test": "test.schema.json",
}
AWKWARD: list[Any] = [
    "",
    " ",
    "x",
    "x\n",
    "\nx",
    "en",
    "bot_1\n",
    "a b",
    "\u00a0",
    "\u2028",
    "\ufeff",
    "\x85",
    "\x1c",
    " \x1f ",
    "é",
    "😀",
    0,
    1,
    -1,
    1.0,
    0.5,
    2.5,
    True,
    False,
    None,
    2**64,
    -(2**63) - 1,
    math.inf,
    -math.inf,
    math.nan,
    [],
    ["en"],
    ["en", "en"],
    [1, 1.0],
    [True, 1],
    {},
    {"role": "r", "instruction": "i"},
]


def _documents() -> Iterator[tuple[str, Any]]:
    corpus = [*(ROOT / "tests/validation").rglob("*.y*ml"), *ROOT.glob("examples/**/*.yaml")]
    for file in sorted(corpus):
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        documents, _ = parse(text)
        for document in documents:
            value = document.value
            kind = value.get("kind") if isinstance(value, dict) else None
            if isinstance(kind, str) and kind in FILES:
                yield FILES[kind], value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _with(value: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    changed = copy.deepcopy(value)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = replacement
    return changed


def _agree(schema_file: str, value: Any) -> None:
    if plainly_valid(value, schema_file):
        assert list(validator(schema_file).iter_errors(value)) == [], (schema_file, value)


def test_the_corpus_and_every_awkward_change_of_it() -> None:
    documents = list(_documents())
    assert len(documents) > 50
    valid_seen = 0
    for schema_file, value in documents:
        _agree(schema_file, value)
        valid_seen += plainly_valid(value, schema_file)
        for path in itertools.islice(_paths(value), 200):  # an alias bomb has 100,000
            for replacement in AWKWARD:
                _agree(schema_file, _with(value, path, replacement))
    assert valid_seen > 10  # the fast path is taken for the corpus's valid documents


def test_the_fast_path_is_taken_for_plainly_valid_documents() -> None:
    """Not a rule for correctness: a check that the speed-up works at all."""
    bot = {"kind": "Voicebot", "bot_id": "bot_1", "name": "Bot", "supported_languages": ["en"]}
    assert plainly_valid(bot, "voicebot.schema.json")
    assert not plainly_valid({**bot, "bot_id": "bot 1"}, "voicebot.schema.json")
    for separator in "\x1c\x1d\x1e\x1f\x85":  # left to jsonschema
        assert not plainly_valid({**bot, "name": separator}, "voicebot.schema.json")


def _patterns() -> list[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for file in sorted(SCHEMAS_DIR.glob("*.json")):
        walk(json.loads(file.read_text(encoding="utf-8")))
    return sorted(found)


_ODD = ("Cc", "Cf", "Zs", "Zl", "Zp")


def _characters() -> Iterator[str]:
    """Every character below U+0800, and above it each one Unicode counts as a space, a
    control, a format character or a separator, and every 997th other."""
    for point in range(0x110000):
        if 0xD800 <= point < 0xE000:
            continue
        character = chr(point)
        kind = unicodedata.category(character)
        if point < 0x800 or point % 997 == 0 or character.isspace() or kind in _ODD:
            yield character


def test_patterns_differ_only_on_the_separators_left_to_jsonschema() -> None:
    differ: set[str] = set()
    characters = list(_characters())
    for pattern in _patterns():
        compiled = re.compile(pattern)
        fast = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": pattern})
        for character in characters:
            for text in (character, f"a{character}", f"https://a{character}", f"en-{character}x"):
                if (compiled.search(text) is not None) != fast.is_valid(text):
                    differ.add(character)
    # U+FEFF the other way round: jsonschema_rs refuses it, and jsonschema then decides.
    assert differ <= {"\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\ufeff"}
    assert not any(schemacheck._has_separator(c) for c in characters if c not in differ)
    assert all(schemacheck._has_separator(c) for c in differ if c != "\ufeff")


def test_without_jsonschema_rs_the_same_words(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "kind: Voicebot\nbot_id: bot 1\nname: '\\x1c'\nsupported_languages: [en, en]\n"
    text = text.replace("'\\x1c'", '"\\x1c"')
    (document,) = parse(text)[0]
    with_fast = schema_issues(document, "voicebot.schema.json")
    monkeypatch.setattr(schemacheck, "_fast_validator", lambda schema_file: None)
    assert schema_issues(document, "voicebot.schema.json") == with_fast
    assert len(with_fast) == 3
    valid = Document({"kind": "Voicebot", "bot_id": "b", "name": "n"}, 1, 1)
    assert schema_issues(valid, "voicebot.schema.json") == []


def test_schema_is_the_validators_schema() -> None:
    assert schema("assistant.schema.json") is validator("assistant.schema.json").schema
