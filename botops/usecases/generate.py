"""The generate use case: a bot-generation job run to its end (`generation`), the new bot read,
and its YAML written. Nothing is started when the request can't succeed, `--out` included (a
bot generated for a file that can't be written would be a bot nobody knows the id of); once the
job is done, its bot_id is handed out first, so that whatever fails after still leaves it said."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botops.client.generation import OnStatus, run_generation
from botops.errors import BotopsError, UsageError
from botops.kinds import generated
from botops.project.schemafiles import write_schemas
from botops.support.files import check_writable
from botops.sync import importer, layout
from botops.usecases.import_ import import_dir
from botops.usecases.session import Session

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
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
    on_created: Callable[[str], None] | None = None,
    while_waiting: Callable[[], Awaitable[None]] | None = None,
) -> Generated:
    """Start a job from `text` (or pick up `job_id`), wait for it, write the bot to `out`
    (default `<slug of its name>.yaml` in the project's first path). `on_created` gets the new
    bot_id as soon as the job is done; `while_waiting` runs alongside the polling (a spinner)
    and is cancelled when the job ends."""
    if not job_id and not (text or "").strip():
        raise UsageError("describe the bot (TEXT), or pick up a job with --job ID")
    if out is not None and out.exists():
        raise UsageError(f"{out} already exists; choose another --out (nothing was started)")
    # Without --out the file goes where import writes (the project's first path, inside what
    # plan reads), under a name known only once the bot exists.
    directory = import_dir(session.project, session.environment)
    try:
        check_writable(out if out is not None else directory / ".botops-generate")
    except UsageError as error:
        raise UsageError(f"{error} (nothing was started)") from None
    spec = generated()

    async def go(client: ApiClient) -> tuple[dict[str, Any], dict[str, Any]]:
        waiting = asyncio.ensure_future(while_waiting()) if while_waiting else None
        try:
            job = await run_generation(
                client, text or "", timeout=timeout, on_status=on_status, job_id=job_id
            )
        finally:
            if waiting is not None:
                waiting.cancel()
        bot_id = str(job["bot_id"])
        if on_created is not None:
            on_created(bot_id)
        try:
            return job, await spec.read(client, bot_id)
        except BotopsError as error:
            raise _unwritten(bot_id, job, out, error) from None

    job, bot = session.run(go)
    bot_id = str(bot.get(spec.id_key) or job["bot_id"])
    live = layout.LiveResource(spec.name, bot_id, bot)
    schemas = session.project.root / "schemas"
    try:
        file = importer.generated_file(live, out, schemas_dir=schemas, directory=directory)
        importer.write_files([file], force=False)
    except BotopsError as error:
        raise _unwritten(bot_id, job, out, error) from None
    # The modeline names the project's schema: there must be one (DESIGN §11).
    write_schemas(schemas, missing_only=True)
    return Generated(bot_id=bot_id, bot=bot, path=file.path)


def _unwritten(
    bot_id: str, job: dict[str, Any], out: Path | None, error: BotopsError
) -> BotopsError:
    return BotopsError(
        f"created {bot_id} through bot generation job {job.get('id')}, but "
        f"{out or 'its file'} was not written: {error}; `botops import {bot_id}` writes it"
    )
