"""Test files' fast path (`plainly_valid`) never accepts what `test.schema.json` refuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from botops.project.testfiles import plainly_valid
from botops.support.schemacheck import validator

VALID: dict[str, Any] = {
    "kind": "Test",
    "name": "refund",
    "assistant": "assistant/a1",
    "agent": "returns",
    "environments": ["prod"],
    "repeat": 3,
    "pass_at": 2,
    "turns": [
        {
            "user": "hi",
            "expect": [
                {"contains": "order"},
                {"not_contains": ["a", "b"]},
                {"matches": "x"},
                {"max_words": 5},
                {"judge": "ok"},
            ],
        },
        {"user": "bye"},
    ],
}
SIMULATED: dict[str, Any] = {
    "kind": "Test",
    "name": "s",
    "assistant": "bots/a.yaml",
    "simulate": {"caller": "c", "success": "s", "max_turns": 3},
}


def variants() -> list[Any]:
    """The valid documents, and each changed in one way (most of them invalid)."""
    found: list[Any] = [VALID, SIMULATED]
    changes: list[tuple[tuple[Any, ...], Any]] = [
        (("name",), " "),
        (("name",), 5),
        (("kind",), "Tset"),
        (("agent",), ""),
        (("environments",), []),
        (("environments",), ["prod", "prod"]),
        (("environments",), [3]),
        (("repeat",), 0),
        (("repeat",), 101),
        (("repeat",), True),
        (("repeat",), 2.0),
        (("pass_at",), "2"),
        (("turns",), []),
        (("turns", 0, "user"), ""),
        (("turns", 0, "usr"), "x"),
        (("turns", 0, "expect", 0), {"contains": ""}),
        (("turns", 0, "expect", 0), {"contains": []}),
        (("turns", 0, "expect", 0), {"contains": [""]}),
        (("turns", 0, "expect", 0), {"contains": 4}),
        (("turns", 0, "expect", 0), {}),
        (("turns", 0, "expect", 0), {"contains": "a", "judge": "b"}),
        (("turns", 0, "expect", 0), {"max_words": 0}),
        (("turns", 0, "expect", 0), {"max_words": False}),
        (("turns", 0, "expect", 0), {"judge": ""}),
        (("turns", 0, "expect", 0), {"matches": 3}),
        (("turns", 0, "expect", 0), {"contans": "a"}),
        (("turns", 0, "expect"), {"contains": "a"}),
        (("simulate",), {"caller": "c", "success": "s"}),
        (("extra",), 1),
    ]
    for path, value in changes:
        document = copy.deepcopy(VALID)
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        found.append(document)
    for path, value in [(("max_turns",), 0), (("max_turns",), 51), (("caller",), "")]:
        document = copy.deepcopy(SIMULATED)
        document["simulate"][path[0]] = value
        found.append(document)
    broken = copy.deepcopy(SIMULATED)
    del broken["simulate"]["success"]
    return [*found, broken, [], "text", None]


@pytest.mark.parametrize("document", variants())
def test_the_fast_path_accepts_only_what_the_schema_accepts(document: Any) -> None:
    schema_says = validator("test.schema.json").is_valid(document)
    if plainly_valid(document):
        assert schema_says


def test_the_fast_path_takes_the_usual_documents() -> None:
    assert plainly_valid(VALID) and plainly_valid(SIMULATED)
