"""Invisible characters pass no review (issue 19, item 4): a live value holding a zero-width
space, a word joiner, LRM, a byte order mark or Unicode tag characters ("ASCII smuggling") is
shown escaped in the text plan and in the pull-request Markdown, so `gpt\\u200b-4o` never reads
as `gpt-4o`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import Emulator, botops

HIDDEN = {
    "\u200b": "\\u200b",
    "\u2060": "\\u2060",
    "\u200e": "\\u200e",
    "\ufeff": "\\ufeff",
    "\U000e0041": "\\U000e0041",
}


@pytest.mark.parametrize("char", list(HIDDEN), ids=[v for v in HIDDEN.values()])
def test_an_invisible_character_in_a_live_value_is_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any, char: str
) -> None:
    live = f"Support{char} Line"
    fixtures = {"bots": [{"bot_id": "bot_line", "name": live, "version": "v1",
                          "supported_languages": ["en"]}]}  # fmt: skip
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/line.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_line\nname: Support Line\n"
    )
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.json"))

    for output in ("text", "markdown"):
        result = botops(emulator, "plan", "bots", "--format", output)
        assert result.exit_code == 0, result.output
        assert char not in result.stdout
        assert f"Support{HIDDEN[char]} Line" in result.stdout
