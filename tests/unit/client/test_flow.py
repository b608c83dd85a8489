"""botops.client.flow: the adaptive concurrency limit, the pacer, and how a 429's pause holds
back requests already queued. Time is a hand-moved clock throughout: nothing here sleeps."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

from botops.client import AdaptiveLimiter, Client, Pacer
from botops.client.flow import take_slot
from botops.errors import (
    RateLimitedError,
)
from tests.unit.client.support import (
    BOT,
    FakeTime,
    call,
    json_response,
    make_client,
    run,
)

# Adaptive concurrency


def test_limiter_halves_on_429_once_per_burst_and_grows_back() -> None:
    async def scenario() -> None:
        limiter = AdaptiveLimiter(8)
        epochs = [await limiter.acquire() for _ in range(8)]
        for epoch in epochs:
            limiter.release(epoch, throttled=True)
        assert limiter.limit == 4, "a burst sent under one limit must halve it once"
        stale = epochs[0]
        for _ in range(10):
            await limiter.acquire()
            limiter.release(stale, succeeded=True)
        assert limiter.limit == 4, "successes sent under the old limit must not grow the new one"
        for expected in (2, 1, 1):
            limiter.release(await limiter.acquire(), throttled=True)
            assert limiter.limit == expected
        grown = []
        for _ in range(40):
            limiter.release(await limiter.acquire(), succeeded=True)
            grown.append(limiter.limit)
        assert grown[:4] == [2, 2, 3, 3]
        assert max(grown) == 8 and grown[-1] == 8

    run(scenario())


def test_limiter_bounds_in_flight_and_survives_cancellation() -> None:
    async def scenario() -> None:
        limiter = AdaptiveLimiter(2)
        first, _ = await limiter.acquire(), await limiter.acquire()
        waiting = [asyncio.create_task(limiter.acquire()) for _ in range(3)]
        await asyncio.sleep(0)
        assert limiter.in_flight == 2
        waiting[0].cancel()
        limiter.release(first, succeeded=True)
        await asyncio.sleep(0)
        assert limiter.in_flight == 2
        assert waiting[0].cancelled()
        assert waiting[1].done()
        assert not waiting[2].done()
        waiting[2].cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        assert limiter.in_flight == 2

    run(scenario())


def test_client_keeps_requests_in_flight_within_the_adaptive_limit() -> None:
    client: Client
    in_flight = 0
    starts: list[tuple[int, int]] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight
        in_flight += 1
        starts.append((in_flight, client.limiter.limit))
        first = len(starts) == 1
        await asyncio.sleep(0)  # a loop turn: the other requests come in meanwhile
        in_flight -= 1
        if first:
            return json_response(429, {}, **{"Retry-After": "0"})
        return json_response(200, BOT)

    async def scenario(client: Client) -> None:
        await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(60)))

    client = make_client(handler, concurrency=8)
    run(call(client, scenario))
    assert client.request_count == len(starts) == 61
    assert max(n for n, _ in starts[:8]) == 8, "requests were not sent concurrently"
    limits = [limit for _, limit in starts]
    assert min(limits) == 4, "a 429 did not halve the limit"
    assert limits[-1] == 8, "the limit did not grow back"
    assert all(n <= limit for n, limit in starts[8:]), "more in flight than the limit"


# Pacing


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# How the pacer keeps to a limit, learns one and probes past it: tests/test_pacing.py.


# The pause wins


def test_a_request_queued_for_a_slot_when_a_429_comes_waits_out_its_pause() -> None:
    clock = ManualClock()
    pacer, limiter = Pacer(clock), AdaptiveLimiter(1)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    async def scenario() -> None:
        epoch, turn = await take_slot(pacer, limiter, sleep)
        queued = asyncio.create_task(take_slot(pacer, limiter, sleep))
        await asyncio.sleep(0)
        assert not queued.done(), "the only slot is taken"
        # The request in flight is refused...
        pacer.ended(turn, answered=False, throttled=True, retry_after=2)
        limiter.release(epoch, throttled=True)  # ...and hands its slot on
        await queued
        assert sleeps == [2.0], "the queued request took the slot inside the pause"
        assert limiter.in_flight == 1

    run(scenario())


def test_the_client_sends_a_queued_read_only_after_the_pause() -> None:
    """Two reads, one slot: the first is refused with Retry-After: 2 while the second waits
    for the slot. Deadline 0 makes the refused read give up at once, so the only thing that
    moves the clock is the second read waiting out the pause before it is sent."""
    time = FakeTime()
    arrivals: list[tuple[str, float]] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        bot_id = request.url.path.rsplit("/", 1)[1]
        arrivals.append((bot_id, time.now))
        await asyncio.sleep(0)  # a loop turn in flight: the second read queues for the slot
        if bot_id == "refused":
            return json_response(429, {}, **{"Retry-After": "2"})
        return json_response(200, BOT)

    async def scenario(client: Client) -> list[Any]:
        reads = (client.get_voicebot("refused"), client.get_voicebot("queued"))
        return list(await asyncio.gather(*reads, return_exceptions=True))

    client = make_client(handler, time, concurrency=1, deadline=0)
    refused, queued = run(call(client, scenario))
    assert isinstance(refused, RateLimitedError)
    assert queued == BOT
    assert arrivals == [("refused", 0.0), ("queued", 2.0)]
    assert time.sleeps == [2.0]
