"""`conversations export`: every conversation streamed into one file (jsonl or csv) or a
Parquet directory (`parquet`), which appears only when complete; and the jsonl line and csv row
of one conversation, which `conversations list` prints too."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from botops.analytics.conversations import OnProgress, each
from botops.analytics.fields import (
    call_metadata,
    duration_seconds,
    intents,
    outcome,
    sentiment,
    start_time,
)
from botops.errors import UsageError
from botops.support.files import atomic_text_file
from botops.support.text import json_text, terminal_safe

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

BASE_COLUMNS = (
    "conversation_id",
    "bot_id",
    "start_time",
    "from",
    "to",
    "duration_seconds",
    "recording_url",
)
INSIGHT_COLUMNS = ("sentiment", "intent", "outcome")

ExportFormat = Literal["jsonl", "csv", "parquet"]


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
            count = await each(
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
        return await each(client, write, fields=fields, bot_id=bot_id, on_progress=on_progress)


def _writer(
    stream: TextIO, output_format: ExportFormat, fields: list[str] | None
) -> Callable[[dict[str, Any]], None]:
    if output_format == "jsonl":

        def write_line(conversation: dict[str, Any]) -> None:
            stream.write(to_json_line(conversation))

        return write_line
    insights = "insights" in (fields or [])
    transcripts = "transcript" in (fields or [])
    rows = csv.writer(stream, lineterminator="\n")
    rows.writerow(csv_columns(insights, transcripts))

    def write_row(conversation: dict[str, Any]) -> None:
        rows.writerow(csv_row(conversation, insights, transcripts))

    return write_row


def to_json_line(conversation: dict[str, Any]) -> str:
    return json_text(conversation, compact=True) + "\n"


def write_csv(
    stream: TextIO,
    conversations: Iterable[dict[str, Any]],
    *,
    insights: bool,
    transcripts: bool = False,
) -> None:
    rows = csv.writer(stream, lineterminator="\n")
    rows.writerow(csv_columns(insights, transcripts))
    rows.writerows(csv_row(c, insights, transcripts) for c in conversations)


def csv_columns(insights: bool, transcripts: bool = False) -> list[str]:
    """The CSV header: the call, then its insights and its transcript when they were asked for
    (`--fields`): a field asked for is never dropped from the file."""
    return [
        *BASE_COLUMNS,
        *(INSIGHT_COLUMNS if insights else ()),
        *(("transcript",) if transcripts else ()),
    ]


def csv_row(conversation: dict[str, Any], insights: bool, transcripts: bool = False) -> list[str]:
    metadata = call_metadata(conversation)
    duration = duration_seconds(conversation)
    started = start_time(conversation)
    row = [
        _cell(conversation.get("conversation_id")),
        _cell(conversation.get("bot_id")),
        "" if started is None else utc_text(started),
        _cell(metadata.get("from")),
        _cell(metadata.get("to")),
        "" if duration is None else seconds_text(duration),
        _cell(metadata.get("recording_url")),
    ]
    if insights:
        row += [_cell(sentiment(conversation)), _cell(", ".join(intents(conversation)))]
        row.append(_cell(outcome(conversation)))
    if transcripts:
        row.append(_cell(transcript_text(conversation.get("transcript"))))
    return row


def utc_text(moment: datetime) -> str:
    """An aware time in UTC as ISO 8601 with `Z` (`2026-03-04T03:30:00Z`), as the API writes it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def transcript_text(turns: Any) -> str:
    """A transcript as one cell: a line `speaker: text` per turn, as it was (a turn without
    words is `speaker: `, an empty transcript an empty cell)."""
    if not isinstance(turns, list):
        return ""
    lines = []
    for turn in turns:
        if not isinstance(turn, dict):
            continue
        speaker, text = turn.get("speaker"), turn.get("text")
        lines.append(f"{'' if speaker is None else speaker}: {'' if text is None else text}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    """A CSV cell for text: a spreadsheet would run one starting with `=`, `+`, `-` or `@`
    (or a tab or carriage return) as a formula, so such a cell gets a leading `'`, the usual
    neutralisation spreadsheets show as text. A plain signed number (`+919800000001`, a phone
    number) runs nothing and is kept as it is. What would drive a terminal or reorder a line
    (controls, bidi overrides) is escaped: a CSV is also read on one."""
    text = "" if value is None else terminal_safe(str(value))
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
