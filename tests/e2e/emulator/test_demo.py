"""The `--demo` emulator serves exactly the demo file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from botops.emulator.fixtures import DEMO
from tests.support import AS, VB, Emulator, client


def demo_data() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(Path(DEMO).read_text(encoding="utf-8"))
    return document


def test_the_demo_emulator_serves_the_demo_file(demo_readonly: Emulator) -> None:
    data = demo_data()
    with client(demo_readonly) as http:
        for bot in data["bots"]:
            live = http.get(f"{VB}/voicebots/{bot['bot_id']}").json()
            history = bot.pop("versions")
            assert {k: live[k] for k in bot} == bot
            served = http.get(f"{VB}/voicebots/{bot['bot_id']}/versions").json()["data"]
            assert [v["version"] for v in served] == [f"v{n}" for n in range(1, len(served) + 1)]
            assert served[-1]["version"] == bot["version"]
            assert served[-1]["date_created"] == bot["date_created"]
            for given in history:
                [version] = [v for v in served if v["version"] == given["version"]]
                expected = {"date_created": bot["date_created"], "version_description": None}
                given.pop("version")
                assert {k: version[k] for k in expected} == {**expected, **given}
        for assistant in data["assistants"]:
            live = http.get(f"{AS}/assistants/{assistant['assistant_id']}").json()
            assert {k: live[k] for k in assistant} == assistant
