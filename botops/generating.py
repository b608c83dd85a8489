"""The generate use case: a bot-generation job run to its end (`generation`), the new bot read,
and its YAML written. Nothing is started when the request can't succeed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botops import importer
from botops.errors import UsageError
from botops.generation import OnStatus, run_generation
from botops.session import Session

if TYPE_CHECKING:  # httpx loads only when a command calls the API
    from botops.client import ApiClient


@dataclass(frozen=True)
class Generated:
    """The new bot as the API gave it, and the file it was written to."""

    bot_id: str
    bot: dict[str, Any]
    path: Path


def generate_bot(
    session: Session,
    text: str | None,
    *,
    out: Path | None,
    timeout: float,
    job_id: str | None,
    on_status: OnStatus | None = None,
    while_waiting: Callable[[], Awaitable[None]] | None = None,
) -> Generated:
    """Start a job from `text` (or pick up `job_id`), wait for it, write the bot to `out`
    (default `<slug of its name>.yaml` here). `while_waiting` runs alongside the polling
    (a spinner) and is cancelled when the job ends."""
    if not job_id and not (text or "").strip():
        raise UsageError("describe the bot (TEXT), or pick up a job with --job ID")
    if out is not None and out.exists():
        raise UsageError(f"{out} already exists; choose another --out (nothing was started)")

    async def go(client: ApiClient) -> tuple[dict[str, Any], dict[str, Any]]:
        waiting = asyncio.ensure_future(while_waiting()) if while_waiting else None
        try:
            job = await run_generation(
                client, text or "", timeout=timeout, on_status=on_status, job_id=job_id
            )
        finally:
            if waiting is not None:
                waiting.cancel()
        return job, await client.get_voicebot(str(job["bot_id"]))

    job, bot = session.run(go)
    bot_id = str(bot.get("bot_id") or job["bot_id"])
    live = importer.LiveResource("Voicebot", bot_id, bot)
    file = importer.generated_file(live, out, schemas_dir=session.project.root / "schemas")
    importer.write_files([file], force=False)
    return Generated(bot_id=bot_id, bot=bot, path=file.path)
