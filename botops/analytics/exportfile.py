"""Reading a `conversations export` file back, one conversation at a time: what
`analytics --from FILE` works from, in constant memory.

JSONL lines are the API's objects as they were exported. A CSV row becomes the object its flat
columns came from (`call_metadata.from`, `insights.outcome`, ...); `start_time` is read from a
column of that name when there is one (the export's CSV has one; older exports had none).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botops.errors import UsageError

REQUIRED_COLUMNS = ("conversation_id", "bot_id")
METADATA_COLUMNS = ("from", "to", "duration_seconds", "recording_url")
INSIGHT_COLUMNS = ("sentiment", "outcome")
TIME_COLUMNS = ("start_time", "date_created")


class ExportFile:
    """An export file to stream; `has_times` says whether its conversations can carry a time
    (False only for a CSV without a time column)."""

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise UsageError(f"{path} is a directory; --from needs a JSONL or CSV export file")
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        self.path = path
        self.is_csv = path.suffix.lower() == ".csv"
        self.columns: list[str] = self._header() if self.is_csv else []

    @property
    def has_times(self) -> bool:
        return not self.is_csv or any(c in self.columns for c in TIME_COLUMNS)

    def _header(self) -> list[str]:
        with self._open() as stream:
            header = next(csv.reader(stream), None)
        if header is None:
            raise UsageError(f"{self.path}: the file is empty, not a CSV export")
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise UsageError(
                f"{self.path}:1: not a conversations export: no {', '.join(missing)} column"
            )
        return header

    def _open(self) -> Any:
        try:
            return self.path.open(encoding="utf-8", newline="")
        except OSError as error:
            raise UsageError(f"{self.path}: can't read: {error.strerror or error}") from None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            yield from self._csv() if self.is_csv else self._jsonl()
        except UnicodeDecodeError as error:
            raise UsageError(f"{self.path}: not UTF-8 text: {error.reason}") from None

    def _jsonl(self) -> Iterator[dict[str, Any]]:
        with self._open() as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError as error:
                    raise UsageError(f"{self.path}:{number}: not valid JSON: {error}") from None
                if not isinstance(item, dict):
                    raise UsageError(f"{self.path}:{number}: expected a conversation object")
                yield item

    def _csv(self) -> Iterator[dict[str, Any]]:
        with self._open() as stream:
            rows = csv.DictReader(stream)
            for row in rows:
                yield _from_row(row)


def _from_row(row: dict[str, str | None]) -> dict[str, Any]:
    def value(column: str) -> str | None:
        text = row.get(column)
        return text if text else None

    conversation: dict[str, Any] = {
        "conversation_id": value("conversation_id"),
        "bot_id": value("bot_id"),
        "call_metadata": {c: value(c) for c in METADATA_COLUMNS if value(c) is not None},
    }
    if any(c in row for c in (*INSIGHT_COLUMNS, "intent")):
        insights: dict[str, Any] = {c: value(c) for c in INSIGHT_COLUMNS}
        intents = value("intent")
        insights["intents"] = [i.strip() for i in intents.split(",")] if intents else []
        conversation["insights"] = insights
    for column in TIME_COLUMNS:
        if value(column) is not None:
            conversation[column] = value(column)
    return conversation
