"""Reading conversations: one page, and every page through one loop (`iter_all`, `each`).

The reference has no bot filter, so `bot_id` filters here, on the client. Every page is read
with several in flight (`Client.iter_conversations`) and each conversation handed on as it
arrives, so memory stays flat however many conversations there are. Their flat fields are in
`botops.analytics.fields`; the export file in `botops.analytics.export`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any

from botops.errors import UsageError
from botops.support.schemacheck import did_you_mean

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

FIELDS = ("transcript", "insights")
PAGE_SIZE = 100  # the reference's maximum `limit`
PREFETCH = 4

# used, read (before the bot filter), total (None when the server doesn't say)
OnProgress = Callable[[int, int, int | None], None]


def parse_fields(text: str | None) -> list[str] | None:
    """`transcript,insights` → ["transcript", "insights"]; unknown names are an error."""
    if not text:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        if name not in FIELDS:
            raise UsageError(
                f"unknown field {name!r} in --fields{did_you_mean(name, list(FIELDS))}; "
                f"choose from {', '.join(FIELDS)}"
            )
    return list(dict.fromkeys(names)) or None


# Reading


async def list_page(
    client: ApiClient,
    *,
    fields: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    bot_id: str | None = None,
) -> list[dict[str, Any]]:
    """Up to `limit` conversations from `offset`.

    With `bot_id`, `offset` and `limit` count that bot's conversations: pages are read until
    `limit` of them are found or none are left.
    `limit` and `offset` are checked where they are parsed (the command line) and by the client;
    here a `limit` below 1 finds nothing.
    """
    if limit < 1:
        return []
    if bot_id is None:
        return await _slice(client, fields, limit, offset)
    found: list[dict[str, Any]] = []
    async with contextlib.aclosing(iter_all(client, fields=fields, bot_id=bot_id)) as matching:
        async for conversation in matching:
            if offset > 0:
                offset -= 1
                continue
            found.append(conversation)
            if len(found) >= limit:
                break
    return found


async def _slice(
    client: ApiClient, fields: list[str] | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """`limit` conversations from `offset`, in as many requests as the page maximum needs."""
    found: list[dict[str, Any]] = []
    while len(found) < limit:
        size = min(PAGE_SIZE, limit - len(found))
        page = await client.list_conversations(fields=fields, limit=size, offset=offset)
        found.extend(page.items[:size])
        offset += len(page.items)
        if len(page.items) < size or (page.total is not None and offset >= page.total):
            break
    return found


async def iter_all(
    client: ApiClient,
    *,
    fields: list[str] | None = None,
    bot_id: str | None = None,
    on_total: Callable[[int | None], None] | None = None,
    on_read: Callable[[], None] | None = None,
) -> AsyncGenerator[dict[str, Any], None]:
    """Every conversation (of `bot_id`, when given), in the server's order, pages read ahead:
    the one loop over every conversation. `on_total` gets the first page's total, `on_read` is
    called once per conversation read (matching or not), after its caller has used it. Close
    it (`contextlib.aclosing`) so that pages still in flight are cancelled on an early exit."""
    source = client.iter_conversations(
        fields=fields, page_size=PAGE_SIZE, prefetch=PREFETCH, on_total=on_total
    )
    async with contextlib.aclosing(source) as conversations:
        async for conversation in conversations:
            if bot_id is None or conversation.get("bot_id") == bot_id:
                yield conversation
            if on_read is not None:
                on_read()


async def each(
    client: ApiClient,
    use: Callable[[dict[str, Any]], None],
    *,
    fields: list[str] | None = None,
    bot_id: str | None = None,
    on_progress: OnProgress | None = None,
) -> int:
    """Every conversation (of `bot_id`) to `use`; how many were used. `on_progress` hears
    (used, read, total) every page's worth read, and once at the end."""
    total: int | None = None
    used = read = 0

    def note_total(first_page_total: int | None) -> None:
        nonlocal total
        total = first_page_total

    def note_read() -> None:
        nonlocal read
        read += 1
        if on_progress is not None and read % PAGE_SIZE == 0:
            on_progress(used, read, total)

    stream = iter_all(client, fields=fields, bot_id=bot_id, on_total=note_total, on_read=note_read)
    async with contextlib.aclosing(stream) as conversations:
        async for conversation in conversations:
            use(conversation)
            used += 1
    if on_progress is not None:
        on_progress(used, read, total)
    return used
