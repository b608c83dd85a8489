"""What a voicebot and an assistant may hold: one table of fields per kind (`BOT_TABLE`,
`ASSISTANT_TABLE`), from which the version bodies' checks, the fixture files' checks and
defaults, the store's answers and the OpenAPI document are all derived, so that the emulator
never stores what it would refuse to accept and a field it keeps is one line here.

Each rule returns a problem (a phrase naming the field) or None.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

VERSION = re.compile(r"v([1-9][0-9]{0,8})")


def version_number(value: Any) -> int | None:
    """`"v3"` → 3; anything else → None."""
    if not isinstance(value, str):
        return None
    found = VERSION.fullmatch(value)
    return int(found.group(1)) if found else None


def _name(field: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{field} must be a non-empty string"
    return None


def _boolean(field: str, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"{field} must be a boolean (true or false)"


def _string(field: str, value: Any) -> str | None:
    return None if isinstance(value, str) else f"{field} must be a string"


def _languages(field: str, value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        return f"{field} must be a list of language codes (non-empty strings)"
    return None


def _object(field: str, value: Any) -> str | None:
    return None if isinstance(value, dict) else f"{field} must be an object"


def _agents(field: str, value: Any) -> str | None:
    if not isinstance(value, list):
        return f"{field} must be a list of objects"
    for index, agent in enumerate(value):
        if not isinstance(agent, dict):
            return f"{field}[{index}] must be an object"
        if not isinstance(agent.get("role"), str) or not agent["role"]:
            return f"{field}[{index}].role must be a non-empty string"
        if "instruction" in agent and not isinstance(agent["instruction"], str):
            return f"{field}[{index}].instruction must be a string"
        if "llm_config" in agent and not isinstance(agent["llm_config"], dict):
            return f"{field}[{index}].llm_config must be an object"
    return None


Rule = Callable[[str, Any], str | None]


@dataclass(frozen=True)
class FieldRule:
    """One field of a kind as the emulator keeps it."""

    check: Rule  # what a version body or a fixture may hold
    schema: dict[str, Any]  # its JSON Schema in the OpenAPI document
    default: Any = None  # what a fixture (or a generated bot) that leaves it out holds
    listed: bool = False  # also in list items and a new version's answer, right after the id

    def value(self, given: dict[str, Any], key: str) -> Any:
        """`key` of a fixture item, else a fresh copy of the default."""
        return given[key] if key in given else copy.deepcopy(self.default)


_AGENT = {
    "type": "object",
    "required": ["role"],
    "properties": {"role": {"type": "string", "minLength": 1}, "instruction": {"type": "string"}},
}

# One table per kind: a field the emulator keeps is one line here.
BOT_TABLE: dict[str, FieldRule] = {
    "name": FieldRule(_name, {"type": "string", "pattern": r"\S"}, listed=True),
    "enable_greeting_interruption": FieldRule(_boolean, {"type": "boolean"}, default=True),
    "supported_languages": FieldRule(
        _languages, {"type": "array", "items": {"type": "string", "minLength": 1}}, default=["en"]
    ),
}
ASSISTANT_TABLE: dict[str, FieldRule] = {
    "instruction": FieldRule(_string, {"type": "string"}, default=""),
    "llm_config": FieldRule(_object, {"type": "object"}, default={}),
    "agents": FieldRule(_agents, {"type": "array", "items": _AGENT}, default=[]),
}

BOOLEAN: Rule = _boolean
STRING: Rule = _string


def defaults(table: dict[str, FieldRule], given: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every field of `table`: as `given` has it, else its default."""
    return {key: f.value(given or {}, key) for key, f in table.items()}


def check_fields(
    values: dict[str, Any], table: dict[str, FieldRule], *, prefix: str = "", what: str
) -> list[str]:
    """Every problem with `values` against a kind's `table`: unknown keys (listing the known
    ones) and wrong types."""
    problems = []
    for key, value in values.items():
        rule = table.get(key)
        if rule is None:
            allowed = ", ".join(table)
            problems.append(f"{prefix}{key} is not a field {what} accepts (allowed: {allowed})")
            continue
        problem = rule.check(f"{prefix}{key}", value)
        if problem:
            problems.append(problem)
    return problems


def timestamp(moment: datetime) -> str:
    """The one way dates are stored and shown, so that they also sort as strings."""
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # within hours of year 1 or 9999: as far as dates go
        return "0001-01-01T00:00:00Z" if moment.year == 1 else "9999-12-31T23:59:59Z"
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


def now() -> str:
    return timestamp(datetime.now(UTC))


def parse_date(value: str) -> tuple[datetime, bool] | None:
    """An ISO 8601 date or date-time (naive means UTC) and whether it was a bare date."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, len(text) == 10


def later(moment: datetime, **delta: float) -> datetime:
    """`moment` plus `delta`, or the last representable moment."""
    try:
        return moment + timedelta(**delta)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)
