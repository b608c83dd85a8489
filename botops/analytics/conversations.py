"""Conversations: one page, every page (streamed to a file), and the flat fields of one.

The reference has no bot filter, so `bot_id` filters here, on the client. Export reads pages
with several in flight (`Client.iter_conversations`) and writes each as it arrives, so memory
stays flat however many conversations there are; the file appears only when complete.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import re
from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from botops.errors import UsageError
from botops.support.files import atomic_text_file
from botops.support.schemacheck import did_you_mean

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

FIELDS = ("transcript", "insights")
BASE_COLUMNS = ("conversation_id", "bot_id", "from", "to", "duration_seconds", "recording_url")
INSIGHT_COLUMNS = ("sentiment", "intent", "outcome")
PAGE_SIZE = 100  # the reference's maximum `limit`
PREFETCH = 4

ExportFormat = Literal["jsonl", "csv", "parquet"]
# written, read (before the bot filter), total (None when the server doesn't say)
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
    skipped = 0
    stream = client.iter_conversations(fields=fields, page_size=PAGE_SIZE, prefetch=PREFETCH)
    async with contextlib.aclosing(stream) as conversations:
        async for conversation in conversations:
            if conversation.get("bot_id") != bot_id:
                continue
            if skipped < offset:
                skipped += 1
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


def iter_all(
    client: ApiClient, *, fields: list[str] | None = None, bot_id: str | None = None
) -> AsyncGenerator[dict[str, Any], None]:
    """Every conversation (of `bot_id`, when given), in the server's order; close it
    (`contextlib.aclosing`) so that pages still in flight are cancelled on an early exit."""
    stream: AsyncGenerator[dict[str, Any], None] = client.iter_conversations(
        fields=fields, page_size=PAGE_SIZE, prefetch=PREFETCH
    )
    if bot_id is None:
        return stream
    return _matching(stream, bot_id)


async def _matching(
    stream: AsyncGenerator[dict[str, Any], None], bot_id: str
) -> AsyncGenerator[dict[str, Any], None]:
    async with contextlib.aclosing(stream) as conversations:
        async for conversation in conversations:
            if conversation.get("bot_id") == bot_id:
                yield conversation


# Export


def export_format(out: Path, chosen: str | None) -> ExportFormat:
    """The chosen format, else the one `out`'s suffix names (`.csv`), else jsonl."""
    if chosen is not None:
        if chosen not in ("jsonl", "csv", "parquet"):
            raise UsageError(f"export format must be jsonl, csv or parquet, got {chosen!r}")
        return "csv" if chosen == "csv" else "parquet" if chosen == "parquet" else "jsonl"
    return "csv" if out.suffix.lower() == ".csv" else "jsonl"


async def export(
    client: ApiClient,
    out: Path,
    *,
    output_format: ExportFormat = "jsonl",
    fields: list[str] | None = None,
    bot_id: str | None = None,
    on_progress: OnProgress | None = None,
) -> int:
    """Write every conversation to `out` and return how many were written.

    The file is written through a temporary file beside it and replaces `out` only when every
    page has been read: on any error or interruption `out` is left as it was. For parquet,
    `out` is a directory (`botops.analytics.parquet`), made whole or not at all in the same way.
    """
    if output_format == "parquet":
        from botops.analytics.parquet import DatasetWriter

        writer = DatasetWriter(out, transcripts="transcript" in (fields or []))
        try:
            count = await copy(
                client, writer.add, fields=fields, bot_id=bot_id, on_progress=on_progress
            )
            writer.finish()
        except BaseException:
            writer.discard()
            raise
        return count
    if out.is_dir():
        raise UsageError(f"{out} is a directory; --out needs a file name")
    with atomic_text_file(out) as stream:
        write = _writer(stream, output_format, fields)
        return await copy(client, write, fields=fields, bot_id=bot_id, on_progress=on_progress)


async def copy(
    client: ApiClient,
    write: Callable[[dict[str, Any]], None],
    *,
    fields: list[str] | None = None,
    bot_id: str | None = None,
    on_progress: OnProgress | None = None,
) -> int:
    """Every conversation (of `bot_id`) to `write`, pages read ahead; how many were written."""
    total: int | None = None

    def note_total(first_page_total: int | None) -> None:
        nonlocal total
        total = first_page_total

    written = read = 0
    source = client.iter_conversations(
        fields=fields, page_size=PAGE_SIZE, prefetch=PREFETCH, on_total=note_total
    )
    async with contextlib.aclosing(source) as conversations:
        async for conversation in conversations:
            read += 1
            if bot_id is None or conversation.get("bot_id") == bot_id:
                write(conversation)
                written += 1
            if on_progress is not None and read % PAGE_SIZE == 0:
                on_progress(written, read, total)
    if on_progress is not None:
        on_progress(written, read, total)
    return written


def _writer(
    stream: TextIO, output_format: ExportFormat, fields: list[str] | None
) -> Callable[[dict[str, Any]], None]:
    if output_format == "jsonl":

        def write_line(conversation: dict[str, Any]) -> None:
            stream.write(to_json_line(conversation))

        return write_line
    insights = "insights" in (fields or [])
    rows = csv.writer(stream, lineterminator="\n")
    rows.writerow(csv_columns(insights))

    def write_row(conversation: dict[str, Any]) -> None:
        rows.writerow(csv_row(conversation, insights))

    return write_row


def to_json_line(conversation: dict[str, Any]) -> str:
    return json.dumps(conversation, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_csv(stream: TextIO, conversations: Iterable[dict[str, Any]], *, insights: bool) -> None:
    rows = csv.writer(stream, lineterminator="\n")
    rows.writerow(csv_columns(insights))
    rows.writerows(csv_row(c, insights) for c in conversations)


def csv_columns(insights: bool) -> list[str]:
    return [*BASE_COLUMNS, *(INSIGHT_COLUMNS if insights else ())]


def csv_row(conversation: dict[str, Any], insights: bool) -> list[str]:
    metadata = call_metadata(conversation)
    duration = duration_seconds(conversation)
    row = [
        _text(conversation.get("conversation_id")),
        _text(conversation.get("bot_id")),
        _text(metadata.get("from")),
        _text(metadata.get("to")),
        "" if duration is None else seconds_text(duration),
        _text(metadata.get("recording_url")),
    ]
    if insights:
        row += [_text(sentiment(conversation)), _text(", ".join(intents(conversation)))]
        row.append(_text(outcome(conversation)))
    return row


def _text(value: Any) -> str:
    """A CSV cell for text: a spreadsheet would run one starting with `=`, `+`, `-` or `@`
    (or a tab or carriage return) as a formula, so such a cell gets a leading `'`, the usual
    neutralisation spreadsheets show as text. A plain signed number (`+919800000001`, a phone
    number) runs nothing and is kept as it is."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(text):
        return "'" + text
    return text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def seconds_text(seconds: float) -> str:
    """60.0 → `60`, 12345.67 → `12345.67`: whole numbers without a decimal point, others in
    the fewest digits that read back as the same number (`repr`), never rounded."""
    text = repr(seconds)
    return text.removesuffix(".0")


# The flat fields of one conversation, read liberally


def call_metadata(conversation: dict[str, Any]) -> dict[str, Any]:
    metadata = conversation.get("call_metadata")
    return metadata if isinstance(metadata, dict) else {}


def duration_seconds(conversation: dict[str, Any]) -> float | None:
    """The call's length in seconds: a finite, non-negative number (or numeric text); anything
    else (`"inf"`, `1e400`, `NaN`, `-5`, `"soon"`) is unknown."""
    value = call_metadata(conversation).get("duration_seconds")
    if value is None:
        value = conversation.get("duration_seconds")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: an int too large for a float
        return None
    # abs: `-0` is a duration of 0, not one shown as `-0`.
    return abs(number) if math.isfinite(number) and number >= 0 else None


def start_time(conversation: dict[str, Any]) -> datetime | None:
    """When the call started: `start_time`, else `date_created`, else `call_metadata.start_time`
    (the reference shows none of them; the emulator serves `start_time`). None when there is no
    readable time: such a conversation is never placed in time by a guess."""
    for value in (
        conversation.get("start_time"),
        conversation.get("date_created"),
        call_metadata(conversation).get("start_time"),
    ):
        moment = parse_time(value)
        if moment is not None:
            return moment
    return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time (or date) as an aware datetime; one without an offset is read as
    UTC, the zone the API writes its times in. Anything else is None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def insights_of(conversation: dict[str, Any]) -> dict[str, Any]:
    insights = conversation.get("insights")
    return insights if isinstance(insights, dict) else {}


def _label(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def sentiment(conversation: dict[str, Any]) -> str | None:
    value = _label(insights_of(conversation).get("sentiment"))
    return value.lower() if value else None


def outcome(conversation: dict[str, Any]) -> str | None:
    value = _label(insights_of(conversation).get("outcome"))
    return value.lower() if value else None


def intents(conversation: dict[str, Any]) -> list[str]:
    """`intent`, else the `intents` list (or comma-separated string); each once."""
    insights = insights_of(conversation)
    single = _label(insights.get("intent"))
    if single:
        return [single]
    many = insights.get("intents")
    if isinstance(many, str):
        many = many.split(",")
    if not isinstance(many, list):
        return []
    return list(dict.fromkeys(x for x in (_label(item) for item in many) if x))
