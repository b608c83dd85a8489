"""The `--llm-script` file: every mistake is one line naming the file, line and column; the demo's
script loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.emulator import llmscript
from tests.support import ROOT

BAD_SCRIPTS = {
    "unknown-condition": (
        "rules:\n  - when: {sytem: judge}\n    reply: hi\n",
        "2:12: rules[1].when: unknown key 'sytem' (did you mean 'system'?)",
    ),
    "bad-regex": (
        "rules:\n  - when:\n      user: '(unclosed'\n    reply: hi\n",
        "3:13: rules[1].when.user is not a valid regular expression",
    ),
    "two-answers": (
        "rules:\n  - reply: hi\n  - reply: hi\n    verdict: {pass: true, reason: ok}\n",
        "3:5: rules[2] needs exactly one of reply, replies or verdict (has reply and verdict)",
    ),
    "no-answer": ("rules:\n  - name: nothing\n", "2:5: rules[1] needs exactly one of"),
    "verdict-not-boolean": (
        "rules:\n  - verdict: {pass: maybe, reason: x}\n",
        "2:21: rules[1].verdict.pass must be true or false",
    ),
    "verdict-without-reason": (
        "rules:\n  - verdict: {pass: true}\n",
        "2:14: rules[1].verdict needs `reason`",
    ),
    "duplicate-key": (
        "rules:\n  - reply: a\n    reply: b\n",
        "3:5: rules[1]: duplicate key 'reply'",
    ),
    "not-yaml": ("rules: [\n", "2:1: not valid YAML"),
    "no-rules": ("default: hi\n", "1:1: the LLM script needs `rules:`"),
    "rules-not-a-list": ("rules: {reply: hi}\n", "1:8: rules must be a list of rules"),
    "empty-replies": ("rules:\n  - replies: []\n", "2:14: rules[1].replies must be a non-empty"),
    "turn-not-a-number": (
        "rules:\n  - when: {turn: two}\n    reply: hi\n",
        "2:18: rules[1].when.turn must be a whole number",
    ),
    "unknown-top-key": ("rule: []\n", "1:1: the LLM script: unknown key 'rule' (did you mean"),
    "empty": ("", "the LLM script is empty"),
    "not-utf8": (b"rules: [\xff]\n", "the LLM script is not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_SCRIPTS))
def test_a_bad_script_is_one_line_and_exit_1(name: str, tmp_path: Path) -> None:
    text, expected = BAD_SCRIPTS[name]
    path = tmp_path / f"{name}.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(llmscript.ScriptError) as raised:
        llmscript.load(path)
    assert str(raised.value).startswith(str(path))
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_demo_script_loads() -> None:
    script = llmscript.load(ROOT / "examples" / "llm-script.yaml")
    assert script.default and all(rule.name for rule in script.rules)
