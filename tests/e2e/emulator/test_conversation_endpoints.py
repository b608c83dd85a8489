"""Conversation endpoints: `fields`, paging, the full object, and the demo's conversations."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support import VB, Emulator, client, error_message, write_fixtures

DEMO_CONVERSATIONS = 204
CONVERSATIONS = f"{VB}/voicebot-conversations"
BASE_KEYS = ["conversation_id", "bot_id", "call_metadata", "start_time"]
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def every(emulator: Emulator, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with client(emulator) as http:
        while True:
            query = {"limit": 100, "offset": len(found), **params}
            page = http.get(CONVERSATIONS, params=query).json()["data"]
            found += page
            if len(page) < 100:
                return found


@pytest.mark.parametrize(
    ("fields", "extra"),
    [
        (None, []),
        ("", []),
        ("transcript", ["transcript"]),
        ("insights", ["insights"]),
        ("transcript,insights", ["transcript", "insights"]),
        ("insights, transcript", ["transcript", "insights"]),
    ],
)
def test_fields_choose_whether_transcript_and_insights_are_included(
    demo_readonly: Emulator, fields: str | None, extra: list[str]
) -> None:
    params = {} if fields is None else {"fields": fields}
    conversations = every(demo_readonly, **params)
    assert len(conversations) == DEMO_CONVERSATIONS
    for conversation in conversations:
        assert sorted(conversation) == sorted(BASE_KEYS + extra)


def test_unknown_field_is_400(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        message = error_message(http.get(CONVERSATIONS, params={"fields": "insight"}), 400)
    assert "insight" in message and "transcript" in message


def test_list_pages_and_metadata(demo_readonly: Emulator) -> None:
    everything = every(demo_readonly)
    with client(demo_readonly) as http:
        default = http.get(CONVERSATIONS).json()
        page = http.get(CONVERSATIONS, params={"limit": 7, "offset": 199}).json()
        bad = http.get(CONVERSATIONS, params={"limit": 101})
    assert default["metadata"] == {"total": 204, "count": 10, "offset": 0, "limit": 10}
    assert default["data"] == everything[:10]
    assert page["metadata"] == {"total": 204, "count": 5, "offset": 199, "limit": 7}
    assert page["data"] == everything[199:]
    assert "limit" in error_message(bad, 400)


def test_get_conversation_is_the_full_object(demo_readonly: Emulator) -> None:
    listed = every(demo_readonly, fields="transcript,insights")[3]
    with client(demo_readonly) as http:
        full = http.get(f"{CONVERSATIONS}/{listed['conversation_id']}").json()
        missing = http.get(f"{CONVERSATIONS}/conv_nope")
    assert full == listed
    assert list(full) == [
        "conversation_id",
        "bot_id",
        "call_metadata",
        "transcript",
        "insights",
        "start_time",
    ]
    assert set(full["call_metadata"]) == {"from", "to", "duration_seconds", "recording_url"}
    assert set(full["insights"]) == {"sentiment", "intent", "outcome"}
    assert all(set(turn) == {"speaker", "text", "timestamp"} for turn in full["transcript"])
    assert "conv_nope" in error_message(missing, 404)


def test_demo_conversations_are_varied_and_realistic(demo_readonly: Emulator) -> None:
    conversations = every(demo_readonly, fields="transcript,insights")
    insights = [c["insights"] for c in conversations]
    assert Counter(c["bot_id"] for c in conversations).keys() == {
        "bot_support01",
        "bot_payrem01",
        "bot_sales01",
    }
    assert {i["outcome"] for i in insights} >= {
        "resolved",
        "escalated",
        "abandoned",
        "callback_scheduled",
    }
    assert {i["sentiment"] for i in insights} == {"positive", "neutral", "negative"}
    intents = {i["intent"] for i in insights}
    assert intents >= {
        "order_status_inquiry",
        "return_request",
        "payment_reminder",
        "payment_link_request",
    }
    hindi = [c for c in conversations if DEVANAGARI.search(c["transcript"][0]["text"])]
    assert 30 <= len(hindi) <= 150  # English and Hindi both
    assert all(DEVANAGARI.search(c["transcript"][0]["text"]) for c in conversations if
               c["bot_id"] == "bot_sales01")  # fmt: skip
    assert len({c["call_metadata"]["duration_seconds"] for c in conversations}) > 10
    for conversation in conversations:
        metadata = conversation["call_metadata"]
        assert re.fullmatch(r"\+91[6-9]\d{9}", metadata["from"]), metadata
        assert re.fullmatch(r"\+91\d{10}", metadata["to"]), metadata
        assert metadata["recording_url"].startswith("https://")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", conversation["start_time"])
        assert [t["speaker"] for t in conversation["transcript"][:1]] == ["bot"]
        stamps = [t["timestamp"] for t in conversation["transcript"]]
        assert stamps == sorted(stamps) and all(re.fullmatch(r"\d\d:\d\d:\d\d", s) for s in stamps)
    starts = [c["start_time"] for c in conversations]
    assert starts == sorted(starts)


def test_fixture_conversations_are_served_as_given(emulator_factory: Any, tmp_path: Path) -> None:
    given: list[dict[str, Any]] = [
        {
            "conversation_id": "c1",
            "bot_id": "bot_a",
            "call_metadata": {"from": "+919800000001", "duration_seconds": 60},
            "insights": {"sentiment": "Positive", "intents": ["a", "b"], "outcome": "resolved"},
            "start_time": "2026-04-07T09:00:00Z",
            "channel": "pstn",  # a field the API may add: kept
        },
        {"conversation_id": "c2", "bot_id": "bot_a"},
    ]
    emulator = emulator_factory(
        "--fixtures", str(write_fixtures(tmp_path / "f.json", conversations=given))
    )
    with client(emulator) as http:
        first = http.get(f"{CONVERSATIONS}/c1").json()
        second = http.get(f"{CONVERSATIONS}/c2").json()
        listed = http.get(CONVERSATIONS, params={"fields": "insights"}).json()["data"]
    assert first == {**given[0], "transcript": []}
    assert second == {
        "conversation_id": "c2",
        "bot_id": "bot_a",
        "call_metadata": None,
        "transcript": [],
        "insights": None,
        "start_time": None,
    }
    assert listed[0]["insights"] == given[0]["insights"]
    assert "transcript" not in listed[0] and listed[0]["channel"] == "pstn"
