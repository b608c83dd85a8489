"""What a new team trips on in its first week (issue: recipes that work, messages that help),
through the real CLI and emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import Emulator, botops, client, error_message


def test_none_of_three_ids_live_is_one_line_naming_the_target(
    examples_project: Path, emulator: Emulator
) -> None:
    result = botops(emulator, "plan")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: none of the 3 declared ids exists at {emulator.url} for account 'Exotel'; "
        "check base_url and account_id (botops.yaml, --base-url and --account, "
        "BOTOPS_BASE_URL and BOTOPS_ACCOUNT_ID)"
    ]


def test_fewer_than_three_missing_are_named_one_by_one(
    examples_project: Path, emulator: Emulator
) -> None:
    (examples_project / "bots" / "payment-reminders.yaml").unlink()
    result = botops(emulator, "plan")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert all("does not exist live" in line for line in lines)


def test_the_emulator_serves_only_its_accounts(emulator_factory: Any) -> None:
    scoped: Emulator = emulator_factory("--account", "acme", "--account", "acme-staging")
    with client(scoped) as http:
        assert http.get("/voicebot/api/v2/accounts/acme/voicebots").status_code == 200
        assert http.get("/api/v2/accounts/acme-staging/assistants").status_code == 200
        wrong = http.get("/voicebot/api/v2/accounts/acme-prod/voicebots")
        assert "'acme-prod'" in error_message(wrong, 404)
    open_to_all: Emulator = emulator_factory()
    with client(open_to_all) as http:
        assert http.get("/voicebot/api/v2/accounts/anyone/voicebots").status_code == 200


def test_a_wrong_account_against_the_demo_is_one_line(
    examples_project: Path, emulator_factory: Any
) -> None:
    demo: Emulator = emulator_factory("--demo")
    assert botops(demo, "plan").exit_code == 0
    result = botops(demo, "plan", "--account", "wrong")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: none of the 3 declared ids exists at {demo.url} for account 'wrong'; "
        "check base_url and account_id (botops.yaml, --base-url and --account, "
        "BOTOPS_BASE_URL and BOTOPS_ACCOUNT_ID)"
    ]
