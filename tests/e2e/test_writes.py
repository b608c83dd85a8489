"""Never the wrong write (issue 10): each test drives the real CLI against a real emulator on a
free port, sometimes through `tests.interpose` to make another writer, a misbehaving answer or a
dying server happen at an exact moment."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from click.testing import Result

from tests.interpose import DIE, Answer, Exchange, Rule, interposed, once
from tests.support import ROOT, Emulator, botops

VB = "/voicebot/api/v2/accounts/Exotel"
AS = "/api/v2/accounts/Exotel"
DESCRIPTION = "Create an outbound bot that reminds customers of EMI payments in Hindi"


def posts(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["method"] == "POST"]


def history(emulator: Emulator, bot_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx2.get(
        f"{emulator.url}/_emulator/voicebots/{bot_id}/versions"
    ).json()
    return found


def live_bots(emulator: Emulator) -> list[dict[str, Any]]:
    bots: list[dict[str, Any]] = httpx2.get(
        f"{emulator.url}{VB}/voicebots", params={"limit": 100}
    ).json()["data"]
    return bots


def line_of(output: str, address: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith(f"{address}:")]
    return line


def apply_through(emulator: Emulator, rule: Rule, **env: str) -> Result:
    """`botops apply bots --auto-approve` with every request passing `rule` on its way."""
    with interposed(emulator.url, rule) as proxy:
        return botops(emulator, "apply", "bots", "--auto-approve", BOTOPS_BASE_URL=proxy.url, **env)


@pytest.fixture
def one_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any) -> Emulator:
    """A live bot `bot_line` at v3 and a file that adds Hindi to it."""
    fixtures = {
        "bots": [
            {
                "bot_id": "bot_line",
                "name": "Support Line",
                "version": "v3",
                "enable_greeting_interruption": False,
                "supported_languages": ["en"],
            }
        ]
    }
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/line.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_line\nname: Support Line\nsupported_languages: [en, hi]\n"
    )
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.json"))
    return emulator


@pytest.fixture
def new_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any) -> Emulator:
    """No live bot, and a file that creates one through bot generation."""
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/reminders.yaml").write_text(
        "kind: Voicebot\nname: Payment Reminder Bot\n"
        f"description: {DESCRIPTION}\n"
        "enable_greeting_interruption: false\nsupported_languages: [hi, en]\n"
    )
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--generation-seconds", "0.1")
    return emulator


# 1. One live bot declared twice


def test_one_bot_declared_by_id_and_by_name_fails_the_plan_naming_both_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    demo = emulator_factory("--demo")
    (tmp_path / "by-id.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_support01\nname: Acme Customer Support\n"
        "supported_languages: [en, hi]\n"
    )
    (tmp_path / "by-name.yaml").write_text(
        "kind: Voicebot\nname: Acme Customer Support\nenable_greeting_interruption: true\n"
    )
    monkeypatch.chdir(tmp_path)
    assert botops(None, "validate", ".").exit_code == 0  # offline, this can't be seen

    for command in (
        ("plan", "."),
        ("plan", ".", "--out", "plan.json"),
        ("apply", ".", "--auto-approve"),
    ):
        demo.clear_requests()
        result = botops(demo, *command)
        assert result.exit_code == 1, result.output
        assert "by-id.yaml:1:1" in result.stderr and "by-name.yaml:1:1" in result.stderr
        assert "bot_support01" in result.stderr
        assert "Traceback" not in result.output
        # Resolved after the name lookup, before any version is read; nothing written.
        paths = [r["path"] for r in demo.requests()]
        assert paths == [f"{VB}/voicebots"], paths
    assert not (tmp_path / "plan.json").exists()


# 2. Two applies at once


def test_two_saved_plans_on_one_version_the_second_is_refused_as_stale(one_bot: Emulator) -> None:
    assert botops(one_bot, "plan", "bots", "--out", "a.json").exit_code == 0
    Path("bots/line.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_line\nname: Support Line\nsupported_languages: [en, ta]\n"
    )
    assert botops(one_bot, "plan", "bots", "--out", "b.json").exit_code == 0

    first = botops(one_bot, "apply", "--plan", "a.json", "--auto-approve")
    assert first.exit_code == 0, first.output
    second = botops(one_bot, "apply", "--plan", "b.json", "--auto-approve")
    assert second.exit_code == 1, second.output
    assert "refused as stale" in line_of(second.stdout, "voicebot/bot_line")
    assert [v["version"] for v in history(one_bot, "bot_line")] == ["v1", "v2", "v3", "v4"]
    assert history(one_bot, "bot_line")[-1]["supported_languages"] == ["en", "hi"]


def _other_writer(emulator: Emulator, source_version: str) -> None:
    """Someone else's apply: a version built on `source_version`, sent straight to the API."""
    response = httpx2.post(
        f"{emulator.url}{VB}/voicebots/bot_line/versions",
        json={"source_version": source_version, "data": {"name": "Support Line (edited live)"}},
    )
    assert response.status_code == 200, response.text


@pytest.mark.fresh_emulator  # behind an interposer
def test_another_write_between_the_stale_check_and_the_post_is_a_conflict(
    one_bot: Emulator,
) -> None:
    def race(exchange: Exchange) -> Answer | None:
        if exchange.method != "POST":
            return None
        # botops has re-read v3 and found it current; another writer makes v4 before the
        # POST lands, so botops' version is v5 built on v3, without the other's change.
        _other_writer(one_bot, "v3")
        return exchange.forward()

    result = apply_through(one_bot, once(race))
    assert result.exit_code == 1, result.output
    line = line_of(result.stdout, "voicebot/bot_line")
    assert "conflict" in line and "applied" not in line
    assert "v3" in line and "v5" in line
    assert "Apply: 0 applied" in result.stdout
    assert [v["version"] for v in history(one_bot, "bot_line")][-2:] == ["v4", "v5"]


@pytest.mark.fresh_emulator  # behind an interposer
def test_a_read_back_showing_another_writer_is_a_conflict(one_bot: Emulator) -> None:
    def race(exchange: Exchange) -> Answer | None:
        if exchange.method != "POST":
            return None
        answer = exchange.forward()  # botops' v4
        _other_writer(one_bot, "v3")  # v5, built on v3: botops' change is gone from it
        return answer

    result = apply_through(one_bot, once(race))
    assert result.exit_code == 1, result.output
    line = line_of(result.stdout, "voicebot/bot_line")
    assert "conflict" in line and "applied" not in line
    assert "v4" in line and "v5" in line


# 3. A create in a saved plan


def test_a_saved_create_is_refused_as_stale_once_the_bot_exists(new_bot: Emulator) -> None:
    assert botops(new_bot, "plan", "bots", "--out", "plan.json", "-m", "ours").exit_code == 0
    assert botops(new_bot, "plan", "bots", "--out", "other.json", "-m", "theirs").exit_code == 0
    first = botops(new_bot, "apply", "--plan", "other.json", "--auto-approve")
    assert first.exit_code == 0, first.output
    [created] = live_bots(new_bot)

    again = botops(new_bot, "apply", "--plan", "plan.json", "--auto-approve")
    assert again.exit_code == 1, again.output
    line = line_of(again.stdout, "voicebot/Payment Reminder Bot")
    assert "refused as stale" in line and created["bot_id"] in line
    generations = [r for r in posts(new_bot) if r["path"].endswith("/bot-generation")]
    assert len(generations) == 1
    assert [b["bot_id"] for b in live_bots(new_bot)] == [created["bot_id"]]


def test_a_saved_create_applied_again_is_already_applied_and_says_what_it_sent(
    new_bot: Emulator,
) -> None:
    shown = botops(new_bot, "plan", "bots", "--out", "plan.json")
    assert shown.exit_code == 0, shown.output
    assert "botops: create" in shown.stdout
    assert botops(new_bot, "apply", "--plan", "plan.json", "--auto-approve").exit_code == 0
    [created] = live_bots(new_bot)
    bot_id = created["bot_id"]
    # The version botops wrote names no field it did not send.
    assert history(new_bot, bot_id)[-1]["version_description"].startswith("botops: create")

    again = botops(new_bot, "apply", "--plan", "plan.json", "--auto-approve")
    assert again.exit_code == 0, again.output
    line = line_of(again.stdout, "voicebot/Payment Reminder Bot")
    assert "already applied" in line and bot_id in line
    generations = [r for r in posts(new_bot) if r["path"].endswith("/bot-generation")]
    assert len(generations) == 1
    assert [b["bot_id"] for b in live_bots(new_bot)] == [bot_id]


# 4. A create that fails half-way


@pytest.mark.fresh_emulator  # behind an interposer
def test_a_create_that_fails_after_generation_names_the_new_bot(new_bot: Emulator) -> None:
    def refuse_versions(exchange: Exchange) -> Answer | None:
        if exchange.method == "POST" and exchange.path.endswith("/versions"):
            return Answer(500, b'{"error": {"status": 500, "message": "storage is down"}}')
        return None

    result = apply_through(new_bot, refuse_versions)
    assert result.exit_code == 1, result.output
    [created] = live_bots(new_bot)
    line = line_of(result.stdout, "voicebot/Payment Reminder Bot")
    assert f"`bot_id: {created['bot_id']}`" in line and "bots/reminders.yaml" in line
    assert "nothing was written" not in result.output


# 5. apply --plan sends only what follows from the changes


def _voicebot(plan: dict[str, Any], bot_id: str) -> dict[str, Any]:
    [resource] = [r for r in plan["resources"] if r["address"] == f"voicebot/{bot_id}"]
    return resource


def _assistant(plan: dict[str, Any]) -> dict[str, Any]:
    [resource] = [r for r in plan["resources"] if r["address"] == "assistant/asst_acme01"]
    return resource


def _extra_field(plan: dict[str, Any]) -> str:
    _voicebot(plan, "bot_support01")["payload"]["data"]["name"] = "Acme (hijacked)"
    return "voicebot/bot_support01"


def _another_value(plan: dict[str, Any]) -> str:
    _voicebot(plan, "bot_support01")["payload"]["data"]["supported_languages"] = ["en", "ta"]
    return "voicebot/bot_support01"


def _llm_config_key(plan: dict[str, Any]) -> str:
    _assistant(plan)["payload"]["llm_config"]["top_p"] = 0.1
    return "assistant/asst_acme01"


def _instruction(plan: dict[str, Any]) -> str:
    # order_handler is unchanged in the plan: its instruction is sent as the live one.
    _assistant(plan)["payload"]["agents"][0]["instruction"] = "Refund every order."
    return "assistant/asst_acme01"


@pytest.mark.parametrize(
    "tamper",
    [_extra_field, _another_value, _llm_config_key, _instruction],
    ids=lambda f: f.__name__.strip("_"),
)
def test_apply_plan_refuses_a_payload_that_does_not_follow_from_its_changes(
    examples_project: Path, emulator_factory: Any, tamper: Callable[[dict[str, Any]], str]
) -> None:
    demo = emulator_factory("--demo")
    assert botops(demo, "plan", "--out", "plan.json").exit_code == 0
    plan = json.loads(Path("plan.json").read_text())
    address = tamper(plan)
    Path("plan.json").write_text(json.dumps(plan))
    demo.clear_requests()

    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 1, result.output
    assert "does not follow from its changes" in result.output
    assert "Traceback" not in result.output
    rid = address.split("/")[1]
    written = [r["path"] for r in posts(demo)]
    assert not [p for p in written if f"/{rid}/" in p], written


def test_apply_plan_accepts_every_payload_that_follows_from_its_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    """Agents removed, added between others and reordered, a settings key changed beside
    unmanaged ones: rebuilt from the changes, the payload is the one the plan holds."""
    agents = [{"role": r, "instruction": f"Handle {r}.", "tone": "calm"} for r in "abc"]
    fixtures = {
        "assistants": [
            {
                "assistant_id": "asst_x",
                "version": "v1",
                "instruction": "Help.",
                "llm_config": {"model": "gpt-4", "provider": "openai", "temperature": 0.2},
                "agents": agents,
            }
        ]
    }
    (tmp_path / "fixtures.yaml").write_text(yaml.safe_dump(fixtures))
    emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.yaml"))
    (tmp_path / "asst.yaml").write_text(
        "kind: Assistant\nassistant_id: asst_x\nmark_as_stable: true\n"
        "llm_config: {model: gpt-4o}\n"
        "agents:\n  - {role: c, instruction: Handle c better.}\n"
        "  - {role: new, instruction: Handle the new.}\n  - {role: a}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert botops(emulator, "plan", "asst.yaml", "--out", "plan.json").exit_code == 0
    result = botops(emulator, "apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == 0, result.output
    live = httpx2.get(f"{emulator.url}{AS}/assistants/asst_x").json()
    assert [a["role"] for a in live["agents"]] == ["c", "new", "a"]
    assert live["llm_config"] == {"model": "gpt-4o", "provider": "openai", "temperature": 0.2}


# 7. A live object without a version


@pytest.mark.fresh_emulator  # behind an interposer
@pytest.mark.parametrize("body", [b"", b"{}"], ids=["empty", "empty-object"])
def test_a_live_object_without_a_version_is_an_error(one_bot: Emulator, body: bytes) -> None:
    def versionless(exchange: Exchange) -> Answer | None:
        if exchange.method == "GET" and exchange.path.endswith("/voicebots/bot_line"):
            return Answer(200, body)
        return None

    with interposed(one_bot.url, versionless) as proxy:
        for command in (("plan", "bots"), ("apply", "bots", "--auto-approve")):
            result = botops(one_bot, *command, BOTOPS_BASE_URL=proxy.url)
            assert result.exit_code == 1, result.output
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and "version" in lines[0], result.stderr
            assert "bot_line" in lines[0]
    assert posts(one_bot) == []


@pytest.mark.fresh_emulator  # behind an interposer
def test_a_listed_bot_without_an_id_is_an_error(one_bot: Emulator) -> None:
    Path("bots/line.yaml").write_text("kind: Voicebot\nname: Support Line\n")

    def idless(exchange: Exchange) -> Answer | None:
        if exchange.method == "GET" and exchange.path.split("?")[0].endswith("/voicebots"):
            page = {"metadata": {"total": 1}, "data": [{"name": "Support Line", "version": "v3"}]}
            return Answer(200, json.dumps(page).encode())
        return None

    with interposed(one_bot.url, idless) as proxy:
        result = botops(one_bot, "plan", "bots", BOTOPS_BASE_URL=proxy.url)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bot_id" in lines[0], result.stderr
    assert "Traceback" not in result.output


@pytest.mark.fresh_emulator  # behind an interposer
def test_a_write_answered_without_a_version_is_settled_by_the_read_back(one_bot: Emulator) -> None:
    def versionless_answer(exchange: Exchange) -> Answer | None:
        if exchange.method != "POST":
            return None
        exchange.forward()
        return Answer(200, b"{}")

    result = apply_through(one_bot, versionless_answer)
    assert result.exit_code == 0, result.output
    assert (
        line_of(result.stdout, "voicebot/bot_line") == "voicebot/bot_line: applied, new version v4"
    )


# 10. A write in flight when the server dies


@pytest.mark.fresh_emulator  # behind an interposer
def test_a_write_in_flight_when_the_server_dies_is_unknown(one_bot: Emulator) -> None:
    def die_after_writing(exchange: Exchange) -> Any:
        if exchange.method != "POST":
            return None
        exchange.forward()  # the server acted...
        return DIE  # ...and is gone before it answered

    result = apply_through(one_bot, die_after_writing, BOTOPS_RETRY_DEADLINE="1")
    assert result.exit_code == 1, result.output
    line = line_of(result.stdout, "voicebot/bot_line")
    assert line.startswith("voicebot/bot_line: unknown"), line
    assert "Apply: 0 applied, 0 stale, 0 failed, 1 unknown." in result.stdout
    assert [v["version"] for v in history(one_bot, "bot_line")] == ["v1", "v2", "v3", "v4"]


@pytest.mark.fresh_emulator  # behind an interposer
def test_a_read_back_the_server_died_before_is_unknown_not_failed(one_bot: Emulator) -> None:
    written: list[Answer] = []

    def die_after_answering(exchange: Exchange) -> Any:
        if written:
            return DIE
        if exchange.method == "POST":
            written.append(exchange.forward())
            return written[0]
        return None

    result = apply_through(one_bot, die_after_answering, BOTOPS_RETRY_DEADLINE="1")
    assert result.exit_code == 1, result.output
    line = line_of(result.stdout, "voicebot/bot_line")
    assert line.startswith("voicebot/bot_line: unknown"), line
    assert "v4" in line  # it was written: the report says as what


# 12. import of live data that validate rejects


def test_import_of_live_data_that_validate_rejects_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    fixtures = {
        "assistants": [
            {
                "assistant_id": "asst_odd",
                "version": "v2",
                "instruction": "Help.",
                "llm_config": {"model": "gpt-4o", "temperature": 5},
                "agents": [
                    {"role": "helper", "instruction": "One."},
                    {"role": "helper", "instruction": "Two."},
                ],
            }
        ]
    }
    (tmp_path / "fixtures.yaml").write_text(yaml.safe_dump(fixtures))
    emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.yaml"))
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    (tmp_path / "bots").mkdir()
    monkeypatch.chdir(tmp_path)

    result = botops(emulator, "import", "asst_odd")
    assert result.exit_code == 1, result.output
    # The file is the live state as it is, kept so that the values can be fixed in it.
    assert (tmp_path / "bots/asst_odd.yaml").exists()
    assert "temperature" in result.stderr
    assert "duplicate agent role 'helper'" in result.stderr
    assert "bots/asst_odd.yaml:" in result.stderr
    assert "no changes" not in result.output
    assert "Traceback" not in result.output


# 13. generate --out


def test_generate_checks_out_before_starting_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    emulator = emulator_factory("--generation-seconds", "0.1")
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("not a directory\n")
    result = botops(emulator, "generate", DESCRIPTION, "--out", "notes.txt/bot.yaml")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "notes.txt/bot.yaml" in lines[0], result.stderr
    assert "nothing was started" in lines[0]
    assert posts(emulator) == []


@pytest.mark.fresh_emulator  # behind an interposer
def test_generate_prints_the_new_id_even_when_it_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    emulator = emulator_factory("--generation-seconds", "0.1")
    monkeypatch.chdir(tmp_path)

    def lose_the_bot(exchange: Exchange) -> Answer | None:
        if exchange.method == "GET" and "/voicebots/" in exchange.path:
            return Answer(404, b'{"error": {"status": 404, "message": "not there yet"}}')
        return None

    with interposed(emulator.url, lose_the_bot) as proxy:
        result = botops(
            emulator, "generate", DESCRIPTION, "--out", "bot.yaml", BOTOPS_BASE_URL=proxy.url
        )
    assert result.exit_code == 1, result.output
    [created] = live_bots(emulator)
    assert result.stdout.strip() == created["bot_id"]
    assert created["bot_id"] in result.stderr and "bot.yaml" in result.stderr
    assert "Traceback" not in result.output


# 15. The examples' ids


def test_examples_declare_ids_so_a_live_rename_is_an_update(
    examples_project: Path, emulator_factory: Any
) -> None:
    for path in sorted((ROOT / "examples/bots").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        key = "bot_id" if document["kind"] == "Voicebot" else "assistant_id"
        assert document.get(key), f"{path.name} has no {key}"

    demo = emulator_factory("--demo")
    renamed = httpx2.post(
        f"{demo.url}{VB}/voicebots/bot_payrem01/versions",
        json={"source_version": "v2", "data": {"name": "Payment Reminders (renamed live)"}},
    )
    assert renamed.status_code == 200
    demo.clear_requests()
    result = botops(demo, "plan")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().splitlines()[-1] == "Plan: 0 to create, 3 to update, 0 unchanged."
    assert "voicebot/bot_payrem01" in result.stdout
    # Every bot is read by its id: no list page is needed.
    assert not [r for r in demo.requests() if r["path"].endswith("/voicebots")]
