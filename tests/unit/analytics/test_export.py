"""The CSV row of one conversation: its start time, and its transcript as it was."""

from __future__ import annotations

from botops.analytics.export import csv_columns, csv_row

TURNS = [
    {"speaker": "bot", "text": "Hello", "timestamp": "00:00:01"},
    {"speaker": "user", "text": ""},
    {"speaker": "user"},
    {"speaker": "bot", "text": "=1+1 is not a formula here"},
]


def test_the_start_time_is_utc_with_z_and_empty_when_unreadable() -> None:
    def started(value: object) -> str:
        row = csv_row({"conversation_id": "c", "start_time": value}, False)
        return row[csv_columns(False).index("start_time")]

    assert started("2026-03-04T09:00:00+05:30") == "2026-03-04T03:30:00Z"
    assert started("2026-03-04T03:30:00") == "2026-03-04T03:30:00Z"  # no offset: UTC
    assert started("soon") == ""
    assert started(None) == ""


def test_a_transcript_is_a_line_per_turn_and_a_wordless_one_stays() -> None:
    columns = csv_columns(False, True)
    assert columns[-1] == "transcript"

    def transcript(value: object) -> str:
        row = csv_row({"conversation_id": "c", "transcript": value}, False, True)
        assert len(row) == len(columns)
        return row[-1]

    assert transcript(TURNS) == "bot: Hello\nuser: \nuser: \nbot: =1+1 is not a formula here"
    assert transcript([]) == ""
    assert transcript(None) == ""
    assert transcript("not a list") == ""
    # A cell a spreadsheet would run still gets its leading quote.
    assert transcript([{"speaker": "=cmd", "text": "x"}]) == "'=cmd: x"
