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
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from botops.client import Client
from botops.errors import (
    ApiError,
    BotopsError,
    ServerError,
    TransportError,
)
from botops.model import ApplyResult, Plan, ResourcePlan
from botops.planner import differs

MAX_WRITE_ATTEMPTS = 5

OnResult = Callable[[ApplyResult], None]


class _Unknown(Exception):
    """A write's outcome could not be settled; carries the message for the report."""


class _Stopped(Exception):
    """Asked to stop before this resource's write was sent."""


STOPPED_MESSAGE = "interrupted before anything was sent; run `botops apply` again to apply it"


async def apply_plan(
    plan: Plan,
    client: Client,
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
        client: Client,
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
        live = await self._read(resource.kind, resource.id)
        live_version = _version(live)
        if live_version != resource.source_version:
            return ApplyResult(
                resource.address,
                "stale",
                message=f"live version is {live_version}, the plan was made on "
                f"{resource.source_version}; nothing was sent. Run `botops plan` again",
            )
        new_version = await self._write(resource.kind, resource.id, resource.payload)
        await self._verify(resource.kind, resource.id, resource.payload, new_version)
        return ApplyResult(resource.address, "applied", new_version=new_version)

    async def _create(self, resource: ResourcePlan) -> ApplyResult:
        from botops.generation import run_generation

        assert resource.payload is not None
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
        bot_id = str(job["bot_id"])
        live = await self._read("Voicebot", bot_id)
        version = dict(resource.payload["version"])
        data = {k: v for k, v in version["data"].items() if differs(live.get(k), v)}
        new_version = _version(live)
        if data:
            version["data"] = data
            version["source_version"] = new_version
            try:
                new_version = await self._write("Voicebot", bot_id, version)
            except _Stopped:
                return ApplyResult(
                    resource.address,
                    "failed",
                    message=f"created as {bot_id} through bot generation, but interrupted "
                    f"before its declared fields were sent: add `bot_id: {bot_id}` to "
                    f"{resource.file} and run `botops apply` again",
                )
            await self._verify("Voicebot", bot_id, version, new_version)
        return ApplyResult(
            resource.address,
            "applied",
            new_version=new_version,
            message=f"created as {bot_id} through bot generation job {job.get('id')}; "
            f"add `bot_id: {bot_id}` to {resource.file}",
        )

    async def _read(self, kind: str, resource_id: str) -> dict[str, Any]:
        if kind == "Voicebot":
            return await self.client.get_voicebot(resource_id)
        return await self.client.get_assistant(resource_id)

    async def _post(self, kind: str, resource_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "Voicebot":
            return await self.client.create_voicebot_version(resource_id, payload)
        return await self.client.create_assistant_version(resource_id, payload)

    async def _write(self, kind: str, resource_id: str, payload: dict[str, Any]) -> str | None:
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
                response = await self._post(kind, resource_id, payload)
                return _version(response)
            except TransportError as error:
                last_error = error
                if not error.maybe_sent:
                    continue
            except ServerError as error:
                last_error = error
            live = await self._read(kind, resource_id)
            live_version = _version(live)
            if live_version == source_version:
                continue
            if _persisted(_sent_fields(payload), live):
                return live_version
            raise _Unknown(
                f"the outcome of the write was unknown ({last_error}) and the live version "
                f"moved on to {live_version} with other values; run `botops plan` again"
            )
        raise BotopsError(
            f"gave up after {MAX_WRITE_ATTEMPTS} attempts, nothing was written: {last_error}"
        )

    async def _verify(
        self, kind: str, resource_id: str, payload: Mapping[str, Any], new_version: str | None
    ) -> None:
        """Read back: every field sent must have persisted with the value sent."""
        live = await self._read(kind, resource_id)
        sent = _sent_fields(payload)
        dropped = [field for field, value in sent.items() if not _persisted(value, live.get(field))]
        if payload.get("mark_as_stable") is True and live.get("stable_version") != new_version:
            dropped.append("mark_as_stable")
        if dropped:
            detail = ", ".join(
                f"{field} (sent {_short(sent.get(field, True))}, "
                f"live {_short(_live_of(field, live))})"
                for field in dropped
            )
            raise BotopsError(f"the server did not keep what was sent in {new_version}: {detail}")


def _live_of(field: str, live: Mapping[str, Any]) -> Any:
    return live.get("stable_version" if field == "mark_as_stable" else field)


def _sent_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    if "data" in payload:
        data: dict[str, Any] = payload["data"]
        return data
    return {k: v for k, v in payload.items() if k not in ("source_version", "mark_as_stable")}


def _persisted(sent: Any, live: Any) -> bool:
    """True when `live` carries `sent`: objects key by key (the server may add keys)."""
    if isinstance(sent, Mapping):
        return isinstance(live, Mapping) and all(
            _persisted(value, live.get(key)) for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(live, list)
            and len(live) == len(sent)
            and all(_persisted(s, v) for s, v in zip(sent, live, strict=True))
        )
    return not differs(sent, live)


def _version(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("version")
    return None if value is None else str(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
