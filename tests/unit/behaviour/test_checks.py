"""The checks on a reply (DESIGN §15): each passes or says why, speech always, verdicts."""

from __future__ import annotations

import pytest

from botops.behaviour.checks import (
    VerdictError,
    caller_done,
    check_reply,
    parse_verdict,
    speech_problem,
)
from botops.project.testfiles import Check


@pytest.mark.parametrize(
    "reply",
    [
        "Sure. Your order 4411 ships on Monday; anything else?",
        "That costs 2,000 rupees - about 24 dollars.",
        "Press 1 for sales.",  # a number mid-sentence is no list
        "I can't say #1 for sure.",  # nor a hash mid-line a heading
        "Email us at help at acme dot com.",
        "नमस्ते, मैं आपकी मदद कर सकता हूँ।",  # Hindi is speech
    ],
)
def test_speech_a_plain_reply_passes(reply: str) -> None:
    assert speech_problem(reply) is None


@pytest.mark.parametrize(
    ("reply", "start"),
    [
        ("__Important__: wait.", "Markdown bold"),
        ("## Refunds", "a Markdown heading"),
        ("* one\n* two", "a bulleted list"),
        ("• one", "a bulleted list"),
        ("2) Wait for the call.", "a numbered list"),
        ("```\ncode\n```", "code formatting"),
        ("Go to www.acme.test now.", "a URL spelled out"),
        ("Done ✅", "an emoji"),
        ("Great 👍🏽", "an emoji"),
    ],
)
def test_speech_failures_say_what_was_found(reply: str, start: str) -> None:
    problem = speech_problem(reply)
    assert problem is not None and problem.startswith(start)


def test_contains_is_case_insensitive_and_lists_what_is_missing() -> None:
    check = Check("contains", ("Order", "refund", "escalate"))
    assert check_reply(check, "Your ORDER and refund.") == "does not contain 'escalate'"
    assert check_reply(Check("not_contains", ("x", "Y")), "x and y") == "contains 'x', 'Y'"
    assert check_reply(Check("max_words", 2), "one  two\nthree") == "has 3 words, more than 2"


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ('{"pass": true, "reason": "ok"}', (True, "ok")),
        ('```json\n{"pass": false, "reason": "no\\nway"}\n```', (False, "no way")),
        ('{"pass": true}', (True, "")),
    ],
)
def test_a_json_verdict_is_read(answer: str, verdict: tuple[bool, str]) -> None:
    assert parse_verdict(answer) == verdict


@pytest.mark.parametrize(
    "answer", ["yes", '{"pass": 1}', "[true]", '{"pass": true} trailing', "", "NaN"]
)
def test_anything_else_is_an_error(answer: str) -> None:
    with pytest.raises(VerdictError):
        parse_verdict(answer)


def test_the_caller_ends_the_call_with_the_marker() -> None:
    assert caller_done("Thanks, bye! [done]") == ("Thanks, bye!", True)
    assert caller_done("  Still broken.  ") == ("Still broken.", False)
    assert caller_done("[DONE]") == ("", True)
