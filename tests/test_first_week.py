"""What a new team trips on in its first week (issue: recipes that work, messages that help),
through the real CLI and emulator."""

from __future__ import annotations

from pathlib import Path

from tests.support import Emulator, botops


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
