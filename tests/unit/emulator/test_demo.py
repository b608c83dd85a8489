"""The `--demo` data stays in step with examples/bots/: the same resources, one version behind,
so that the first plan shows changes (and only the intended ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from botops.emulator.fixtures import DEMO, read
from tests.support import ROOT

EXAMPLES = ROOT / "examples/bots"


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


def prompt(name: str) -> str:
    return (EXAMPLES / "prompts" / name).read_text(encoding="utf-8").removesuffix("\n")


def demo_data() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(Path(DEMO).read_text(encoding="utf-8"))
    return document


def test_the_demo_file_loads() -> None:
    dataset = read(DEMO)
    assert [b.bot_id for b in dataset.bots] == ["bot_support01", "bot_payrem01", "bot_sales01"]
    assert [a.assistant_id for a in dataset.assistants] == ["asst_acme01", "asst_sales01"]
    assert len(dataset.conversations) == 204


def test_voicebots_are_a_version_behind_the_examples() -> None:
    bots = {b["bot_id"]: b for b in demo_data()["bots"]}
    support = example("customer-support.yaml")
    live = bots[support["bot_id"]]
    assert (live["name"], live["version"]) == (support["name"], "v3")
    assert live["enable_greeting_interruption"] != support["enable_greeting_interruption"]
    assert live["supported_languages"] != support["supported_languages"]

    reminders = example("payment-reminders.yaml")
    live = bots[reminders["bot_id"]]
    assert (live["name"], live["version"]) == (reminders["name"], "v2")
    assert live["enable_greeting_interruption"] == reminders["enable_greeting_interruption"]
    assert live["supported_languages"] != reminders["supported_languages"]

    managed = {support["bot_id"], reminders["bot_id"]}
    assert [b["name"] for b in bots.values() if b["bot_id"] not in managed] == ["Hindi Sales Bot"]


def test_the_assistant_is_a_version_behind_the_example() -> None:
    file = example("acme-assistant.yaml")
    assistants = {a["assistant_id"]: a for a in demo_data()["assistants"]}
    live = assistants[file["assistant_id"]]
    assert live["version"] == live["stable_version"] == "v4"
    instruction = prompt("acme-support.md")
    assert live["instruction"] != instruction and len(live["instruction"]) < len(instruction)
    assert live["llm_config"]["provider"] == "openai"  # unmanaged by the file: must survive
    assert "provider" not in file["llm_config"]
    assert live["llm_config"]["model"] != file["llm_config"]["model"]
    assert live["llm_config"]["max_tokens"] == file["llm_config"]["max_tokens"]
    live_agents = {a["role"]: a["instruction"] for a in live["agents"]}
    file_agents = {a["role"]: a for a in file["agents"]}
    assert list(live_agents) == list(file_agents)
    assert live_agents["order_handler"] == file_agents["order_handler"]["instruction"]
    assert file_agents["returns_handler"]["instruction_file"] == "prompts/returns.md"
    assert live_agents["returns_handler"] != prompt("returns.md")
    assert set(assistants) == {file["assistant_id"], "asst_sales01"}  # one unmanaged
