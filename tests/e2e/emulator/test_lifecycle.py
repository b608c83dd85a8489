"""Starting and stopping: the ready line, a clean exit, `--db` across restarts, and data that is
loaded only into an empty database; broken fixtures stop the start with one line."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import BROKEN_FIXTURES as BROKEN
from tests.support import VB, Emulator, client, fleet_bots, write_fixtures

# Signals, restarts and --db: every emulator here is the test's own.
pytestmark = pytest.mark.fresh_emulator


def stop(emulator: Emulator, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
    """Stops with `sig`; the exit code and what was left on stdout and stderr."""
    emulator.process.send_signal(sig)
    code = emulator.process.wait(timeout=10)
    assert emulator.process.stdout is not None and emulator.process.stderr is not None
    return code, emulator.process.stdout.read(), emulator.process.stderr.read()


def test_one_ready_line_a_clean_exit_and_without_db_nothing_survives(
    emulator_factory: Any,
) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        emulator = emulator_factory("--demo")
        assert emulator.url.startswith("http://127.0.0.1:")
        assert int(emulator.url.rsplit(":", 1)[1]) > 0  # --port 0 picked a free port
        with client(emulator) as http:
            body = {"source_version": "v3", "data": {"name": "Changed"}}
            response = http.post(f"{VB}/voicebots/bot_support01/versions", json=body)
            assert response.json()["version"] == "v4"  # never v5: the state was in memory
        code, out, err = stop(emulator, sig)
        assert code == 0
        assert out == ""  # the ready line was the only one
        assert "Traceback" not in err


def test_db_persists_across_restarts_and_seeds_only_an_empty_database(
    emulator_factory: Any, tmp_path: Path
) -> None:
    db = tmp_path / "state.db"
    first = emulator_factory("--db", str(db), "--demo", "--generation-seconds", "0")
    with client(first) as http:
        body = {"source_version": "v3", "data": {"supported_languages": ["en", "hi"]}}
        assert http.post(f"{VB}/voicebots/bot_support01/versions", json=body).status_code == 200
        job = http.post(f"{VB}/bot-generation", data={"text_content": "A bot for orders"}).json()
        bot_id = http.get(f"{VB}/bot-generation/{job['id']}").json()["bot_id"]
    assert stop(first)[0] == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(2))
    second = emulator_factory("--db", str(db), "--fixtures", str(fixtures), "--demo")
    with client(second) as http:
        live = http.get(f"{VB}/voicebots/bot_support01").json()
        ids = [b["bot_id"] for b in http.get(f"{VB}/voicebots").json()["data"]]
        job_again = http.get(f"{VB}/bot-generation/{job['id']}").json()
        conversations = http.get(f"{VB}/voicebot-conversations").json()["metadata"]["total"]
    assert (live["version"], live["supported_languages"]) == ("v4", ["en", "hi"])
    assert ids == ["bot_support01", "bot_payrem01", "bot_sales01", bot_id]  # no fixtures
    assert job_again["status"] == "completed" and job_again["bot_id"] == bot_id
    assert conversations == 204  # the demo's, once
    code, _, err = stop(second)
    assert code == 0 and "only loaded into an empty database" in err


def test_a_job_running_at_shutdown_finishes_after_a_restart(
    emulator_factory: Any, tmp_path: Path
) -> None:
    db = tmp_path / "state.db"
    first = emulator_factory("--db", str(db), "--generation-seconds", "0.6")
    with client(first) as http:
        job = http.post(f"{VB}/bot-generation", data={"text_content": "A bot for orders"}).json()
    stop(first)
    time.sleep(0.3)
    second = emulator_factory("--db", str(db))
    with client(second) as http:
        time.sleep(0.5)
        bots = http.get(f"{VB}/voicebots").json()["data"]  # finished by its timer, not a poll
        done = http.get(f"{VB}/bot-generation/{job['id']}").json()
    assert done["status"] == "completed"
    assert [b["bot_id"] for b in bots] == [done["bot_id"]]


def test_broken_fixtures_stop_the_start_with_one_line_and_exit_1(tmp_path: Path) -> None:
    processes = []
    for name in ("syntax.yaml", "twice.yaml"):
        path = tmp_path / name
        path.write_text(BROKEN[name][0])
        command = [
            sys.executable,
            "-m",
            "botops",
            "emulator",
            "--port",
            "0",
            "--fixtures",
            str(path),
        ]
        processes.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    for process in processes:
        out, err = process.communicate(timeout=30)
        assert process.returncode == 1, err
        assert out == ""
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_fixtures_may_give_only_ids_and_names(emulator_factory: Any, tmp_path: Path) -> None:
    fixtures = tmp_path / "f.yaml"
    fixtures.write_text(
        "bots: [{bot_id: b1, name: One, version: v3, date_created: 2026-04-01T10:00:00Z}]\n"
        "assistants: [{assistant_id: a1}]\n"
    )
    emulator = emulator_factory("--fixtures", str(fixtures))
    with client(emulator) as http:
        bot = http.get(f"{VB}/voicebots/b1").json()
        assistant = http.get("/api/v2/accounts/A/assistants/a1").json()
        on_v1 = {"source_version": "v1", "data": {}}  # earlier versions exist
        assert http.post(f"{VB}/voicebots/b1/versions", json=on_v1).json()["version"] == "v4"
    assert bot["date_created"] == "2026-04-01T10:00:00Z"
    assert (bot["version"], bot["enable_greeting_interruption"]) == ("v3", True)
    assert bot["supported_languages"] == ["en"]
    assert assistant["version"] == "v1" and assistant["stable_version"] is None
    assert (assistant["instruction"], assistant["llm_config"], assistant["agents"]) == ("", {}, [])
