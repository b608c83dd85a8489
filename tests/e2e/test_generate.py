"""`botops generate` and `run_generation` against the emulator's background generation jobs."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest

from botops.client import Client
from botops.client.generation import run_generation
from botops.errors import GenerationFailed, GenerationTimeout
from tests.support import Emulator, botops

TEXT = "Create a customer support bot that handles order inquiries and returns in English and Hindi"
GENERATION = "/voicebot/api/v2/accounts/Exotel/bot-generation"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_generate_writes_the_new_bot_and_prints_its_id(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emulator = emulator_factory("--generation-seconds", "0.6")
    result = botops(emulator, "generate", TEXT, "--out", "bots/support.yaml")
    assert result.exit_code == 0, result.output
    bot_id = result.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", bot_id)
    # Status changes on stderr, as plain lines without a terminal.
    assert re.search(r"^Job \S+: pending", result.stderr, re.MULTILINE)
    assert re.search(r"^Job \S+: completed", result.stderr, re.MULTILINE)
    assert "\r" not in result.stderr

    from botops.project.loader import load_resources

    live = httpx2.get(f"{emulator.url}/voicebot/api/v2/accounts/Exotel/voicebots/{bot_id}").json()
    (resource,) = load_resources([tmp_path / "bots"], root=tmp_path)
    assert resource.id == bot_id
    assert resource.desired == {
        k: live[k] for k in ("name", "enable_greeting_interruption", "supported_languages")
    }
    text = (tmp_path / "bots/support.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/voicebot.schema.json\n")

    # Backoff: a 0.6 s job is polled a few times, not every few milliseconds.
    polls = [r for r in emulator.requests() if r["method"] == "GET" and GENERATION in r["path"]]
    assert 1 <= len(polls) <= 4


def test_generate_default_file_is_named_after_the_bot(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emulator = emulator_factory("--generation-seconds", "0")
    result = botops(emulator, "generate", TEXT)
    assert result.exit_code == 0, result.output
    bot_id = result.stdout.strip()
    (written,) = tmp_path.glob("*.yaml")
    assert written.stem != bot_id and re.fullmatch(r"[a-z0-9-]+", written.stem)
    assert f"bot_id: {bot_id}\n" in written.read_text()
    assert f"wrote {written.name}" in result.stderr

    # The same bot name again: a second file, never an overwrite.
    again = botops(emulator, "generate", TEXT)
    assert again.exit_code == 0, again.output
    assert len(list(tmp_path.glob("*.yaml"))) == 2


def test_failed_generation_exits_1_with_the_job_and_reason(emulator_factory: Any) -> None:
    emulator = emulator_factory("--generation-seconds", "0.2")
    result = botops(emulator, "generate", "hi")
    assert result.exit_code == 1
    (error,) = result.stderr.strip().splitlines()[-1:]
    job = re.search(r"bot generation job (\S+) failed: (.+?); describe", error)
    assert job, error
    reason = httpx2.get(f"{emulator.url}{GENERATION}/{job.group(1)}").json()["reason"]
    assert job.group(2) == reason
    assert "Traceback" not in result.output
    assert list(Path(".").iterdir()) == []


def test_timeout_then_resume_with_job(emulator_factory: Any, tmp_path: Path) -> None:
    emulator = emulator_factory("--generation-seconds", "1.5")
    timed_out = botops(emulator, "generate", TEXT, "--timeout", "0.3")
    assert timed_out.exit_code == 1
    found = re.search(r"pick it up again with `botops generate --job (\S+)`", timed_out.stderr)
    assert found, timed_out.stderr
    assert "after 0.3 s" in timed_out.stderr
    assert list(tmp_path.iterdir()) == []

    resumed = botops(emulator, "generate", "--job", found.group(1), "--timeout", "20")
    assert resumed.exit_code == 0, resumed.output
    assert len(list(tmp_path.glob("*.yaml"))) == 1
    creates = [r for r in emulator.requests() if r["method"] == "POST"]
    assert len(creates) == 1  # resuming started no second job


def test_generate_needs_text_or_job_and_a_free_out(emulator: Emulator, tmp_path: Path) -> None:
    assert botops(emulator, "generate").exit_code == 1
    (tmp_path / "taken.yaml").write_text("kind: Voicebot\n")
    taken = botops(emulator, "generate", TEXT, "--out", "taken.yaml")
    assert taken.exit_code == 1 and "taken.yaml already exists" in taken.stderr
    assert emulator.requests() == []  # refused before any job was started
    unknown = botops(emulator, "generate", "--job", "gen_nope")
    assert unknown.exit_code == 1 and "gen_nope" in unknown.stderr


def test_run_generation_reports_each_status_once(emulator_factory: Any) -> None:
    emulator = emulator_factory("--generation-seconds", "0.5")
    seen: list[str] = []

    async def go() -> dict[str, Any]:
        async with Client(base_url=emulator.url, account_id="Exotel") as client:
            return await run_generation(
                client,
                TEXT,
                timeout=10,
                poll_interval=0.05,
                on_status=lambda j: seen.append(j["status"]),
            )

    job = asyncio.run(go())
    assert job["status"] == "completed" and job["bot_id"] and job["id"]
    assert seen[0] == "pending" and seen[-1] == "completed"
    assert len(seen) == len(set(seen))


def test_run_generation_errors_carry_the_job_id(emulator_factory: Any) -> None:
    slow = emulator_factory("--generation-seconds", "5")
    fast = emulator_factory("--generation-seconds", "0")

    async def go(emulator: Emulator, text: str, timeout: float) -> dict[str, Any]:
        async with Client(base_url=emulator.url, account_id="Exotel") as client:
            return await run_generation(client, text, timeout=timeout, poll_interval=0.05)

    with pytest.raises(GenerationTimeout) as timeout:
        asyncio.run(go(slow, TEXT, 0.3))
    assert timeout.value.job_id and timeout.value.timeout == 0.3
    assert f"botops generate --job {timeout.value.job_id}" in str(timeout.value)

    with pytest.raises(GenerationFailed) as failed:
        asyncio.run(go(fast, "1234 5678", 5))
    assert failed.value.job_id and failed.value.reason == "the description has no words"
    assert failed.value.job_id in str(failed.value)
