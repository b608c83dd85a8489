"""`botops apply` of a create: the bot-generation job's status while it runs, and
`--write-ids` writing the new bot's id into its file (comments and every other byte kept)."""

from __future__ import annotations

import itertools
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import Emulator, botops

ADDRESS = "voicebot/Payment Reminder Bot"
FILE = """\
# yaml-language-server: $schema=../schemas/voicebot.schema.json
# Reminders, owned by the collections team.
kind: Voicebot   # the kind comes first
name: Payment Reminder Bot
description: Create an outbound bot that reminds customers of EMI payments in Hindi
enable_greeting_interruption: false   # callers must hear the amount
supported_languages: [hi, en]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/reminders.yaml").write_text(FILE)
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def generating(emulator_factory: Any) -> Emulator:
    emulator: Emulator = emulator_factory("--generation-seconds", "0.6")
    return emulator


def test_apply_shows_each_status_of_the_generation_job_once(
    project: Path, generating: Emulator
) -> None:
    applied = botops(generating, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    # Without a terminal: a plain line per status change, no control characters.
    found = re.findall(
        rf"^{re.escape(ADDRESS)}: Job (\S+): (\w+) \(\d+ s\)$", applied.stderr, re.MULTILINE
    )
    statuses = [status for _, status in found]
    assert statuses[0] == "pending" and statuses[-1] == "completed", applied.stderr
    assert all(a != b for a, b in itertools.pairwise(statuses))  # changes only
    assert len({job for job, _ in found}) == 1
    assert "\r" not in applied.stderr and "\x1b" not in applied.stderr
    # Without --write-ids the file is left as it was, and the report says what to add.
    bot_id = _created_id(applied.stdout)
    assert f"add `bot_id: {bot_id}` to bots/reminders.yaml" in applied.stdout
    assert (project / "bots/reminders.yaml").read_text() == FILE


def test_on_a_terminal_the_status_is_a_live_line(project: Path, generating: Emulator) -> None:
    """stderr on a pseudo-terminal: the spinner's line is drawn (and cleared) while the job
    runs; it is drawn before the job's first poll, so this does not depend on timing."""
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_ACCOUNT_ID="Exotel", BOTOPS_BASE_URL=generating.url, NO_COLOR="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "botops", "apply", "--auto-approve"],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = process.communicate(timeout=60)
    os.close(primary)
    assert process.returncode == 0, seen.decode(errors="replace")
    text = seen.decode()
    assert f"\r\x1b[2K⠙ Generating: {ADDRESS}: pending, job " in text
    assert re.search(rf"{re.escape(ADDRESS)}: Job \S+: completed \(\d+ s\)", text)
    assert text.rfind("\r\x1b[2K") > text.rfind("Generating:")  # cleared after its last draw
    assert b"applied" in stdout


def test_write_ids_adds_one_line_and_the_next_plan_has_no_changes(
    project: Path, generating: Emulator
) -> None:
    applied = botops(generating, "apply", "--auto-approve", "--write-ids")
    assert applied.exit_code == 0, applied.output
    bot_id = _created_id(applied.stdout)
    assert f"wrote `bot_id: {bot_id}` into bots/reminders.yaml" in applied.stdout
    assert "add `bot_id" not in applied.stdout
    lines = FILE.splitlines(keepends=True)
    expected = "".join([*lines[:3], f"bot_id: {bot_id}\n", *lines[3:]])
    assert (project / "bots/reminders.yaml").read_text() == expected  # comments and all kept
    clean = botops(generating, "plan", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert "0 to create, 0 to update, 1 unchanged" in clean.stdout


def test_write_ids_with_a_saved_plan(project: Path, generating: Emulator) -> None:
    planned = botops(generating, "plan", "--out", "plan.json")
    assert planned.exit_code == 0, planned.output
    applied = botops(generating, "apply", "--plan", "plan.json", "--auto-approve", "--write-ids")
    assert applied.exit_code == 0, applied.output
    bot_id = _created_id(applied.stdout)
    assert (
        f"\nbot_id: {bot_id}\nname: Payment Reminder Bot\n"
        in (project / "bots/reminders.yaml").read_text()
    )


def test_write_ids_on_a_rerun_writes_the_id_of_the_bot_the_first_run_made(
    project: Path, generating: Emulator
) -> None:
    assert botops(generating, "plan", "--out", "plan.json").exit_code == 0
    first = botops(generating, "apply", "--plan", "plan.json", "--auto-approve")
    assert first.exit_code == 0, first.output
    bot_id = _created_id(first.stdout)
    assert (project / "bots/reminders.yaml").read_text() == FILE

    again = botops(generating, "apply", "--plan", "plan.json", "--auto-approve", "--write-ids")
    assert again.exit_code == 0, again.output
    assert f"{ADDRESS}: already applied" in again.stdout
    assert f"\nbot_id: {bot_id}\n" in (project / "bots/reminders.yaml").read_text()


@pytest.mark.parametrize("elsewhere", ["../outside/reminders.yaml", "notes/reminders.yaml"])
def test_write_ids_never_writes_a_file_a_plan_names_outside_the_resource_files(
    project: Path, generating: Emulator, elsewhere: str
) -> None:
    """A plan file is untrusted: the file it names must be one of the project's resource
    files. The bot is still created (the plan was sound); its id is not written, exit 1."""
    target = (project / elsewhere).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(FILE)
    assert botops(generating, "plan", "--out", "plan.json").exit_code == 0
    plan = json.loads((project / "plan.json").read_text())
    plan["resources"][0]["file"] = elsewhere
    (project / "plan.json").write_text(json.dumps(plan))
    applied = botops(generating, "apply", "--plan", "plan.json", "--auto-approve", "--write-ids")
    assert applied.exit_code == 1, applied.output
    bot_id = _created_id(applied.stdout)
    assert applied.stderr.splitlines()[-1] == (
        f"--write-ids: {elsewhere} is not a resource file of this project; nothing was "
        f"written: add `bot_id: {bot_id}` to {elsewhere} by hand"
    )
    assert target.read_text() == FILE
    assert (project / "bots/reminders.yaml").read_text() == FILE


def _created_id(report: str) -> str:
    found = re.search(rf"^{re.escape(ADDRESS)}: applied.* created as (\S+) ", report, re.MULTILINE)
    assert found, report
    return found.group(1)
