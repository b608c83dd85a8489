"""What a voicebot and an assistant may hold: the field rules that the version bodies of the API
and the fixture files share, so that the emulator never stores what it would refuse to accept.

Each rule returns a problem (a phrase naming the field) or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

VERSION = re.compile(r"v([1-9][0-9]{0,8})")

BOT_FIELDS = ("name", "enable_greeting_interruption", "supported_languages")
ASSISTANT_FIELDS = ("instruction", "llm_config", "agents")


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

BOT_RULES: dict[str, Rule] = {
    "name": _name,
    "enable_greeting_interruption": _boolean,
    "supported_languages": _languages,
}
ASSISTANT_RULES: dict[str, Rule] = {
    "instruction": _string,
    "llm_config": _object,
    "agents": _agents,
}
BOOLEAN: Rule = _boolean
STRING: Rule = _string


def check_fields(
    values: dict[str, Any], rules: dict[str, Rule], *, prefix: str = "", what: str
) -> list[str]:
    """Every problem with `values`: unknown keys (listing the known ones) and wrong types."""
    problems = []
    for key, value in values.items():
        rule = rules.get(key)
        if rule is None:
            allowed = ", ".join(rules)
            problems.append(f"{prefix}{key} is not a field {what} accepts (allowed: {allowed})")
            continue
        problem = rule(f"{prefix}{key}", value)
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
