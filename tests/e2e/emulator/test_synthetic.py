"""`--synthetic-conversations N`: many conversations over the known bots, deep pages stay fast."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.support import VB, botops, client, write_fixtures

CONVERSATIONS = f"{VB}/voicebot-conversations"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def test_a_hundred_thousand_over_synthetic_bots_with_fast_deep_pages(
    emulator_factory: Any,
) -> None:
    emulator = emulator_factory("--synthetic-conversations", "100000")
    with client(emulator) as http:
        bots = http.get(f"{VB}/voicebots").json()["data"]
        started = time.monotonic()
        deep = http.get(
            CONVERSATIONS, params={"limit": 100, "offset": 99_900, "fields": "transcript,insights"}
        ).json()
        elapsed = time.monotonic() - started
        tail = http.get(CONVERSATIONS, params={"limit": 100, "offset": 99_950}).json()
        first = http.get(CONVERSATIONS, params={"limit": 100}).json()["data"]
    assert len(bots) == 2  # nothing else defined bots: a couple of synthetic ones
    assert deep["metadata"] == {"total": 100_000, "count": 100, "offset": 99_900, "limit": 100}
    assert [c["conversation_id"] for c in deep["data"]] == [
        f"conv_syn{n:07d}" for n in range(99_901, 100_001)
    ]
    assert all(c["transcript"] and c["insights"]["outcome"] for c in deep["data"])
    assert elapsed < 0.5
    assert tail["metadata"]["count"] == 50
    assert Counter(c["bot_id"] for c in first) == {b["bot_id"]: 50 for b in bots}
    assert len({c["call_metadata"]["from"] for c in first}) == 100


def test_spread_over_the_demo_bots_in_their_languages(emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--synthetic-conversations", "300")
    found: list[dict[str, Any]] = []
    with client(emulator) as http:
        while len(found) < 504:
            params: dict[str, Any] = {"limit": 100, "offset": len(found)}
            params["fields"] = "transcript,insights"
            page = http.get(CONVERSATIONS, params=params).json()
            assert page["metadata"]["total"] == 504
            found += page["data"]
    synthetic = found[204:]
    assert len({c["conversation_id"] for c in found}) == 504
    assert Counter(c["bot_id"] for c in synthetic) == {
        "bot_support01": 100,
        "bot_payrem01": 100,
        "bot_sales01": 100,
    }

    def hindi(bot_id: str) -> list[bool]:
        return [
            bool(DEVANAGARI.search(c["transcript"][-1]["text"]))
            for c in synthetic
            if c["bot_id"] == bot_id
        ]

    assert not any(hindi("bot_support01"))  # it speaks only English (until the demo's apply)
    assert all(hindi("bot_sales01"))  # only Hindi
    assert 0 < sum(hindi("bot_payrem01")) < 100  # both
    assert {c["insights"]["outcome"] for c in synthetic} >= {"resolved", "escalated", "abandoned"}


def test_dated_after_the_bots_versions_so_each_version_gets_some(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """Synthetic conversations fall from each bot's first version to a month after its latest
    (dates derived from the versions, never the clock): `analytics --by version` attributes
    every one of them, and every version gets some."""
    versions = [
        {"version": "v1", "date_created": "2026-05-01T09:00:00Z"},
        {"version": "v2", "date_created": "2026-05-10T09:00:00Z"},
    ]
    bot = {
        "bot_id": "bot_three",
        "name": "Three Versions Support",
        "version": "v3",
        "date_created": "2026-05-20T09:00:00Z",
        "versions": versions,
    }
    emulator = emulator_factory(
        "--fixtures", str(write_fixtures(tmp_path / "f.json", bots=[bot])),
        "--synthetic-conversations", "90",
    )  # fmt: skip
    result = botops(emulator, "analytics", "--by", "version", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["bots"]["bot_three"]["versions"]
    totals = {v["version"]: v["total"] for v in report}
    assert set(totals) == {"v1", "v2", "v3"}
    assert min(totals.values()) > 0
    assert sum(totals.values()) == 90  # none before v1, none unattributed
    with client(emulator) as http:
        page = http.get(CONVERSATIONS, params={"limit": 100}).json()["data"]
    starts = sorted(c["start_time"] for c in page)
    assert starts[0] == "2026-05-01T09:00:00Z"
    assert starts[-1] < "2026-06-19T09:00:00Z"  # within 30 days of v3
