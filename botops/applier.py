"""Writes a plan: one new version per changed resource, never lost, never doubled.

For each resource: re-read it and refuse it as stale if the live version is no longer the plan's
`source_version`; send the payload; when the outcome of a write is unknown (timeout, dropped
connection, 5xx), re-read instead of repeating it blindly: if the live version moved on with the
intended values the write happened, if it did not move the write is retried; finally read the
resource back and check that every field sent persisted with the value sent.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from botops.compare import carries, differs
from botops.errors import (
    ApiError,
    BotopsError,
    ServerError,
    TransportError,
)
from botops.kinds import KindSpec, LiveObject, Payload, spec_of, version_of
from botops.model import ApplyResult, Plan, ResourcePlan

if TYPE_CHECKING:  # httpx loads only when a command calls the API
    from botops.client import ApiClient

MAX_WRITE_ATTEMPTS = 5

OnResult = Callable[[ApplyResult], None]


class _Unknown(Exception):
    """A write's outcome could not be settled; carries the message for the report."""


class _Stopped(Exception):
    """Asked to stop before this resource's write was sent."""


STOPPED_MESSAGE = "interrupted before anything was sent; run `botops apply` again to apply it"


async def apply_plan(
    plan: Plan,
    client: ApiClient,
    *,
    on_result: OnResult,
    generation_timeout: float = 600.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    stop: asyncio.Event | None = None,
) -> None:
    """Apply every changed resource of `plan`, reporting each outcome through `on_result`.

    Results are reported as they settle, so a caller interrupted half-way still has them. Once
    `stop` is set no new write starts (those resources fail with nothing sent) while writes in
    flight finish and are verified; a resource whose write was in flight when the task is
    cancelled is reported as `unknown`.
    """
    writer = _Writer(
        client, sleep=sleep, generation_timeout=generation_timeout, stop=stop or asyncio.Event()
    )
    changed = [r for r in plan.resources if r.action != "no-op"]
    # One resource (read, write, read back) per slot: a resource still waiting for a slot when
    # `stop` is set has sent nothing and starts nothing.
    slots = asyncio.Semaphore(max(1, int(getattr(client, "concurrency", 16))))

    async def one(resource: ResourcePlan) -> None:
        try:
            async with slots:
                result = await writer.apply(resource)
        except asyncio.CancelledError:
            on_result(
                ApplyResult(
                    resource.address,
                    "unknown",
                    message="interrupted while applying: it may or may not have been written; "
                    "run `botops plan` to see",
                )
            )
            raise
        on_result(result)

    await asyncio.gather(*(one(r) for r in changed))


class _Writer:
    def __init__(
        self,
        client: ApiClient,
        *,
        sleep: Callable[[float], Awaitable[None]],
        generation_timeout: float,
        stop: asyncio.Event,
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.generation_timeout = generation_timeout
        self.stop = stop

    async def apply(self, resource: ResourcePlan) -> ApplyResult:
        address = resource.address
        try:
            if self.stop.is_set():
                raise _Stopped
            if resource.action == "create":
                return await self._create(resource)
            return await self._update(resource)
        except _Stopped:
            return ApplyResult(address, "failed", message=STOPPED_MESSAGE)
        except _Unknown as error:
            return ApplyResult(address, "unknown", message=str(error))
        except BotopsError as error:
            return ApplyResult(address, "failed", message=str(error))

    async def _update(self, resource: ResourcePlan) -> ApplyResult:
        assert resource.id is not None and resource.payload is not None
        spec = spec_of(resource.kind)
        live = await spec.read(self.client, resource.id)
        live_version = version_of(live)
        if live_version != resource.source_version:
            return ApplyResult(
                resource.address,
                "stale",
                message=f"live version is {live_version}, the plan was made on "
                f"{resource.source_version}; nothing was sent. Run `botops plan` again",
            )
        new_version = await self._write(spec, resource.id, resource.payload)
        await self._verify(spec, resource.id, resource.payload, new_version)
        return ApplyResult(resource.address, "applied", new_version=new_version)

    async def _create(self, resource: ResourcePlan) -> ApplyResult:
        from botops.generation import run_generation

        assert resource.payload is not None
        spec = spec_of(resource.kind)
        text = resource.payload["generation"]["text_content"]
        if self.stop.is_set():
            raise _Stopped
        try:
            job = await run_generation(self.client, text, timeout=self.generation_timeout)
        except TransportError as error:
            if not error.maybe_sent:
                raise
            raise _Unknown(
                f"bot generation may have started but its answer was lost ({error}); run "
                "`botops plan --unmanaged` and add the new bot's bot_id to the file before "
                "applying again, so that it is not created twice"
            ) from None
        except ServerError as error:
            raise _Unknown(
                f"bot generation answered {error.status}; it may have started: run "
                "`botops plan --unmanaged` to look for a new bot before applying again"
            ) from None
        bot_id = str(job[spec.id_key])
        live = await spec.read(self.client, bot_id)
        version: Payload = resource.payload["version"]
        # Generation may already have given the bot some of the declared values.
        values = {k: v for k, v in spec.sent(version).items() if differs(live.get(k), v)}
        new_version = version_of(live)
        if values:
            version = spec.rebased(version, new_version, values)
            try:
                new_version = await self._write(spec, bot_id, version)
            except _Stopped:
                return ApplyResult(
                    resource.address,
                    "failed",
                    message=f"created as {bot_id} through bot generation, but interrupted "
                    f"before its declared fields were sent: add `bot_id: {bot_id}` to "
                    f"{resource.file} and run `botops apply` again",
                )
            await self._verify(spec, bot_id, version, new_version)
        return ApplyResult(
            resource.address,
            "applied",
            new_version=new_version,
            message=f"created as {bot_id} through bot generation job {job.get('id')}; "
            f"add `bot_id: {bot_id}` to {resource.file}",
        )

    async def _write(self, spec: KindSpec, resource_id: str, payload: Payload) -> str | None:
        """POST once; when the outcome is unknown, settle it by reading before any retry."""
        source_version = payload.get("source_version")
        last_error: ApiError | None = None
        for attempt in range(MAX_WRITE_ATTEMPTS):
            if attempt:
                await self.sleep(random.uniform(0, min(2.0, 0.1 * 2**attempt)))
            # Every earlier attempt is known not to have acted: stopping here loses nothing.
            if self.stop.is_set():
                raise _Stopped
            try:
                response = await spec.write(self.client, resource_id, payload)
                return version_of(response)
            except TransportError as error:
                last_error = error
                if not error.maybe_sent:
                    continue
            except ServerError as error:
                last_error = error
            live = await spec.read(self.client, resource_id)
            live_version = version_of(live)
            if live_version == source_version:
                continue
            if carries(live, spec.sent(payload)):
                return live_version
            raise _Unknown(
                f"the outcome of the write was unknown ({last_error}) and the live version "
                f"moved on to {live_version} with other values; run `botops plan` again"
            )
        raise BotopsError(
            f"gave up after {MAX_WRITE_ATTEMPTS} attempts, nothing was written: {last_error}"
        )

    async def _verify(
        self, spec: KindSpec, resource_id: str, payload: Payload, new_version: str | None
    ) -> None:
        """Read back: every field sent must have persisted with the value sent."""
        live = await spec.read(self.client, resource_id)
        sent = spec.sent(payload)
        dropped = [field for field, value in sent.items() if not carries(live.get(field), value)]
        if payload.get("mark_as_stable") is True and live.get("stable_version") != new_version:
            dropped.append("mark_as_stable")
        if dropped:
            detail = ", ".join(
                f"{field} (sent {_short(sent.get(field, True))}, "
                f"live {_short(_live_of(field, live))})"
                for field in dropped
            )
            raise BotopsError(f"the server did not keep what was sent in {new_version}: {detail}")


def _live_of(field: str, live: LiveObject) -> Any:
    return live.get("stable_version" if field == "mark_as_stable" else field)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
