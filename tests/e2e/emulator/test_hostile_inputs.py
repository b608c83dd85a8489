"""The emulator keeps the CLI's rules for every input it takes (issue 19, item 16): a hostile
request body gets the API's error shape (400), never a 500 or a traceback, and changes nothing;
a hostile fixtures file stops the start with one readable line. One place holds the rule
(`botops/emulator/plain.py`); these tests go through the real emulator process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import AS, VB, Emulator, client, error_message, start_emulator

DEEP = b'{"a":' * 5000 + b"1" + b"}" * 5000
BODIES = {
    "lone-surrogate": b'{"source_version":"v3","data":{"name":"\\ud800"},"name":"\\ud800"}',
    "surrogate-key": b'{"source_version":"v3","\\udc00":1}',
    "nan": b'{"source_version":"v3","data":{"name":NaN},"name":NaN}',
    "infinity": b'{"source_version":"v3","llm_config":{"temperature":-Infinity}}',
    "too-large-float": b'{"source_version":"v3","llm_config":{"temperature":1e400}}',
    "huge-int": b'{"source_version":"v3","llm_config":{"max_tokens":' + b"9" * 5000 + b"}}",
    "deep": DEEP,
    "deep-array": b"[" * 100_000,
    "duplicate-key": b'{"source_version":"v3","source_version":"v1"}',
    "not-utf8": b'{"source_version":"v3","name":"caf\xe9"}',
    "utf16": '{"source_version":"v3"}'.encode("utf-16"),
    "array": b'[{"source_version":"v3"}]',
    "string": b'"v3"',
    "wrong-types": b'{"source_version":3,"data":[1],"llm_config":"x","agents":{"a":1}}',
    "text-content-surrogate": b'{"text_content":"\\ud800 a bot"}',
}
ROUTES = {
    "voicebot-version": f"{VB}/voicebots/bot_support01/versions",
    "assistant-version": f"{AS}/assistants/asst_acme01/versions",
    "bot-generation": f"{VB}/bot-generation",
}


@pytest.mark.parametrize("route", list(ROUTES), ids=list(ROUTES))
@pytest.mark.parametrize("body", list(BODIES), ids=list(BODIES))
def test_a_hostile_body_is_a_400_in_the_apis_shape_and_changes_nothing(
    demo_readonly: Emulator, route: str, body: str
) -> None:
    with client(demo_readonly) as http:
        before = http.get(f"{VB}/voicebots").json()
        response = http.post(
            ROUTES[route], content=BODIES[body], headers={"content-type": "application/json"}
        )
        message = error_message(response, 400)
        assert "\\ud800" not in message or "lone surrogate" in message
        assert http.get(f"{VB}/voicebots").json() == before
        assert http.get("/_emulator/requests").status_code == 200  # the log shows it


def test_the_reasons_are_readable(demo_readonly: Emulator) -> None:
    route = ROUTES["voicebot-version"]
    expected = {
        "lone-surrogate": "the request body: data.name: holds a lone surrogate (\\ud800), which "
        "is not Unicode text",
        "nan": "the request body: NaN is not a JSON number",
        "too-large-float": "the request body: 1e400 is too large for a number",
        "huge-int": "the request body: an integer of 5000 digits (at most 400)",
        "deep": "the request body: not valid JSON: nested deeper than 64 levels",
        "duplicate-key": "the request body: the key 'source_version' is given twice in one object",
        "not-utf8": "the request body: not UTF-8 text (byte 0xe9) (line 1, column 35)",
    }
    with client(demo_readonly) as http:
        for name, message in expected.items():
            response = http.post(
                route, content=BODIES[name], headers={"content-type": "application/json"}
            )
            assert error_message(response, 400) == message, name


def test_a_chat_completion_body_keeps_the_same_rule(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("rules:\n  - name: any\n    reply: hello\n")
    emulator = start_emulator("--llm-script", str(script))
    try:
        with client(emulator) as http:
            for body in (
                b'{"model":"m","messages":[{"role":"user","content":"\\ud800"}]}',
                b'{"model":"m","messages":[],"temperature":NaN}',
                DEEP,
            ):
                response = http.post("/v1/chat/completions", content=body)
                assert response.status_code == 400, response.text
                assert set(response.json()["error"]) >= {"message", "type"}
    finally:
        emulator.stop()


FIXTURES = {
    "surrogate.json": (
        b'{"bots":[{"bot_id":"a","name":"\\ud800"}]}',
        "surrogate.json: bots[0].name: holds a lone surrogate (\\ud800), which is not Unicode text",
    ),
    "surrogate-id.json": (
        b'{"bots":[{"bot_id":"\\ud800","name":"x"}]}',
        "surrogate-id.json: bots[0].bot_id: holds a lone surrogate (\\ud800)",
    ),
    "nan.json": (
        b'{"conversations":[{"conversation_id":"c","bot_id":"b","duration":NaN}]}',
        "nan.json: NaN is not a JSON number",
    ),
    "nan.yaml": (
        b"conversations: [{conversation_id: c, bot_id: b, call_metadata: {duration: .nan}}]\n",
        "nan.yaml: conversations[0].call_metadata.duration: nan is not a finite number",
    ),
    "huge.json": (
        b'{"bots":[{"bot_id":"a","name":' + b"9" * 5000 + b"}]}",
        "huge.json: an integer of 5000 digits (at most 400)",
    ),
    "deep.json": (
        b'{"conversations":[{"conversation_id":"c","bot_id":"b","insights":' + DEEP + b"}]}",
        "deep.json: not valid JSON: nested deeper than 64 levels",
    ),
    "not-utf8.json": (
        b'{"bots":[\n{"bot_id":"a","name":"\xff"}]}',
        "not-utf8.json:2:23: not UTF-8",
    ),
    "not-utf8.yaml": (b"bots:\n  - {bot_id: a, name: \xff}\n", "not-utf8.yaml:2:23: not UTF-8"),
    "twice.json": (
        b'{"bots": [], "bots": [{"bot_id": "a", "name": "x"}]}',
        "twice.json: the key 'bots' is given twice in one object",
    ),
    "twice.yaml": (b"bots: []\nbots: []\n", "twice.yaml:2:1: not valid YAML: the key 'bots' is"),
    "key.yaml": (
        b"conversations: [{conversation_id: c, bot_id: b, insights: {1: x}}]\n",
        "key.yaml: conversations[0].insights: the key 1 is not text; quote it",
    ),
    "date.yaml": (
        b"conversations: [{conversation_id: c, bot_id: b, insights: {day: 2026-01-01}}]\n",
        "date.yaml: conversations[0].insights.day: a date where text is expected; quote it",
    ),
    "start.yaml": (
        b"conversations: [{conversation_id: c, bot_id: b, start_time: [1]}]\n",
        "start.yaml: conversations[0]: start_time must be an ISO 8601 date-time",
    ),
    "ids.yaml": (
        b"assistants: [{assistant_id: a}, {assistant_id: a}]\n",
        "ids.yaml: assistants: a is defined twice",
    ),
}


def test_hostile_fixtures_stop_the_start_with_one_readable_line(tmp_path: Path) -> None:
    processes = {}
    for name, (content, _) in FIXTURES.items():
        (tmp_path / name).write_bytes(content)
        command = [sys.executable, "-m", "botops", "emulator", "--port", "0", "--fixtures", name]
        processes[name] = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 1, (name, out, err)
        assert out == ""
        [line] = err.strip().splitlines()
        assert FIXTURES[name][1] in line, (name, line)
        assert "Traceback" not in err
