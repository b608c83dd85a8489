"""Answers Python's json reads but no API value is (issue 19, items 16 and 18): NaN, Infinity,
a number beyond a float, a lone surrogate. Each is one line and exit 1 in every format, never a
plan file apply would refuse, invalid JSON on stdout, or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_server import Handler, hostile
from tests.support import ROOT


def answering(raw: bytes) -> object:
    def behaviour(handler: Handler) -> None:
        body = b'{"bot_id": "bot_line", "name": "Support Line", "version": "v1", ' + raw + b"}"
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return behaviour


@pytest.mark.parametrize(
    "raw",
    [
        b'"supported_languages": ["en"], "enable_greeting_interruption": NaN',
        b'"supported_languages": ["en"], "rating": -Infinity',
        b'"supported_languages": ["en"], "rating": 1e999',
        b'"supported_languages": ["en\\ud800"]',
    ],
    ids=["nan", "infinity", "huge", "lone-surrogate"],
)
@pytest.mark.parametrize(
    "output", [("--format", "json"), ("--format", "text"), ("--out", "p.json")]
)
def test_what_no_api_value_is_is_one_line_in_every_format(
    tmp_path: Path, raw: bytes, output: tuple[str, str]
) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/line.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_line\nname: Support Line\nsupported_languages: [en, hi]\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    with hostile(answering(raw)) as server:  # type: ignore[arg-type]
        env.update(BOTOPS_ACCOUNT_ID="Exotel", BOTOPS_BASE_URL=server.url, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-m", "botops", "plan", "bots", *output],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: GET ") and "the answer holds" in line
    assert not (tmp_path / "p.json").exists()
