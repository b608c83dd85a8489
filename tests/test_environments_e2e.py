"""End to end with two accounts: a staging and a prod emulator, each with its own `--token`,
and one set of files with `environments`, `overrides` and shared prompt fragments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from tests.conftest import Emulator

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
    emulators: dict[str, Emulator] = {}
    for environment, token in TOKENS.items():
        fixtures = tmp_path / f"{environment}.json"
        fixtures.write_text(json.dumps(live_account(environment)))
        emulators[environment] = emulator_factory("--fixtures", str(fixtures), "--token", token)
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
            answer = httpx.get(emulator.url + path, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == (200 if owner == environment else 401)
