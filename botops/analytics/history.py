"""Version histories read from the API (or a file), and the by-version report built on them.

A resource's versions (`GET .../voicebots/{id}/versions`, `GET .../assistants/{id}/versions`)
are assumed extensions (DESIGN section 13), called through its kind's spec
(`KindSpec.version_items`). A server that answers them 404 or 405 still tells, in the
resource's own read, which version is live and since when: the history falls back to "the
current version" against "everything before it".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botops.analytics import conversations as conv
from botops.analytics.by_version import (
    BotVersions,
    History,
    VersionReport,
    fallback_history,
    history_from_items,
)
from botops.analytics.summary import OnProgress, Report, counting
from botops.errors import MethodNotAllowedError, NotFoundError, UsageError
from botops.kinds import KINDS, KindSpec, conversing, either, spec_of
from botops.model import LiveOutcome, Plan

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient


async def resource_history(client: ApiClient, resource_id: str) -> History:
    """The history of the resource with that id, of the first kind that has one (a kind some
    servers don't offer is passed over when its calls are refused)."""
    for spec in KINDS.values():
        try:
            live: dict[str, Any] = await spec.fetch(client, resource_id)
        except NotFoundError:
            continue
        except MethodNotAllowedError:
            if spec.optional:
                continue
            raise
        return await kind_history(spec, client, resource_id, live)
    prefixes = either(spec.prefix for spec in KINDS.values())
    raise UsageError(f"no {prefixes} has the id {resource_id!r}")


async def kind_history(
    spec: KindSpec, client: ApiClient, resource_id: str, live: dict[str, Any] | None = None
) -> History:
    """A resource's versions; `live` is its read when the caller already has it (a list item
    carries `version` and `date_created` too)."""
    if live is None:
        try:
            live = await spec.fetch(client, resource_id)
        except NotFoundError:
            raise UsageError(f"no {spec.prefix} has the id {resource_id!r}") from None
    name = live.get("name") if "name" in spec.field_names else None
    name = name if isinstance(name, str) else None
    pages = spec.version_items(client, resource_id)
    try:
        async with contextlib.aclosing(pages) as stream:
            items = [item async for item in stream]
    except (NotFoundError, MethodNotAllowedError):
        items = []
    if not items:
        return fallback_history(resource_id, name, live, kind=spec.prefix)
    return history_from_items(resource_id, name, items, kind=spec.prefix)


async def fleet_histories(client: ApiClient, *, bot_id: str | None = None) -> dict[str, History]:
    """Every live history of the kind conversations belong to (its list item standing in for
    its read), or one bot's."""
    spec = conversing()
    if bot_id is not None:
        try:
            return {bot_id: await kind_history(spec, client, bot_id)}
        except UsageError:
            # Conversations may name another kind's id (an assistant's, DESIGN §16).
            return {bot_id: await resource_history(client, bot_id)}
    listed = [live async for live in spec.listing(client) if live.get(spec.id_key)]
    found = await asyncio.gather(
        *(kind_history(spec, client, str(live[spec.id_key]), live) for live in listed)
    )
    return {history.resource_id: history for history in found}


# The report


async def by_version(
    client: ApiClient,
    *,
    bot_id: str | None = None,
    histories: dict[str, History] | None = None,
    plain: bool = False,
    on_progress: OnProgress | None = None,
) -> tuple[VersionReport, Report | None]:
    """`analytics --by version` from the API: the conversations, and the histories unless given
    (`--versions FILE`)."""
    if histories is None:
        histories = await fleet_histories(client, bot_id=bot_id)
    return await version_report(
        client, histories, bot_id=bot_id, plain=plain, on_progress=on_progress
    )


async def version_report(
    client: ApiClient,
    histories: dict[str, History],
    *,
    bot_id: str | None = None,
    plain: bool = False,
    on_progress: OnProgress | None = None,
) -> tuple[VersionReport, Report | None]:
    """Every conversation (with insights) attributed to its version; with `plain`, the plain
    report of the same conversations as well (the HTML page shows both), in the same pass."""
    report, overall = _reports(histories, bot_id, plain)
    await conv.each(
        client,
        lambda conversation: _add(report, overall, conversation),
        fields=["insights"],
        bot_id=bot_id,
        on_progress=counting(on_progress),
    )
    return report, overall


def version_report_from(
    conversations: Iterable[dict[str, Any]],
    histories: dict[str, History],
    *,
    bot_id: str | None = None,
    plain: bool = False,
) -> tuple[VersionReport, Report | None]:
    """The same from conversations already at hand (an export file, streamed)."""
    report, overall = _reports(histories, bot_id, plain)
    for conversation in conversations:
        if bot_id is None or conversation.get("bot_id") == bot_id:
            _add(report, overall, conversation)
    return report, overall


def _reports(
    histories: dict[str, History], bot_id: str | None, plain: bool
) -> tuple[VersionReport, Report | None]:
    report = VersionReport(histories, bot_filter=bot_id)
    overall = None
    if plain:
        overall = Report(bot_filter=bot_id)
        overall.bot_names = {b: h.name for b, h in histories.items() if h.name}
    return report, overall


def _add(report: VersionReport, overall: Report | None, conversation: dict[str, Any]) -> None:
    report.add(conversation)
    if overall is not None:
        overall.add(conversation)


# plan --with-outcomes


async def attach_outcomes(client: ApiClient, plan: Plan) -> None:
    """For each resource the plan updates: how its live version (the plan's source version)
    does now, where conversations name it (a voicebot's id, or an assistant's). One read of every
    conversation, whatever the number of resources."""
    changed = [r for r in plan.resources if r.action == "update" and r.id]
    if not changed:
        return
    found = await asyncio.gather(
        *(kind_history(spec_of(r.kind), client, str(r.id)) for r in changed)
    )
    histories = {h.resource_id: h for h in found}
    report = VersionReport(histories)

    def add(conversation: dict[str, Any]) -> None:
        if conversation.get("bot_id") in histories:
            report.add(conversation)

    await conv.each(client, add, fields=["insights"])
    for resource in changed:
        bot = report.bots[str(resource.id)]
        # Another kind's figures only where conversations name it.
        if resource.kind == conversing().name or bot.versions_json():
            resource.outcomes = live_outcome(bot, resource.source_version)


def live_outcome(bot: BotVersions, live_version: str | None) -> LiveOutcome | None:
    """The figures of `live_version` (else the newest) in a bot's by-version report."""
    rows = bot.versions_json()
    if not rows:
        return None
    row = next((r for r in rows if r["version"] == live_version), rows[-1])
    # A version without calls has no rate (null in the JSON); the plan then shows only "0 calls".
    low, high = row["resolution_ci"] or (0.0, 1.0)
    return LiveOutcome(
        version=row["version"],
        since=row["date_created"],
        calls=row["total"],
        resolution_rate=row["resolution_rate"] or 0.0,
        resolution_ci=(low, high),
    )


# Histories as JSON: `botops history --format json`, and `analytics --versions FILE`


def read_histories(path: Path) -> dict[str, History]:
    """Voicebot histories from a file of `botops history ID --format json` outputs: one
    object, a JSON array of them, or several one after another (JSON Lines, or indented)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: can't read version histories: {error}") from None
    documents: list[Any] = []
    decoder = json.JSONDecoder()
    at = _skip_space(text, 0)
    while at < len(text):
        # JSON values one after another: JSON Lines, or indented objects appended with `>>`.
        try:
            document, at = decoder.raw_decode(text, at)
        except ValueError as error:
            line = text.count("\n", 0, at) + 1
            raise UsageError(f"{path}:{line}: not valid JSON: {error}") from None
        documents.append(document)
        at = _skip_space(text, at)
    if len(documents) == 1 and isinstance(documents[0], list):
        documents = documents[0]
    found: dict[str, History] = {}
    for index, document in enumerate(documents):
        history = _history_document(document)
        if history is None:
            raise UsageError(
                f"{path}: item {index + 1} is not a history as `botops history ID --format json` "
                "prints it ({id, kind, name, versions: [{version, date_created, ...}]})"
            )
        if history.kind == conversing().prefix:
            found[history.resource_id] = history
    return found


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _history_document(document: Any) -> History | None:
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        return None
    versions = document.get("versions")
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        return None
    name = document.get("name") if isinstance(document.get("name"), str) else None
    kind = str(document.get("kind") or conversing().prefix)
    if document.get("complete") is False:
        live = versions[0] if versions else {}
        return fallback_history(document["id"], name, live, kind=kind)
    return history_from_items(document["id"], name, list(reversed(versions)), kind=kind)
