"""Apply's write and recovery logic: stale refusal, unknown outcomes settled by reading,
retries only of writes known not to have acted, and the read-back check.

`Bots` is a small in-memory voicebot server (versions, reads, writes) whose next answers can
be told to go wrong the ways a real network and server do; the last test drives the real CLI
against the emulator losing every write's answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest

from botops.errors import ServerError, TransportError
from botops.kinds import LiveObject, Payload
from botops.model import ApplyResult, Plan, Resource
from botops.sync.applier import MAX_WRITE_ATTEMPTS, STOPPED_MESSAGE, apply_plan
from botops.sync.planner import make_plan

DESIRED = {"enable_greeting_interruption": True, "supported_languages": ["en", "hi"]}
PATH = "/voicebots/b1/versions"


class Bots:
    """One live voicebot `b1` in memory. `faults` are what the next POSTs do, in turn:

    refuse  answer 500 without acting           drop  connection refused, nothing sent
    lose    act, then answer 500                race  someone else writes first, then lose
    """

    concurrency = 4

    def __init__(self, *, faults: Sequence[str] = (), transform: Any = None) -> None:
        self.bot: LiveObject = {
            "bot_id": "b1",
            "name": "Support",
            "version": "v1",
            "enable_greeting_interruption": False,
            "supported_languages": ["en"],
        }
        self.faults = list(faults)
        self.transform = transform  # what the server makes of the data it is sent
        self.posts: list[Payload] = []

    async def get_voicebot(self, bot_id: str) -> LiveObject:
        return json.loads(json.dumps(self.bot))  # a copy, as over the wire

    async def create_voicebot_version(self, bot_id: str, payload: Payload) -> LiveObject:
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "drop":
            raise TransportError("connection refused", method="POST", path=PATH)
        self.posts.append(payload)
        if fault == "refuse":
            raise ServerError(500, "injected: nothing was done", method="POST", path=PATH)
        if fault == "race":
            self.store({"name": "Edited live"})
        self.store(payload["data"])
        if fault in ("lose", "race"):
            raise ServerError(500, "injected: the request was done", method="POST", path=PATH)
        return await self.get_voicebot(bot_id)

    def store(self, data: dict[str, Any]) -> None:
        kept = self.transform(data) if self.transform else data
        number = int(self.bot["version"][1:]) + 1
        self.bot = {**self.bot, **kept, "version": f"v{number}"}


def resource() -> Resource:
    return Resource(
        kind="Voicebot", file="bot.yaml", line=1, column=1, id="b1", desired=dict(DESIRED)
    )


def planned(bots: Bots) -> Plan:
    plan: Plan = asyncio.run(make_plan([resource()], bots, base_url="mem:", account_id="a"))
    return plan


async def _no_sleep(seconds: float) -> None:
    pass


def applied(plan: Plan, bots: Bots, stop: asyncio.Event | None = None) -> list[ApplyResult]:
    results: list[ApplyResult] = []

    async def run() -> None:
        await apply_plan(plan, bots, on_result=results.append, sleep=_no_sleep, stop=stop)

    asyncio.run(run())
    return results


def test_a_plain_apply_posts_the_payload_once_and_verifies_it() -> None:
    bots = Bots()
    plan = planned(bots)
    assert applied(plan, bots) == [ApplyResult("voicebot/b1", "applied", new_version="v2")]
    assert bots.posts == [plan.resources[0].payload]
    assert bots.posts[0]["data"] == DESIRED


def test_a_resource_whose_live_version_moved_is_refused_as_stale_with_nothing_sent() -> None:
    bots = Bots()
    plan = planned(bots)
    bots.store({"name": "Edited live"})
    assert applied(plan, bots) == [
        ApplyResult(
            "voicebot/b1",
            "stale",
            message="live version is v2, the plan was made on v1; nothing was sent. "
            "Run `botops plan` again",
        )
    ]
    assert bots.posts == []


def test_a_lost_answer_is_settled_by_reading_not_by_writing_again() -> None:
    bots = Bots(faults=["lose"])
    plan = planned(bots)
    assert applied(plan, bots) == [ApplyResult("voicebot/b1", "applied", new_version="v2")]
    assert len(bots.posts) == 1
    assert bots.bot["version"] == "v2"


def test_a_write_refused_before_acting_is_retried_once_the_read_shows_it_did_not_act() -> None:
    bots = Bots(faults=["refuse", "drop"])
    plan = planned(bots)
    assert applied(plan, bots) == [ApplyResult("voicebot/b1", "applied", new_version="v2")]
    assert len(bots.posts) == 2  # the refused one, then the one that acted (drop sent nothing)
    assert bots.bot["version"] == "v2"


def test_an_unknown_outcome_with_other_values_live_is_reported_unknown() -> None:
    bots = Bots(faults=["race"], transform=lambda data: {**data, "supported_languages": ["fr"]})
    plan = planned(bots)
    (result,) = applied(plan, bots)
    assert result.outcome == "unknown"
    assert result.message == (
        "the outcome of the write was unknown (POST /voicebots/b1/versions: 500 injected: the "
        "request was done) and the live version moved on to v3 with other values; run `botops "
        "plan` again"
    )
    assert len(bots.posts) == 1


def test_writes_refused_every_time_give_up_saying_no_version_was_written() -> None:
    bots = Bots(faults=["refuse"] * MAX_WRITE_ATTEMPTS)
    plan = planned(bots)
    (result,) = applied(plan, bots)
    assert result.outcome == "failed"
    assert result.message == (
        f"gave up after {MAX_WRITE_ATTEMPTS} attempts, no version was written: "
        "POST /voicebots/b1/versions: 500 injected: nothing was done"
    )
    assert len(bots.posts) == MAX_WRITE_ATTEMPTS
    assert bots.bot["version"] == "v1"


@pytest.mark.parametrize(
    ("kept", "detail"),
    [
        ({"supported_languages": ["en"]}, "supported_languages (sent ['en', 'hi'], live ['en'])"),
        # The read-back compares as the plan does: a boolean kept as 1 was not kept.
        ({"enable_greeting_interruption": 1}, "enable_greeting_interruption (sent True, live 1)"),
    ],
)
def test_the_read_back_reports_a_field_the_server_did_not_keep(
    kept: dict[str, Any], detail: str
) -> None:
    bots = Bots(transform=lambda data: {**data, **kept})
    plan = planned(bots)
    (result,) = applied(plan, bots)
    assert result.outcome == "failed"
    assert result.message == f"the server did not keep what was sent in v2: {detail}"


def test_once_stopped_no_write_starts() -> None:
    bots = Bots()
    plan = planned(bots)
    stop = asyncio.Event()
    stop.set()
    assert applied(plan, bots, stop) == [
        ApplyResult("voicebot/b1", "failed", message=STOPPED_MESSAGE)
    ]
    assert bots.posts == []


class Generating(Bots):
    """No live bot yet, and bot generation jobs that never finish."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs = 0

    async def iter_voicebots(self) -> Any:
        for bot in ():
            yield bot

    async def create_generation(self, text: str) -> dict[str, Any]:
        self.jobs += 1
        return {"id": "gen_slow", "status": "pending"}

    async def get_generation(self, job_id: str) -> dict[str, Any]:
        return {"id": job_id, "status": "in_progress"}


def test_a_generation_that_outlives_its_timeout_is_unknown_naming_the_job() -> None:
    bots = Generating()
    desired = {"name": "New Bot", "supported_languages": ["en"]}
    new = Resource(
        kind="Voicebot", file="new.yaml", line=1, column=1, id=None, desired=desired,
        description="A bot that answers",
    )  # fmt: skip
    plan: Plan = asyncio.run(make_plan([new], bots, base_url="mem:", account_id="a"))
    results: list[ApplyResult] = []
    asyncio.run(apply_plan(plan, bots, on_result=results.append, generation_timeout=0.01))
    [result] = results
    # The job may still make the bot: neither failed nor applied, and it says which job.
    assert result.outcome == "unknown"
    assert result.message is not None and "gen_slow" in result.message
    assert "botops generate --job gen_slow" in result.message
    assert bots.jobs == 1
