"""The gateway in-process: the rate limit answers 429 without acting, latency delays only API
answers and overlaps."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx2

from botops.emulator.app import create_app
from botops.emulator.gateway import Faults, Gateway, RequestLog
from botops.emulator.generate import Generations
from botops.emulator.server import Seed
from botops.emulator.store import Store
from tests.support import VB, error_message, fleet_bots, write_fixtures


def in_process(tmp_path: Path, faults: Faults, **gateway: Any) -> httpx2.AsyncClient:
    """The emulator's gateway and app in this process (one bot, `bot_000`): for what needs a
    clock or a sleep of the test's own instead of the wall clock."""
    store = Store(None)
    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(1))
    Seed(fixtures=fixtures).load(store)
    log = RequestLog()
    app = create_app(store, Generations(store, 2.0), log)
    transport = httpx2.ASGITransport(app=Gateway(app, faults, log, **gateway))
    return httpx2.AsyncClient(transport=transport, base_url="http://emulator")


def test_rate_limit_answers_429_with_retry_after_and_acts_on_nothing(tmp_path: Path) -> None:
    now = [1000.0]  # the window's clock: it moves only when the test moves it
    body = {"source_version": "v1", "data": {"name": "x"}}
    path = f"{VB}/voicebots/bot_000/versions"

    async def go() -> None:
        async with in_process(tmp_path, Faults(rate_limit=5), clock=lambda: now[0]) as http:
            burst = await asyncio.gather(*(http.post(path, json=body) for _ in range(16)))
            statuses = [r.status_code for r in burst]
            assert statuses.count(200) == 5 and statuses.count(429) == 11
            for response in burst:
                if response.status_code == 429:
                    assert "rate limit" in error_message(response, 429)
                    assert response.headers["retry-after"] == "1"
            now[0] += 0.999  # a sliding window: still full just before a second has passed
            assert (await http.post(path, json=body)).status_code == 429
            now[0] += 0.001
            assert (await http.post(path, json=body)).status_code == 200
            assert (await http.get("/_emulator/requests")).status_code == 200  # never limited
            history = (await http.get("/_emulator/voicebots/bot_000/versions")).json()
            assert len(history) == 1 + 5 + 1

    asyncio.run(go())


def test_latency_delays_api_answers_only(tmp_path: Path) -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def go() -> None:
        async with in_process(tmp_path, Faults(latency_ms=150), sleep=sleep) as http:
            await http.get(f"{VB}/voicebots/bot_000")
            assert delays == [0.15]
            await http.get("/nowhere")
            assert delays == [0.15, 0.15]  # unknown routes are delayed like any API call
            await http.get("/_emulator/requests")
            await http.get("/openapi.json")
            assert delays == [0.15, 0.15]

    asyncio.run(go())


def test_latency_delays_overlap(tmp_path: Path) -> None:
    """The loop is never blocked: ten delays are all under way at once (each waits for the
    others to start before it ends, which a blocking sleep could never let happen)."""
    waiting: list[float] = []
    all_started = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waiting.append(seconds)
        if len(waiting) == 10:
            all_started.set()
        await asyncio.wait_for(all_started.wait(), timeout=30)

    async def go() -> list[int]:
        async with in_process(tmp_path, Faults(latency_ms=150), sleep=sleep) as http:
            answers = await asyncio.gather(
                *(http.get(f"{VB}/voicebots/bot_000") for _ in range(10))
            )
        return [a.status_code for a in answers]

    assert asyncio.run(go()) == [200] * 10
