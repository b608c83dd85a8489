"""Bot generation: a job created from a plain-language description, polled until it ends.

The API answers the create call at once with a job (`pending`); the job moves through
`in_progress` to `completed` (with the new `bot_id`) or `failed` (with a `reason`). Polling
starts at `poll_interval` and grows ×1.5 up to `MAX_POLL_INTERVAL`, so a long job costs few
requests and a short one is seen finishing soon after it does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botops.errors import ApiError, GenerationFailed, GenerationTimeout, NotFoundError, UsageError

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

MAX_POLL_INTERVAL = 5.0
BACKOFF = 1.5
COMPLETED = "completed"
# Servers other than the reference may name a dead job differently; none of these ever finish.
FAILED = frozenset({"failed", "error", "cancelled", "canceled"})

OnStatus = Callable[[dict[str, Any]], None]


def job_status(job: dict[str, Any]) -> str:
    """The job's status, lower-cased (`pending`, `in_progress`, `completed`, `failed`)."""
    return str(job.get("status") or "").strip().lower()


def job_id_of(job: dict[str, Any]) -> str | None:
    value = job.get("id") or job.get("generation_id")
    return str(value) if value else None


async def run_generation(
    client: ApiClient,
    text: str,
    *,
    timeout: float,
    poll_interval: float = 0.5,
    on_status: OnStatus | None = None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """Create a generation job from `text` (or resume `job_id`) and poll it to its end.

    Returns the completed job (it has `bot_id`). `on_status` is called with the job each time
    its status changes, the first answer included. Raises GenerationFailed for a failed job and
    GenerationTimeout when it is not done within `timeout` seconds of this call.
    """
    if timeout <= 0:
        raise UsageError(f"the generation timeout must be positive, got {timeout:g}")
    if poll_interval <= 0:
        raise UsageError(f"the poll interval must be positive, got {poll_interval:g}")
    deadline = time.monotonic() + timeout
    if job_id is None:
        if not text.strip():
            raise UsageError("the bot description is empty: say what the bot should do")
        job = await client.create_generation(text)
        found = job_id_of(job)
        if found is None:
            raise ApiError("the bot-generation answer has no job id", method="POST")
        job_id = found
    else:
        job = await _read(client, job_id)
    job = {**job, "id": job_id}

    status = job_status(job)
    if on_status is not None:
        on_status(job)
    interval = poll_interval
    while status != COMPLETED and status not in FAILED:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise GenerationTimeout(job_id, timeout)
        await asyncio.sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_POLL_INTERVAL)
        job = {**await _read(client, job_id), "id": job_id}
        if job_status(job) != status:
            status = job_status(job)
            if on_status is not None:
                on_status(job)

    if status in FAILED:
        reason = job.get("reason") or job.get("error") or job.get("message") or "no reason given"
        raise GenerationFailed(job_id, str(reason))
    if not job.get("bot_id"):
        raise ApiError(f"bot generation job {job_id} completed without a bot_id", method="GET")
    return job


async def _read(client: ApiClient, job_id: str) -> dict[str, Any]:
    try:
        job: dict[str, Any] = await client.get_generation(job_id)
    except NotFoundError as error:
        raise UsageError(
            f"no bot generation job {job_id!r} on this account ({error.server_message})"
        ) from None
    return job
