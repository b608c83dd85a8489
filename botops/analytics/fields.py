"""The flat fields of one conversation, read liberally: the call's metadata, its length and
start, and what its insights say (sentiment, outcome, intents). Pure; nothing here reads the
API."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any


def call_metadata(conversation: dict[str, Any]) -> dict[str, Any]:
    metadata = conversation.get("call_metadata")
    return metadata if isinstance(metadata, dict) else {}


def duration_seconds(conversation: dict[str, Any]) -> float | None:
    """The call's length in seconds: a finite, non-negative number (or numeric text); anything
    else (`"inf"`, `1e400`, `NaN`, `-5`, `"soon"`) is unknown."""
    value = call_metadata(conversation).get("duration_seconds")
    if value is None:
        value = conversation.get("duration_seconds")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: an int too large for a float
        return None
    # abs: `-0` is a duration of 0, not one shown as `-0`.
    return abs(number) if math.isfinite(number) and number >= 0 else None


def start_time(conversation: dict[str, Any]) -> datetime | None:
    """When the call started: `start_time`, else `date_created`, else `call_metadata.start_time`
    (the reference shows none of them; the emulator serves `start_time`). None when there is no
    readable time: such a conversation is never placed in time by a guess."""
    for value in (
        conversation.get("start_time"),
        conversation.get("date_created"),
        call_metadata(conversation).get("start_time"),
    ):
        moment = parse_time(value)
        if moment is not None:
            return moment
    return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time (or date) as an aware datetime; one without an offset is read as
    UTC, the zone the API writes its times in. Anything else is None, as is a time whose UTC
    moment falls outside the years 1 to 9999."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        # `9999-12-31T23:00-05:00` is a moment of the year 10000 in UTC, `0001-01-01T00:00+05:00`
        # one of the year 0: no datetime holds them, so nothing could place them in time.
        return None
    return moment


def insights_of(conversation: dict[str, Any]) -> dict[str, Any]:
    insights = conversation.get("insights")
    return insights if isinstance(insights, dict) else {}


def _label(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def sentiment(conversation: dict[str, Any]) -> str | None:
    value = _label(insights_of(conversation).get("sentiment"))
    return value.lower() if value else None


def outcome(conversation: dict[str, Any]) -> str | None:
    value = _label(insights_of(conversation).get("outcome"))
    return value.lower() if value else None


def intents(conversation: dict[str, Any]) -> list[str]:
    """`intent`, else the `intents` list (or comma-separated string); each once."""
    insights = insights_of(conversation)
    single = _label(insights.get("intent"))
    if single:
        return [single]
    many = insights.get("intents")
    if isinstance(many, str):
        many = many.split(",")
    if not isinstance(many, list):
        return []
    return list(dict.fromkeys(x for x in (_label(item) for item in many) if x))
