"""The checks on a reply (DESIGN §15), pure: each says nothing when it holds, else the reason
a user reads.

Every reply is also checked as speech, always: a voice bot's reply is heard, so Markdown
(bold, headings, lists, tables, code), URLs spelled as links, and emoji are failures.
The judge's verdict is read here too: a JSON object `{"pass": true|false, "reason": "..."}`;
anything else is a `VerdictError`, never a pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from botops.project.testfiles import Check

EXCERPT = 80


@dataclass(frozen=True)
class Failure:
    """A check that did not hold: in which turn (1-based; 0 for the whole conversation),
    which check (`contains`, ..., `speech`, `judge`, `success`), and why."""

    turn: int
    check: str
    reason: str


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """`text` on one line, cut to `limit` characters, quoted."""
    line = " ".join(text.split())
    return '"' + (line if len(line) <= limit else line[: limit - 1] + "…") + '"'


def check_reply(check: Check, reply: str) -> str | None:
    """Why `reply` fails `check` (not `judge`: the runner asks the judge), or None."""
    lowered = reply.casefold()
    if check.kind == "contains":
        missing = [w for w in check.value if w.casefold() not in lowered]
        return _listed("does not contain", missing) if missing else None
    if check.kind == "not_contains":
        present = [w for w in check.value if w.casefold() in lowered]
        return _listed("contains", present) if present else None
    if check.kind == "matches":
        return None if re.search(check.value, reply) else f"does not match {check.value!r}"
    if check.kind == "max_words":
        count = len(reply.split())
        if count > check.value:
            return f"has {count} words, more than {check.value}"
        return None
    raise ValueError(f"not a local check: {check.kind}")


def _listed(verb: str, words: list[str]) -> str:
    return f"{verb} " + ", ".join(repr(w) for w in words)


# Speech: what a phone caller would hear read out, or not hear at all.
_SPEECH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[[^\]\n]*\]\([^)\s]*\)"), "a Markdown link"),
    (re.compile(r"(?i)\b(?:https?://|www\.)\S+"), "a URL spelled out"),
    (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), "Markdown bold"),
    (re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+\S"), "a Markdown heading"),
    (re.compile(r"(?m)^[ \t]*[-*+•][ \t]+\S"), "a bulleted list"),
    (re.compile(r"(?m)^[ \t]*\d{1,3}[.)][ \t]+\S"), "a numbered list"),
    (re.compile(r"(?m)^[ \t]*\|.*\|[ \t]*$"), "a Markdown table"),
    (re.compile(r"```|`[^`\n]+`"), "code formatting"),
)
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong and cards to symbols and pictographs extended-A
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\u2300-\u23ff"  # technical (⌚ ⏰)
    "\ufe0f"  # emoji presentation selector
    "]"
)


def speech_problem(reply: str) -> str | None:
    """Why `reply` would not work read out by a voice, or None."""
    for pattern, what in _SPEECH:
        found = pattern.search(reply)
        if found:
            return f"{what} in a spoken reply ({excerpt(found.group(0), 30)})"
    emoji = _EMOJI.search(reply)
    if emoji:
        return f"an emoji in a spoken reply ({emoji.group(0)})"
    return None


# The judge


class VerdictError(Exception):
    """The judge answered something that is not a verdict: an error, never a pass."""


JUDGE_PROMPT = (
    "You are the judge of a test of a phone assistant. You read a rubric and a conversation "
    "between a caller and the assistant, and decide whether the assistant's side meets the "
    "rubric. Answer with one JSON object and nothing else: "
    '{"pass": true or false, "reason": "one short sentence"}.'
)


def judge_request(rubric: str, transcript: list[tuple[str, str]], *, whole: bool) -> str:
    """The judge's user message: the rubric, the conversation, and what is judged."""
    lines = "\n".join(f"{role}: {text}" for role, text in transcript)
    target = "the whole conversation" if whole else "the assistant's last reply (in its context)"
    return f"Rubric: {rubric}\n\nConversation:\n{lines}\n\nJudge {target} against the rubric."


def parse_verdict(answer: str) -> tuple[bool, str]:
    """`(passed, reason)` from the judge's answer: one JSON object with a boolean `pass`
    (a Markdown code fence around it is allowed); anything else is a `VerdictError`."""
    text = answer.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.DOTALL | re.IGNORECASE)
    if fenced:
        text = fenced.group(1)
    try:
        verdict = json.loads(text)
    except (ValueError, RecursionError):
        raise VerdictError(f"the judge's verdict is not JSON: {excerpt(answer, 60)}") from None
    if not isinstance(verdict, dict) or not isinstance(verdict.get("pass"), bool):
        raise VerdictError(
            "the judge's verdict has no boolean 'pass': " + excerpt(answer, 60)
        ) from None
    reason = verdict.get("reason")
    return verdict["pass"], " ".join(str(reason).split()) if reason is not None else ""


# The simulated caller

CALLER_PROMPT = (
    "You are role-playing a caller on a phone call with an assistant, to test it. Stay in "
    "character, speak as the caller only, one or two short spoken sentences a turn, no "
    "stage directions. The caller: {caller}\n"
    "When the call has reached its end (the caller got what they wanted, or clearly won't), "
    "say the caller's last words and end them with {done}."
)
CALLER_OPENING = "(The call is connected. Say the caller's first words.)"
DONE = "[DONE]"


def caller_done(text: str) -> tuple[str, bool]:
    """The caller's words without the end marker, and whether they ended the call."""
    found = re.search(re.escape(DONE), text, re.IGNORECASE)
    if found is None:
        return text.strip(), False
    return (text[: found.start()] + text[found.end() :]).strip(), True
