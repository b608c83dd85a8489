"""`POST /_emulator/reset` in-process: back to the data the emulator started with, with no request
logged, no generation job and an empty rate-limit window (the clock is the test's own)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2

from botops.emulator import llmscript
from botops.emulator.app import create_app
from botops.emulator.gateway import Faults, Gateway, RequestLog
from botops.emulator.generate import Generations
from botops.emulator.server import Seed, resetter
from botops.emulator.store import ASSISTANT, Store
from tests.support import VB, error_message, fleet_bots, write_fixtures


def test_reset_restores_the_start_data_and_forgets_requests_jobs_and_the_window(
    tmp_path: Path,
) -> None:
    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(2))
    store = Store(None)
    start = Seed(fixtures=fixtures)
    start.load(store)
    log = RequestLog()
    generations = Generations(store, 60.0)
    app = create_app(store, generations, log)
    gateway = Gateway(app, Faults(rate_limit=4), log, clock=lambda: 1000.0)
    app.state.reset = resetter(store, start, generations, gateway, db=None)
    fixtures.write_text("{}")  # a reset loads the data as it was read at the start

    async def go() -> None:
        transport = httpx2.ASGITransport(app=gateway)
        async with httpx2.AsyncClient(transport=transport, base_url="http://emulator") as http:
            before = (await http.get(f"{VB}/voicebots/bot_000")).json()
            body = {"source_version": "v1", "data": {"name": "Changed"}}
            assert (await http.post(f"{VB}/voicebots/bot_000/versions", json=body)).is_success
            form = {"text_content": (None, "A support bot for Acme in English.")}
            job = (await http.post(f"{VB}/bot-generation", files=form)).json()["id"]
            assert generations.timers
            assert (await http.get(f"{VB}/voicebots")).json()["metadata"]["total"] == 2
            full = await http.get(f"{VB}/voicebots/bot_000")
            assert "rate limit" in error_message(full, 429)

            assert (await http.post("/_emulator/reset")).status_code == 204

            assert not generations.timers
            assert (await http.get("/_emulator/requests")).json() == []
            assert (await http.get(f"{VB}/voicebots/bot_000")).json() == before
            history = (await http.get("/_emulator/voicebots/bot_000/versions")).json()
            assert len(history) == 1
            assert (await http.get(f"{VB}/voicebots")).json()["metadata"]["total"] == 2
            assert (await http.get(f"{VB}/bot-generation/{job}")).status_code == 404
            logged = (await http.get("/_emulator/requests")).json()
            assert [entry["status"] for entry in logged] == [200, 200, 404]

    asyncio.run(go())


def test_an_emulator_with_a_database_refuses_to_reset(tmp_path: Path) -> None:
    store = Store(tmp_path / "emulator.db")
    start = Seed(fixtures=write_fixtures(tmp_path / "f.json", bots=fleet_bots(1)))
    start.load(store)
    log = RequestLog()
    generations = Generations(store, 60.0)
    app = create_app(store, generations, log)
    gateway = Gateway(app, Faults(), log)
    app.state.reset = resetter(store, start, generations, gateway, db=tmp_path / "emulator.db")

    async def go() -> None:
        transport = httpx2.ASGITransport(app=gateway)
        async with httpx2.AsyncClient(transport=transport, base_url="http://emulator") as http:
            body = {"source_version": "v1", "data": {"name": "Kept"}}
            assert (await http.post(f"{VB}/voicebots/bot_000/versions", json=body)).is_success
            answer = await http.post("/_emulator/reset")
            assert "--db" in error_message(answer, 409)
            assert (await http.get(f"{VB}/voicebots/bot_000")).json()["name"] == "Kept"

    try:
        asyncio.run(go())
    finally:
        store.close()


def test_without_a_resetter_reset_is_not_found() -> None:
    store = Store(None)
    log = RequestLog()
    app = create_app(store, Generations(store, 60.0), log)

    async def go() -> None:
        transport = httpx2.ASGITransport(app=Gateway(app, Faults(), log))
        async with httpx2.AsyncClient(transport=transport, base_url="http://emulator") as http:
            error_message(await http.post("/_emulator/reset"), 404)

    asyncio.run(go())


def test_a_reset_empties_every_table_of_the_schema_descriptions_included() -> None:
    """A version description kept beside an assistant's version (Exotel's dialect) is gone after
    a reset too: the same version written again after it is not refused as a duplicate."""
    store = Store(None)
    start = Seed(demo=True)
    start.load(store)
    [(rid, version)] = store.db.execute(
        "SELECT assistant_id, version FROM assistants ORDER BY seq LIMIT 1"
    ).fetchall()
    for _ in range(2):
        store.new_version(ASSISTANT, rid, f"v{version}", {}, "note", description="described")
        store.clear()
        tables = [
            t for (t,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        assert "version_descriptions" in tables
        for table in tables:
            assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        start.load(store)


def test_a_reset_starts_an_llm_scripts_replies_from_the_first(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text("rules:\n  - replies: [one, two]\n")
    script = llmscript.load(path)
    asked = llmscript.Asked(model="gpt-4o", system="", user="hello", turn=1)
    store = Store(None)
    generations = Generations(store, 60.0)
    log = RequestLog()
    gateway = Gateway(create_app(store, generations, log), Faults(), log)
    reset = resetter(store, Seed(), generations, gateway, db=None, script=script)
    assert [script.answer(asked)[0] for _ in range(3)] == ["one", "two", "one"]
    reset()
    assert [script.answer(asked)[0] for _ in range(2)] == ["one", "two"]
