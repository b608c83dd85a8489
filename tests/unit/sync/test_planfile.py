"""The plan file: written whole or not at all, read back exactly, refused clearly when wrong."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from botops.errors import UsageError
from botops.model import Change, Plan, ResourcePlan, Unmanaged
from botops.sync.plan_json import plan_to_dict, render_json
from botops.sync.planfile import read_plan, write_plan


def sample_plan() -> Plan:
    return Plan(
        base_url="http://127.0.0.1:8080",
        account_id="Exotel",
        resources=[
            ResourcePlan(
                address="assistant/asst_acme01",
                kind="Assistant",
                id="asst_acme01",
                file="bots/acme-assistant.yaml",
                action="update",
                source_version="v4",
                changes=[
                    Change("instruction", "Be brief.", "Be brief.\nBe kind."),
                    Change("llm_config.temperature", 0.7, 0.3),
                    Change("agents[returns]", None, {"role": "returns", "instruction": "R."}),
                ],
                payload={
                    "source_version": "v4",
                    "mark_as_stable": True,
                    "instruction": "Be brief.\nBe kind.",
                    "llm_config": {"model": "gpt-4o", "temperature": 0.3},
                },
            ),
            ResourcePlan(
                address="voicebot/Payment Reminder Bot",
                kind="Voicebot",
                id=None,
                file="bots/reminders.yaml",
                action="create",
                source_version=None,
                changes=[
                    Change("name", None, "Payment Reminder Bot"),
                    Change("supported_languages", None, ["hi", "en"]),
                ],
                payload={
                    "generation": {"text_content": "Remind customers of EMI payments"},
                    "version": {
                        "source_version": None,
                        "data": {
                            "name": "Payment Reminder Bot",
                            "supported_languages": ["hi", "en"],
                        },
                        "version_description": "botops: update name, supported_languages",
                    },
                },
                name="Payment Reminder Bot",
            ),
            ResourcePlan(
                address="voicebot/bot_support01",
                kind="Voicebot",
                id="bot_support01",
                file="bots/customer-support.yaml",
                action="no-op",
                source_version="v3",
                name="Acme Support — हिंदी",
            ),
        ],
        unmanaged=[Unmanaged("voicebot/bot_sales01", "Sales"), Unmanaged("assistant/asst_2")],
    )


def saved(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def plan_dict() -> dict[str, Any]:
    return plan_to_dict(sample_plan())


def refusal(tmp_path: Path, data: Any) -> str:
    path = saved(tmp_path, data)
    with pytest.raises(UsageError) as caught:
        read_plan(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message[len(f"{path}: ") :]


# --- writing and reading ------------------------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    plan = sample_plan()
    write_plan(plan, tmp_path / "plan.json")
    assert read_plan(tmp_path / "plan.json") == plan


def test_file_is_exactly_the_json_output(tmp_path: Path) -> None:
    plan = sample_plan()
    write_plan(plan, tmp_path / "plan.json")
    assert (tmp_path / "plan.json").read_text(encoding="utf-8") == render_json(plan)


def test_write_replaces_an_existing_file_whole_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("x" * 100_000)
    write_plan(sample_plan(), path)
    assert path.read_text(encoding="utf-8") == render_json(sample_plan())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_write_into_a_missing_directory_makes_it_as_export_does(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "plan.json"
    write_plan(sample_plan(), path)
    assert json.loads(path.read_text())["format_version"] == sample_plan().format_version


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.mkdir()  # os.replace can't put a file over a directory
    with pytest.raises(UsageError, match=r"plan\.json: can't write: "):
        write_plan(sample_plan(), target)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    assert target.is_dir()


def test_a_plan_file_holds_only_the_contracted_keys(tmp_path: Path) -> None:
    write_plan(sample_plan(), tmp_path / "plan.json")
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert list(data) == [
        "format_version",
        "base_url",
        "account_id",
        "environment",
        "commit",
        "created_at",
        "botops_version",
        "resources",
        "unmanaged",
    ]
    for resource in data["resources"]:
        assert list(resource) == [
            "address",
            "kind",
            "id",
            "file",
            "action",
            "source_version",
            "name",
            "changes",
            "payload",
        ]
        assert all(list(change) == ["path", "before", "after"] for change in resource["changes"])
    assert all(list(u) == ["address", "name"] for u in data["unmanaged"])
    text = json.dumps(data).lower()
    assert not any(word in text for word in ("token", "authorization", "password", "api_key"))
    assert os.environ.get("BOTOPS_TOKEN", "\0") not in text


# --- refusals -----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    with pytest.raises(UsageError) as caught:
        read_plan(path)
    assert str(caught.value) == f"{path}: no such plan file"


def test_a_directory_is_not_a_plan_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        read_plan(tmp_path)
    assert str(caught.value) == f"{tmp_path}: not a plan file: it is a directory"


def test_invalid_json(tmp_path: Path) -> None:
    assert (
        refusal(tmp_path, '{\n  "format_version": 1,\n    oops\n}')
        == "not a plan file: invalid JSON at line 3 column 5"
    )


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b'{"x": "\xff"}')
    with pytest.raises(UsageError) as caught:
        read_plan(path)
    assert str(caught.value) == f"{path}: not a plan file: not UTF-8 text"


def test_not_an_object(tmp_path: Path) -> None:
    assert refusal(tmp_path, [1, 2]) == "not a plan file: expected a JSON object"


def test_no_format_version(tmp_path: Path) -> None:
    data = plan_dict()
    del data["format_version"]
    assert refusal(tmp_path, data) == "not a plan file: no format_version"


def test_format_version_from_a_newer_botops(tmp_path: Path) -> None:
    assert refusal(tmp_path, {**plan_dict(), "format_version": 3}) == (
        "plan format_version 3 was made by a newer botops (this one reads 2); "
        "upgrade botops, or make the plan again with this one"
    )


def test_a_plan_of_format_1_is_still_read_without_provenance(tmp_path: Path) -> None:
    old = {k: v for k, v in plan_dict().items() if k not in PROVENANCE}
    (tmp_path / "plan.json").write_text(json.dumps({**old, "format_version": 1}))
    plan = read_plan(tmp_path / "plan.json")

    assert plan.format_version == 1
    assert (plan.created_at, plan.botops_version, plan.commit, plan.environment) == (None,) * 4
    assert plan.resources == sample_plan().resources


def test_provenance_round_trips_and_is_checked(tmp_path: Path) -> None:
    stamped = {
        **plan_dict(),
        "created_at": "2026-12-01T19:30:00Z",
        "botops_version": "0.1.0",
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "environment": None,
    }
    (tmp_path / "plan.json").write_text(json.dumps(stamped))
    plan = read_plan(tmp_path / "plan.json")

    assert plan.format_version == 2
    assert (plan.created_at, plan.commit) == (stamped["created_at"], stamped["commit"])
    assert plan_to_dict(plan) == stamped
    assert refusal(tmp_path, {**stamped, "commit": 12}) == (
        "commit must be a string or null, got 12"
    )
    without = {k: v for k, v in stamped.items() if k != "created_at"}
    assert refusal(tmp_path, without) == "missing field 'created_at'"


PROVENANCE = ("environment", "commit", "created_at", "botops_version")


def test_unsupported_format_version(tmp_path: Path) -> None:
    assert refusal(tmp_path, {**plan_dict(), "format_version": 0}) == (
        "unsupported plan format_version 0 (this botops reads 1 to 2); make the plan again"
    )
    assert refusal(tmp_path, {**plan_dict(), "format_version": "1"}) == (
        'not a plan file: format_version must be an integer, got "1"'
    )


def test_missing_top_level_field(tmp_path: Path) -> None:
    data = plan_dict()
    del data["account_id"]
    assert refusal(tmp_path, data) == "missing field 'account_id'"


def test_resources_must_be_a_list(tmp_path: Path) -> None:
    assert refusal(tmp_path, {**plan_dict(), "resources": {}}) == (
        "resources must be a list, got an object"
    )


def test_missing_resource_field_names_the_index(tmp_path: Path) -> None:
    data = plan_dict()
    del data["resources"][1]["file"]
    assert refusal(tmp_path, data) == "resources[1]: missing field 'file'"


def test_wrong_type_names_the_field(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][2]["source_version"] = 3
    assert refusal(tmp_path, data) == (
        "resources[2].source_version must be a string or null, got 3"
    )


def test_bad_action(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][0]["action"] = "delete"
    assert refusal(tmp_path, data) == (
        'resources[0].action must be one of create, no-op, update, got "delete"'
    )


def test_bad_kind(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][0]["kind"] = "Robot"
    assert refusal(tmp_path, data) == (
        'resources[0].kind must be one of Assistant, Voicebot, got "Robot"'
    )


def test_update_needs_a_payload_and_an_id(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][0]["payload"] = None
    assert refusal(tmp_path, data) == (
        "resources[0].payload must be an object for action 'update', got null"
    )
    data = plan_dict()
    data["resources"][0]["id"] = None
    assert refusal(tmp_path, data) == (
        "resources[0].id must be a string for action 'update', got null"
    )


def test_create_needs_the_generation_text(tmp_path: Path) -> None:
    data = plan_dict()
    del data["resources"][1]["payload"]["generation"]["text_content"]
    assert (
        refusal(tmp_path, data) == "resources[1].payload.generation: missing field 'text_content'"
    )
    data = plan_dict()
    data["resources"][1]["payload"]["version"]["data"] = []
    assert (
        refusal(tmp_path, data) == "resources[1].payload.version.data must be an object, got a list"
    )


def test_bad_change(tmp_path: Path) -> None:
    data = plan_dict()
    del data["resources"][0]["changes"][1]["after"]
    assert refusal(tmp_path, data) == "resources[0].changes[1]: missing field 'after'"


def test_bad_unmanaged_entry(tmp_path: Path) -> None:
    data = {**plan_dict(), "unmanaged": [{"name": "x"}]}
    assert refusal(tmp_path, data) == "unmanaged[0]: missing field 'address'"


def test_unmanaged_may_be_absent(tmp_path: Path) -> None:
    data = plan_dict()
    del data["unmanaged"]
    assert read_plan(saved(tmp_path, data)).unmanaged == []


# --- a plan that contradicts itself (hand-edited or tampered) -----------------------------


def test_update_payload_source_version_must_be_the_planned_one(tmp_path: Path) -> None:
    # apply's stale check reads `source_version` but POSTs the payload: were they allowed to
    # differ, a plan checked against v4 could send a version based on v3 and undo v4.
    data = plan_dict()
    data["resources"][0]["payload"]["source_version"] = "v3"
    assert refusal(tmp_path, data) == (
        "resources[0]: payload.source_version 'v3' differs from source_version 'v4'; "
        "make the plan again"
    )
    del data["resources"][0]["payload"]["source_version"]
    assert refusal(tmp_path, data) == "resources[0].payload: missing field 'source_version'"


def test_kind_must_match_the_address(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][0]["kind"] = "Voicebot"
    assert refusal(tmp_path, data) == (
        'resources[0].kind "Voicebot" does not match address "assistant/asst_acme01"; '
        "make the plan again"
    )
    data = plan_dict()
    data["resources"][2]["address"] = "robot/bot_support01"
    assert refusal(tmp_path, data) == (
        'resources[2].address must start with voicebot/ or assistant/, got "robot/bot_support01"'
    )
    data["resources"][2]["address"] = "robot/\x9b2J"  # shown, never sent to the terminal raw
    assert refusal(tmp_path, data) == (
        'resources[2].address must start with voicebot/ or assistant/, got "robot/\\x9b2J"'
    )


def test_id_must_match_the_address(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][0]["id"] = "asst_other"
    assert refusal(tmp_path, data) == (
        'resources[0].id "asst_other" does not match address "assistant/asst_acme01"; '
        "make the plan again"
    )


def test_create_is_for_a_voicebot_without_an_id(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][1]["id"] = "bot_x"
    assert refusal(tmp_path, data) == (
        "resources[1].id must be null for action 'create', got \"bot_x\""
    )
    data = plan_dict()
    data["resources"][1]["address"] = "assistant/Payment Reminder Bot"
    data["resources"][1]["kind"] = "Assistant"
    assert refusal(tmp_path, data) == "resources[1]: only a voicebot can be created"


def test_duplicate_addresses_are_refused(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"].append(data["resources"][0])
    assert refusal(tmp_path, data) == (
        'resources[3].address "assistant/asst_acme01" repeats resources[0]; make the plan again'
    )


def test_voicebot_update_payload_needs_its_data(tmp_path: Path) -> None:
    data = plan_dict()
    data["resources"][2]["action"] = "update"
    data["resources"][2]["payload"] = {"source_version": "v3"}
    assert refusal(tmp_path, data) == "resources[2].payload.data must be an object, got null"
    data["resources"][2]["payload"]["data"] = ["name"]
    assert refusal(tmp_path, data) == "resources[2].payload.data must be an object, got a list"
    data["resources"][2]["payload"]["data"] = {"name": "Support"}
    assert read_plan(saved(tmp_path, data)).resources[2].payload == {
        "source_version": "v3",
        "data": {"name": "Support"},
    }


def test_a_plan_with_only_the_contracted_keys_reads(tmp_path: Path) -> None:
    # DESIGN §4 lists the keys a plan file has; `kind`, `name` and `unmanaged` are extras.
    data = plan_dict()
    del data["unmanaged"]
    for resource in data["resources"]:
        del resource["kind"], resource["name"]
    plan = read_plan(saved(tmp_path, data))
    expected = sample_plan()
    expected.unmanaged = []
    for resource in expected.resources:
        # A create's name is the one it sends (its address says it too).
        resource.name = "Payment Reminder Bot" if resource.action == "create" else None
    assert plan == expected


# --- files that are not JSON a plan can be made of ----------------------------------------


def test_a_utf8_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xef\xbb\xbf" + render_json(sample_plan()).encode("utf-8"))
    assert read_plan(path) == sample_plan()


def test_deeply_nested_json_is_refused_in_one_line(tmp_path: Path) -> None:
    assert refusal(tmp_path, "[" * 100_000) == "not a plan file: JSON nested too deeply"


def test_a_number_too_long_to_read_is_refused_in_one_line(tmp_path: Path) -> None:
    text = '{"format_version": ' + "1" * 5000 + "}"
    assert refusal(tmp_path, text) == "not a plan file: a number of 5,000 digits is too long"


def test_nan_and_infinity_are_not_json(tmp_path: Path) -> None:
    for word in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(plan_dict()).replace("0.7", word)
        assert refusal(tmp_path, text) == f"not a plan file: {word} is not valid JSON"
    text = json.dumps(plan_dict()).replace("0.7", "1e999")
    assert refusal(tmp_path, text) == "not a plan file: 1e999 is too large a number"


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    """`json` keeps the last of two equal keys: a reviewer reading the first would approve
    another plan than the one applied."""
    text = json.dumps(plan_dict())
    doubled = text.replace('"account_id": ', '"account_id": "Other", "account_id": ', 1)
    assert doubled != text
    assert (
        refusal(tmp_path, doubled)
        == 'not a plan file: the key "account_id" appears twice in one object'
    )
