"""Re-runs converge (issue 18, item 11): after a partial failure, running the same reviewed plan
again counts what its earlier run wrote as "already applied" and retries only what failed; a
version someone else wrote, even with the same values, stays stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.ci_support import team_repository
from tests.interpose import Answer, Exchange, interposed
from tests.support import Emulator, botops

VB = "/voicebot/api/v2/accounts/Exotel"
BOTS = ("bot_a", "bot_b", "bot_c")


@pytest.fixture
def three_bots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any) -> Emulator:
    """Three live bots at v3, and files that add Hindi to each."""
    fixtures = {
        "bots": [
            {"bot_id": b, "name": f"Line {b}", "version": "v3", "supported_languages": ["en"]}
            for b in BOTS
        ]
    }
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    (tmp_path / "bots").mkdir()
    for b in BOTS:
        (tmp_path / f"bots/{b}.yaml").write_text(
            f"kind: Voicebot\nbot_id: {b}\nname: Line {b}\nsupported_languages: [en, hi]\n"
        )
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.json"))
    return emulator


def versions(emulator: Emulator, bot_id: str) -> list[str]:
    found = httpx2.get(f"{emulator.url}/_emulator/voicebots/{bot_id}/versions").json()
    return [v["version"] for v in found]


def line_of(output: str, address: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith(f"{address}:")]
    return line


def refuse_writes_to(bot_id: str, refusing: list[bool]) -> Any:
    """Writes to `bot_id` answered 400 while `refusing[0]`."""

    def rule(exchange: Exchange) -> Answer | None:
        hit = exchange.method == "POST" and f"/voicebots/{bot_id}/versions" in exchange.path
        if hit and refusing[0]:
            return Answer(400, b'{"error": {"status": 400, "message": "languages are locked"}}')
        return None

    return rule


@pytest.mark.fresh_emulator  # writes
def test_a_rerun_after_a_partial_failure_counts_the_earlier_writes_and_retries_the_rest(
    three_bots: Emulator,
) -> None:
    refusing = [True]
    with interposed(three_bots.url, refuse_writes_to("bot_c", refusing)) as proxy:

        def run(*args: str) -> Any:
            return botops(three_bots, *args, BOTOPS_BASE_URL=proxy.url)

        assert run("plan", "bots", "--out", "plan.json").exit_code == 0
        first = run("apply", "--plan", "plan.json", "--auto-approve")
        assert first.exit_code == 1, first.output
        assert "Apply: 2 applied, 0 stale, 1 failed" in first.stdout
        assert "languages are locked" in line_of(first.stdout, "voicebot/bot_c")

        refusing[0] = False
        again = run("apply", "--plan", "plan.json", "--auto-approve")
        assert again.exit_code == 0, again.output
        for bot_id in ("bot_a", "bot_b"):
            assert "already applied" in line_of(again.stdout, f"voicebot/{bot_id}")
        assert "applied, new version v4" in line_of(again.stdout, "voicebot/bot_c")
        assert "Apply: 1 applied, 0 stale, 0 failed, 0 unknown, 2 already applied." in again.stdout
        # Nothing was written twice.
        assert [versions(three_bots, b)[-1] for b in BOTS] == ["v4", "v4", "v4"]

        third = run("apply", "--plan", "plan.json", "--auto-approve")
        assert third.exit_code == 0, third.output
        assert "3 already applied" in third.stdout
    assert [len(versions(three_bots, b)) for b in BOTS] == [4, 4, 4]


@pytest.mark.fresh_emulator  # writes
def test_the_same_values_written_by_another_plan_are_stale_not_already_applied(
    three_bots: Emulator,
) -> None:
    assert botops(three_bots, "plan", "bots", "--out", "mine.json", "-m", "mine").exit_code == 0
    assert botops(three_bots, "plan", "bots", "--out", "theirs.json", "-m", "theirs").exit_code == 0
    assert botops(three_bots, "apply", "--plan", "theirs.json", "--auto-approve").exit_code == 0

    mine = botops(three_bots, "apply", "--plan", "mine.json", "--auto-approve")
    assert mine.exit_code == 1, mine.output
    for bot_id in BOTS:
        assert "refused as stale" in line_of(mine.stdout, f"voicebot/{bot_id}")
    assert [len(versions(three_bots, b)) for b in BOTS] == [4, 4, 4]


@pytest.mark.fresh_emulator  # writes
def test_a_later_version_after_this_plans_write_is_stale(three_bots: Emulator) -> None:
    assert botops(three_bots, "plan", "bots", "--out", "plan.json").exit_code == 0
    assert botops(three_bots, "apply", "--plan", "plan.json", "--auto-approve").exit_code == 0
    # Someone writes v5 on top, with the plan's values still in it.
    response = httpx2.post(
        f"{three_bots.url}{VB}/voicebots/bot_a/versions",
        json={"source_version": "v4", "data": {"enable_greeting_interruption": True}},
    )
    assert response.status_code == 200, response.text

    again = botops(three_bots, "apply", "--plan", "plan.json", "--auto-approve")
    assert again.exit_code == 1, again.output
    assert "refused as stale" in line_of(again.stdout, "voicebot/bot_a")
    assert "already applied" in line_of(again.stdout, "voicebot/bot_b")


@pytest.mark.fresh_emulator  # writes
def test_an_unstable_version_converges_in_exotels_dialect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    """`mark_as_stable: false` against Exotel's dialect: plans diff against the stable version,
    which such a write never moves; the latest version holding the file's values is no change,
    and the same saved plan again is already applied. Nothing is written twice."""
    project = team_repository(tmp_path)
    assistant = project / "bots/acme-assistant.yaml"
    assistant.write_text(
        assistant.read_text().replace("mark_as_stable: true", "mark_as_stable: false")
    )
    monkeypatch.chdir(project)
    emulator: Emulator = emulator_factory("--demo", "--dialect", "exotel")
    address = "assistant/asst_acme01"

    assert botops(emulator, "plan", "--out", "plan.json").exit_code == 0
    first = botops(emulator, "apply", "--plan", "plan.json", "--auto-approve")
    assert first.exit_code == 0, first.output
    written = [r for r in emulator.requests() if r["method"] == "POST"]

    again = botops(emulator, "apply", "--plan", "plan.json", "--auto-approve")
    assert again.exit_code == 0, again.output
    assert "already applied" in line_of(again.stdout, address)
    fresh = botops(emulator, "plan", "--detailed-exitcode")
    assert fresh.exit_code == 0, fresh.output
    assert botops(emulator, "apply", "--auto-approve").exit_code == 0
    assert [r for r in emulator.requests() if r["method"] == "POST"] == written
