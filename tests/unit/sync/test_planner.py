"""The field-level diff: what counts as a change, and how it is named."""

from __future__ import annotations

from botops.kinds import ASSISTANT, VOICEBOT
from botops.model import Change, Resource
from botops.sync.planner import diff_fields, version_description

VOICEBOT_FIELDS = VOICEBOT.fields
ASSISTANT_FIELDS = ASSISTANT.fields

LIVE_BOT = {
    "bot_id": "bot_1",
    "version": "v3",
    "name": "Support",
    "enable_greeting_interruption": False,
    "supported_languages": ["en", "hi"],
    "date_created": "2026-04-08T10:30:00Z",
}

LIVE_ASSISTANT = {
    "assistant_id": "asst_1",
    "version": "v2",
    "instruction": "Be brief.",
    "llm_config": {"model": "gpt-4", "temperature": 0.7, "provider": "openai"},
    "agents": [
        {"role": "orders", "instruction": "Orders."},
        {"role": "returns", "instruction": "Returns."},
    ],
}


def test_fields_absent_from_the_file_are_unmanaged() -> None:
    assert diff_fields({"name": "Support"}, LIVE_BOT, VOICEBOT_FIELDS) == []


def test_each_change_names_its_field() -> None:
    desired = {
        "llm_config": {"temperature": 0.3},
        "agents": [{"role": "returns", "instruction": "R."}, {"role": "orders"}],
    }
    changes = diff_fields(desired, LIVE_ASSISTANT, ASSISTANT_FIELDS)
    assert [(c.path, c.field) for c in changes] == [
        ("llm_config.temperature", "llm_config"),
        ("agents[returns].instruction", "agents"),
        ("agents.order", "agents"),
    ]


def test_changed_scalar_and_list_fields() -> None:
    desired = {
        "name": "Support",
        "enable_greeting_interruption": True,
        "supported_languages": ["hi", "en"],
    }
    assert diff_fields(desired, LIVE_BOT, VOICEBOT_FIELDS) == [
        Change("enable_greeting_interruption", False, True),
        Change("supported_languages", ["en", "hi"], ["hi", "en"]),
    ]


def test_llm_config_is_compared_key_by_key() -> None:
    desired = {"llm_config": {"model": "gpt-4", "temperature": 0.3, "max_tokens": 512}}
    assert diff_fields(desired, LIVE_ASSISTANT, ASSISTANT_FIELDS) == [
        Change("llm_config.temperature", 0.7, 0.3),
        Change("llm_config.max_tokens", None, 512),
    ]


def test_integer_and_float_of_the_same_value_are_equal() -> None:
    live = {**LIVE_ASSISTANT, "llm_config": {"temperature": 1}}
    assert diff_fields({"llm_config": {"temperature": 1.0}}, live, ASSISTANT_FIELDS) == []


def test_agents_reordered_show_as_a_reorder_only() -> None:
    desired = {
        "agents": [
            {"role": "returns", "instruction": "Returns."},
            {"role": "orders", "instruction": "Orders."},
        ]
    }
    assert diff_fields(desired, LIVE_ASSISTANT, ASSISTANT_FIELDS) == [
        Change("agents.order", ["orders", "returns"], ["returns", "orders"])
    ]


def test_an_agent_omitting_a_key_takes_it_from_the_live_agent() -> None:
    desired = {"agents": [{"role": "orders"}, {"role": "returns", "instruction": "Refunds."}]}
    assert diff_fields(desired, LIVE_ASSISTANT, ASSISTANT_FIELDS) == [
        Change("agents[returns].instruction", "Returns.", "Refunds.")
    ]


def test_agents_added_and_removed_by_role() -> None:
    desired = {
        "agents": [{"role": "orders", "instruction": "Orders."}, {"role": "billing"}],
    }
    assert diff_fields(desired, LIVE_ASSISTANT, ASSISTANT_FIELDS) == [
        Change("agents[billing]", None, {"role": "billing"}),
        Change("agents[returns]", {"role": "returns", "instruction": "Returns."}, None),
    ]


def test_instruction_change_keeps_both_texts() -> None:
    changes = diff_fields({"instruction": "Be kind.\nBe brief."}, LIVE_ASSISTANT, ASSISTANT_FIELDS)
    assert changes == [Change("instruction", "Be brief.", "Be kind.\nBe brief.")]


def _bot(version_description: str | None = None) -> Resource:
    return Resource(
        kind="Voicebot",
        file="bot.yaml",
        line=1,
        column=1,
        id="bot_1",
        desired={"name": "x"},
        version_description=version_description,
    )


def test_version_description_precedence_and_commit() -> None:
    fields = ["name", "supported_languages"]
    assert (
        version_description(_bot(), fields, message=None, commit=None)
        == "botops: update name, supported_languages"
    )
    assert version_description(_bot("From file"), fields, message=None, commit="abc1234") == (
        "From file (commit abc1234)"
    )
    assert version_description(_bot("From file"), fields, message="Flag", commit=None) == "Flag"
