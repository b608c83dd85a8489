"""Conversations whose start times are at the edges of what a date can be (issue 19, item 16):
the year 9999 or 1 with an offset that carries the UTC moment past either end, the year 10000,
a negative year, before the Unix epoch. Every export format and the analytics read them without
a traceback: a time with no UTC moment in the years 1 to 9999 is no readable time (null, like a
missing one); the others are kept as they are, in Parquet too (real pyarrow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import Emulator, botops, write_fixtures

TIMES = {
    "c_past_10000": "9999-12-31T23:59:59-05:00",  # UTC: 10000-01-01
    "c_before_1": "0001-01-01T00:00:00+05:00",  # UTC: 0000-12-31
    "c_last": "9999-12-31T23:59:59.999999Z",
    "c_first": "0001-01-01T00:00:00Z",
    "c_before_epoch": "1969-12-31T23:59:59Z",
    "c_year_10000": "10000-01-01T00:00:00Z",
    "c_negative": "-0001-01-01T00:00:00Z",
}
READABLE = {"c_last": "9999-12-31", "c_first": "0001-01-01", "c_before_epoch": "1969-12-31"}


@pytest.fixture
def edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any) -> Emulator:
    conversations = [
        {"conversation_id": cid, "bot_id": "bot_line", "start_time": moment,
         "insights": {"outcome": "resolved"}}
        for cid, moment in TIMES.items()
    ]  # fmt: skip
    bots = [{"bot_id": "bot_line", "name": "Support Line", "version": "v1"}]
    fixtures = write_fixtures(tmp_path / "fixtures.json", bots=bots, conversations=conversations)
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--fixtures", str(fixtures))
    return emulator


def test_a_parquet_export_of_extreme_start_times_is_written_without_a_traceback(
    edges: Emulator,
) -> None:
    pyarrow_dataset = pytest.importorskip("pyarrow.dataset")

    result = botops(edges, "conversations", "export", "--format", "parquet", "--out", "calls")

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported {len(TIMES)} conversations to calls\n"
    days = {p.name for p in Path("calls").iterdir()}
    assert days == {f"day={day}" for day in READABLE.values()} | {"day=__HIVE_DEFAULT_PARTITION__"}
    table = pyarrow_dataset.dataset("calls", format="parquet", partitioning="hive").to_table()
    rows = {r["conversation_id"]: r for r in table.to_pylist()}
    assert set(rows) == set(TIMES)
    for cid, day in READABLE.items():
        assert rows[cid]["start_time"].date().isoformat() == day
    for cid in set(TIMES) - set(READABLE):
        assert rows[cid]["start_time"] is None, cid


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_other_exports_of_extreme_start_times_are_written(edges: Emulator, fmt: str) -> None:
    result = botops(edges, "conversations", "export", "--format", fmt, "--out", f"calls.{fmt}")

    assert result.exit_code == 0, result.output
    written = Path(f"calls.{fmt}").read_text(encoding="utf-8")
    assert all(cid in written for cid in TIMES)
    if fmt == "jsonl":  # the objects as the API gave them
        found = {json.loads(line)["start_time"] for line in written.splitlines()}
        assert found == set(TIMES.values())


@pytest.mark.parametrize(
    "args",
    [("analytics",), ("analytics", "--format", "json"), ("analytics", "--by", "version")],
    ids=["text", "json", "by-version"],
)
def test_analytics_of_extreme_start_times_has_no_traceback(
    edges: Emulator, args: tuple[str, ...]
) -> None:
    result = botops(edges, *args)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if "json" in args:
        json.loads(result.stdout)
