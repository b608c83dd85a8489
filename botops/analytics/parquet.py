"""`conversations export --format parquet`: a directory of Parquet files, one row per
conversation, typed columns, partitioned by day in the Hive layout (`day=2026-03-04/`) that
DuckDB, Spark and BigQuery read as they are. For data that outgrew `botops analytics`.

Pages stream in as for the other formats; every `BATCH` conversations become a Parquet file
per day they cover, so memory is bounded by the batch. The directory appears only when the
export is complete (it is written beside `out` under a temporary name, then renamed).

Columns: conversation_id, bot_id, start_time (UTC timestamp; null without a readable time, then
`day` is null too, written as Hive's `__HIVE_DEFAULT_PARTITION__`), from_number, to_number
(`from`/`to` are SQL keywords), duration_seconds (double), recording_url, sentiment, outcome
(lower-cased as analytics reads them), intents (list of strings), transcript (list of
{speaker, text, timestamp}; only with --fields transcript), and the partition column day (date).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from botops.analytics import fields as conv
from botops.errors import UsageError
from botops.support.text import text_or_none

BATCH = 2_000  # rows per write: bigger batches raise the peak (pyarrow keeps their buffers)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.dataset
    except ImportError:
        raise UsageError(
            "--format parquet needs pyarrow: pip install 'botops-cli[parquet]'"
        ) from None
    return pyarrow, pyarrow.dataset


def schema(transcripts: bool) -> Any:
    pa, _ = _pyarrow()
    turn = pa.struct([("speaker", pa.string()), ("text", pa.string()), ("timestamp", pa.string())])
    fields = [
        ("conversation_id", pa.string()),
        ("bot_id", pa.string()),
        ("start_time", pa.timestamp("us", tz="UTC")),
        ("from_number", pa.string()),
        ("to_number", pa.string()),
        ("duration_seconds", pa.float64()),
        ("recording_url", pa.string()),
        ("sentiment", pa.string()),
        ("outcome", pa.string()),
        ("intents", pa.list_(pa.string())),
    ]
    if transcripts:
        fields.append(("transcript", pa.list_(turn)))
    fields.append(("day", pa.date32()))
    return pa.schema(fields)


def row(conversation: dict[str, Any], transcripts: bool) -> dict[str, Any]:
    """One conversation as the columns above."""
    metadata = conv.call_metadata(conversation)
    started = conv.start_time(conversation)
    if started is not None:
        started = started.astimezone(UTC)
    result: dict[str, Any] = {
        "conversation_id": text_or_none(conversation.get("conversation_id")),
        "bot_id": text_or_none(conversation.get("bot_id")),
        "start_time": started,
        "from_number": text_or_none(metadata.get("from")),
        "to_number": text_or_none(metadata.get("to")),
        "duration_seconds": conv.duration_seconds(conversation),
        "recording_url": text_or_none(metadata.get("recording_url")),
        "sentiment": conv.sentiment(conversation),
        "outcome": conv.outcome(conversation),
        "intents": conv.intents(conversation),
    }
    if transcripts:
        turns = conversation.get("transcript")
        result["transcript"] = [
            {k: text_or_none(turn.get(k)) for k in ("speaker", "text", "timestamp")}
            for turn in (turns if isinstance(turns, list) else [])
            if isinstance(turn, dict)
        ]
    result["day"] = _day(started)
    return result


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


class DatasetWriter:
    """Batches of rows into the partitioned directory `out`, written whole or not at all."""

    def __init__(self, out: Path, *, transcripts: bool) -> None:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise UsageError(
                f"{out} already exists; --format parquet writes a new directory (an export is "
                "never merged into an old one)"
            )
        self.pa, self.ds = _pyarrow()
        self.out = out
        self.transcripts = transcripts
        self.schema = schema(transcripts)
        self.partitioning = self.ds.partitioning(
            self.pa.schema([("day", self.pa.date32())]), flavor="hive"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        self.rows: list[dict[str, Any]] = []
        self.batches = 0

    def add(self, conversation: dict[str, Any]) -> None:
        self.rows.append(row(conversation, self.transcripts))
        if len(self.rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        table = self.pa.Table.from_pylist(self.rows, schema=self.schema)
        self.ds.write_dataset(
            table,
            self.work,
            format="parquet",
            partitioning=self.partitioning,
            basename_template=f"part-{self.batches:05d}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )
        self.batches += 1
        self.rows = []

    def finish(self) -> None:
        self._flush()
        if self.out.exists():
            self.out.rmdir()  # empty, as checked when starting
        self.work.rename(self.out)

    def discard(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
