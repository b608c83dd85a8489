"""Running conversation tests (DESIGN §15): every run of every test, `concurrency` model
calls at a time, each reply from the cache when it is there.

A run of a scripted test sends the system prompt and the caller's lines one turn at a time and
checks each reply: speech always, then the turn's checks (`judge` asks the judge model, at
temperature 0, for a JSON verdict). A simulated run lets the caller model speak first and
alternates until it ends the call or `max_turns`, checking each reply as speech, then judges
`success` on the whole transcript. A run passes when nothing failed; it errs when a model call
failed or a verdict was not a verdict (never a pass). A test passes when at least `pass_at` of
its runs passed and none erred.

Runs are independent work items taken by `concurrency` workers, so the endpoint always has as
many calls in flight as allowed while work remains; the model client's limiter and pacer
(shared with the Voicebot client's code) keep 429s in check. Nothing here prints.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from botops.behaviour.cache import ReplyCache, cache_key
from botops.behaviour.checks import (
    CALLER_OPENING,
    CALLER_PROMPT,
    DONE,
    JUDGE_PROMPT,
    Failure,
    VerdictError,
    caller_done,
    check_reply,
    judge_request,
    parse_verdict,
    speech_problem,
)
from botops.errors import ModelError
from botops.llm.endpoint import Completion, Endpoint
from botops.project.testfiles import TestCase

if TYPE_CHECKING:  # httpx2 loads only when a reply is not in the cache
    from botops.llm.client import ModelClient

Status = Literal["pass", "fail", "error"]
Role = Literal["user", "assistant"]
JUDGE_SETTINGS: dict[str, Any] = {"temperature": 0}
CALLER_SETTINGS: dict[str, Any] = {"temperature": 0.7}


@dataclass
class RunResult:
    """One run: the transcript (`user` the caller, `assistant` the bot), what failed, the
    error that stopped it, and for a simulation how it ended (`caller` or `max_turns`)."""

    transcript: list[tuple[Role, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None
    ended: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failures


@dataclass
class TestResult:
    __test__ = False  # not a pytest class

    test: TestCase
    runs: list[RunResult]
    pass_at: int

    @property
    def passed_runs(self) -> int:
        return sum(1 for r in self.runs if r.passed)

    @property
    def status(self) -> Status:
        if any(r.error is not None for r in self.runs):
            return "error"
        return "pass" if self.passed_runs >= self.pass_at else "fail"


@dataclass
class Report:
    """Every test's result, in the order of the files, and what the run cost."""

    results: list[TestResult]
    calls: int = 0
    cached: int = 0
    tokens: int = 0
    host: str = ""

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return all(r.status == "pass" for r in self.results)


@dataclass(frozen=True)
class Models:
    """The endpoint's models that judge and play the caller (None: the test's own model)."""

    judge: str | None = None
    caller: str | None = None


def scaled_pass_at(test: TestCase, repeat: int | None) -> tuple[int, int]:
    """`(repeat, pass_at)` of a test, `--repeat` overriding its repeat and scaling its pass_at
    in proportion (rounded up: `repeat: 3, pass_at: 2` under `--repeat 6` needs 4)."""
    if repeat is None or repeat == test.repeat:
        return test.repeat, test.pass_at
    return repeat, max(1, min(repeat, math.ceil(test.pass_at * repeat / test.repeat)))


class Runner:
    """Runs tests; the model client is opened (`open_client`) at the first reply the cache
    lacks, so a run from a warm cache loads no HTTP stack at all. `aclose` closes it."""

    def __init__(
        self,
        endpoint: Endpoint,
        open_client: Callable[[], ModelClient],
        cache: ReplyCache,
        *,
        models: Models = Models(),
        concurrency: int = 4,
        on_result: Callable[[TestResult], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._open_client = open_client
        self.client: ModelClient | None = None
        self.cache = cache
        self.models = models
        self.concurrency = concurrency
        self.on_result = on_result
        self.calls = self.cached = self.tokens = 0

    async def run(self, tests: list[TestCase], *, repeat: int | None = None) -> Report:
        plans = [scaled_pass_at(t, repeat) for t in tests]
        runs: list[list[RunResult | None]] = [[None] * r for r, _ in plans]
        left = [r for r, _ in plans]
        results: list[TestResult | None] = [None] * len(tests)
        work: Iterator[tuple[int, int]] = iter(
            [(i, n) for i, (r, _) in enumerate(plans) for n in range(r)]
        )

        async def worker() -> None:
            for index, number in work:
                runs[index][number] = await self.one_run(tests[index], number + 1)
                left[index] -= 1
                if left[index] == 0:
                    done = [r for r in runs[index] if r is not None]
                    result = TestResult(tests[index], done, plans[index][1])
                    results[index] = result
                    if self.on_result is not None:
                        self.on_result(result)

        workers = [asyncio.create_task(worker()) for _ in range(max(1, self.concurrency))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
        return Report(
            [r for r in results if r is not None],
            calls=self.calls,
            cached=self.cached,
            tokens=self.tokens,
            host=self.endpoint.host,
        )

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def one_run(self, test: TestCase, number: int) -> RunResult:
        run = RunResult()
        try:
            if test.simulate is not None:
                await self._simulate(test, number, run)
            else:
                await self._scripted(test, number, run)
        except ModelError as error:
            run.error = str(error)
        except VerdictError as error:
            run.error = str(error)
        return run

    async def _scripted(self, test: TestCase, number: int, run: RunResult) -> None:
        messages = [{"role": "system", "content": test.system_prompt}]
        for turn_number, turn in enumerate(test.turns, start=1):
            messages.append({"role": "user", "content": turn.user})
            run.transcript.append(("user", turn.user))
            reply = await self._complete(test.model, messages, test.settings, number)
            messages.append({"role": "assistant", "content": reply})
            run.transcript.append(("assistant", reply))
            self._speech(run, turn_number, reply)
            for check in turn.expect:
                if check.kind == "judge":
                    passed, reason = await self._judge(test, check.value, run, number, False)
                    if not passed:
                        run.failures.append(Failure(turn_number, "judge", reason or "failed"))
                    continue
                why = check_reply(check, reply)
                if why is not None:
                    run.failures.append(Failure(turn_number, check.kind, why))

    async def _simulate(self, test: TestCase, number: int, run: RunResult) -> None:
        simulation = test.simulate
        assert simulation is not None
        caller_model = self.models.caller or self.models.judge or test.model
        persona = CALLER_PROMPT.format(caller=simulation.caller, done=DONE)
        caller: list[dict[str, str]] = [
            {"role": "system", "content": persona},
            {"role": "user", "content": CALLER_OPENING},
        ]
        bot = [{"role": "system", "content": test.system_prompt}]
        run.ended = "max_turns"
        for turn_number in range(1, simulation.max_turns + 1):
            said = await self._complete(caller_model, caller, CALLER_SETTINGS, number)
            words, done = caller_done(said)
            caller.append({"role": "assistant", "content": said})
            if words:
                run.transcript.append(("user", words))
                bot.append({"role": "user", "content": words})
            if done or not words:
                run.ended = "caller"
                break
            reply = await self._complete(test.model, bot, test.settings, number)
            bot.append({"role": "assistant", "content": reply})
            caller.append({"role": "user", "content": reply})
            run.transcript.append(("assistant", reply))
            self._speech(run, turn_number, reply)
        passed, reason = await self._judge(test, simulation.success, run, number, True)
        if not passed:
            run.failures.append(Failure(0, "success", reason or "not achieved"))

    def _speech(self, run: RunResult, turn: int, reply: str) -> None:
        why = speech_problem(reply)
        if why is not None:
            run.failures.append(Failure(turn, "speech", why))

    async def _judge(
        self, test: TestCase, rubric: str, run: RunResult, number: int, whole: bool
    ) -> tuple[bool, str]:
        messages = [
            {"role": "system", "content": JUDGE_PROMPT},
            {"role": "user", "content": judge_request(rubric, _named(run.transcript), whole=whole)},
        ]
        answer = await self._complete(
            self.models.judge or test.model, messages, JUDGE_SETTINGS, number
        )
        return parse_verdict(answer)

    async def _complete(
        self, model: str, messages: list[dict[str, str]], settings: dict[str, Any], run: int
    ) -> str:
        self.calls += 1
        key = cache_key(self.endpoint.identity, model, settings, messages, run)
        found = self.cache.get(key)
        if found is not None:
            self.cached += 1
            return found.text
        if self.client is None:
            self.client = self._open_client()
        completion: Completion = await self.client.complete(model, list(messages), settings)
        self.tokens += completion.tokens
        self.cache.put(key, completion)
        return completion.text


def _named(transcript: list[tuple[Role, str]]) -> list[tuple[str, str]]:
    return [("caller" if role == "user" else "assistant", text) for role, text in transcript]
