"""`botops conversations list/get/export` against a real emulator.

The expected answers come from reading the emulator's pages directly (`api_pages`), not from
botops' own client.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from botops.analytics.export import export
from botops.client import Client
from botops.render.table import display_width
from tests.support import ROOT, Emulator, botops, botops_process, start_emulator

FIXTURES = ROOT / "tests/fixtures/analytics.yaml"
CONVERSATIONS = "/voicebot/api/v2/accounts/Exotel/voicebot-conversations"
CSV_COLUMNS = [
    "conversation_id", "bot_id", "start_time", "from", "to", "duration_seconds", "recording_url"
]  # fmt: skip


def api_pages(emulator: Emulator, fields: str | None = None) -> list[dict[str, Any]]:
    """Every conversation, read page by page straight from the emulator."""
    found: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": 100, "offset": len(found)}
        if fields:
            params["fields"] = fields
        body = httpx2.get(emulator.url + CONVERSATIONS, params=params, timeout=10).json()
        found += body["data"]
        if len(body["data"]) < 100 or len(found) >= body["metadata"]["total"]:
            return found


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def fixtures() -> Iterator[Emulator]:
    """Read-only tests share one emulator loaded with the fixture file."""
    emulator = start_emulator("--fixtures", str(FIXTURES))
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def many() -> Iterator[Emulator]:
    """The 13 fixture conversations plus 1,050 synthetic ones over the fixture's three bots."""
    emulator = start_emulator("--fixtures", str(FIXTURES), "--synthetic-conversations", "1050")
    yield emulator
    emulator.stop()


def test_list_json_is_the_page_as_the_api_gave_it(fixtures: Emulator) -> None:
    result = botops(
        fixtures, "conversations", "list", "--limit", "4", "--offset", "2", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == api_pages(fixtures)[2:6]


def test_list_jsonl_is_one_object_a_line(fixtures: Emulator) -> None:
    result = botops(
        fixtures, "conversations", "list", "--fields", "transcript,insights", "--format", "jsonl"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == api_pages(fixtures, "transcript,insights")
    assert "नमस्ते" in result.stdout  # readable, not \u escapes


def test_list_csv_has_flat_columns_and_insights_when_asked(fixtures: Emulator) -> None:
    plain = botops(fixtures, "conversations", "list", "--format", "csv")
    assert plain.exit_code == 0, plain.output
    rows = list(csv.reader(io.StringIO(plain.stdout)))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 14

    result = botops(fixtures, "conversations", "list", "--fields", "insights", "--format", "csv")
    records = {r["conversation_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert list(next(iter(records.values()))) == [*CSV_COLUMNS, "sentiment", "intent", "outcome"]
    assert records["c01"] == {
        "conversation_id": "c01",
        "bot_id": "bot_alpha",
        "start_time": "2026-04-07T09:00:00Z",
        "from": "+919800000001",
        "to": "+911100000001",
        "duration_seconds": "60",
        "recording_url": "https://recordings.example/c01.mp3",
        "sentiment": "positive",
        "intent": "order_status",
        "outcome": "resolved",
    }
    assert records["c05"]["duration_seconds"] == ""
    assert records["c09"]["outcome"] == ""
    assert records["c10"]["intent"] == "payment_link, emi_due_date"


def test_csv_with_transcripts_keeps_every_conversation_and_its_transcript(
    fixtures: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--fields transcript is never dropped from a CSV: a `transcript` column, a line per turn;
    a conversation without a word (no transcript) is still its row, with an empty cell."""
    monkeypatch.chdir(tmp_path)
    listed = botops(fixtures, "conversations", "list", "--fields", "transcript", "--format", "csv")
    exported = botops(
        fixtures, "conversations", "export", "--out", "calls.csv", "--fields", "transcript"
    )
    assert listed.exit_code == 0 and exported.exit_code == 0, listed.output + exported.output
    for text in (listed.stdout, (tmp_path / "calls.csv").read_text(encoding="utf-8")):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == [*CSV_COLUMNS, "transcript"]
        records = {r["conversation_id"]: r for r in rows}
        assert len(rows) == 13 == len(records)
        assert records["c01"]["transcript"].splitlines() == [
            "bot: Hello! How can I help you today?",
            "user: I want to check my order status",
            records["c01"]["transcript"].splitlines()[2],
            "user: SMS please, thanks",
        ]
        assert records["c02"]["transcript"] == ""  # no transcript: still a row
        assert records["c02"]["start_time"] == "2026-04-07T10:00:00Z"


def test_list_table_is_aligned(fixtures: Emulator) -> None:
    result = botops(fixtures, "conversations", "list", "--fields", "insights", "--limit", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "CONVERSATION", "BOT", "FROM", "TO", "DURATION", "STARTED", "SENTIMENT", "INTENT",
        "OUTCOME",
    ]  # fmt: skip
    assert len(lines) == 4
    bot_column = lines[0].index("BOT")
    assert all(line[bot_column:].startswith("bot_") for line in lines[1:])


def test_list_bot_filter_reads_pages_until_it_has_enough(many: Emulator) -> None:
    everything = api_pages(many)
    assert len(everything) == 1063
    gamma = [c for c in everything if c["bot_id"] == "bot_gamma"]
    assert len(gamma) > 150  # so that 150 of them need more than one page
    many.clear_requests()
    result = botops(
        many, "conversations", "list", "--bot", "bot_gamma", "--limit", "150", "--offset", "5",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [c["conversation_id"] for c in json.loads(result.stdout)] == [
        c["conversation_id"] for c in gamma[5:155]
    ]
    pages = [r for r in many.requests() if r["path"] == CONVERSATIONS]
    assert len(pages) > 1

    none = botops(many, "conversations", "list", "--bot", "bot_nobody", "--format", "json")
    assert none.exit_code == 0 and json.loads(none.stdout) == []


def test_list_limit_beyond_the_page_maximum(many: Emulator) -> None:
    result = botops(many, "conversations", "list", "--limit", "250", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["conversation_id"] for line in result.stdout.splitlines()]
    assert ids == [c["conversation_id"] for c in api_pages(many)[:250]]


def test_unknown_field_is_refused_with_a_suggestion(fixtures: Emulator) -> None:
    result = botops(fixtures, "conversations", "list", "--fields", "insight")
    assert result.exit_code == 1
    assert "did you mean 'insights'" in result.stderr
    assert "Traceback" not in result.output


def test_get_text_is_a_readable_transcript(fixtures: Emulator) -> None:
    result = botops(fixtures, "conversations", "get", "c01")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("Conversation c01\n")
    for expected in (
        "Bot        bot_alpha",
        "Call       +919800000001 → +911100000001",
        "Duration   1:00",
        "Started    2026-04-07 09:00:00 UTC",
        "Sentiment  positive",
        "Intent     order_status",
        "Outcome    resolved",
        "[00:00:01] Bot: Hello! How can I help you today?",
        "[00:00:04] User: I want to check my order status",
        "Recording: https://recordings.example/c01.mp3",
    ):
        assert expected in text
    # The long turn is wrapped to the width, continuation lines under its text.
    assert all(display_width(line) <= 100 for line in text.splitlines())
    long_turn = text.split("[00:00:07] Bot: ", 1)[1].split("\n[00:00:21]", 1)[0]
    continuation = long_turn.splitlines()[1:]
    assert continuation and all(line.startswith(" " * 16) for line in continuation)


def test_get_text_prints_devanagari(fixtures: Emulator) -> None:
    result = botops(fixtures, "conversations", "get", "c11")
    assert result.exit_code == 0, result.output
    assert "[00:00:01] Bot: नमस्ते! मैं आपकी कैसे मदद कर सकता हूँ?" in result.stdout
    assert "[00:00:05] User: मेरी दुकान कब खुलती है?" in result.stdout


def test_get_json_and_unknown_id(fixtures: Emulator) -> None:
    result = botops(fixtures, "conversations", "get", "c01", "--format", "json")
    assert result.exit_code == 0, result.output
    direct = httpx2.get(f"{fixtures.url}{CONVERSATIONS}/c01", timeout=10).json()
    assert json.loads(result.stdout) == direct

    missing = botops(fixtures, "conversations", "get", "conv_nope")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: ") and "404" in missing.stderr
    assert len(missing.stderr.splitlines()) == 1


def test_export_writes_every_conversation_once_in_order(many: Emulator, tmp_path: Path) -> None:
    result = botops(many, "conversations", "export", "--out", "all.jsonl")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Exported 1063 conversations to all.jsonl"
    lines = (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["conversation_id"] for line in lines]
    expected = [c["conversation_id"] for c in api_pages(many)]
    assert ids == expected and len(set(ids)) == 1063
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl"]  # no temporary left


def test_export_csv_with_insights_and_bot_filter(many: Emulator, tmp_path: Path) -> None:
    result = botops(
        many, "conversations", "export", "--out", "beta.csv", "--bot", "bot_beta",
        "--fields", "insights",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (tmp_path / "beta.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == [*CSV_COLUMNS, "sentiment", "intent", "outcome"]
    beta = [c for c in api_pages(many, "insights") if c["bot_id"] == "bot_beta"]
    assert [r[0] for r in rows[1:]] == [c["conversation_id"] for c in beta]
    assert {r[1] for r in rows[1:]} == {"bot_beta"}
    assert result.stdout.strip() == f"Exported {len(beta)} conversations to beta.csv"


def test_failed_export_leaves_nothing_behind(emulator_factory: Any, tmp_path: Path) -> None:
    broken = emulator_factory("--fixtures", str(FIXTURES), "--fault-rate", "1")
    out = tmp_path / "calls.jsonl"
    out.write_text("the previous export\n")
    result = botops(
        broken, "conversations", "export", "--out", str(out), BOTOPS_RETRY_DEADLINE="0.5"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "500" in result.stderr
    assert out.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["calls.jsonl"]


def test_interrupted_export_leaves_nothing_behind(emulator_factory: Any, tmp_path: Path) -> None:
    # Each page takes half a second, so the export (30 pages, 4 at once) can't end between its
    # temporary file appearing and the Ctrl-C, however busy the machine; Ctrl-C ends it early.
    slow = emulator_factory("--synthetic-conversations", "3000", "--latency-ms", "500")
    process = botops_process(slow, tmp_path, "conversations", "export", "--out", "calls.jsonl")
    deadline = time.monotonic() + 20
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "export never started"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    assert "Interrupted." in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_unknown_field_message_names_the_choices(fixtures: Emulator) -> None:
    result = botops(fixtures, "conversations", "list", "--fields", "insight")
    assert result.stderr == (
        "Error: unknown field 'insight' in --fields (did you mean 'insights'?); "
        "choose from transcript, insights\n"
    )


DURATIONS = """\
conversations:
  - {conversation_id: d1, bot_id: bot_a, call_metadata: {duration_seconds: 12345.67}}
  - {conversation_id: d2, bot_id: bot_a, call_metadata: {duration_seconds: 1234567}}
  - {conversation_id: d3, bot_id: bot_a, call_metadata: {duration_seconds: 0.1}}
  - {conversation_id: d4, bot_id: bot_a, call_metadata: {duration_seconds: "60"}}
  - {conversation_id: d5, bot_id: bot_a, call_metadata: {duration_seconds: 7200.5}}
  - {conversation_id: d6, bot_id: bot_a, call_metadata: {duration_seconds: "inf"}}
  - {conversation_id: d7, bot_id: bot_a, call_metadata: {duration_seconds: "1e400"}}
  - {conversation_id: d8, bot_id: bot_a, call_metadata: {duration_seconds: "nan"}}
  - {conversation_id: d9, bot_id: bot_a, call_metadata: {duration_seconds: 1E400_DIGITS}}
""".replace("1E400_DIGITS", "1" + "0" * 400)


@pytest.fixture
def durations(emulator_factory: Any, tmp_path: Path) -> Emulator:
    (tmp_path / "durations.yaml").write_text(DURATIONS)
    result: Emulator = emulator_factory("--fixtures", str(tmp_path / "durations.yaml"))
    return result


def test_csv_durations_are_exact_and_odd_ones_empty(durations: Emulator, tmp_path: Path) -> None:
    expected = ["12345.67", "1234567", "0.1", "60", "7200.5", "", "", "", ""]
    result = botops(durations, "conversations", "export", "--out", "calls.csv")
    assert result.exit_code == 0, result.output
    with (tmp_path / "calls.csv").open(newline="", encoding="utf-8") as stream:
        assert [row["duration_seconds"] for row in csv.DictReader(stream)] == expected
    listed = botops(durations, "conversations", "list", "--format", "csv")
    assert [r["duration_seconds"] for r in csv.DictReader(io.StringIO(listed.stdout))] == expected


def test_table_shows_odd_durations_as_unknown(durations: Emulator) -> None:
    result = botops(durations, "conversations", "list")
    assert result.exit_code == 0, result.output
    column = {line.split()[0]: line.split()[4] for line in result.stdout.splitlines()[1:]}
    assert column == {
        "d1": "3:25:46", "d2": "342:56:07", "d3": "0:00", "d4": "1:00", "d5": "2:00:00",
        "d6": "-", "d7": "-", "d8": "-", "d9": "-",
    }  # fmt: skip


def test_export_out_under_a_plain_file_is_a_one_line_error(
    fixtures: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "afile2").write_text("a file, not a directory\n")
    result = botops(fixtures, "conversations", "export", "--out", "afile2/x.jsonl")
    assert result.exit_code == 1
    assert result.stderr == "Error: afile2/x.jsonl: can't write: afile2 is not a directory\n"
    assert [p.name for p in tmp_path.iterdir()] == ["afile2"]


def test_export_progress_total_comes_from_the_first_page(
    fixtures: Emulator, tmp_path: Path
) -> None:
    seen: list[tuple[int, int, int | None]] = []

    async def go() -> int:
        async with Client(base_url=fixtures.url, account_id="Exotel") as client:
            return await export(client, tmp_path / "c.jsonl", on_progress=lambda *a: seen.append(a))

    fixtures.clear_requests()
    assert asyncio.run(go()) == 13
    assert seen == [(13, 13, 13)]
    # The one page there is, read once: no extra request just for the total.
    pages = [r["query"] for r in fixtures.requests() if r["path"] == CONVERSATIONS]
    assert pages == [{"limit": "100", "offset": "0"}]
