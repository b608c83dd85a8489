"""Assistants in both dialects as their kind knows them (DESIGN §16): an agent's own
`llm_config` key by key, unmanaged agent keys carried, the nested write body, and saved payloads
that must follow from their changes in either shape."""

from __future__ import annotations

from typing import Any

import pytest

from botops.kinds.assistant import ASSISTANT, LLM_CONFIG_KEYS, nested
from botops.model import Change
from botops.sync.planner import diff_fields

AGENTS = [
    {
        "role": "orders",
        "instruction": "Orders.",
        "llm_config": {"model": "gpt-4o", "temperature": 0.3, "seed": 7},
        "mcp_tools": [{"server": "orders"}],
    },
    {"role": "returns", "instruction": "Returns.", "mcp_tools": [{"server": "returns"}]},
]
FLAT = {"version": "v2", "stable_version": "v2", "instruction": "Hi.", "agents": AGENTS}
NESTED = {**FLAT, "latest_version": "v3"}


def agents_field() -> Any:
    return next(f for f in ASSISTANT.fields if f.name == "agents")


def test_an_agents_llm_config_is_compared_key_by_key() -> None:
    desired = {"agents": [{"role": "orders", "llm_config": {"temperature": 0.2}}, AGENTS[1]]}
    changes = diff_fields(desired, FLAT, ASSISTANT.fields)
    assert changes == [Change("agents[orders].llm_config.temperature", 0.3, 0.2)]
    # What is sent: the live agent, the file's keys over it; unmanaged keys as they were.
    sent = agents_field().sent(desired["agents"], AGENTS)
    assert sent[0] == {
        **AGENTS[0],
        "llm_config": {"model": "gpt-4o", "temperature": 0.2, "seed": 7},
    }
    assert sent[1] == AGENTS[1]


def test_an_agents_llm_config_is_imported_with_the_managed_keys_only() -> None:
    document = ASSISTANT.document(FLAT, "a1")
    assert document["agents"][0] == {
        "role": "orders",
        "instruction": "Orders.",
        "llm_config": {"model": "gpt-4o", "temperature": 0.3},
    }
    assert "mcp_tools" not in document["agents"][1]
    assert set(document["agents"][0]["llm_config"]) <= set(LLM_CONFIG_KEYS)


def test_the_nested_shape_gets_the_exotel_write_body() -> None:
    values = {"instruction": "New."}
    assert not nested(FLAT) and nested(NESTED)
    flat = ASSISTANT.payload("v2", values, description="d (commit abc1234)", mark_as_stable=True)
    assert flat == {"source_version": "v2", "mark_as_stable": True, "instruction": "New."}
    body = ASSISTANT.payload(
        "v2", values, description="d (commit abc1234)", mark_as_stable=True, live=NESTED
    )
    assert body == {
        "source_version": "v2",
        "mark_as_stable": "true",
        "version_description": "d (commit abc1234)",
        "data": {"instruction": "New."},
    }
    assert ASSISTANT.sent(body) == values
    assert ASSISTANT.marks_stable_in(body) and ASSISTANT.marks_stable_in(flat)
    unmarked = ASSISTANT.payload("v2", values, description="d", mark_as_stable=False, live=NESTED)
    assert unmarked["mark_as_stable"] == "false" and not ASSISTANT.marks_stable_in(unmarked)


def test_notes_and_head_name_latest_when_it_is_not_stable() -> None:
    assert ASSISTANT.notes(NESTED) == ["latest v3 is not stable; building on v2"]
    assert ASSISTANT.head(NESTED) == "v3"
    assert ASSISTANT.notes({**NESTED, "latest_version": "v2"}) == []
    assert ASSISTANT.notes(FLAT) == [] and ASSISTANT.head(FLAT) == "v2"


CHANGES = [Change("agents[orders].llm_config.temperature", 0.3, 0.2)]
GOOD = {
    "source_version": "v2",
    "mark_as_stable": "true",
    "version_description": "d",
    "data": {
        "agents": [
            {**AGENTS[0], "llm_config": {"model": "gpt-4o", "temperature": 0.2, "seed": 7}},
            AGENTS[1],
        ]
    },
}


def test_a_nested_payload_that_follows_from_its_changes_is_accepted() -> None:
    assert ASSISTANT.unexplained(GOOD, NESTED, CHANGES) is None


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ({"data": []}, "data is not an object"),
        ({"extra": 1}, "it sends extra"),
        ({"mark_as_stable": True}, 'mark_as_stable is not "true" or "false"'),
        ({"version_description": 5}, "version_description is not text"),
        ({"data": {**GOOD["data"], "instruction": "sneaked"}}, "it sends instruction"),
        (
            {"data": {"agents": [{**AGENTS[0], "mcp_tools": []}, AGENTS[1]]}},
            "other than the changes say",
        ),
    ],
)
def test_a_nested_payload_edited_beside_its_changes_is_refused(
    edit: dict[str, Any], says: str
) -> None:
    problem = ASSISTANT.unexplained({**GOOD, **edit}, NESTED, CHANGES)
    assert problem is not None and says in problem
