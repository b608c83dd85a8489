"""Assistant endpoints: the documented version POST and the two reads botops relies on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import AS, Emulator, client, error_message

AGENTS = [
    {
        "role": "order_handler",
        "instruction": "Handle order-related queries: look the order up by its number, read back "
        "its status and expected delivery date, and offer to send tracking details by SMS.",
    },
    {"role": "returns_handler", "instruction": "Process return and refund requests."},
]


def test_get_assistant_is_the_latest_version(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        response = http.get(f"{AS}/assistants/asst_acme01")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "assistant_id",
        "version",
        "stable_version",
        "instruction",
        "llm_config",
        "agents",
        "date_created",
    ]
    assert (body["assistant_id"], body["version"], body["stable_version"]) == (
        "asst_acme01",
        "v4",
        "v4",
    )
    assert body["llm_config"] == {
        "model": "gpt-4",
        "provider": "openai",
        "temperature": 0.7,
        "max_tokens": 1024,
    }
    assert body["agents"] == AGENTS
    assert body["instruction"].startswith("You are the voice assistant of Acme Retail")


def test_list_assistants_has_the_list_envelope(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        body = http.get("/api/v2/accounts/Exotel/assistants").json()
        one = http.get(f"{AS}/assistants", params={"limit": 1, "offset": 1}).json()
        bad = http.get(f"{AS}/assistants", params={"limit": 1000})
    assert body["metadata"] == {"total": 2, "count": 2, "offset": 0, "limit": 10}
    assert body["data"] == [
        {
            "assistant_id": "asst_acme01",
            "version": "v4",
            "stable_version": "v4",
            "date_created": "2026-03-21T09:00:00Z",
        },
        {
            "assistant_id": "asst_sales01",
            "version": "v2",
            "stable_version": "v1",
            "date_created": "2026-02-28T11:30:00Z",
        },
    ]
    assert one["metadata"] == {"total": 2, "count": 1, "offset": 1, "limit": 1}
    assert [a["assistant_id"] for a in one["data"]] == ["asst_sales01"]
    assert "limit" in error_message(bad, 400)


def test_unknown_assistant_is_404(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        assert "asst_nope" in error_message(http.get(f"{AS}/assistants/asst_nope"), 404)
        post = http.post(f"{AS}/assistants/asst_nope/versions", json={"source_version": "v1"})
        assert "asst_nope" in error_message(post, 404)


def test_versions_apply_sent_fields_and_mark_as_stable_moves_stable_version(
    demo: Emulator,
) -> None:
    with client(demo) as http:
        body = {
            "source_version": "v4",
            "mark_as_stable": True,
            "instruction": "You are a helpful customer support assistant for Acme Corp.",
            "llm_config": {"model": "gpt-4o", "provider": "openai", "temperature": 0.3},
        }
        response = http.post(f"{AS}/assistants/asst_acme01/versions", json=body)
        assert response.status_code == 200, response.text
        created = response.json()
        assert list(created) == ["assistant_id", "version", "mark_as_stable", "date_created"]
        assert created["assistant_id"] == "asst_acme01"
        assert (created["version"], created["mark_as_stable"]) == ("v5", True)
        live = http.get(f"{AS}/assistants/asst_acme01").json()
        assert (live["version"], live["stable_version"]) == ("v5", "v5")
        assert live["instruction"] == body["instruction"]
        assert live["llm_config"] == body["llm_config"]  # an object is replaced as sent
        assert live["agents"] == AGENTS  # not sent: kept from the source

        # Not stable: the latest version is still what GET shows; stable_version stays.
        agents = [{"role": "order_handler", "instruction": "Orders only."}]
        response = http.post(
            f"{AS}/assistants/asst_acme01/versions",
            json={"source_version": "v5", "agents": agents},
        )
        assert response.json()["mark_as_stable"] is False
        live = http.get(f"{AS}/assistants/asst_acme01").json()
        assert (live["version"], live["stable_version"], live["agents"]) == ("v6", "v5", agents)

        explicit = {"source_version": "v1", "mark_as_stable": False}
        assert http.post(f"{AS}/assistants/asst_acme01/versions", json=explicit).json()[
            "version"
        ] == ("v7")
        live = http.get(f"{AS}/assistants/asst_acme01").json()
        assert (live["version"], live["stable_version"]) == ("v7", "v5")
        history = http.get("/_emulator/assistants/asst_acme01/versions").json()
    assert [v["mark_as_stable"] for v in history] == [False, False, False, True, True, False, False]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instruction": "x"}, "source_version"),
        ({"source_version": 4}, "source_version"),
        ({"source_version": "v5"}, "source_version"),
        ({"source_version": "latest"}, "source_version"),
        ({"source_version": "v4", "mark_as_stable": "yes"}, "mark_as_stable"),
        ({"source_version": "v4", "mark_as_stable": None}, "mark_as_stable"),
        ({"source_version": "v4", "instruction": 42}, "instruction"),
        ({"source_version": "v4", "llm_config": "gpt-4"}, "llm_config"),
        ({"source_version": "v4", "llm_config": ["gpt-4"]}, "llm_config"),
        ({"source_version": "v4", "agents": {"role": "x"}}, "agents"),
        ({"source_version": "v4", "agents": ["order_handler"]}, "agents[0]"),
        ({"source_version": "v4", "agents": [{"instruction": "x"}]}, "agents[0].role"),
        ({"source_version": "v4", "agents": [{"role": "a"}, {"role": 7}]}, "agents[1].role"),
        (
            {"source_version": "v4", "agents": [{"role": "a", "instruction": {}}]},
            "agents[0].instruction",
        ),
        ({"source_version": "v4", "data": {}}, "data"),
        ({"source_version": "v4", "version_description": "x"}, "version_description"),
        ({"source_version": "v4", "persona": "x"}, "persona"),
    ],
)
def test_refused_assistant_versions_are_400_naming_the_field(
    demo_readonly: Emulator, body: dict[str, Any], field: str
) -> None:
    with client(demo_readonly) as http:
        response = http.post(f"{AS}/assistants/asst_acme01/versions", json=body)
        assert field in error_message(response, 400)
        assert http.get(f"{AS}/assistants/asst_acme01").json()["version"] == "v4"
