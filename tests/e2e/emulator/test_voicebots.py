"""Voicebot endpoints: the single bot, the list, and new versions with every refusal."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import VB, Emulator, client, error_message

SUPPORT_V3 = {
    "bot_id": "bot_support01",
    "name": "Acme Customer Support",
    "version": "v3",
    "enable_greeting_interruption": False,
    "supported_languages": ["en"],
    "date_created": "2026-03-18T10:15:00Z",
}


def test_get_voicebot_is_the_latest_version_in_the_reference_shape(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        response = http.get(f"{VB}/voicebots/bot_support01")
        assert response.status_code == 200
        assert response.json() == SUPPORT_V3
        assert list(response.json()) == list(SUPPORT_V3)
        # --demo serves the demo's account only (DESIGN §17): any other is 404, in the shape.
        other = http.get("/voicebot/api/v2/accounts/Other/voicebots/bot_support01")
        assert "'Other'" in error_message(other, 404)


def test_unknown_voicebot_is_404_in_the_error_shape(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        message = error_message(http.get(f"{VB}/voicebots/bot_nope"), 404)
    assert "bot_nope" in message


def test_list_pages_in_insertion_order_with_metadata(fleet_readonly: Emulator) -> None:
    with client(fleet_readonly) as http:
        first = http.get(f"{VB}/voicebots").json()
        assert first["metadata"] == {"total": 25, "count": 10, "offset": 0, "limit": 10}
        assert [b["bot_id"] for b in first["data"]] == [f"bot_{i:03d}" for i in range(10)]
        assert first["data"][0] == {
            "bot_id": "bot_000",
            "name": "Fleet 000",
            "version": "v1",
            "date_created": "2026-03-01T10:00:00Z",
        }
        last = http.get(f"{VB}/voicebots", params={"limit": 100, "offset": 20}).json()
        assert last["metadata"] == {"total": 25, "count": 5, "offset": 20, "limit": 100}
        assert [b["bot_id"] for b in last["data"]] == [f"bot_{i:03d}" for i in range(20, 25)]
        beyond = http.get(f"{VB}/voicebots", params={"offset": 30}).json()
        assert beyond["metadata"]["count"] == 0 and beyond["data"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"startDate": "yesterday"}, "startDate"),
        ({"endDate": "2026-13-01"}, "endDate"),
        ({"endDate": ""}, "endDate"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(
    fleet_readonly: Emulator, query: dict[str, str], field: str
) -> None:
    with client(fleet_readonly) as http:
        message = error_message(http.get(f"{VB}/voicebots", params=query), 400)
    assert field in message


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"startDate": "2026-03-20"}, list(range(19, 25))),
        ({"endDate": "2026-03-03"}, [0, 1, 2]),  # a bare end date includes that whole day
        ({"endDate": "2026-03-03T10:00:00Z"}, [0, 1, 2]),  # inclusive
        ({"endDate": "2026-03-03T09:59:59Z"}, [0, 1]),
        ({"startDate": "2026-03-05T10:00:00Z", "endDate": "2026-03-07T10:00:00Z"}, [4, 5, 6]),
        ({"startDate": "2026-03-05T10:00:00.5Z"}, list(range(5, 25))),
        ({"startDate": "2026-03-05T15:30:00+05:30"}, list(range(4, 25))),  # 10:00 UTC
        ({"startDate": "2026-04-01"}, []),
    ],
)
def test_date_filters_select_by_date_created(
    fleet_readonly: Emulator, query: dict[str, str], expected: list[int]
) -> None:
    with client(fleet_readonly) as http:
        body = http.get(f"{VB}/voicebots", params={**query, "limit": 100}).json()
    assert [b["bot_id"] for b in body["data"]] == [f"bot_{i:03d}" for i in expected]
    assert body["metadata"]["total"] == len(expected)


def test_a_new_version_applies_the_sent_fields_to_the_source(demo: Emulator) -> None:
    with client(demo) as http:
        body = {
            "source_version": "v3",
            "version_description": "Added Hindi support",
            "data": {"supported_languages": ["en", "hi"]},
        }
        response = http.post(f"{VB}/voicebots/bot_support01/versions", json=body)
        assert response.status_code == 200, response.text
        created = response.json()
        assert list(created) == ["bot_id", "version", "date_created", "name"]
        assert created["bot_id"] == "bot_support01"
        assert created["version"] == "v4"
        assert created["name"] == "Acme Customer Support"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["date_created"])

        live = http.get(f"{VB}/voicebots/bot_support01").json()
        assert live == {
            **SUPPORT_V3,
            "version": "v4",
            "supported_languages": ["en", "hi"],
            "date_created": created["date_created"],
        }

        # Built on an older version: its data, plus the sent fields; the number is latest+1.
        older = {"source_version": "v1", "data": {"name": "Renamed"}}
        assert http.post(f"{VB}/voicebots/bot_support01/versions", json=older).json()[
            "version"
        ] == ("v5")
        live = http.get(f"{VB}/voicebots/bot_support01").json()
        assert (live["version"], live["name"], live["supported_languages"]) == (
            "v5",
            "Renamed",
            ["en"],
        )
        history = http.get("/_emulator/voicebots/bot_support01/versions").json()
    assert [v["version"] for v in history] == ["v1", "v2", "v3", "v4", "v5"]
    assert history[3]["version_description"] == "Added Hindi support"
    assert history[4]["version_description"] is None


def test_every_field_can_be_sent_at_once_and_an_empty_data_copies_the_source(
    demo: Emulator,
) -> None:
    with client(demo) as http:
        data = {
            "name": "Payment Reminders",
            "enable_greeting_interruption": True,
            "supported_languages": ["en", "hi", "ta"],
        }
        body = {"source_version": "v2", "data": data}
        assert http.post(f"{VB}/voicebots/bot_payrem01/versions", json=body).status_code == 200
        copy = {"source_version": "v3", "data": {}}
        assert http.post(f"{VB}/voicebots/bot_payrem01/versions", json=copy).status_code == 200
        live = http.get(f"{VB}/voicebots/bot_payrem01").json()
    assert live["version"] == "v4"
    assert {k: live[k] for k in data} == data


VALID = {"source_version": "v3", "data": {"name": "Still valid"}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": {"name": "x"}}, "source_version"),
        ({"source_version": "v9", "data": {}}, "source_version"),
        ({"source_version": "v0", "data": {}}, "source_version"),
        ({"source_version": "3", "data": {}}, "source_version"),
        ({"source_version": 3, "data": {}}, "source_version"),
        ({"source_version": None, "data": {}}, "source_version"),
        ({"source_version": "v3"}, "data"),
        ({"source_version": "v3", "data": ["name"]}, "data"),
        ({"source_version": "v3", "data": "x"}, "data"),
        ({"source_version": "v3", "data": {"nme": "x"}}, "nme"),
        ({"source_version": "v3", "data": {"description": "x"}}, "description"),
        ({"source_version": "v3", "data": {"name": ""}}, "name"),
        ({"source_version": "v3", "data": {"name": "   "}}, "name"),
        ({"source_version": "v3", "data": {"name": 5}}, "name"),
        ({"source_version": "v3", "data": {"enable_greeting_interruption": "true"}}, "enable_"),
        ({"source_version": "v3", "data": {"enable_greeting_interruption": 1}}, "enable_"),
        ({"source_version": "v3", "data": {"supported_languages": "en"}}, "supported_languages"),
        ({"source_version": "v3", "data": {"supported_languages": ["en", 7]}}, "supported_"),
        ({"source_version": "v3", "data": {"supported_languages": [""]}}, "supported_"),
        ({**VALID, "version_description": 5}, "version_description"),
        ({**VALID, "version_description": None}, "version_description"),
        ({**VALID, "mark_as_stable": True}, "mark_as_stable"),
        ({**VALID, "sourceVersion": "v3"}, "sourceVersion"),
    ],
)
def test_refused_versions_are_400_naming_the_field_and_change_nothing(
    demo_readonly: Emulator, body: dict[str, Any], field: str
) -> None:
    with client(demo_readonly) as http:
        response = http.post(f"{VB}/voicebots/bot_support01/versions", json=body)
        assert field in error_message(response, 400)
        assert http.get(f"{VB}/voicebots/bot_support01").json() == SUPPORT_V3


def test_version_of_an_unknown_bot_is_404(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        response = http.post(f"{VB}/voicebots/bot_nope/versions", json=VALID)
        assert "bot_nope" in error_message(response, 404)
