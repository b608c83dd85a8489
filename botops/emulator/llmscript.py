"""`--llm-script FILE`: the rules by which `POST /v1/chat/completions` picks a reply. No language
model runs in the emulator; a script stands in for one, for demos and tests.

    # The judge of `botops test` asks with a system prompt of its own that names it a judge.
    rules:
      - name: judge, escalation offered          # optional; the X-Botops-Emulator-Rule header
        when:                                    # every condition given must hold
          system: '(?i)judge'                    # regex searched in the system prompt
          user: '(?i)supervisor'                 # regex searched in the last user message
        verdict: {pass: true, reason: The reply offers a supervisor.}
      - when: {user_contains: refund}
        reply: I can help with that refund. What is the order number?
    default: Sorry, could you say that again?

A request is read as its `model`, its system prompt (every `system` and `developer` message,
joined by a blank line), its last `user` message ("" when there is none) and its turn (how many
`user` messages it holds). Rules are tried in order and the first whose `when` holds answers;
a rule without `when` always holds. Conditions: `model`, `system`, `user` (Python regular
expressions, searched), `system_contains`, `user_contains` (case-insensitive text, or a list of
texts that must all appear), `turn` (an integer). A rule answers with one of `reply` (text),
`replies` (a list of texts, used in turn, then around again) or `verdict` (`{pass, reason}`,
answered as the JSON object a judge gives). Without `default`, an unmatched request is answered
with a line saying that no rule matched.

A simulated caller (`simulate:` in a test) says it is done by putting `[DONE]` in its reply, so a
caller's last line in a script is written like `reply: Thanks, that's all. [DONE]`.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from botops.errors import BotopsError

MAX_SCRIPT_BYTES = 4 * 1024 * 1024
DONE = "[DONE]"
TOP_KEYS = ("rules", "default")
RULE_KEYS = ("name", "when", "reply", "replies", "verdict")
REPLY_KEYS = ("reply", "replies", "verdict")
WHEN_KEYS = ("model", "system", "user", "system_contains", "user_contains", "turn")
VERDICT_KEYS = ("pass", "reason")


class ScriptError(BotopsError):
    """An LLM script file the emulator can't serve from: one line, `file:line:column: ...`."""


@dataclass(frozen=True)
class Asked:
    """What a rule looks at in a chat completion request."""

    model: str
    system: str
    user: str
    turn: int


@dataclass
class Rule:
    number: int  # 1-based, in file order
    name: str | None
    replies: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    contains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    turn: int | None = None
    _cycle: Iterator[str] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.number} ({self.name})" if self.name else str(self.number)

    def holds(self, asked: Asked) -> bool:
        for key, pattern in self.patterns.items():
            if not pattern.search(getattr(asked, key)):
                return False
        for key, texts in self.contains.items():
            seen = getattr(asked, key.removesuffix("_contains")).casefold()
            if not all(text.casefold() in seen for text in texts):
                return False
        return self.turn is None or self.turn == asked.turn

    def next_reply(self) -> str:
        if self._cycle is None:
            self._cycle = itertools.cycle(self.replies)
        return next(self._cycle)


@dataclass
class Script:
    path: Path
    rules: list[Rule]
    default: str | None

    def rewind(self) -> None:
        """Every rule's `replies` from the first again (a reset)."""
        for rule in self.rules:
            rule._cycle = None

    def answer(self, asked: Asked) -> tuple[str, str]:
        """The reply to `asked` and the label of the rule that gave it."""
        for rule in self.rules:
            if rule.holds(asked):
                return rule.next_reply(), rule.label
        if self.default is not None:
            return self.default, "default"
        return (
            f"(botops emulator: no rule in {self.path.name} matched this request, "
            "and the script has no default)",
            "none",
        )


def load(path: Path) -> Script:
    """The script in `path`; ScriptError names the file, line and column of the first problem."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_SCRIPT_BYTES + 1)
    except OSError as error:
        raise ScriptError(f"{path}: can't read the LLM script: {error.strerror or error}") from None
    if len(raw) > MAX_SCRIPT_BYTES:
        raise ScriptError(f"{path}: the LLM script is larger than {MAX_SCRIPT_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScriptError(f"{path}: the LLM script is not UTF-8 (byte {error.start + 1})") from None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ScriptError(f"{where}: not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ScriptError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None
    return _Reader(path).script(node)


class _Problem(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.constructor = yaml.constructor.SafeConstructor()

    def script(self, node: yaml.Node | None) -> Script:
        try:
            return self._script(node)
        except _Problem as problem:
            mark = problem.node.start_mark
            raise ScriptError(
                f"{self.path}:{mark.line + 1}:{mark.column + 1}: {problem.message}"
            ) from None

    def _script(self, node: yaml.Node | None) -> Script:
        if node is None:
            raise ScriptError(f"{self.path}: the LLM script is empty: it needs `rules:`")
        top = self._mapping(node, "the LLM script", TOP_KEYS)
        if "rules" not in top:
            raise _Problem(node, "the LLM script needs `rules:`, a list of rules")
        rules_node = top["rules"][1]
        if not isinstance(rules_node, yaml.SequenceNode):
            raise _Problem(rules_node, "rules must be a list of rules")
        rules = [self._rule(number, item) for number, item in enumerate(rules_node.value, start=1)]
        default = self._text(top["default"][1], "default") if "default" in top else None
        return Script(self.path, rules, default)

    def _rule(self, number: int, node: yaml.Node) -> Rule:
        what = f"rules[{number}]"
        found = self._mapping(node, what, RULE_KEYS)
        given = [key for key in REPLY_KEYS if key in found]
        if len(given) != 1:
            shown = " and ".join(given) if given else "none"
            raise _Problem(
                node, f"{what} needs exactly one of reply, replies or verdict (has {shown})"
            )
        value = found[given[0]][1]
        if given[0] == "reply":
            replies: tuple[str, ...] = (self._text(value, f"{what}.reply"),)
        elif given[0] == "replies":
            if not isinstance(value, yaml.SequenceNode) or not value.value:
                raise _Problem(value, f"{what}.replies must be a non-empty list of texts")
            replies = tuple(
                self._text(item, f"{what}.replies[{i}]") for i, item in enumerate(value.value, 1)
            )
        else:
            replies = (self._verdict(value, f"{what}.verdict"),)
        name = self._text(found["name"][1], f"{what}.name") if "name" in found else None
        rule = Rule(number, name, replies)
        if "when" in found:
            self._when(rule, found["when"][1], f"{what}.when")
        return rule

    def _when(self, rule: Rule, node: yaml.Node, what: str) -> None:
        for key, (_, value) in self._mapping(node, what, WHEN_KEYS).items():
            if key == "turn":
                number = self._scalar(value)
                if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                    raise _Problem(value, f"{what}.turn must be a whole number (0 or more)")
                rule.turn = number
            elif key.endswith("_contains"):
                if isinstance(value, yaml.SequenceNode):
                    texts = [self._text(item, f"{what}.{key}") for item in value.value]
                else:
                    texts = [self._text(value, f"{what}.{key}")]
                rule.contains[key] = tuple(texts)
            else:
                pattern = self._text(value, f"{what}.{key}")
                try:
                    rule.patterns[key] = re.compile(pattern)
                except re.error as error:
                    raise _Problem(
                        value, f"{what}.{key} is not a valid regular expression: {error}"
                    ) from None

    def _verdict(self, node: yaml.Node, what: str) -> str:
        found = self._mapping(node, what, VERDICT_KEYS)
        for key in VERDICT_KEYS:
            if key not in found:
                raise _Problem(node, f"{what} needs `{key}`")
        passed = self._scalar(found["pass"][1])
        if not isinstance(passed, bool):
            raise _Problem(found["pass"][1], f"{what}.pass must be true or false")
        reason = self._text(found["reason"][1], f"{what}.reason")
        return json.dumps({"pass": passed, "reason": reason}, ensure_ascii=False)

    def _mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise _Problem(node, f"{what} must be a mapping")
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node)
            if not isinstance(key, str):
                raise _Problem(key_node, f"{what}: keys must be text, not {key!r}")
            if key in found:
                raise _Problem(key_node, f"{what}: duplicate key {key!r}")
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise _Problem(
                    key_node,
                    f"{what}: unknown key {key!r}{hint}; allowed: {', '.join(allowed)}",
                )
            found[key] = (key_node, value_node)
        return found

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return node
        return self.constructor.construct_object(node, deep=True)

    def _text(self, node: yaml.Node, what: str) -> str:
        value = self._scalar(node)
        if isinstance(value, str):
            return value
        if isinstance(node, yaml.ScalarNode) and value is not None:
            # `reply: Yes` or `user_contains: 4411` mean the text as written, not True or 4411.
            return str(node.value)
        raise _Problem(node, f"{what} must be text")
