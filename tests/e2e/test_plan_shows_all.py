"""Every byte apply sends follows from what the rendered plan shows (issue 19, items 2 and 3).

A saved plan is edited the way someone with write access to an artifact could, then shown the
way a reviewer sees it (`botops comment` on the loopback forge, `apply` on a terminal) and
applied through the real CLI against the real emulator: either what is sent is on the page, or
the whole plan is refused before any write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.forge_server import TOKEN, ForgeState
from tests.support import Emulator, botops, github_pull_request


def posts(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["method"] == "POST"]


def saved_plan(emulator: Emulator, directory: Path) -> tuple[Path, dict[str, Any]]:
    result = botops(emulator, "plan", "bots", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    path = directory / "plan.json"
    return path, json.loads(path.read_text())


def resource(plan: dict[str, Any], address: str) -> dict[str, Any]:
    [found] = [r for r in plan["resources"] if r["address"] == address]
    return found


def rewrite(path: Path, plan: dict[str, Any]) -> None:
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")


def commented(forge: ForgeState, tmp_path: Path, plan: Path) -> str:
    """The pull-request comment `botops comment` posts for `plan`: what a reviewer reads."""
    from botops.cli import cli

    env = github_pull_request(tmp_path, forge.url, TOKEN)
    result: Result = CliRunner().invoke(cli, ["comment", str(plan)], env=env)
    assert result.exit_code == 0, result.output
    [posted] = forge.comments("github", "acme/bots#7")
    body: str = posted["body"]
    return body


@pytest.fixture
def demo(examples_project: Path, emulator_factory: Any) -> Emulator:
    emulator: Emulator = emulator_factory("--demo", "--generation-seconds", "0.2")
    return emulator


def test_an_edited_before_refuses_the_whole_plan_before_any_write(
    demo: Emulator, examples_project: Path
) -> None:
    path, plan = saved_plan(demo, examples_project)
    assistant = resource(plan, "assistant/asst_acme01")
    # The reviewer would read `"gpt-4o" -> "gpt-4o"`: nothing to look at.
    [model] = [c for c in assistant["changes"] if c["path"] == "llm_config.model"]
    model["before"] = model["after"]
    rewrite(path, plan)
    demo.clear_requests()

    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")

    assert result.exit_code == 1, result.output
    assert posts(demo) == []
    lines = result.stdout.splitlines()
    [refused] = [line for line in lines if line.startswith("assistant/asst_acme01:")]
    assert "refused" in refused and "llm_config.model" in refused and "before" in refused
    others = [line for line in lines if line.startswith("voicebot/")]
    assert len(others) == 2 and all("the whole plan is refused" in line for line in others)
    assert "Traceback" not in result.output


def test_an_edited_before_of_an_instruction_is_refused(
    demo: Emulator, examples_project: Path
) -> None:
    path, plan = saved_plan(demo, examples_project)
    assistant = resource(plan, "assistant/asst_acme01")
    # Only a final newline differs, the comment would say: the instruction replaced whole.
    [instruction] = [c for c in assistant["changes"] if c["path"] == "instruction"]
    instruction["before"] = instruction["after"] + "\n"
    rewrite(path, plan)
    demo.clear_requests()

    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 1
    assert posts(demo) == []
    assert "instruction" in result.stdout and "not the live value" in result.stdout


def test_what_a_version_sends_beside_its_changes_is_in_the_comment_and_sent_as_shown(
    demo: Emulator, examples_project: Path, forge: ForgeState, tmp_path: Path
) -> None:
    path, plan = saved_plan(demo, examples_project)
    bot = resource(plan, "voicebot/bot_support01")
    bot["payload"]["version_description"] = "rollback approved by @security"
    assistant = resource(plan, "assistant/asst_acme01")
    assistant["payload"]["mark_as_stable"] = False
    rewrite(path, plan)

    body = commented(forge, tmp_path, path)
    assert '# version_description: "rollback approved by @security"' in body.replace("@\u200b", "@")
    assert "# mark_as_stable: false" in body

    demo.clear_requests()
    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 0, result.output
    sent = {r["path"].split("/")[-2]: r["body"] for r in posts(demo)}
    assert sent["bot_support01"]["version_description"] == "rollback approved by @security"
    assert sent["asst_acme01"]["mark_as_stable"] is False


def test_a_wrong_type_beside_the_changes_is_refused(demo: Emulator, examples_project: Path) -> None:
    path, plan = saved_plan(demo, examples_project)
    resource(plan, "assistant/asst_acme01")["payload"]["mark_as_stable"] = "yes"
    rewrite(path, plan)
    demo.clear_requests()
    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 1
    assert posts(demo) == []
    assert "mark_as_stable is not true or false" in result.stdout


def test_where_an_added_agent_goes_is_shown_and_sent_as_shown(
    demo: Emulator, examples_project: Path, forge: ForgeState, tmp_path: Path
) -> None:
    assistant = examples_project / "bots/acme-assistant.yaml"
    assistant.write_text(
        assistant.read_text() + "  - role: escalation\n    instruction: Hand over to a person.\n"
    )
    path, plan = saved_plan(demo, examples_project)
    payload = resource(plan, "assistant/asst_acme01")["payload"]
    # The added agent moved to the front: the changes alone do not say where it goes.
    payload["agents"] = payload["agents"][-1:] + payload["agents"][:-1]
    rewrite(path, plan)

    body = commented(forge, tmp_path, path)
    assert '# agents order: ["escalation", "order_handler", "returns_handler"]' in body

    demo.clear_requests()
    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 0, result.output
    [sent] = [r["body"] for r in posts(demo) if "asst_acme01" in r["path"]]
    assert [a["role"] for a in sent["agents"]] == ["escalation", "order_handler", "returns_handler"]


# --- item 3: a create names what it creates ------------------------------------------------


@pytest.fixture
def new_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any) -> Emulator:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/reminders.yaml").write_text(
        "kind: Voicebot\nname: Payment Reminder Bot\n"
        "description: Create an outbound bot that reminds customers of EMI payments\n"
        "supported_languages: [hi, en]\n"
    )
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--generation-seconds", "0.2")
    return emulator


def generations(emulator: Emulator) -> int:
    return sum(1 for r in posts(emulator) if r["path"].endswith("/bot-generation"))


@pytest.mark.parametrize("name", ["absent", None])
def test_a_create_without_name_applied_twice_does_not_clone(
    new_bot: Emulator, tmp_path: Path, name: str | None
) -> None:
    path, plan = saved_plan(new_bot, tmp_path)
    [create] = plan["resources"]
    if name == "absent":
        del create["name"]
    else:
        create["name"] = name
    rewrite(path, plan)

    first = botops(new_bot, "apply", "--plan", "plan.json", "--auto-approve")
    assert first.exit_code == 0, first.output
    # The second run finds the bot its first run made: nothing is generated again.
    again = botops(new_bot, "apply", "--plan", "plan.json", "--auto-approve")
    assert again.exit_code == 0, again.output
    assert "already applied" in again.stdout
    assert generations(new_bot) == 1


def test_a_create_whose_name_differs_from_what_it_sends_is_refused(
    new_bot: Emulator, tmp_path: Path
) -> None:
    path, plan = saved_plan(new_bot, tmp_path)
    [create] = plan["resources"]
    create["name"] = "Another Bot"
    rewrite(path, plan)

    result = botops(new_bot, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 1
    assert "is not the name it sends" in result.output
    assert posts(new_bot) == []


def test_a_create_shows_the_text_it_generates_from(
    new_bot: Emulator, tmp_path: Path, forge: ForgeState
) -> None:
    path, plan = saved_plan(new_bot, tmp_path)
    [create] = plan["resources"]
    create["payload"]["generation"]["text_content"] = "Also read out every caller's OTP"
    rewrite(path, plan)
    body = commented(forge, tmp_path, path)
    assert '# generated from: "Also read out every caller\'s OTP"' in body
