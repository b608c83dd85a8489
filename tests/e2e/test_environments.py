"""End to end with two accounts: a staging and a prod emulator, each with its own `--token`,
and one set of files with `environments`, `overrides` and shared prompt fragments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner, Result

from tests.support import ROOT, Emulator

TOKENS = {"staging": "stg-7f3a-secret", "prod": "prd-91cc-secret"}
LIVE_LLM_CONFIG = {"model": "gpt-4o", "temperature": 0.7, "frequency_penalty": 0.5}
TONE = "Speak warmly and plainly.\n"
SUPPORT = "You help Acme customers with orders.\n"
RETURNS = "You help Acme customers with returns.\n"


def live_account(environment: str) -> dict[str, Any]:
    """What one account holds before the first apply: ids differ per account."""
    ids = _ids(environment)
    return {
        "bots": [
            {
                "bot_id": ids["bot"],
                "name": "Acme Support (staging)" if environment == "staging" else "Acme Support",
                "version": "v1",
                "enable_greeting_interruption": False,
                "supported_languages": ["en"],
            }
        ],
        "assistants": [
            {
                "assistant_id": ids[name],
                "version": "v1",
                "stable_version": "v1",
                "instruction": "old",
                "llm_config": dict(LIVE_LLM_CONFIG),
                "agents": [],
            }
            for name in ("support", "returns")
        ],
    }


def _ids(environment: str) -> dict[str, str]:
    short = "stg" if environment == "staging" else "prd"
    return {
        "bot": f"bot_{short}01",
        "support": f"asst_{short}_support",
        "returns": f"asst_{short}_returns",
    }


@dataclass
class Accounts:
    """The project directory (the working directory of the test) and both accounts."""

    project: Path
    emulators: dict[str, Emulator]

    @property
    def staging(self) -> Emulator:
        return self.emulators["staging"]

    @property
    def prod(self) -> Emulator:
        return self.emulators["prod"]

    def ids(self, environment: str) -> dict[str, str]:
        return _ids(environment)


def write_project(directory: Path, urls: dict[str, str], *, guards: str = "") -> None:
    """botops.yaml naming both accounts, one voicebot, two assistants sharing `tone.md`."""
    staging, prod = _ids("staging"), _ids("prod")
    (directory / "botops.yaml").write_text(
        "paths: [bots]\n"
        "environments:\n"
        f"  staging: {{account_id: acme-staging, base_url: '{urls['staging']}'}}\n"
        f"  prod: {{account_id: acme, base_url: '{urls['prod']}'}}\n" + guards
    )
    bots = directory / "bots"
    (bots / "prompts").mkdir(parents=True)
    (bots / "prompts" / "tone.md").write_text(TONE)
    (bots / "prompts" / "support.md").write_text(SUPPORT)
    (bots / "prompts" / "returns.md").write_text(RETURNS)
    (bots / "support-bot.yaml").write_text(
        "kind: Voicebot\n"
        "name: Acme Support\n"
        "supported_languages: [en, hi]\n"
        "overrides:\n"
        f"  prod: {{bot_id: {prod['bot']}}}\n"
        f"  staging: {{bot_id: {staging['bot']}, name: Acme Support (staging)}}\n"
    )
    for name in ("support", "returns"):
        (bots / f"{name}-assistant.yaml").write_text(
            "kind: Assistant\n"
            f"assistant_id: {staging[name]}\n"
            f"instruction_file: [prompts/tone.md, prompts/{name}.md]\n"
            "llm_config: {model: gpt-4o, temperature: 0.6}\n"
            "overrides:\n"
            f"  prod: {{assistant_id: {prod[name]}, llm_config: {{temperature: 0.2}}}}\n"
        )


@pytest.fixture
def accounts(
    tmp_path: Path, emulator_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Accounts]:
    options: list[list[str]] = []
    for environment, token in TOKENS.items():
        fixtures = tmp_path / f"{environment}.json"
        fixtures.write_text(json.dumps(live_account(environment)))
        options.append(["--fixtures", str(fixtures), "--token", token])
    started = emulator_factory.together(*options)
    emulators: dict[str, Emulator] = dict(zip(TOKENS, started, strict=True))
    project = tmp_path / "project"
    project.mkdir()
    write_project(project, {name: e.url for name, e in emulators.items()})
    monkeypatch.chdir(project)
    yield Accounts(project, emulators)


def botops(*args: str, **env: str) -> Result:
    """The real CLI in this process, with each account's credentials in its own variables as
    one CI job would hold them (no BOTOPS_BASE_URL or BOTOPS_ACCOUNT_ID: botops.yaml says)."""
    from botops.cli import cli

    environment = {f"BOTOPS_TOKEN_{name.upper()}": token for name, token in TOKENS.items()}
    environment.update(env)
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


# ---------------------------------------------------------------------------------- the setup


def test_each_account_takes_only_its_own_token(accounts: Accounts) -> None:
    """The ground the other tests stand on: a token sent to the wrong account is refused."""
    for environment, emulator in accounts.emulators.items():
        path = f"/voicebot/api/v2/accounts/acme/voicebots/{accounts.ids(environment)['bot']}"
        for owner, token in TOKENS.items():
            answer = httpx2.get(emulator.url + path, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == (200 if owner == environment else 401)


def api_requests(emulator: Emulator) -> list[dict[str, Any]]:
    return emulator.requests()


def clear(accounts: Accounts) -> None:
    for emulator in accounts.emulators.values():
        emulator.clear_requests()


def live(emulator: Emulator, account: str, kind: str, resource_id: str) -> dict[str, Any]:
    prefix = "/voicebot/api/v2" if kind == "voicebot" else "/api/v2"
    environment = "staging" if account == "acme-staging" else "prod"
    answer = httpx2.get(
        f"{emulator.url}{prefix}/accounts/{account}/{kind}s/{resource_id}",
        headers={"Authorization": f"Bearer {TOKENS[environment]}"},
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def instruction(*fragments: str) -> str:
    """What the API gets for an instruction_file list: each file less one trailing newline,
    joined with one blank line."""
    return "\n\n".join(f.removesuffix("\n") for f in fragments)


# ---------------------------------------------------------------------------------- plan, apply


def test_plan_and_apply_per_environment_touch_only_their_own_account(accounts: Accounts) -> None:
    clear(accounts)
    planned = botops("plan", "--env", "staging")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.splitlines()[-1] == "Plan: 0 to create, 3 to update, 0 unchanged."
    assert api_requests(accounts.prod) == []
    staging_reads = api_requests(accounts.staging)
    assert {(r["method"], r["status"]) for r in staging_reads} == {("GET", 200)}
    assert sorted(r["path"] for r in staging_reads) == [
        "/api/v2/accounts/acme-staging/assistants/asst_stg_returns",
        "/api/v2/accounts/acme-staging/assistants/asst_stg_support",
        "/voicebot/api/v2/accounts/acme-staging/voicebots/bot_stg01",
    ]

    clear(accounts)
    applied = botops("apply", "--env", "prod", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert api_requests(accounts.staging) == []
    writes = [r for r in api_requests(accounts.prod) if r["method"] == "POST"]
    assert {(r["path"], r["status"]) for r in writes} == {
        ("/api/v2/accounts/acme/assistants/asst_prd_returns/versions", 200),
        ("/api/v2/accounts/acme/assistants/asst_prd_support/versions", 200),
        ("/voicebot/api/v2/accounts/acme/voicebots/bot_prd01/versions", 200),
    }
    bodies = {r["path"].split("/")[-2]: r["body"] for r in writes}
    assert bodies["bot_prd01"] == {
        "source_version": "v1",
        "data": {"supported_languages": ["en", "hi"]},
        "version_description": "botops: update supported_languages",
    }
    # The override's temperature, the file's model, and the live key no file manages.
    assert bodies["asst_prd_support"] == {
        "source_version": "v1",
        "instruction": instruction(TONE, SUPPORT),
        "llm_config": {"model": "gpt-4o", "temperature": 0.2, "frequency_penalty": 0.5},
    }
    assert bodies["asst_prd_returns"]["instruction"] == instruction(TONE, RETURNS)
    after = live(accounts.prod, "acme", "assistant", "asst_prd_support")
    assert after["llm_config"] == {"model": "gpt-4o", "temperature": 0.2, "frequency_penalty": 0.5}
    assert after["instruction"] == instruction(TONE, SUPPORT)
    assert (
        live(accounts.staging, "acme-staging", "assistant", "asst_stg_support")["version"] == "v1"
    )
    for token in TOKENS.values():
        assert token not in planned.output + applied.output


def test_staging_gets_its_own_values(accounts: Accounts) -> None:
    applied = botops("apply", "--env", "staging", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    after = live(accounts.staging, "acme-staging", "assistant", "asst_stg_returns")
    assert after["llm_config"] == {"model": "gpt-4o", "temperature": 0.6, "frequency_penalty": 0.5}
    bot = live(accounts.staging, "acme-staging", "voicebot", "bot_stg01")
    assert (bot["name"], bot["supported_languages"]) == ("Acme Support (staging)", ["en", "hi"])
    again = botops("plan", "--env", "staging", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert [r["method"] for r in api_requests(accounts.prod)] == []


def test_the_plan_marks_values_that_come_from_an_override(accounts: Accounts) -> None:
    text = botops("plan", "--env", "prod")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines.count("    ~ llm_config.temperature: 0.7 -> 0.2 (prod override)") == 2
    assert '    ~ supported_languages: ["en"] -> ["en", "hi"]' in lines
    assert "    ~ instruction:" in lines
    markdown = botops("plan", "--env", "prod", "--format", "markdown")
    assert markdown.stdout.splitlines().count("+ llm_config.temperature: 0.2 (prod override)") == 2
    assert "Account acme at " + accounts.prod.url + " (environment prod)" in markdown.stdout
    staging = botops("plan", "--env", "staging")
    assert "override" not in staging.stdout


def test_the_plan_file_names_its_environment_and_another_one_refuses_it(
    accounts: Accounts,
) -> None:
    planned = botops("plan", "--env", "staging", "--out", "plan.json")
    assert planned.exit_code == 0, planned.output
    saved = json.loads((accounts.project / "plan.json").read_text())
    assert (saved["environment"], saved["account_id"]) == ("staging", "acme-staging")
    assert saved["base_url"] == accounts.staging.url
    for token in TOKENS.values():
        assert token not in (accounts.project / "plan.json").read_text()

    clear(accounts)
    refused = botops("apply", "--env", "prod", "--plan", "plan.json", "--auto-approve")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: the plan was made for environment 'staging' but --env names 'prod'; "
        "refusing to apply it elsewhere\n"
    )
    assert api_requests(accounts.staging) == api_requests(accounts.prod) == []

    applied = botops("apply", "--env", "staging", "--plan", "plan.json", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert api_requests(accounts.prod) == []
    assert len([r for r in api_requests(accounts.staging) if r["method"] == "POST"]) == 3


def test_a_changed_fragment_shows_in_every_assistant_that_uses_it(accounts: Accounts) -> None:
    assert botops("apply", "--env", "staging", "--auto-approve").exit_code == 0
    (accounts.project / "bots" / "prompts" / "tone.md").write_text("Speak kindly.\n")
    planned = botops("plan", "--env", "staging")
    assert planned.exit_code == 0, planned.output
    lines = planned.stdout.splitlines()
    assert lines[-1] == "Plan: 0 to create, 2 to update, 1 unchanged."
    assert [line for line in lines if line.startswith("~ ")] == [
        "~ assistant/asst_stg_returns (bots/returns-assistant.yaml) will be updated in place, "
        "from version v2",
        "~ assistant/asst_stg_support (bots/support-assistant.yaml) will be updated in place, "
        "from version v2",
    ]
    assert lines.count("        - Speak warmly and plainly.") == 2
    assert lines.count("        + Speak kindly.") == 2


# ---------------------------------------------------------------------------------- choosing


def test_api_commands_need_an_environment_and_a_known_one(accounts: Accounts) -> None:
    clear(accounts)
    for args in (["plan"], ["apply", "--auto-approve"], ["conversations", "list"]):
        result = botops(*args)
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: botops.yaml defines environments (prod, staging): "
            "choose one with --env NAME or BOTOPS_ENV\n"
        )
    typo = botops("plan", "--env", "prdo")
    assert typo.stderr == (
        "Error: --env: unknown environment 'prdo' (did you mean 'prod'?); "
        "botops.yaml defines prod, staging\n"
    )
    assert api_requests(accounts.staging) == api_requests(accounts.prod) == []
    chosen = botops("plan", BOTOPS_ENV="prod")
    assert chosen.exit_code == 0, chosen.output
    calls = botops("conversations", "list", "--env", "staging", "--format", "json")
    assert (calls.exit_code, calls.stdout) == (0, "[]\n"), calls.output
    assert [r["path"] for r in api_requests(accounts.staging)] == [
        "/voicebot/api/v2/accounts/acme-staging/voicebot-conversations"
    ]
    assert {r["path"].split("/")[-3] for r in api_requests(accounts.prod)} == {"acme"}


def test_each_environment_sends_only_its_own_credentials(accounts: Accounts) -> None:
    # Only prod has a variable of its own: staging falls back to the plain one.
    plain = botops(
        "plan", "--env", "staging", BOTOPS_TOKEN=TOKENS["staging"], BOTOPS_TOKEN_STAGING=""
    )
    assert plain.exit_code == 0, plain.output
    clear(accounts)
    # A stray BOTOPS_BASE_URL must not carry prod's token to the staging account.
    stray = botops("plan", "--env", "prod", BOTOPS_BASE_URL=accounts.staging.url)
    assert stray.exit_code == 1
    assert stray.stderr == (
        f"Error: the credentials in BOTOPS_TOKEN_PROD belong to environment 'prod' "
        f"({accounts.prod.url}); refusing to send them to {accounts.staging.url}\n"
    )
    assert api_requests(accounts.staging) == api_requests(accounts.prod) == []
    basic = botops(
        "plan",
        "--env",
        "prod",
        BOTOPS_TOKEN_PROD="",
        BOTOPS_API_KEY_PROD="key",
        BOTOPS_API_TOKEN_PROD=TOKENS["prod"],
    )
    assert basic.exit_code == 0, basic.output
    assert TOKENS["prod"] not in basic.output


def test_credential_errors_name_the_environments_own_variable(accounts: Accounts) -> None:
    broken = botops("plan", "--env", "staging", BOTOPS_TOKEN_STAGING="tok\nX")
    assert (broken.exit_code, broken.stdout) == (1, "")
    assert broken.stderr == (
        "Error: BOTOPS_TOKEN_STAGING contains characters that can't be sent in an HTTP header\n"
    )
    assert api_requests(accounts.staging) == []
    refused = botops("plan", "--env", "staging", BOTOPS_TOKEN_STAGING="wrongtok")
    assert refused.exit_code == 1
    (line,) = refused.stderr.splitlines()
    assert line.endswith(" (check BOTOPS_TOKEN_STAGING)"), line
    assert "wrongtok" not in refused.output


# ---------------------------------------------------------------------------------- mistakes

GUARDS = """\
guards:
  models: [gpt-4o, gpt-4o-mini]
  temperature: {max: 1.0}
  required_languages: [en]
"""


def test_guards_and_override_mistakes_are_reported_where_they_are_before_any_request(
    accounts: Accounts,
) -> None:
    project = accounts.project
    config = (
        (project / "botops.yaml")
        .read_text()
        .replace("  prod: {", "  prod: {guards: {temperature: {max: 0.5}}, ")
    )
    (project / "botops.yaml").write_text(config + GUARDS)
    (project / "bots" / "support-assistant.yaml").write_text(
        "kind: Assistant\n"
        "assistant_id: asst_stg_support\n"
        "instruction_file: [prompts/tone.md, prompts/support.md]\n"
        "llm_config: {model: gpt-4, temperature: 0.6}\n"
        "overrides:\n"
        "  prod:\n"
        "    assistant_id: asst_prd_support\n"
        "    llm_config: {temperature: 0.8, max_tokns: 100}\n"
        "  prdo: {assistant_id: asst_x}\n"
    )
    (project / "bots" / "support-bot.yaml").write_text(
        "kind: Voicebot\n"
        "name: Acme Support\n"
        "supported_languages: [hi]\n"
        "overrides:\n"
        "  prod: {bot_id: bot_prd01, nmae: Acme}\n"
    )
    clear(accounts)
    planned = botops("plan", "--env", "prod")
    assert planned.exit_code == 1
    assert planned.stderr.splitlines() == [
        "bots/support-assistant.yaml:4:21: model 'gpt-4' is not allowed by guards.models "
        "(gpt-4o, gpt-4o-mini)",
        "bots/support-assistant.yaml:8:31: temperature 0.8 is above the maximum 0.5 of "
        "environments.prod.guards.temperature",
        "bots/support-assistant.yaml:8:36: unknown key 'max_tokns' (did you mean 'max_tokens'?)",
        "bots/support-assistant.yaml:9:3: unknown environment 'prdo' (did you mean 'prod'?); "
        "botops.yaml defines prod, staging",
        "bots/support-bot.yaml:3:22: supported_languages lacks 'en', which "
        "guards.required_languages asks of every voicebot",
        "bots/support-bot.yaml:5:29: unknown key 'nmae' (did you mean 'name'?)",
    ]
    assert planned.stdout == ""
    assert api_requests(accounts.staging) == api_requests(accounts.prod) == []

    # Without --env every environment is checked; what only prod has says so.
    only_prod = {1, 2, 5}
    everywhere = botops("validate")
    assert everywhere.exit_code == 1
    assert everywhere.stderr.splitlines() == [
        line + (" (in environment 'prod')" if index in only_prod else "")
        for index, line in enumerate(planned.stderr.splitlines())
    ]
    assert api_requests(accounts.staging) == api_requests(accounts.prod) == []


def test_the_mass_change_guard_trips_and_is_overridden(
    tmp_path: Path, emulator_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bots = [
        {
            "bot_id": f"bot_{i:02d}",
            "name": f"Bot {i:02d}",
            "version": "v1",
            "supported_languages": ["en"],
        }
        for i in range(12)
    ]
    (tmp_path / "live.json").write_text(json.dumps({"bots": bots}))
    emulator = emulator_factory(
        "--fixtures", str(tmp_path / "live.json"), "--token", TOKENS["prod"]
    )
    (tmp_path / "botops.yaml").write_text(
        "paths: [bots]\n"
        f"environments:\n  prod: {{account_id: acme, base_url: '{emulator.url}'}}\n"
        "guards: {max_changed_share: 0.3}\n"
    )
    (tmp_path / "bots").mkdir()
    for i in range(12):
        languages = "[en, hi]" if i < 4 else "[en]"
        (tmp_path / "bots" / f"bot-{i:02d}.yaml").write_text(
            f"kind: Voicebot\nbot_id: bot_{i:02d}\nname: Bot {i:02d}\n"
            f"supported_languages: {languages}\n"
        )
    monkeypatch.chdir(tmp_path)
    refusal = (
        "Error: this plan changes 4 of 12 managed resources (33.3%), more than "
        "guards.max_changed_share allows (30%); if that is meant, pass --allow-mass-change\n"
    )
    planned = botops("plan", "--env", "prod", "--out", "plan.json")
    assert planned.exit_code == 1
    assert planned.stderr == refusal
    assert planned.stdout.splitlines()[-1] == "Plan: 0 to create, 4 to update, 8 unchanged."
    assert not (tmp_path / "plan.json").exists()
    refused = botops("apply", "--env", "prod", "--auto-approve")
    assert (refused.exit_code, refused.stderr) == (1, refusal)
    assert [r for r in emulator.requests() if r["method"] == "POST"] == []

    # Allowed where the plan is made, the allowance is shown and travels in the plan file.
    planned = botops("plan", "--env", "prod", "--out", "plan.json", "--allow-mass-change")
    assert planned.exit_code == 0, planned.output
    allowance = (
        "Mass change allowed (--allow-mass-change): 4 of 12 resources change; applying this "
        "plan does not ask again."
    )
    assert allowance in planned.stdout
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["allow_mass_change"] is True
    shown = botops("plan", "--env", "prod", "--format", "markdown", "--allow-mass-change")
    assert f"**{allowance}**" in shown.stdout
    # A plan file that says anything else than true or false is not read.
    (tmp_path / "odd.json").write_text(json.dumps(saved | {"allow_mass_change": "yes"}))
    odd = botops("apply", "--env", "prod", "--plan", "odd.json", "--auto-approve")
    assert odd.exit_code == 1 and "allow_mass_change must be true or false" in odd.stderr
    assert [r for r in emulator.requests() if r["method"] == "POST"] == []

    allowed = botops("apply", "--env", "prod", "--plan", "plan.json", "--auto-approve")
    assert allowed.exit_code == 0, allowed.output
    assert allowance in allowed.stdout
    assert len([r for r in emulator.requests() if r["method"] == "POST"]) == 4


def test_a_saved_plan_without_the_allowance_is_refused_as_a_mass_change(
    tmp_path: Path, emulator_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bots = [{"bot_id": f"bot_{i:02d}", "name": f"Bot {i:02d}", "version": "v1"} for i in range(12)]
    (tmp_path / "live.json").write_text(json.dumps({"bots": bots}))
    emulator = emulator_factory("--fixtures", str(tmp_path / "live.json"))
    (tmp_path / "botops.yaml").write_text(
        f"account_id: Exotel\nbase_url: '{emulator.url}'\npaths: [bots]\n"
        "guards: {max_changed_share: 0.3}\n"
    )
    (tmp_path / "bots").mkdir()
    for i in range(12):
        (tmp_path / "bots" / f"bot-{i:02d}.yaml").write_text(
            f"kind: Voicebot\nbot_id: bot_{i:02d}\nname: Bot {i:02d} renamed\n"
        )
    monkeypatch.chdir(tmp_path)
    # Made before the guard existed (or edited): its file says nothing of an allowance.
    (tmp_path / "botops.yaml").write_text(
        f"account_id: Exotel\nbase_url: '{emulator.url}'\npaths: [bots]\n"
    )
    assert botops("plan", "--out", "plan.json").exit_code == 0
    (tmp_path / "botops.yaml").write_text(
        f"account_id: Exotel\nbase_url: '{emulator.url}'\npaths: [bots]\n"
        "guards: {max_changed_share: 0.3}\n"
    )
    refused = botops("apply", "--plan", "plan.json", "--auto-approve")
    assert refused.exit_code == 1
    assert "pass --allow-mass-change" in refused.stderr
    assert [r for r in emulator.requests() if r["method"] == "POST"] == []


# ---------------------------------------------------------------------------------- import


def test_importing_staging_then_prod_yields_one_file_with_both_ids(accounts: Accounts) -> None:
    for path in (accounts.project / "bots").glob("*.yaml"):
        path.unlink()
    # The same bot in both accounts, under the same name.
    renamed = httpx2.post(
        f"{accounts.staging.url}/voicebot/api/v2/accounts/acme-staging/voicebots/bot_stg01/versions",
        headers={"Authorization": f"Bearer {TOKENS['staging']}"},
        json={
            "source_version": "v1",
            "data": {"name": "Acme Support", "supported_languages": ["en", "hi"]},
        },
    )
    assert renamed.status_code == 200, renamed.text

    staging = botops("import", "--env", "staging", "--all")
    assert staging.exit_code == 0, staging.output
    prod = botops("import", "--env", "prod", "--all")
    assert prod.exit_code == 0, prod.output
    assert prod.stdout.splitlines() == [
        "Added voicebot/bot_prd01 to bots/acme-support.yaml  (overrides.prod)",
        "Wrote bots/asst_prd_returns.yaml  (assistant/asst_prd_returns v1, only in prod)",
        "Wrote bots/asst_prd_support.yaml  (assistant/asst_prd_support v1, only in prod)",
    ]
    assert (accounts.project / "bots" / "acme-support.yaml").read_text() == (
        "# yaml-language-server: $schema=../schemas/voicebot.schema.json\n"
        "kind: Voicebot\n"
        "name: Acme Support\n"
        "enable_greeting_interruption: false\n"
        "supported_languages: [en, hi]\n"
        "environments: [staging, prod]\n"
        "overrides:\n"
        "  prod: {bot_id: bot_prd01, supported_languages: [en]}\n"
        "  staging: {bot_id: bot_stg01}\n"
    )
    assert (
        "environments: [prod]\n"
        in (accounts.project / "bots" / "asst_prd_support.yaml").read_text()
    )
    for environment in ("staging", "prod"):
        again = botops("plan", "--env", environment, "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        assert again.stdout.splitlines()[-1] == "Plan: 0 to create, 0 to update, 3 unchanged."
    kept = botops("import", "--env", "prod", "--all")
    assert kept.exit_code == 0, kept.output
    assert kept.stdout.splitlines()[0] == (
        "Kept bots/acme-support.yaml  (voicebot/bot_prd01 is already declared there for prod)"
    )


def test_the_environments_example_is_valid_in_each_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    config = "examples/environments/botops.yaml"
    for args in ([], ["--env", "prod"], ["--env", "staging"]):
        result = botops("validate", "--config", config, *args)
        assert (result.exit_code, result.stderr) == (0, ""), args
        assert result.stdout == "Valid: 3 resources in 3 files.\n"
    typo = botops("validate", "--config", config, "--env", "stagin")
    assert (typo.exit_code, typo.stderr) == (
        1,
        "Error: --env: unknown environment 'stagin' (did you mean 'staging'?); "
        "botops.yaml defines prod, staging\n",
    )
