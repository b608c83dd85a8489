"""The pacer (DESIGN §14): a known `rate_limit` is never exceeded; an unknown one is learned
from the first 429 and then kept to, without probing past it every few seconds."""

from __future__ import annotations

import pytest

from botops.client import Pacer
from tests.unit.client.support import Traffic, run, virtual_time


def test_free_until_a_429() -> None:
    time = virtual_time()
    pacer = Pacer(time.clock)

    async def go() -> None:
        for _ in range(200):
            turn = await pacer.turn(time.sleep)
            pacer.ended(turn, answered=True, throttled=False)

    run(go())
    assert time.sleeps == [] and pacer.limit is None


def test_under_a_limit_only_what_its_rate_needs_is_in_flight() -> None:
    """A window of permits sent all at once to a server that answers one at a time only
    queues there, and each permit comes back that much later: in flight is what the rate
    needs at the usual latency (twice over, at least two), not all the concurrency allowed."""
    fast, slow = virtual_time(), virtual_time()
    quick = Traffic(Pacer(fast.clock, rate_limit=40), fast)
    run(quick.send([0.002] * 200, concurrency=16))
    assert max(quick.in_flight_counts[50:]) <= 3  # once a few latencies are known
    lagging = Traffic(Pacer(slow.clock, rate_limit=40), slow)
    run(lagging.send([0.2] * 200, concurrency=16))
    # 40 a second at 0.2 s each need 8 in flight: twice that is all the 16 allowed.
    assert max(lagging.in_flight_counts[50:]) == 16


def test_the_first_429_teaches_the_limit_and_pauses_everyone() -> None:
    time = virtual_time()
    pacer = Pacer(time.clock)

    async def go() -> list[float]:
        turns = []
        for _ in range(40):  # forty answered within 0.04 s, then the server refuses
            turn = await pacer.turn(time.sleep)
            time.now += 0.001
            pacer.ended(turn, answered=True, throttled=False)
        stale = [await pacer.turn(time.sleep) for _ in range(3)]
        pacer.ended(stale[0], answered=False, throttled=True, retry_after=1.0)
        assert pacer.limit == 40 and pacer.paused()
        # The other requests sent before the limit was known teach nothing more.
        pacer.ended(stale[1], answered=False, throttled=True, retry_after=1.0)
        pacer.ended(stale[2], answered=False, throttled=True, retry_after=1.0)
        assert pacer.limit == 40
        for _ in range(41):
            turn = await pacer.turn(time.sleep)
            turns.append(time.now)
            pacer.ended(turn, answered=True, throttled=False)
        return turns

    starts = run(go())
    # Nothing starts during the pause; then forty go at once, and the 41st waits for the
    # first of them to be a second old.
    assert starts[0] == pytest.approx(100.04 + 1.0)
    assert starts[39] == starts[0]
    assert starts[40] == pytest.approx(starts[0] + 1.0)


def test_a_429_under_the_limit_lowers_it_by_half_at_most() -> None:
    time = virtual_time()
    pacer = Pacer(time.clock, rate_limit=40)

    async def go() -> None:
        turn = await pacer.turn(time.sleep)
        # One answer in the last second, then a 429: a busy neighbour, not a limit of 1.
        pacer.ended(turn, answered=False, throttled=True, retry_after=None)

    run(go())
    assert pacer.limit == 20


def test_a_429_before_any_answer_teaches_nothing_but_the_pause() -> None:
    """The server's window still held another client's requests, or a previous run's (a
    `plan` just before this `apply`): a limit learned now would be near nothing."""
    time = virtual_time()
    pacer = Pacer(time.clock)

    async def go() -> None:
        turns = [await pacer.turn(time.sleep) for _ in range(3)]
        for turn in turns:
            pacer.ended(turn, answered=False, throttled=True, retry_after=1.0)

    run(go())
    assert pacer.limit is None and pacer.paused()


def test_a_first_429_after_few_answers_pauses_and_the_next_one_tells() -> None:
    """Three answers, then a 429: one request's retries, or a neighbour's burst. Nothing is
    learned from it, nor from the 429s of requests sent before it; after the pause, a 429
    tells what the server accepts."""
    time = virtual_time()
    pacer = Pacer(time.clock)

    async def go() -> None:
        for _ in range(3):
            turn = await pacer.turn(time.sleep)
            pacer.ended(turn, answered=True, throttled=False)
        early = [await pacer.turn(time.sleep) for _ in range(2)]
        for turn in early:
            pacer.ended(turn, answered=False, throttled=True, retry_after=1.0)
        assert pacer.limit is None and pacer.paused()
        for _ in range(3):
            turn = await pacer.turn(time.sleep)  # after the pause
            pacer.ended(turn, answered=True, throttled=False)
        turn = await pacer.turn(time.sleep)
        pacer.ended(turn, answered=False, throttled=True, retry_after=1.0)

    run(go())
    assert pacer.limit == 3


def test_probes_are_rare_and_back_off() -> None:
    time = virtual_time()
    pacer = Pacer(time.clock, rate_limit=None)

    async def send(count: int, *, refuse_last: bool = False) -> None:
        for index in range(count):
            turn = await pacer.turn(time.sleep)
            throttled = refuse_last and index == count - 1
            pacer.ended(turn, answered=not throttled, throttled=throttled)

    async def go() -> None:
        await send(10)
        await send(1, refuse_last=True)
        assert pacer.limit == 10
        await send(10 * int(Pacer.PROBE_AFTER))  # busy at the limit for PROBE_AFTER seconds
        await send(2)
        assert pacer.limit == 12  # one probe: 20% more
        await send(1, refuse_last=True)  # the probe drew a 429: back to what held
        assert pacer.limit == 10
        await send(10 * int(Pacer.PROBE_AFTER) + 10)
        assert pacer.limit == 10  # the next probe waits twice as long

    run(go())
