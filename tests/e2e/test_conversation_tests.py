"""`botops test` (DESIGN §15) through the real CLI against a real loopback OpenAI-compatible
server (tests/llm_server.py): checks passing and failing with their reasons, speech checks,
repeat/pass_at, the judge, simulated callers, exactly what is sent, the cache, --plan, faults,
secrets, and the test files' own errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.forge_server import TOKEN, ForgeState
from tests.llm_server import KEY, LlmState, is_caller, serve_llm


@pytest.fixture
def llm() -> Iterator[LlmState]:
    with serve_llm() as state:
        yield state


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two environments; an assistant whose instruction is two fragments, with a prod
    override of its temperature and instruction; another assistant beside it."""
    write(
        tmp_path / "botops.yaml",
        """
        paths: [bots]
        environments:
          staging: {account_id: acme-staging}
          prod: {account_id: acme}
        tests:
          judge: judge-mini
          caller: caller-mini
          models: {gpt-4: gpt-4o}
          concurrency: 4
          timeout: 20
        """,
    )
    write(tmp_path / "bots/prompts/support.md", "You are Acme's support assistant.\n")
    write(tmp_path / "bots/prompts/tone.md", "Speak briefly; this is a phone call.\n")
    write(
        tmp_path / "bots/support.yaml",
        """
        kind: Assistant
        assistant_id: asst_support
        instruction_file: [prompts/support.md, prompts/tone.md]
        llm_config: {model: gpt-4, temperature: 0.7, top_p: 0.9, max_tokens: 300, provider: openai}
        agents:
          - role: returns_handler
            instruction: Handle returns and refunds.
        overrides:
          prod:
            llm_config: {temperature: 0.2}
        """,
    )
    write(
        tmp_path / "bots/sales.yaml",
        """
        kind: Assistant
        assistant_id: asst_sales
        instruction: You sell blenders.
        llm_config: {model: gpt-4o-mini}
        """,
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def botops_test(llm: LlmState, *args: str, **env: str | None) -> Result:
    from botops.cli import cli

    environment: dict[str, str | None] = {
        "BOTOPS_LLM_ENDPOINT": llm.url,
        "BOTOPS_LLM_API_KEY": KEY,
        "BOTOPS_ENV": "staging",
        **env,
    }
    # `--debug` belongs to the group (`main` hoists it there from anywhere; CliRunner doesn't).
    debug = ["--debug"] if "--debug" in args else []
    rest = [a for a in args if a != "--debug"]
    return CliRunner().invoke(cli, [*debug, "test", *rest], env=environment, catch_exceptions=False)


def a_test(directory: Path, body: str, name: str = "checks.yaml") -> Path:
    return write(directory / "tests" / name, body)


def results(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- each check, passing and failing, with its reason ---------------------------------------

CHECKS = """
kind: Test
name: refund
assistant: assistant/asst_support
turns:
  - user: I want a refund for order 4411
    expect:
      - {check}
"""


@pytest.mark.parametrize(
    ("check", "reply", "reason"),
    [
        ('contains: [order, "4411"]', "Your order 4411 is noted.", None),
        ("contains: [order, refund]", "Your order is noted.", "does not contain 'refund'"),
        ("not_contains: [guarantee, promise]", "I will look into it.", None),
        ("not_contains: [guarantee, promise]", "I PROMISE a refund.", "contains 'promise'"),
        ("matches: '(?i)escalat|supervisor'", "Let me escalate this.", None),
        ("matches: '(?i)escalat|supervisor'", "Sure.", "does not match '(?i)escalat|supervisor'"),
        ("max_words: 5", "One two three four five.", None),
        ("max_words: 5", "One two three four five six.", "has 6 words, more than 5"),
    ],
)
def test_each_check_passes_or_fails_with_the_reason_a_user_reads(
    project: Path, llm: LlmState, check: str, reply: str, reason: str | None
) -> None:
    a_test(project, CHECKS.format(check=check))
    llm.reply = lambda body: reply

    result = botops_test(llm)

    if reason is None:
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("PASS   refund  [assistant/asst_support, 1/1 runs passed]")
    else:
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert lines[0].startswith("FAIL   refund")
        assert lines[1].strip() == (
            f'tests/checks.yaml:1: turn 1: {check.split(":")[0]}: {reason}; reply "{reply}"'
        )
    assert result.stdout.splitlines()[-1] == (
        f"Tests: {int(reason is None)} passed, {int(reason is not None)} failed, 0 errors "
        "(1 model calls, 0 from cache, 10 tokens)"
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Your **order** is noted.", "Markdown bold in a spoken reply"),
        ("# Refunds\nSure.", "a Markdown heading in a spoken reply"),
        ("Options:\n- refund\n- exchange", "a bulleted list in a spoken reply"),
        ("Steps:\n1. Call\n2. Wait", "a numbered list in a spoken reply"),
        ("| a | b |\n|---|---|", "a Markdown table in a spoken reply"),
        ("Run `refund 4411` now.", "code formatting in a spoken reply"),
        ("See [our policy](https://acme.test/refunds).", "a Markdown link in a spoken reply"),
        ("Visit https://acme.test/refunds today.", "a URL spelled out in a spoken reply"),
        ("Happy to help 😊", "an emoji in a spoken reply (😊)"),
    ],
)
def test_every_reply_is_checked_as_speech(
    project: Path, llm: LlmState, reply: str, reason: str
) -> None:
    a_test(project, CHECKS.format(check="contains: ''").replace("      - contains: ''\n", ""))
    a_test(
        project,
        "kind: Test\nname: speech\nassistant: assistant/asst_support\nturns:\n  - user: hi\n",
    )
    llm.reply = lambda body: reply

    result = botops_test(llm, "--format", "json")

    assert result.exit_code == 1
    data = results(result)
    (test,) = data["tests"]
    assert test["status"] == "fail"
    (failure,) = test["runs"][0]["failures"]
    assert failure["turn"] == 1 and failure["check"] == "speech"
    assert failure["reason"].startswith(reason)


def test_a_plain_spoken_reply_passes_the_speech_checks(project: Path, llm: LlmState) -> None:
    a_test(project, "kind: Test\nname: s\nassistant: assistant/asst_support\nturns: [{user: hi}]\n")
    llm.reply = lambda body: "Sure, it costs 4,000 rupees - about 48 dollars. Anything else?"

    assert botops_test(llm).exit_code == 0


# --- the judge ------------------------------------------------------------------------------

JUDGED = """
kind: Test
name: judged
assistant: assistant/asst_support
turns:
  - user: It was five thousand rupees
    expect:
      - judge: Does not promise a refund above 2,000 rupees.
"""


def test_the_judge_passes_and_fails_with_its_reason_at_temperature_0(
    project: Path, llm: LlmState
) -> None:
    a_test(project, JUDGED)
    llm.reply = lambda body: "I'll pass this to a supervisor."
    assert botops_test(llm).exit_code == 0

    llm.verdict = lambda body: json.dumps({"pass": False, "reason": "It promised a refund."})
    result = botops_test(llm, "--no-cache")

    assert result.exit_code == 1
    assert "turn 1: judge: It promised a refund." in result.stdout
    judge = llm.bodies("judge")[-1]
    assert judge["model"] == "judge-mini" and judge["temperature"] == 0
    asked = judge["messages"][1]["content"]
    assert "Rubric: Does not promise a refund above 2,000 rupees." in asked
    assert "assistant: I'll pass this to a supervisor." in asked


@pytest.mark.parametrize("verdict", ["PASS", '{"reason": "fine"}', '{"pass": "yes"}', ""])
def test_a_verdict_that_is_not_a_json_verdict_is_an_error_never_a_pass(
    project: Path, llm: LlmState, verdict: str
) -> None:
    a_test(project, JUDGED)
    llm.verdict = lambda body: verdict

    result = botops_test(llm)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ERROR  judged")
    assert "the judge's verdict" in lines[1]
    assert lines[-1].startswith("Tests: 0 passed, 0 failed, 1 error ")


# --- repeat and pass_at ---------------------------------------------------------------------

REPEATED = """
kind: Test
name: repeated
assistant: assistant/asst_support
repeat: 3
pass_at: 2
turns:
  - user: Where is my order?
    expect:
      - contains: order
"""


@pytest.mark.parametrize(("good", "status", "code"), [(2, "PASS", 0), (1, "FAIL", 1)])
def test_repeat_3_pass_at_2(
    project: Path, llm: LlmState, good: int, status: str, code: int
) -> None:
    a_test(project, REPEATED)
    replies = ["Your order ships today."] * good + ["Let me check."] * (3 - good)
    llm.reply = lambda body: replies.pop()

    result = botops_test(llm)

    assert result.exit_code == code, result.output
    assert result.stdout.startswith(f"{status:<5}  repeated  [assistant/asst_support, ")
    assert f"{good}/3 runs passed, 2 needed]" in result.stdout
    assert len(llm.bodies("bot")) == 3


def test_repeat_option_overrides_and_scales_pass_at(project: Path, llm: LlmState) -> None:
    a_test(project, REPEATED)
    llm.reply = lambda body: "Your order ships today."

    result = botops_test(llm, "--repeat", "6")

    assert result.exit_code == 0
    assert "6/6 runs passed, 4 needed" in result.stdout
    assert len(llm.bodies("bot")) == 6


# --- a simulated caller ---------------------------------------------------------------------

SIMULATED = """
kind: Test
name: blender
assistant: bots/support.yaml
simulate:
  caller: An impatient customer whose blender arrived broken.
  max_turns: 3
  success: The assistant arranges a replacement.
"""


def test_a_simulated_caller_ends_the_call_on_its_own(project: Path, llm: LlmState) -> None:
    a_test(project, SIMULATED)
    said = iter(["My blender arrived broken.", "Thanks, bye. [DONE]"])

    def reply(body: dict[str, Any]) -> str:
        return next(said) if is_caller(body) else "I'll send a replacement tomorrow."

    llm.reply = reply

    result = botops_test(llm, "--format", "json")

    assert result.exit_code == 0, result.output
    run = results(result)["tests"][0]["runs"][0]
    assert run["ended"] == "caller"
    assert [line["role"] for line in run["transcript"]] == ["user", "assistant", "user"]
    assert run["transcript"][-1]["text"] == "Thanks, bye."
    caller = llm.bodies("caller")[0]
    assert caller["model"] == "caller-mini"
    assert "An impatient customer whose blender arrived broken." in caller["messages"][0]["content"]
    success = llm.bodies("judge")[-1]["messages"][1]["content"]
    assert "Rubric: The assistant arranges a replacement." in success
    assert "caller: Thanks, bye." in success and "whole conversation" in success


def test_a_simulated_caller_stops_at_max_turns(project: Path, llm: LlmState) -> None:
    a_test(project, SIMULATED)
    llm.reply = lambda body: "Still broken!" if is_caller(body) else "Please hold."
    llm.verdict = lambda body: '{"pass": false, "reason": "No replacement was offered."}'

    result = botops_test(llm)

    assert result.exit_code == 1
    assert "the conversation: success: No replacement was offered. (the caller had not" in (
        result.stdout
    )
    assert len(llm.bodies("caller")) == 3 and len(llm.bodies("bot")) == 3


# --- exactly what is sent -------------------------------------------------------------------

AGENT = """
kind: Test
name: returns
assistant: assistant/asst_support
agent: returns_handler
turns:
  - user: I want to return my blender.
"""


@pytest.mark.parametrize(("environment", "temperature"), [("staging", 0.7), ("prod", 0.2)])
def test_the_request_is_the_effective_instruction_agent_and_llm_config(
    project: Path, llm: LlmState, environment: str, temperature: float
) -> None:
    a_test(project, AGENT)

    assert botops_test(llm, "--env", environment).exit_code == 0

    (body,) = llm.bodies("bot")
    assert body == {
        "model": "gpt-4o",  # tests.models maps gpt-4
        "messages": [
            {
                "role": "system",
                "content": "You are Acme's support assistant.\n\nSpeak briefly; this is a phone "
                "call.\n\nHandle returns and refunds.",
            },
            {"role": "user", "content": "I want to return my blender."},
        ],
        "temperature": temperature,
        "top_p": 0.9,
        "max_tokens": 300,
    }
    assert llm.requests[0].path == "/v1/chat/completions"
    assert llm.requests[0].authorization == f"Bearer {KEY}"


def test_a_prod_override_of_the_instruction_is_what_prod_tests(
    project: Path, llm: LlmState
) -> None:
    support = project / "bots/support.yaml"
    support.write_text(
        support.read_text().replace(
            "llm_config: {temperature: 0.2}",
            "llm_config: {temperature: 0.2}\n    instruction: Prod.",
        )
    )
    a_test(project, AGENT)

    assert botops_test(llm, "--env", "prod").exit_code == 0

    assert llm.bodies("bot")[0]["messages"][0]["content"] == "Prod.\n\nHandle returns and refunds."


def test_changing_a_fragment_changes_what_is_sent(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)
    assert botops_test(llm).exit_code == 0
    (project / "bots/prompts/tone.md").write_text("Never read out links.\n")

    result = botops_test(llm)

    assert result.exit_code == 0
    first, second = (b["messages"][0]["content"] for b in llm.bodies("bot"))
    assert "Speak briefly" in first and "Never read out links." in second
    assert "(1 model calls, 0 from cache" in result.stdout


# --- the cache and --plan -------------------------------------------------------------------


def test_a_warm_cache_sends_nothing_and_gives_the_same_verdicts(
    project: Path, llm: LlmState
) -> None:
    a_test(project, JUDGED)
    a_test(project, SIMULATED, "simulated.yaml")
    said = {"n": 0}

    def reply(body: dict[str, Any]) -> str:
        if is_caller(body):
            said["n"] += 1
            return "Broken blender." if said["n"] == 1 else "Bye [DONE]"
        return "A supervisor will call you."

    llm.reply = reply
    cold = botops_test(llm, "--format", "json")
    sent = len(llm.requests)

    warm = botops_test(llm, "--format", "json")

    assert len(llm.requests) == sent > 0
    first, second = results(cold), results(warm)
    assert second["cached"] == second["calls"] == first["calls"] and second["tokens"] == 0
    assert second["tests"] == first["tests"]
    said["n"] = 0
    assert botops_test(llm, "--no-cache").exit_code == 0
    assert len(llm.requests) == 2 * sent


def plan_file(directory: Path, changed: list[str], unchanged: list[str]) -> Path:
    def entry(address: str, action: str) -> dict[str, Any]:
        resource_id = address.split("/", 1)[1]
        payload = {"source_version": "v1", "instruction": "x"} if action == "update" else None
        return {
            "address": address,
            "id": resource_id,
            "file": "bots/x.yaml",
            "action": action,
            "source_version": "v1",
            "changes": [{"path": "instruction", "before": "a", "after": "x"}]
            if action == "update"
            else [],
            "payload": payload,
        }

    plan = {
        "format_version": 2,
        "base_url": "https://voicebot.in.exotel.com",
        "account_id": "acme-staging",
        "environment": "staging",
        "created_at": "2026-12-01T10:00:00Z",
        "botops_version": "0.1.0",
        "commit": None,
        "resources": [entry(a, "update") for a in changed] + [entry(a, "no-op") for a in unchanged],
    }
    path = directory / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def test_plan_runs_only_the_tests_of_assistants_it_changes(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)
    a_test(
        project,
        "kind: Test\nname: sales\nassistant: bots/sales.yaml\nturns: [{user: hi}]\n",
        "sales.yaml",
    )
    plan = plan_file(project, ["assistant/asst_sales"], ["assistant/asst_support"])

    result = botops_test(llm, "--plan", str(plan))

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("PASS   sales  [assistant/asst_sales")
    assert "returns" not in result.stdout
    assert "The plan changes 1 assistant: 1 of 2 tests cover them." in result.stderr
    assert {b["model"] for b in llm.bodies("bot")} == {"gpt-4o-mini"}


def test_a_plan_that_changes_no_tested_assistant_needs_no_endpoint(
    project: Path, llm: LlmState
) -> None:
    a_test(project, AGENT)
    plan = plan_file(project, [], ["assistant/asst_support"])

    result = botops_test(llm, "--plan", str(plan), BOTOPS_LLM_ENDPOINT=None)

    assert result.exit_code == 0
    assert result.stdout == (
        "No tests to run.\n"
        "Tests: 0 passed, 0 failed, 0 errors (0 model calls, 0 from cache, 0 tokens)\n"
    )
    assert llm.requests == []


def test_a_plan_of_another_environment_is_refused(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)
    plan = plan_file(project, ["assistant/asst_support"], [])

    result = botops_test(llm, "--plan", str(plan), "--env", "prod")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the plan was made for environment 'staging' but --env names 'prod'; "
        "refusing to test it elsewhere\n"
    )


def test_name_selects_tests(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)
    a_test(project, JUDGED, "judged.yaml")

    result = botops_test(llm, "--name", "JUDG")

    assert result.stdout.startswith("PASS   judged") and "returns" not in result.stdout


# --- faults ---------------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured_then_the_call_succeeds(
    project: Path, llm: LlmState
) -> None:
    a_test(project, AGENT)
    llm.faults = [("429", 1), ("500",)]

    started = time.monotonic()
    result = botops_test(llm)

    assert result.exit_code == 0, result.output
    assert len(llm.requests) == 3
    assert time.monotonic() - started >= 1.0  # the Retry-After was waited out


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (("malformed",), "the answer is not JSON"),
        (("oversized", 5 * 1024 * 1024), "the answer is larger than 4,096 KiB; not read"),
        (("text", None), "the answer has no reply text (choices[0].message.content)"),
    ],
)
def test_a_broken_answer_is_an_error_naming_the_host_and_the_test(
    project: Path, llm: LlmState, fault: tuple[Any, ...], message: str
) -> None:
    a_test(project, AGENT)
    llm.faults = [fault]

    result = botops_test(llm)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    host = llm.url.split("//")[1].split("/")[0]
    assert lines[0].startswith("ERROR  returns  [assistant/asst_support (returns_handler)")
    assert lines[1].strip() == f"tests/checks.yaml:1: model endpoint {host}: {message}"


def test_a_server_that_keeps_failing_is_an_error_after_retries(
    project: Path, llm: LlmState
) -> None:
    a_test(project, AGENT)
    llm.faults = [("500",)] * 5

    result = botops_test(llm)

    assert result.exit_code == 1
    assert "500 The server had an error (tried 5 times" in result.stdout
    assert len(llm.requests) == 5


def test_a_call_past_its_deadline_is_an_error(project: Path, llm: LlmState) -> None:
    (project / "botops.yaml").write_text(
        (project / "botops.yaml").read_text().replace("timeout: 20", "timeout: 1")
    )
    a_test(project, AGENT)
    llm.faults = [("slow", 3)] * 3

    result = botops_test(llm)

    assert result.exit_code == 1
    assert "no answer within 1 s (the deadline of a call)" in result.stdout


def test_an_unreachable_endpoint_is_one_line_per_test(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)

    result = botops_test(llm, BOTOPS_LLM_ENDPOINT="http://127.0.0.1:9/v1")

    assert result.exit_code == 1
    assert "model endpoint 127.0.0.1:9: can't reach the endpoint: connection refused" in (
        result.stdout
    )


def test_no_endpoint_is_one_line(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)

    result = botops_test(llm, BOTOPS_LLM_ENDPOINT=None)

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no model endpoint: set tests.endpoint in botops.yaml")


# --- secrets --------------------------------------------------------------------------------


def test_the_key_never_shows_even_when_the_endpoint_echoes_it(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)
    a_test(project, JUDGED, "judged.yaml")
    llm.faults = [("echo_key",)]
    outputs = []
    for output_format in ("text", "json", "junit", "markdown"):
        out = project / f"report.{output_format}"
        result = botops_test(llm, "--debug", "--format", output_format, "--out", str(out))
        outputs += [result.stdout, result.stderr, out.read_text()]
        llm.faults = [("echo_key",)]
    assert any("Incorrect API key provided: ***" in text for text in outputs)
    assert any("debug: POST" in text for text in outputs)
    assert any("check BOTOPS_LLM_API_KEY" in text for text in outputs)
    cached = [p.read_text() for p in (project / ".botops").rglob("*") if p.is_file()]
    assert cached
    for text in outputs + cached:
        assert KEY not in text
        assert KEY[:12] not in text


def test_a_per_environment_key_is_used_first(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)

    result = botops_test(llm, "--env", "prod", BOTOPS_LLM_API_KEY_PROD="sk-prod-key")

    assert result.exit_code == 0
    assert llm.requests[0].authorization == "Bearer sk-prod-key"


# --- test files -----------------------------------------------------------------------------


def test_bad_test_files_are_reported_at_their_lines(project: Path, llm: LlmState) -> None:
    a_test(
        project,
        """
        kind: Test
        name: a
        assistant: assistant/asst_suport
        turns: [{user: hi}]
        ---
        kind: Test
        name: b
        assistant: bots/support.yaml
        agent: return_handler
        repeat: 2
        pass_at: 3
        turns:
          - user: hi
            expect:
              - contans: x
              - matches: '(unclosed'
        ---
        kind: Test
        name: c
        assistant: bots/nothing.yaml
        simulate: {caller: x, succes: y}
        """,
    )

    result = botops_test(llm)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "tests/checks.yaml:3:12: no resource file declares assistant/asst_suport in environment "
        "'staging' (did you mean 'assistant/asst_support'?)",
        "tests/checks.yaml:9:8: assistant/asst_support has no agent 'return_handler' (did you "
        "mean 'returns_handler'?)",
        "tests/checks.yaml:11:10: 'pass_at' (3) is more than the runs of 'repeat' (2)",
        "tests/checks.yaml:15:9: unknown key 'contans' (did you mean 'contains'?)",
        "tests/checks.yaml:16:18: 'matches' is not a Python regular expression: missing ), "
        "unterminated subpattern at position 0",
        "tests/checks.yaml:20:12: no resource file declares 'bots/nothing.yaml' in environment "
        "'staging': name the assistant as plan prints it (assistant/<assistant_id>) or the path "
        "of its resource file, relative to botops.yaml",
        "tests/checks.yaml:21:23: unknown key 'succes' (did you mean 'success'?)",
    ]
    assert llm.requests == []


def test_validate_checks_test_files_too(project: Path) -> None:
    from botops.cli import cli

    a_test(project, AGENT)
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate"], catch_exceptions=False)
    assert (ok.exit_code, ok.stdout) == (0, "Valid: 2 resources in 2 files, 1 test in 1 file.\n")

    a_test(project, AGENT.replace("returns_handler", "refunds"), "bad.yaml")
    bad = runner.invoke(cli, ["validate", "--format", "json"], catch_exceptions=False)

    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["problems"] == [
        {
            "file": "tests/bad.yaml",
            "line": 4,
            "column": 8,
            "message": "assistant/asst_support has no agent 'refunds' (its agents: "
            "returns_handler)",
        }
    ]


def test_a_test_in_resource_paths_is_told_where_it_belongs(project: Path, llm: LlmState) -> None:
    write(project / "bots/misplaced.yaml", AGENT)

    result = botops_test(llm)

    assert result.exit_code == 1
    assert result.stderr == (
        "bots/misplaced.yaml:1:7: a Test document belongs in a test file under tests.paths of "
        "botops.yaml (default tests/), not with resource files\n"
    )


# --- Ctrl-C ---------------------------------------------------------------------------------


def test_ctrl_c_finishes_cleanly(project: Path, llm: LlmState) -> None:
    a_test(project, AGENT)
    llm.faults = [("slow", 30)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env |= {"BOTOPS_LLM_ENDPOINT": llm.url, "BOTOPS_LLM_API_KEY": KEY, "BOTOPS_ENV": "staging"}
    process = subprocess.Popen(
        [sys.executable, "-m", "botops", "test"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not llm.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert llm.requests, "the run never called the endpoint"
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)

    assert process.returncode == 130
    assert err.splitlines()[-1] == "Interrupted."
    assert "Traceback" not in err
    leftovers = [p for p in (project / ".botops").rglob(".tmp-*")]
    assert leftovers == []


# --- one sticky comment holds the plan and the tests ----------------------------------------


def github_env(forge: ForgeState, directory: Path) -> dict[str, str | None]:
    event = directory / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITLAB_CI": None,
        "GITHUB_API_URL": forge.url,
        "GITHUB_REPOSITORY": "acme/bots",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "4242",
    }


def comment(env: dict[str, str | None], *args: str) -> Result:
    from botops.cli import cli

    return CliRunner().invoke(cli, ["comment", *args], env=env, catch_exceptions=False)


def test_one_sticky_comment_holds_the_plan_and_the_tests(
    project: Path, llm: LlmState, forge: ForgeState
) -> None:
    a_test(project, AGENT)
    a_test(project, JUDGED, "judged.yaml")
    plan = plan_file(project, ["assistant/asst_support"], [])
    llm.verdict = lambda body: '{"pass": false, "reason": "It promised @everyone a refund."}'
    tested = botops_test(llm, "--plan", str(plan), "--format", "json", "--out", "results.json")
    assert tested.exit_code == 1
    env = github_env(forge, project)

    first = comment(env, str(plan), "--tests", "results.json")
    second = comment(env, str(plan), "--tests", "results.json")

    assert first.exit_code == second.exit_code == 0, first.output
    (only,) = forge.comments("github", "acme/bots#7")
    body = only["body"]
    assert body.startswith("<!-- botops:plan acme-staging@voicebot.in.exotel.com/staging -->")
    assert "assistant/asst_support" in body.split("### Conversation tests")[0]  # the plan
    tests = body.split("### Conversation tests", 1)[1]
    assert "Tests: 1 passed, 1 failed, 0 errors" in tests
    assert "| FAIL | judged | assistant/asst\\_support | 0/1 |" in tests
    assert "It promised &#64;everyone a refund." in tests and "@everyone" not in tests
    assert "<details><summary>FAIL judged</summary>" in tests
    assert len(body) < 65_000
    assert [w.method for w in forge.writes()] == ["POST", "PATCH"]


def test_a_results_file_is_untrusted_input(project: Path, forge: ForgeState) -> None:
    plan = plan_file(project, ["assistant/asst_support"], [])
    env = github_env(forge, project)
    hostile = {
        "passed": 0,
        "failed": 1,
        "errors": 0,
        "calls": 1,
        "cached": 0,
        "tokens": 1,
        "endpoint": "x`y",
        "tests": [
            {
                "name": "</details><img src=x onerror=alert(1)> @team",
                "assistant": "a|b",
                "status": "fail",
                "repeat": 1,
                "pass_at": 1,
                "passed_runs": 0,
                "runs": [
                    {
                        "passed": False,
                        "transcript": [{"role": "assistant", "text": "```\n</details>\n" * 3}],
                        "failures": [{"turn": 1, "check": "contains", "reason": "<b>x</b>"}],
                    }
                ],
            }
        ],
    }
    (project / "hostile.json").write_text(json.dumps(hostile))
    (project / "broken.json").write_text('{"tests": 5}')

    ok = comment(env, str(plan), "--tests", "hostile.json")
    broken = comment(env, str(plan), "--tests", "broken.json")
    missing = comment(env, str(plan), "--tests", "nothing.json")

    assert ok.exit_code == 0, ok.output
    body = forge.comments("github", "acme/bots#7")[0]["body"]
    tests = body.split("### Conversation tests", 1)[1]
    assert "<img" not in tests and "<b>" not in tests and "@team" not in tests
    # The transcript is in a fence longer than any of its own, so nothing in it acts.
    before, fenced, after = tests.split("````", 2)
    assert "</details>" not in before and after.count("</details>") == 1
    assert fenced.startswith("text\n") and fenced.count("</details>") == 3
    assert broken.exit_code == 1
    assert broken.stderr == (
        "Error: broken.json: not a botops test results file: 'passed' must be a whole number\n"
    )
    assert missing.stderr == "Error: nothing.json: no such test results file\n"


# --- JUnit ----------------------------------------------------------------------------------


def test_junit_validates_against_the_junit_schema(project: Path, llm: LlmState) -> None:
    import xmlschema

    from tests.support import ROOT

    a_test(project, REPEATED)
    a_test(project, JUDGED, "judged.yaml")
    a_test(project, AGENT, "agent.yaml")
    # The tests run at once: each reply is chosen by what it answers, not by its turn. One of
    # the three runs of `repeated` says "order" (which one does not matter): it fails pass_at 2.
    order = iter(["Your order ships.", "Let me check.", "Let me check."])

    def reply(body: dict[str, Any]) -> str:
        said = str(body["messages"][-1]["content"])
        if "Where is my order?" in said:
            return next(order)
        return "Hmm \x01 <no> & “quotes”" if "five thousand" in said else "Let me check."

    llm.reply = reply
    llm.verdict = lambda body: "not json"

    result = botops_test(llm, "--format", "junit", "--junit", "again.xml")

    assert result.exit_code == 1
    schema = xmlschema.XMLSchema(ROOT / "tests" / "fixtures" / "junit.xsd")
    schema.validate(result.stdout.encode())
    assert (project / "again.xml").read_text() == result.stdout
    document = ET.fromstring(result.stdout)
    assert document.attrib["tests"] == "3"
    assert (document.attrib["failures"], document.attrib["errors"]) == ("1", "1")
    cases = {c.attrib["name"]: c for c in document.iter("testcase")}
    assert cases["repeated"].attrib["classname"] == "assistant/asst_support"
    assert cases["repeated"].find("failure") is not None
    error = cases["judged"].find("error")
    assert error is not None and "the judge's verdict is not JSON" in error.attrib["message"]
    assert cases["returns"].find("failure") is None and cases["returns"].find("error") is None
    assert "caller: I want to return my blender." in (cases["returns"].findtext("system-out") or "")
