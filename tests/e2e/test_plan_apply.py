"""End to end: the real CLI planning and applying against a real emulator on a free port."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.support import ROOT, Emulator, botops

EXAMPLE_INSTRUCTION = (ROOT / "examples/bots/prompts/acme-support.md").read_text()[:-1]
RETURNS_INSTRUCTION = (ROOT / "examples/bots/prompts/returns.md").read_text()[:-1]


@pytest.fixture
def project(examples_project: Path) -> Path:
    return examples_project


@pytest.fixture
def demo(emulator_factory: Any) -> Emulator:
    result: Emulator = emulator_factory("--demo")
    return result


def posts(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["method"] == "POST"]


def test_plan_exit_codes_with_and_without_detailed_exitcode(project: Path, demo: Emulator) -> None:
    plain = botops(demo, "plan")
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.rstrip().splitlines()[-1] == "Plan: 0 to create, 3 to update, 0 unchanged."

    detailed = botops(demo, "plan", "--detailed-exitcode")
    assert detailed.exit_code == 2, detailed.output

    applied = botops(demo, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output

    clean = botops(demo, "plan", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.rstrip().splitlines()[-1] == "Plan: 0 to create, 0 to update, 3 unchanged."
    # One version each, every write answered 200; the plans around it wrote nothing.
    assert sorted((r["path"], r["status"]) for r in posts(demo)) == [
        ("/api/v2/accounts/Exotel/assistants/asst_acme01/versions", 200),
        ("/voicebot/api/v2/accounts/Exotel/voicebots/bot_payrem01/versions", 200),
        ("/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01/versions", 200),
    ]


def test_plan_never_writes_and_reads_once_per_resource(project: Path, demo: Emulator) -> None:
    demo.clear_requests()
    assert botops(demo, "plan").exit_code == 0
    requests = demo.requests()
    assert {r["method"] for r in requests} == {"GET"}
    gets = sorted(
        r["path"] for r in requests if "voicebots/" in r["path"] or "assistants/" in r["path"]
    )
    assert gets == [
        "/api/v2/accounts/Exotel/assistants/asst_acme01",
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_payrem01",
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01",
    ]
    # Every example names its id: no list page is read.
    assert not [r for r in requests if r["path"].endswith("/voicebots")]


def test_plan_file_holds_addresses_versions_and_exact_payloads(
    project: Path, demo: Emulator
) -> None:
    result = botops(demo, "plan", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    plan = json.loads((project / "plan.json").read_text())
    assert plan["format_version"] == 2
    assert plan["base_url"] == demo.url
    assert plan["account_id"] == "Exotel"
    by_address = {r["address"]: r for r in plan["resources"]}
    assert sorted(by_address) == [
        "assistant/asst_acme01",
        "voicebot/bot_payrem01",
        "voicebot/bot_support01",
    ]

    support = by_address["voicebot/bot_support01"]
    assert (support["action"], support["source_version"], support["file"]) == (
        "update",
        "v3",
        "bots/customer-support.yaml",
    )
    assert support["payload"] == {
        "source_version": "v3",
        "data": {"enable_greeting_interruption": True, "supported_languages": ["en", "hi"]},
        "version_description": "Let callers interrupt the greeting; add Hindi",
    }

    reminders = by_address["voicebot/bot_payrem01"]
    assert reminders["source_version"] == "v2"
    assert reminders["payload"] == {
        "source_version": "v2",
        "data": {"supported_languages": ["en", "hi", "ta"]},
        "version_description": "botops: update supported_languages",
    }

    assistant = by_address["assistant/asst_acme01"]
    assert assistant["source_version"] == "v4"
    payload = assistant["payload"]
    assert payload["source_version"] == "v4"
    assert payload["mark_as_stable"] is True
    assert payload["instruction"] == EXAMPLE_INSTRUCTION
    # `provider` is absent from the file: unmanaged, so the live value is kept.
    assert payload["llm_config"] == {
        "model": "gpt-4o",
        "provider": "openai",
        "temperature": 0.3,
        "max_tokens": 1024,
    }
    assert [a["role"] for a in payload["agents"]] == ["order_handler", "returns_handler"]
    assert payload["agents"][1]["instruction"] == RETURNS_INSTRUCTION
    assert "version_description" not in payload
    # The order handler's agent is unchanged: it is sent (agents go whole) but not shown.
    assert [c["path"] for c in assistant["changes"]] == [
        "instruction",
        "llm_config.model",
        "llm_config.temperature",
        "agents[returns_handler].instruction",
    ]


def test_apply_sends_exactly_the_plan_payloads(project: Path, demo: Emulator) -> None:
    assert botops(demo, "plan", "--out", "plan.json").exit_code == 0
    planned = json.loads((project / "plan.json").read_text())
    demo.clear_requests()
    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 0, result.output
    sent = {r["path"]: r["body"] for r in posts(demo)}
    assert sent == {
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01/versions": planned["resources"][
            2
        ]["payload"],
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_payrem01/versions": planned["resources"][1][
            "payload"
        ],
        "/api/v2/accounts/Exotel/assistants/asst_acme01/versions": planned["resources"][0][
            "payload"
        ],
    }
    live = httpx2.get(f"{demo.url}/api/v2/accounts/Exotel/assistants/asst_acme01").json()
    assert (live["version"], live["stable_version"]) == ("v5", "v5")
    assert live["llm_config"]["provider"] == "openai"


def test_version_description_carries_the_commit(project: Path, demo: Emulator) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    result = botops(demo, "plan", "--format", "json", GITHUB_SHA=sha)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    descriptions = [
        r["payload"].get("version_description")
        for r in plan["resources"]
        if r["kind"] == "Voicebot"
    ]
    assert descriptions == [
        "botops: update supported_languages (commit 0123456)",
        "Let callers interrupt the greeting; add Hindi (commit 0123456)",
    ]
    message = botops(demo, "plan", "--format", "json", "--message", "Ship it", GITHUB_SHA=sha)
    assert {
        r["payload"]["version_description"]
        for r in json.loads(message.stdout)["resources"]
        if r["kind"] == "Voicebot"
    } == {"Ship it (commit 0123456)"}


def test_apply_refuses_without_auto_approve_and_without_a_terminal(
    project: Path, demo: Emulator
) -> None:
    result = botops(demo, "apply")
    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert "no terminal" in result.stderr
    assert posts(demo) == []


def test_apply_without_terminal_is_fine_when_nothing_changes(project: Path, demo: Emulator) -> None:
    assert botops(demo, "apply", "--auto-approve").exit_code == 0
    demo.clear_requests()
    result = botops(demo, "apply")
    assert result.exit_code == 0, result.output
    assert posts(demo) == []


def test_second_apply_sends_nothing(project: Path, demo: Emulator) -> None:
    first = botops(demo, "apply", "--auto-approve")
    assert first.exit_code == 0, first.output
    assert len(posts(demo)) == 3
    demo.clear_requests()
    second = botops(demo, "apply", "--auto-approve")
    assert second.exit_code == 0, second.output
    assert posts(demo) == []
    assert "No changes" in second.stdout


def test_stale_resource_is_refused_while_the_others_are_applied(
    project: Path, demo: Emulator
) -> None:
    assert botops(demo, "plan", "--out", "plan.json").exit_code == 0
    # Someone changes the support bot after the plan was reviewed.
    bump = httpx2.post(
        f"{demo.url}/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01/versions",
        json={"source_version": "v3", "data": {"name": "Acme Support (edited live)"}},
    )
    assert bump.status_code == 200
    demo.clear_requests()

    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 1
    assert (
        "voicebot/bot_support01: refused as stale: live version is v4, the plan was made on v3; "
        "nothing was sent. Run `botops plan` again\n"
    ) in result.stdout
    assert "Apply: 2 applied, 1 stale, 0 failed, 0 unknown.\n" in result.stdout
    written = sorted(r["path"] for r in posts(demo))
    assert written == [
        "/api/v2/accounts/Exotel/assistants/asst_acme01/versions",
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_payrem01/versions",
    ]
    live = httpx2.get(f"{demo.url}/voicebot/api/v2/accounts/Exotel/voicebots/bot_support01").json()
    assert (live["version"], live["name"]) == ("v4", "Acme Support (edited live)")


def test_apply_plan_refuses_another_target(project: Path, demo: Emulator) -> None:
    assert botops(demo, "plan", "--out", "plan.json").exit_code == 0
    demo.clear_requests()
    result = botops(
        demo, "apply", "--plan", "plan.json", "--auto-approve", BOTOPS_ACCOUNT_ID="Other"
    )
    assert result.exit_code == 1
    assert "account" in result.stderr and "'Other'" in result.stderr
    assert demo.requests() == []


def test_bot_matched_by_name_is_created_through_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    emulator = emulator_factory("--generation-seconds", "0.3")
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/reminders.yaml").write_text(
        "kind: Voicebot\n"
        "name: Payment Reminder Bot\n"
        "description: Create an outbound bot that reminds customers of EMI payments in Hindi\n"
        "enable_greeting_interruption: false\n"
        "supported_languages: [hi, en]\n"
    )
    monkeypatch.chdir(tmp_path)

    planned = botops(emulator, "plan", "bots", "--format", "json")
    assert planned.exit_code == 0, planned.output
    [resource] = json.loads(planned.stdout)["resources"]
    assert (resource["address"], resource["action"], resource["id"]) == (
        "voicebot/Payment Reminder Bot",
        "create",
        None,
    )
    assert resource["payload"]["generation"] == {
        "text_content": "Create an outbound bot that reminds customers of EMI payments in Hindi"
    }

    applied = botops(emulator, "apply", "bots", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    requests = emulator.requests()
    generation = [r for r in requests if r["method"] == "POST" and r["path"].endswith("generation")]
    assert [r["status"] for r in generation] == [201]
    assert generation[0]["body"] == {
        "text_content": "Create an outbound bot that reminds customers of EMI payments in Hindi"
    }

    clean = botops(emulator, "plan", "bots", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    bots = httpx2.get(f"{emulator.url}/voicebot/api/v2/accounts/Exotel/voicebots").json()["data"]
    assert [b["name"] for b in bots] == ["Payment Reminder Bot"]


def test_a_renamed_bot_never_becomes_a_silent_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: Emulator
) -> None:
    (tmp_path / "bot.yaml").write_text("kind: Voicebot\nname: Acme Support Line\n")
    monkeypatch.chdir(tmp_path)
    result = botops(demo, "plan", "bot.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("bot.yaml:1:1: no live voicebot is named 'Acme Support Line'")
    assert posts(demo) == []


def test_invalid_files_stop_plan_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: Emulator
) -> None:
    (tmp_path / "bot.yaml").write_text("kind: Voicebot\nbot_id: bot_support01\nnmae: x\n")
    monkeypatch.chdir(tmp_path)
    demo.clear_requests()
    result = botops(demo, "plan", "bot.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("bot.yaml:3:1: unknown key 'nmae'")
    assert demo.requests() == []


def test_unmanaged_lists_live_resources_without_a_file(project: Path, demo: Emulator) -> None:
    result = botops(demo, "plan", "--unmanaged", "--format", "json")
    assert result.exit_code == 0, result.output
    unmanaged = [u["address"] for u in json.loads(result.stdout)["unmanaged"]]
    assert unmanaged == ["assistant/asst_sales01", "voicebot/bot_sales01"]


def test_bad_credentials_give_one_line_and_exit_1(project: Path, emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--token", "s3cret-token")
    result = botops(emulator, "plan", BOTOPS_TOKEN="wrong-token")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "401" in lines[0]
    assert "wrong-token" not in result.output and "Traceback" not in result.output

    good = botops(emulator, "plan", BOTOPS_TOKEN="s3cret-token")
    assert good.exit_code == 0, good.output


def test_unreachable_server_gives_one_line_and_exit_1(project: Path) -> None:
    result = botops(None, "plan", BOTOPS_BASE_URL="http://127.0.0.1:9", BOTOPS_RETRY_DEADLINE="1")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1:9" in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_server_errors_give_one_line_and_exit_1(project: Path, emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--fault-rate", "1")
    result = botops(emulator, "plan", BOTOPS_RETRY_DEADLINE="1")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "500" in lines[0], result.stderr
    assert "Traceback" not in result.output
