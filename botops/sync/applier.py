"""Writes a plan: one new version per changed resource, never lost, never doubled.

For each resource: re-read it and refuse it as stale if the live version is no longer the plan's
`source_version`; refuse a payload that does not follow from the plan's changes; send the
payload; when the outcome of a write is unknown (timeout, dropped connection, 5xx), re-read
instead of repeating it blindly: if the live version moved on with the intended values the write
happened, if it did not move the write is retried; finally read the resource back and check
that every field sent persisted with the value sent.

The API has no conditional write: a version is built on whatever `source_version` it names, so
another writer landing between the re-read and the POST can't be prevented. It is noticed
instead: the new version must be the direct successor of `source_version` (v3 -> v4), and the
read-back must still show it; otherwise the result is a `conflict` naming the versions. A write
that may have happened is never reported as failed: when it can't be settled (the server gone),
it is `unknown`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from botops.errors import (
    ApiError,
    BotopsError,
    GenerationTimeout,
    HTTPStatusError,
    ServerError,
    TransportError,
)
from botops.kinds import (
    KindSpec,
    LiveObject,
    Payload,
    carries,
    differs,
    next_version,
    spec_of,
    version_of,
)
from botops.model import ApplyResult, Outcome, Plan, ResourcePlan
from botops.sync.disclosed import created_name, refusal

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

MAX_WRITE_ATTEMPTS = 5

OnResult = Callable[[ApplyResult], None]
# A create's bot-generation job, each time its status changes: (the resource's address, the job).
OnGeneration = Callable[[str, dict[str, Any]], None]


class _Unknown(Exception):
    """A write's outcome could not be settled; carries the message for the report."""


class _Stopped(Exception):
    """Asked to stop before this resource's write was sent."""


class _Conflict(Exception):
    """Written as `version`, but another writer wrote the same resource at the same time."""

    def __init__(self, version: str | None, message: str) -> None:
        super().__init__(message)
        self.version = version


STOPPED_MESSAGE = "interrupted before anything was sent; run `botops apply` again to apply it"


async def apply_plan(
    plan: Plan,
    client: ApiClient,
    *,
    on_result: OnResult,
    generation_timeout: float = 600.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    stop: asyncio.Event | None = None,
    on_generation: OnGeneration | None = None,
) -> None:
    """Apply every changed resource of `plan`, reporting each outcome through `on_result`
    (and each status of a create's generation job through `on_generation`).

    Results are reported as they settle, so a caller interrupted half-way still has them. Once
    `stop` is set no new write starts (those resources fail with nothing sent) while writes in
    flight finish and are verified; a resource whose write was in flight when the task is
    cancelled is reported as `unknown`.
    """
    writer = _Writer(
        client,
        sleep=sleep,
        generation_timeout=generation_timeout,
        stop=stop or asyncio.Event(),
        on_generation=on_generation,
    )
    changed = [r for r in plan.resources if r.action != "no-op"]
    # One resource (read, write, read back) per slot: a resource still waiting for a slot when
    # `stop` is set has sent nothing and starts nothing.
    slots = asyncio.Semaphore(max(1, int(getattr(client, "concurrency", 16))))

    # First every resource is read and checked, and only then is anything written: a plan
    # that would send one byte its rendered plan does not show is refused whole.
    checked = await writer.check_all(changed, slots)
    refused = {a: r for a, r in checked.items() if isinstance(r, ApplyResult) and r.refused}
    if refused:
        reasons = "; ".join(f"{a}: {r.message}" for a, r in sorted(refused.items()))
        for resource in changed:
            own = refused.get(resource.address)
            on_result(
                own
                if own is not None
                else ApplyResult(
                    resource.address,
                    "failed",
                    message=f"not applied: the whole plan is refused ({reasons}); nothing "
                    "was sent. Make the plan again with `botops plan --out`",
                )
            )
        return

    async def one(resource: ResourcePlan) -> None:
        ready = checked[resource.address]
        if isinstance(ready, ApplyResult):
            on_result(ready)
            return
        try:
            async with slots:
                result = await writer.apply(resource, ready)
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
        on_generation: OnGeneration | None = None,
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.generation_timeout = generation_timeout
        self.stop = stop
        self.on_generation = on_generation

    async def check_all(
        self, changed: list[ResourcePlan], slots: asyncio.Semaphore
    ) -> dict[str, LiveObject | ApplyResult | None]:
        """Each changed resource's live object (None for a create) when it may be written, or
        its result when not: stale, unreadable, or `refused` (what it sends is not shown)."""
        creates = [r for r in changed if r.action == "create"]
        named: dict[tuple[str, str], list[str]] = {}
        try:
            for kind in {r.kind for r in creates}:
                spec = spec_of(kind)
                async for live in spec.iterate(self.client):
                    name = live.get("name")
                    if isinstance(name, str):
                        named.setdefault((kind, name), []).append(str(live[spec.id_key]))
        except BotopsError as error:
            # Without the list no create can be told apart from a clone: none is made.
            listing: str | None = f"can't list the live bots to check that none exists yet: {error}"
        else:
            listing = None

        async def one(resource: ResourcePlan) -> tuple[str, LiveObject | ApplyResult | None]:
            if resource.action == "create":
                if listing is not None:
                    return resource.address, ApplyResult(
                        resource.address, "failed", message=listing
                    )
                return resource.address, await self._checked_create(resource, named)
            return resource.address, await self._checked(resource, slots)

        return dict(await asyncio.gather(*(one(r) for r in changed)))

    async def _checked_create(
        self, resource: ResourcePlan, named: dict[tuple[str, str], list[str]]
    ) -> ApplyResult | None:
        problem = refusal(resource, None)
        if problem is not None:
            return _refused(resource, problem)
        spec = spec_of(resource.kind)
        # A saved plan's create is stale once a bot of that name exists (someone made it, or
        # this plan was applied already): generating again would clone it.
        name = created_name(resource)
        existing = named.get((resource.kind, str(name)), [])
        if len(existing) == 1 and await self._created_by(spec, resource, existing[0]):
            return ApplyResult(
                resource.address,
                "already applied",
                created_id=existing[0],
                message=f"created as {existing[0]} by an earlier run of this plan (its newest "
                f"version has the values and description this plan sends); nothing was sent. "
                f"Add `{spec.id_key}: {existing[0]}` to {resource.file}",
            )
        if existing:
            return ApplyResult(
                resource.address,
                "stale",
                message=f"a live {spec.prefix} named {name!r} exists now "
                f"({', '.join(existing)}); nothing was sent. Run `botops plan` again",
            )
        return None

    async def _checked(
        self, resource: ResourcePlan, slots: asyncio.Semaphore
    ) -> LiveObject | ApplyResult:
        if resource.id is None or not isinstance(resource.payload, dict):
            return _refused(resource, "an update must name its id and carry a payload")
        spec = spec_of(resource.kind)
        try:
            async with slots:
                live = await spec.read(self.client, resource.id)
        except BotopsError as error:
            return ApplyResult(resource.address, "failed", message=str(error))
        live_version = version_of(live)
        if live_version != resource.source_version:
            if await self._already_applied(spec, resource, live):
                return ApplyResult(
                    resource.address,
                    "already applied",
                    new_version=live_version,
                    message=f"{live_version} is this plan's write from an earlier run (built on "
                    f"{resource.source_version}, with the values and description this plan "
                    "sends); nothing was sent",
                )
            return ApplyResult(
                resource.address,
                "stale",
                message=f"live version is {live_version}, the plan was made on "
                f"{resource.source_version}; nothing was sent. Run `botops plan` again",
            )
        if await self._written_unstable(spec, resource, live):
            head = spec.head(live)
            return ApplyResult(
                resource.address,
                "already applied",
                new_version=head,
                message=f"{head} is this plan's write from an earlier run (not stable, with the "
                "values and description this plan sends); nothing was sent",
            )
        # `live` is the version the plan was made on: what is sent must be exactly what the
        # plan shows of it (a plan file edited beside its changes is refused).
        problem = refusal(resource, live)
        if problem is not None:
            return _refused(resource, problem)
        return live

    async def _already_applied(
        self, spec: KindSpec, resource: ResourcePlan, live: LiveObject
    ) -> bool:
        """Whether `live` is what this plan's own write made in an earlier run (a re-run after
        a partial failure): the direct successor of the version the plan saw, carrying every
        value the plan sends, the stable mark it asks for, and, where the server lists its
        versions, this plan's version_description; and the plan is one apply would have sent
        on the version it was made on."""
        payload = resource.payload
        written = version_of(live)
        assert resource.id is not None and isinstance(payload, dict)
        if written is None or written != next_version(resource.source_version):
            return False
        if not carries(live, spec.sent(payload)):
            return False
        if spec.marks_stable_in(payload) and live.get("stable_version") not in (None, written):
            return False
        try:
            seen = await spec.read(self.client, resource.id, version=resource.source_version)
            stamp = await self._description_of(spec, resource.id, written)
        except BotopsError:
            return False
        # A kind whose read can't name an older version answers the newest: then the values
        # and the stamp tell.
        if version_of(seen) == resource.source_version and refusal(resource, seen) is not None:
            return False
        description = payload.get("version_description")
        return stamp is None or not isinstance(description, str) or stamp == description

    async def _created_by(self, spec: KindSpec, resource: ResourcePlan, bot_id: str) -> bool:
        """Whether live `bot_id` is this plan's create, done by an earlier run: its newest
        version is stamped by the plan (a bot that generation gave every value got no version
        of botops' and can't be told so)."""
        assert isinstance(resource.payload, dict)
        version = resource.payload.get("version")
        return isinstance(version, dict) and await self._stamped(spec, bot_id, None, version)

    async def _written_unstable(
        self, spec: KindSpec, resource: ResourcePlan, live: LiveObject
    ) -> bool:
        """Whether a version newer than the one writes build on (Exotel's assistants: latest
        not stable), while the plan does not mark its write stable, is stamped by the plan."""
        payload = resource.payload
        head = spec.head(live)
        assert resource.id is not None and isinstance(payload, dict)
        if head in (None, version_of(live)) or spec.marks_stable_in(payload):
            return False
        return await self._stamped(spec, resource.id, str(head), payload)

    async def _stamped(
        self, spec: KindSpec, resource_id: str, version: str | None, payload: Payload
    ) -> bool:
        """Whether `version` of the resource (its newest when None) carries every value
        `payload` sends and bears its version_description, which the server must list."""
        description = payload.get("version_description")
        if not isinstance(description, str):
            return False
        try:
            live = await spec.read(self.client, resource_id, version=version)
            written = version_of(live)
            stamp = await self._description_of(spec, resource_id, str(written))
        except BotopsError:
            return False
        return (
            version in (None, written)
            and carries(live, spec.sent(payload))
            and stamp == description
        )

    async def _description_of(self, spec: KindSpec, resource_id: str, version: str) -> str | None:
        """`version`'s version_description as the server lists it; None when the server has no
        version list (404/405) or does not say."""
        try:
            async for item in spec.version_items(self.client, resource_id):
                if item.get("version") == version:
                    found = item.get("version_description")
                    return found if isinstance(found, str) else None
        except HTTPStatusError as error:
            if error.status in (404, 405):
                return None
            raise
        return None

    async def apply(self, resource: ResourcePlan, live: LiveObject | None) -> ApplyResult:
        address = resource.address
        try:
            if self.stop.is_set():
                raise _Stopped
            if resource.action == "create":
                return await self._create(resource)
            assert live is not None
            return await self._update(resource, live)
        except _Stopped:
            return ApplyResult(address, "failed", message=STOPPED_MESSAGE)
        except _Conflict as error:
            return ApplyResult(address, "conflict", new_version=error.version, message=str(error))
        except _Unknown as error:
            return ApplyResult(address, "unknown", message=str(error))
        except BotopsError as error:
            return ApplyResult(address, "failed", message=str(error))

    async def _update(self, resource: ResourcePlan, live: LiveObject) -> ApplyResult:
        assert resource.id is not None and resource.payload is not None
        spec = spec_of(resource.kind)
        new_version = await self._write(spec, resource.id, resource.payload, spec.head(live))
        await self._verify(spec, resource.id, resource.payload, new_version)
        return ApplyResult(resource.address, "applied", new_version=new_version)

    async def _create(self, resource: ResourcePlan) -> ApplyResult:
        from botops.client.generation import run_generation

        assert resource.payload is not None
        spec = spec_of(resource.kind)
        version: Payload = resource.payload["version"]
        text = resource.payload["generation"]["text_content"]
        if self.stop.is_set():
            raise _Stopped
        report = self.on_generation
        try:
            job = await run_generation(
                self.client,
                text,
                timeout=self.generation_timeout,
                on_status=(lambda job: report(resource.address, job)) if report else None,
            )
        except TransportError as error:
            if not error.maybe_sent:
                raise
            raise _Unknown(
                f"bot generation may have started but its answer was lost ({error}); run "
                f"`botops plan --unmanaged` and add the new {spec.noun}'s {spec.id_key} to the "
                "file before applying again, so that it is not created twice"
            ) from None
        except ServerError as error:
            raise _Unknown(
                f"bot generation answered {error.status}; it may have started: run "
                "`botops plan --unmanaged` to look for a new bot before applying again"
            ) from None
        except GenerationTimeout as error:
            raise _Unknown(f"{error}; it may still create the bot") from None
        bot_id = str(job[spec.id_key])
        # From here on the bot exists: every outcome names it and the line that manages it.
        created = (
            f"created as {bot_id} through bot generation job {job.get('id')}; "
            f"{id_hint(spec.id_key, bot_id, resource.file)}"
        )
        outcome: Outcome
        try:
            new_version = await self._declare(spec, bot_id, version)
        except _Stopped:
            outcome, detail = "failed", "interrupted before its declared fields were sent"
        except _Conflict as error:
            return ApplyResult(
                resource.address,
                "conflict",
                new_version=error.version,
                message=f"{error}; {created}",
                created_id=bot_id,
            )
        except _Unknown as error:
            outcome, detail = "unknown", str(error)
        except BotopsError as error:
            outcome, detail = "failed", f"its declared fields were not written: {error}"
        else:
            return ApplyResult(
                resource.address,
                "applied",
                new_version=new_version,
                message=created,
                created_id=bot_id,
            )
        return ApplyResult(
            resource.address,
            outcome,
            message=f"{created}, then run `botops apply` again ({detail})",
            created_id=bot_id,
        )

    async def _declare(self, spec: KindSpec, bot_id: str, version: Payload) -> str | None:
        """Write the declared values a generated bot does not already have."""
        live = await spec.read(self.client, bot_id)
        # Generation may already have given the bot some of the declared values.
        values = {k: v for k, v in spec.sent(version).items() if differs(live.get(k), v)}
        if not values:
            return version_of(live)
        rebased = spec.rebased(version, version_of(live), values)
        new_version = await self._write(spec, bot_id, rebased)
        await self._verify(spec, bot_id, rebased, new_version)
        return new_version

    async def _write(
        self, spec: KindSpec, resource_id: str, payload: Payload, head: str | None = None
    ) -> str | None:
        """POST once; when the outcome is unknown, settle it by reading before any retry.
        Returns the new version, which another writer did not get in before. `head` is the
        newest version before the write (default: the one the payload builds on)."""
        source_version = head if head is not None else payload.get("source_version")
        last_error: ApiError | None = None
        for attempt in range(MAX_WRITE_ATTEMPTS):
            if attempt:
                await self.sleep(random.uniform(0, min(2.0, 0.1 * 2**attempt)))
            # Every earlier attempt is known not to have acted: stopping here loses nothing.
            if self.stop.is_set():
                raise _Stopped
            try:
                response = await spec.write(self.client, resource_id, payload)
            except TransportError as error:
                last_error = error
                if not error.maybe_sent:
                    continue
            except ServerError as error:
                last_error = error
            else:
                # An answer without a version says it was written, not as what: the
                # read-back tells.
                written = version_of(response) or await self._written_as(spec, resource_id)
                return self._successor(spec, source_version, written)
            live = await self._settling_read(spec, resource_id, last_error)
            live_version = spec.head(live)
            if live_version == source_version:
                continue
            if carries(live, spec.sent(payload)):
                return self._successor(spec, source_version, live_version)
            raise _Unknown(
                f"the outcome of the write was unknown ({last_error}) and the live version "
                f"moved on to {live_version} with other values; run `botops plan` again"
            )
        raise BotopsError(
            f"gave up after {MAX_WRITE_ATTEMPTS} attempts, no version was written: {last_error}"
        )

    async def _settling_read(
        self, spec: KindSpec, resource_id: str, error: ApiError | None
    ) -> LiveObject:
        try:
            return await spec.read(self.client, resource_id)
        except BotopsError as failure:
            # The write may have acted: without a read that says it did not, it is unknown.
            raise _Unknown(
                f"the answer to the write was lost and it may have happened; reading the "
                f"{spec.noun} to find out failed: {failure}; run `botops plan` to see"
            ) from None

    async def _written_as(self, spec: KindSpec, resource_id: str) -> str | None:
        try:
            return version_of(await spec.read(self.client, resource_id))
        except BotopsError as failure:
            raise _Unknown(
                f"written, but the server's answer named no version and reading the "
                f"{spec.noun} back failed ({failure}); run `botops plan` to see"
            ) from None

    @staticmethod
    def _successor(spec: KindSpec, source_version: Any, written: str | None) -> str | None:
        """`written`, when it is the direct successor of `source_version`; a conflict when it
        is further on: another writer made the versions in between, and this one, built on
        `source_version`, may undo their changes."""
        expected = next_version(source_version if isinstance(source_version, str) else None)
        if expected is not None and written != expected:
            raise _Conflict(
                written,
                f"written as {written} on {source_version}, but another writer made "
                f"{expected} in the meantime; {written} does not hold its changes, which may be "
                "lost. Run `botops plan` to see what is live now",
            )
        return written

    async def _verify(
        self, spec: KindSpec, resource_id: str, payload: Payload, new_version: str | None
    ) -> None:
        """Read back: the live version must still be the one written (else another writer
        came after), and every field sent must have persisted with the value sent."""
        try:
            live = await spec.read(self.client, resource_id)
        except BotopsError as failure:
            raise _Unknown(
                f"written as {new_version}, but reading it back to check it failed ({failure}); "
                "run `botops plan` to see"
            ) from None
        live_version = spec.head(live)
        if live_version != new_version:
            raise _Conflict(
                new_version,
                f"written as {new_version}, but the live version is already "
                f"{live_version}: another writer wrote after it. Run `botops plan` to check that "
                f"{live_version} keeps these changes",
            )
        if new_version is not None and version_of(live) != new_version:
            # Read as its stable version, and this one is not (yet) stable: read this one.
            live = await self._read_back(spec, resource_id, new_version)
        sent = spec.sent(payload)
        dropped = [field for field, value in sent.items() if not carries(live.get(field), value)]
        if spec.marks_stable_in(payload) and live.get("stable_version") != new_version:
            dropped.append("mark_as_stable")
        if dropped:
            detail = ", ".join(
                f"{field} (sent {_short(sent.get(field, True))}, "
                f"live {_short(_live_of(field, live))})"
                for field in dropped
            )
            raise BotopsError(f"the server did not keep what was sent in {new_version}: {detail}")

    async def _read_back(self, spec: KindSpec, resource_id: str, version: str) -> LiveObject:
        try:
            return await spec.read(self.client, resource_id, version=version)
        except BotopsError as failure:
            raise _Unknown(
                f"written as {version}, but reading it back to check it failed ({failure}); "
                "run `botops plan` to see"
            ) from None


def id_hint(id_key: str, resource_id: str, file: str) -> str:
    """What a create's result asks to add to its file (`apply --write-ids` does it)."""
    return f"add `{id_key}: {resource_id}` to {file}"


def _refused(resource: ResourcePlan, problem: str) -> ApplyResult:
    return ApplyResult(
        resource.address,
        "failed",
        message=f"refused: {problem}; it sends what the plan does not show, so the whole plan "
        "is refused and nothing was sent. Make the plan again with `botops plan --out`",
        refused=True,
    )


def _live_of(field: str, live: LiveObject) -> Any:
    return live.get("stable_version" if field == "mark_as_stable" else field)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
