"""Fixture files the emulator loads: a broken one is reported naming file, item and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.emulator.fixtures import FixtureError, read

BROKEN = {
    "syntax.yaml": ("bots: [unclosed", "syntax.yaml:2:1: not valid YAML"),
    "syntax.json": ('{"bots": [}', "syntax.json:1:11: not valid JSON"),
    "list.yaml": ("- bot_id: a\n", "must be a mapping"),
    "section.yaml": ("voicebots: []\n", "unknown section 'voicebots'"),
    "no-id.yaml": ("bots: [{name: A}]\n", "bots[0]: bot_id"),
    "bad-name.yaml": ("bots: [{bot_id: a, name: ''}]\n", "bots[0]: name"),
    "bad-version.yaml": ("bots: [{bot_id: a, name: A, version: 3}]\n", "bots[0]: version"),
    "bad-field.yaml": ("bots: [{bot_id: a, name: A, langs: [en]}]\n", "unknown field 'langs'"),
    "twice.yaml": ("bots: [{bot_id: a, name: A}, {bot_id: a, name: B}]\n", "a is defined twice"),
    "agents.json": (
        '{"assistants": [{"assistant_id": "x", "agents": [{"instruction": "y"}]}]}',
        "assistants[0]: agents[0].role",
    ),
    "stable.yaml": (
        "assistants: [{assistant_id: x, version: v1, stable_version: v2}]\n",
        "stable_version",
    ),
    "conversation.yaml": ("conversations: [{conversation_id: c1}]\n", "conversations[0]: bot_id"),
    "transcript.yaml": (
        "conversations: [{conversation_id: c1, bot_id: b, transcript: hello}]\n",
        "transcript must be a list",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixtures_are_reported_naming_file_item_and_field(tmp_path: Path, name: str) -> None:
    text, expected = BROKEN[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FixtureError) as error:
        read(path)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message
