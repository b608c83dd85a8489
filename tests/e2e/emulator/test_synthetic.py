"""`--synthetic-conversations N`: many conversations over the known bots, deep pages stay fast."""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

from tests.support import VB, client

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
