"""Apply over a faulty, rate-limited server: every change lands once, secrets never leak."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.support import Emulator, botops, fleet, live_bots

TOKEN = "tok-9f8e7d6c5b4a-secret"


def test_faulty_server_converges_with_exactly_one_new_version_per_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    fixtures = fleet(tmp_path, 40)
    emulator = emulator_factory(
        "--fixtures",
        str(fixtures),
        "--fault-rate",
        "0.15",
        "--lost-response-rate",
        "0.15",
        "--rate-limit",
        "40",
    )
    monkeypatch.chdir(tmp_path)
    runs = []
    for _ in range(3):
        result = botops(emulator, "apply", "bots", "--auto-approve")
        runs.append(result)
        if result.exit_code == 0:
            break
    assert runs[-1].exit_code == 0, [r.output[-3000:] for r in runs]
    assert "Traceback" not in "".join(r.output for r in runs)

    injected = [r for r in emulator.requests() if r["status"] in (429, 500)]
    assert injected, "the emulator injected no fault: the test would prove nothing"
    bots = live_bots(emulator)
    assert len(bots) == 40
    for bot in bots:
        # The emulator's own version history (never faulted): exactly one new version.
        history = httpx2.get(f"{emulator.url}/_emulator/voicebots/{bot['bot_id']}/versions").json()
        assert [v["version"] for v in history] == ["v1", "v2"], history
        live = history[-1]
        assert live["supported_languages"] == ["en", "hi"]
        assert live["enable_greeting_interruption"] is True

    clean = botops(emulator, "plan", "bots", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output


def test_rate_limit_alone_finishes_without_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    fixtures = fleet(tmp_path, 40)
    emulator = emulator_factory("--fixtures", str(fixtures), "--rate-limit", "25")
    monkeypatch.chdir(tmp_path)
    result = botops(emulator, "apply", "bots", "--auto-approve")
    assert result.exit_code == 0, result.output[-3000:]
    statuses = [r["status"] for r in emulator.requests()]
    assert 429 in statuses, "the rate limit was never reached: the test would prove nothing"
    posted = [r for r in emulator.requests() if r["method"] == "POST" and r["status"] == 200]
    assert len(posted) == 40


def test_the_token_never_appears_in_output_logs_or_plan_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    fixtures = fleet(tmp_path, 3)
    emulator = emulator_factory("--fixtures", str(fixtures), "--token", TOKEN)
    monkeypatch.chdir(tmp_path)
    outputs: list[str] = []
    for env in ({"BOTOPS_TOKEN": TOKEN}, {"BOTOPS_API_KEY": "key", "BOTOPS_API_TOKEN": TOKEN}):
        for args in (
            ("plan", "bots", "--out", "plan.json"),
            ("plan", "bots", "--format", "json"),
            ("plan", "bots", "--format", "markdown"),
            ("--debug", "plan", "bots"),
            ("--debug", "conversations", "list"),
        ):
            result = botops(emulator, *args, **env)
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
        outputs.append((tmp_path / "plan.json").read_text())
    debug_trace = botops(emulator, "--debug", "plan", "bots", BOTOPS_TOKEN=TOKEN).stderr
    assert "debug:" in debug_trace, "no trace was printed: the test would prove nothing"
    applied = botops(
        emulator, "--debug", "apply", "--plan", "plan.json", "--auto-approve", BOTOPS_TOKEN=TOKEN
    )
    assert applied.exit_code == 0, applied.output
    outputs.append(applied.output)
    refused = botops(emulator, "plan", "bots", BOTOPS_TOKEN=TOKEN[::-1])
    assert refused.exit_code == 1
    outputs.append(refused.output)
    for output in outputs:
        assert TOKEN not in output
        assert TOKEN[::-1] not in output


def test_every_lost_answer_on_the_emulator_still_makes_exactly_one_version_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    emulator: Emulator = emulator_factory("--demo", "--lost-response-rate", "1")
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/support.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_support01\nname: Acme Support Bot\n"
    )
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(tmp_path)
    result = botops(emulator, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    posts = [(r["path"], r["status"]) for r in emulator.requests() if r["method"] == "POST"]
    assert posts == [("/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01/versions", 500)]
    live = httpx2.get(f"{emulator.url}/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01")
    assert (live.json()["version"], live.json()["name"]) == ("v4", "Acme Support Bot")
