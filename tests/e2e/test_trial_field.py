"""A trial field on Voicebot, end to end: the spec with one more field, the schema with one more
property (both written here) and one more line in the emulator's table (added in the emulator
started here) are all it takes for the real CLI to import it, plan and apply a change of it, and
carry it into an override with `import --env`, and for the emulator to accept, store and answer
it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from botops.kinds import KINDS, VOICEBOT, Field, Voicebot
from botops.support.schemacheck import SCHEMAS_DIR
from tests.support import ROOT, Emulator, botops


@pytest.fixture
def greeting_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """botops's side of the trial field `greeting_message`: the spec with one more field and
    the schema with one more property, and nothing else."""
    schema = json.loads((SCHEMAS_DIR / VOICEBOT.schema_file).read_text())
    schema["properties"]["greeting_message"] = {"type": "string"}
    written = tmp_path / "voicebot.schema.json"
    written.write_text(json.dumps(schema))

    class VoicebotWithGreeting(Voicebot):
        schema_file = str(written)
        fields = (*VOICEBOT.fields, Field("greeting_message"))

    monkeypatch.setitem(KINDS, "Voicebot", VoicebotWithGreeting())  # keeps its place
    return written


# The emulator's side of the trial field: its one table line, added before the emulator loads.
EMULATOR_WITH_GREETING = (
    "from botops.emulator import rules\n"
    "rules.BOT_TABLE['greeting_message'] = rules.FieldRule(rules.STRING, {'type': 'string'})\n"
    "from botops.cli import main\n"
    "main()\n"
)


@pytest.fixture
def greeting_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """The real emulator, with the trial field in its table and one bot that has it."""
    bot = {"bot_id": "bot_t1", "name": "Support", "greeting_message": "Hi"}
    fixtures = tmp_path / "live.json"
    fixtures.write_text(json.dumps({"bots": [bot]}))
    process = subprocess.Popen(
        [sys.executable, "-c", EMULATOR_WITH_GREETING, "emulator", "--port", "0"]
        + ["--fixtures", str(fixtures)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = "botops emulator listening on "
    if not line.startswith(prefix):
        process.kill()
        pytest.fail(f"emulator did not start: {line!r} {process.communicate(timeout=10)[1]}")
    emulator = Emulator(url=line[len(prefix) :].strip(), process=process)
    yield emulator
    emulator.stop()


def test_a_trial_field_goes_through_import_plan_apply_import_env_and_the_emulator(
    greeting_message: Path,
    greeting_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The trial field (spec, schema, one emulator table line) end to end: the real CLI
    imports it, plans and applies a change of it, and `import --env` carries it into an
    override; the emulator accepts, stores and answers it."""
    emulator = greeting_emulator
    project = tmp_path / "project"
    (project / "bots").mkdir(parents=True)
    (project / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(project)

    imported = botops(emulator, "import", "bot_t1")
    assert imported.exit_code == 0, imported.output
    file = project / "bots" / "support.yaml"
    assert file.read_text().partition("\n")[2] == (
        "kind: Voicebot\nbot_id: bot_t1\nname: Support\nenable_greeting_interruption: true\n"
        "supported_languages: [en]\ngreeting_message: Hi\n"
    )
    unchanged = botops(emulator, "plan", "--detailed-exitcode")
    assert unchanged.exit_code == 0, unchanged.output

    file.write_text(file.read_text().replace("greeting_message: Hi", "greeting_message: Hello"))
    changed = botops(emulator, "plan", "--detailed-exitcode")
    assert changed.exit_code == 2, changed.output
    assert 'greeting_message: "Hi" -> "Hello"' in changed.stdout
    applied = botops(emulator, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    live = httpx2.get(f"{emulator.url}/voicebot/api/v2/accounts/Exotel/voicebots/bot_t1").json()
    assert (live["version"], live["greeting_message"]) == ("v2", "Hello")

    # import --env prod: the file that declares the bot by name for staging gets the id and
    # the trial field (which differs) in overrides.prod.
    both = tmp_path / "environments"
    (both / "bots").mkdir(parents=True)
    (both / "botops.yaml").write_text(
        "paths: [bots]\nenvironments:\n"
        f"  staging: {{account_id: Exotel, base_url: '{emulator.url}'}}\n"
        f"  prod: {{account_id: Exotel, base_url: '{emulator.url}'}}\n"
    )
    shared = both / "bots" / "support.yaml"
    shared.write_text(
        "kind: Voicebot\nname: Support\ngreeting_message: Old\nenvironments: [staging]\n"
        "overrides:\n  staging: {bot_id: bot_s1}\n"
    )
    monkeypatch.chdir(both)
    into_prod = botops(None, "import", "--env", "prod", "bot_t1")
    assert into_prod.exit_code == 0, into_prod.output
    assert into_prod.stdout == "Added voicebot/bot_t1 to bots/support.yaml  (overrides.prod)\n"
    assert shared.read_text() == (
        "kind: Voicebot\nname: Support\ngreeting_message: Old\nenvironments: [staging, prod]\n"
        "overrides:\n  prod: {bot_id: bot_t1, greeting_message: Hello}\n"
        "  staging: {bot_id: bot_s1}\n"
    )
    prod = botops(None, "plan", "--env", "prod", "--detailed-exitcode")
    assert prod.exit_code == 0, prod.output
