"""`botops emulator --llm-script FILE`: `POST /v1/chat/completions` answered from a script's rules
in OpenAI's shapes (request checks, errors, the token), a judge's JSON verdict, the simulated
caller's `[DONE]`, and a bad script stopping the start with one line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest

from botops.emulator import llmscript
from botops.emulator.app import create_app
from botops.emulator.gateway import Faults, Gateway, RequestLog
from botops.emulator.generate import Generations
from botops.emulator.store import Store
from tests.support import ROOT, Emulator, client

CHAT = "/v1/chat/completions"
TOKEN = "llm-t0ken-s3cret"
SCRIPT = """\
rules:
  - name: judge, escalation
    when: {system: '(?i)\\bjudge\\b', user_contains: offers to escalate}
    verdict: {pass: true, reason: The reply offers a supervisor.}
  - name: judge, promise
    when: {system: '(?i)\\bjudge\\b', user_contains: [does not promise, refund]}
    verdict: {pass: false, reason: It promises a refund of five thousand rupees.}
  - name: judge, broken
    when: {system: '(?i)\\bjudge\\b'}
    reply: I think it is fine.
  - name: caller opens
    when: {system: '(?i)you are the caller', turn: 0}
    reply: My blender arrived broken.
  - name: caller done
    when: {system: '(?i)you are the caller', user: '(?i)pickup'}
    reply: Tomorrow works, thank you. [DONE]
  - name: caller again
    when: {system: '(?i)you are the caller'}
    reply: I want a replacement, not a refund.
  - name: small model
    when: {model: '^gpt-4o-mini$', user_contains: hello}
    reply: Hello from the small model.
  - name: order
    when: {system_contains: acme, user: '(?i)order \\d+'}
    reply: I found order 4411. It ships tomorrow.
  - name: flaky
    when: {user_contains: flaky}
    replies: [first, second, third]
  - when: {system_contains: acme, user_contains: [refund, five thousand]}
    reply: Let me connect you to a supervisor for that refund.
default: Sorry, could you say that again?
"""
ACME = "You are the voice assistant of ACME Retail."


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "script.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture
def llm(emulator_factory: Any, script: Path) -> Emulator:
    result: Emulator = emulator_factory("--llm-script", str(script))
    return result


def ask(
    http: httpx2.Client, system: str | None, *users: str, model: str = "gpt-4o", **settings: Any
) -> httpx2.Response:
    """A chat completion request: the system prompt, then user lines with a stock reply between
    them (as a conversation so far)."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for number, line in enumerate(users):
        if number:
            messages.append({"role": "assistant", "content": "Go on."})
        messages.append({"role": "user", "content": line})
    return http.post(CHAT, json={"model": model, "messages": messages, **settings})


def content(response: httpx2.Response) -> str:
    assert response.status_code == 200, response.text
    text: str = response.json()["choices"][0]["message"]["content"]
    return text


def openai_error(response: httpx2.Response, status: int) -> dict[str, Any]:
    """The error of an answer, after checking its status and OpenAI's shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"], body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str) and error["type"]
    return error


def test_a_reply_in_openai_shape_says_it_comes_from_the_script(llm: Emulator) -> None:
    with client(llm) as http:
        response = ask(http, ACME, "Where is order 4411?", temperature=0.3, max_tokens=100)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "object", "created", "model", "choices", "usage"}
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert isinstance(body["created"], int) and body["created"] > 1_700_000_000
    assert body["model"] == "botops-emulator-script"  # never the model asked for
    assert body["choices"] == [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "I found order 4411. It ships tomorrow.",
                "refusal": None,
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ]
    usage = body["usage"]
    assert usage["completion_tokens"] == 9  # words and marks: an estimate, no tokenizer runs
    assert usage["prompt_tokens"] == 14
    assert usage["total_tokens"] == 23
    assert response.headers["x-botops-emulator-rule"] == "8 (order)"


def test_the_first_rule_that_holds_answers_else_the_default(llm: Emulator) -> None:
    with client(llm) as http:
        # both conditions of a rule must hold: acme in the system prompt, and the user line
        assert content(ask(http, ACME, "order 12")) == "I found order 4411. It ships tomorrow."
        assert content(ask(http, "Another shop.", "order 12")) == "Sorry, could you say that again?"
        # only the last user line counts
        assert content(ask(http, ACME, "order 12", "never mind")).startswith("Sorry")
        # every text of a *_contains list must appear, in any case
        both = ask(http, ACME, "A REFUND of FIVE THOUSAND rupees")
        assert content(both) == "Let me connect you to a supervisor for that refund."
        assert content(ask(http, ACME, "A refund of five rupees")).startswith("Sorry")
        # model: a regex on the model asked for
        assert content(ask(http, None, "hello", model="gpt-4o-mini")) == (
            "Hello from the small model."
        )
        assert content(ask(http, None, "hello", model="gpt-4o")).startswith("Sorry")
        # system and developer messages make the system prompt; content may come in parts
        parts = {
            "model": "gpt-4o",
            "messages": [
                {"role": "developer", "content": [{"type": "text", "text": "You work at"}]},
                {"role": "system", "content": "Acme."},
                {"role": "user", "content": [{"type": "text", "text": "order 7"}]},
            ],
        }
        assert content(http.post(CHAT, json=parts)).startswith("I found order")


def test_replies_are_used_in_turn_for_runs_that_differ(llm: Emulator) -> None:
    with client(llm) as http:
        got = [content(ask(http, None, "a flaky one")) for _ in range(4)]
    assert got == ["first", "second", "third", "first"]


def test_max_tokens_cuts_the_reply_as_a_model_would(llm: Emulator) -> None:
    with client(llm) as http:
        cut = ask(http, ACME, "order 4411", max_tokens=4).json()
        completion = ask(http, ACME, "order 4411", max_completion_tokens=3).json()
    assert cut["choices"][0]["message"]["content"] == "I found order 4411"
    assert cut["choices"][0]["finish_reason"] == "length"
    assert cut["usage"]["completion_tokens"] == 4
    assert completion["choices"][0]["message"]["content"] == "I found order"


def test_a_judge_request_gets_a_json_verdict(llm: Emulator) -> None:
    judge = "You are a judge. Answer a JSON object {pass, reason}."
    with client(llm) as http:
        passed = ask(
            http,
            judge,
            "Rubric: Offers to escalate.\nReply: Let me get a supervisor.",
            temperature=0,
            response_format={"type": "json_object"},
        )
        failed = ask(
            http,
            judge,
            "Rubric: Does not promise a refund above 2,000 rupees.\nReply: ...",
            temperature=0,
        )
        unparseable = ask(http, judge, "Rubric: Speaks Hindi.\nReply: ...", temperature=0)
    assert json.loads(content(passed)) == {"pass": True, "reason": "The reply offers a supervisor."}
    assert json.loads(content(failed)) == {
        "pass": False,
        "reason": "It promises a refund of five thousand rupees.",
    }
    # a script can answer what no judge should, to show that botops never takes it as a pass
    with pytest.raises(ValueError):
        json.loads(content(unparseable))


def test_a_simulated_caller_speaks_first_and_says_done(llm: Emulator) -> None:
    """The caller's conversation as `botops test` holds it: the assistant's lines are the
    caller's `user` messages; the caller ends by putting [DONE] in its reply."""
    caller = "You are the caller in a test call. An impatient customer; say [DONE] when done."
    assistant_lines = ["Sorry to hear that. Replacement or refund?", "A pickup tomorrow?"]
    messages: list[dict[str, str]] = [{"role": "system", "content": caller}]
    said = []
    with client(llm) as http:
        for line in [None, *assistant_lines]:
            if line is not None:
                messages.append({"role": "user", "content": line})
            response = http.post(CHAT, json={"model": "gpt-4o-mini", "messages": messages})
            said.append(content(response))
            messages.append({"role": "assistant", "content": said[-1]})
            if llmscript.DONE in said[-1]:
                break
    assert said == [
        "My blender arrived broken.",
        "I want a replacement, not a refund.",
        "Tomorrow works, thank you. [DONE]",
    ]


def test_a_request_is_checked_as_openai_checks_it(llm: Emulator) -> None:
    with client(llm) as http:
        no_messages = openai_error(http.post(CHAT, json={"model": "gpt-4o"}), 400)
        assert no_messages["param"] == "messages"
        assert no_messages["type"] == "invalid_request_error"
        assert "messages" in no_messages["message"]
        cases = [
            ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
            ({"model": "m", "messages": []}, "messages"),
            ({"model": "m", "messages": "hi"}, "messages"),
            ({"model": "m", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
            ({"model": "m", "messages": [{"role": "user"}]}, "messages[0].content"),
            (
                {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 3},
                None,
            ),
            ({"model": "m", "messages": [{"role": "user", "content": "x"}], "top_p": "1"}, None),
            ({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, None),
            ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True}, None),
            ({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2}, None),
            ({"model": "m", "messages": [{"role": "user", "content": "x"}], "colour": 1}, None),
        ]
        for body, param in cases:
            error = openai_error(http.post(CHAT, json=body), 400)
            key = param or next(k for k in body if k not in ("model", "messages"))
            assert error["param"] == key, (body, error)
        for raw in (b"", b"{nope", b"[1, 2]", b'"text"', b'{"model": NaN}'):
            error = openai_error(
                http.post(CHAT, content=raw, headers={"content-type": "application/json"}), 400
            )
            assert "JSON" in error["message"]
        openai_error(http.get(CHAT), 405)
        assert (
            "no such endpoint"
            in openai_error(http.post("/v1/completions", json={}), 404)["message"]
        )


def test_without_a_script_there_is_no_chat_endpoint(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        error = openai_error(ask(http, ACME, "order 1"), 404)
        assert "--llm-script" in error["message"]
        schema = http.get("/openapi.json").json()
    assert CHAT not in schema["paths"]


def test_the_token_is_required_when_set(emulator_factory: Any, script: Path) -> None:
    emulator = emulator_factory("--llm-script", str(script), "--token", TOKEN)
    with client(emulator) as http:
        missing = openai_error(ask(http, ACME, "order 1"), 401)
        assert missing["code"] == "invalid_api_key"
    with client(emulator, headers={"Authorization": "Bearer not-it"}) as http:
        error = openai_error(ask(http, ACME, "order 1"), 401)
        assert TOKEN not in json.dumps(error)
    with client(emulator, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        assert content(ask(http, ACME, "order 1")).startswith("I found order")
        assert http.get("/_emulator/requests").status_code == 200


def test_requests_are_logged_and_never_enveloped(emulator_factory: Any, script: Path) -> None:
    emulator = emulator_factory("--llm-script", str(script), "--envelope")
    with client(emulator) as http:
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
        response = http.post(CHAT, json={**body, "temperature": 0.2})
        assert response.json()["object"] == "chat.completion"
        openai_error(http.post(CHAT, json={"model": "gpt-4o"}), 400)
    assert emulator.requests() == [
        {
            "method": "POST",
            "path": CHAT,
            "query": {},
            "body": {**body, "temperature": 0.2},
            "status": 200,
        },
        {"method": "POST", "path": CHAT, "query": {}, "body": {"model": "gpt-4o"}, "status": 400},
    ]


def test_the_rate_limit_answers_429_in_openai_shape(script: Path) -> None:
    now = [1000.0]
    body = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}

    async def go() -> None:
        store = Store(None)
        log = RequestLog()
        app = create_app(store, Generations(store, 2.0), log, script=llmscript.load(script))
        gateway = Gateway(app, Faults(rate_limit=2), log, clock=lambda: now[0])
        transport = httpx2.ASGITransport(app=gateway)
        async with httpx2.AsyncClient(transport=transport, base_url="http://emulator") as http:
            statuses = [(await http.post(CHAT, json=body)) for _ in range(3)]
            assert [r.status_code for r in statuses] == [200, 200, 429]
            error = openai_error(statuses[2], 429)
            assert error["code"] == "rate_limit_exceeded"
            assert statuses[2].headers["retry-after"] == "1"
            now[0] += 1.0
            assert (await http.post(CHAT, json=body)).status_code == 200
        store.close()

    asyncio.run(go())


def test_the_openapi_document_describes_the_chat_endpoint(llm: Emulator) -> None:
    with client(llm) as http:
        operation = http.get("/openapi.json").json()["paths"][CHAT]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["model", "messages"]
    assert set(operation["responses"]) == {"200", "400", "401", "413", "429", "500"}


def test_the_emulator_refuses_to_start_on_a_bad_script(tmp_path: Path) -> None:
    bad = tmp_path / "script.yaml"
    bad.write_text("rules:\n  - when: {user: '(x'}\n    reply: hi\n", encoding="utf-8")
    for path, expected in [
        (bad, f"{bad}:2:18: rules[1].when.user is not a valid regular expression"),
        (tmp_path / "missing.yaml", f"Error: {tmp_path / 'missing.yaml'}: can't read the LLM"),
    ]:
        command = [sys.executable, "-m", "botops", "emulator", "--port", "0"]
        result = subprocess.run(
            [*command, "--llm-script", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode == 1
        assert result.stdout == ""  # no ready line: nothing was bound
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
