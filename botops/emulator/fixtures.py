"""Fixture files: `{bots, assistants, conversations}` in YAML or JSON, items in the API's own field
names, checked item by item so that a mistake is reported as one line naming the file and item.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from botops.emulator import plain, rules
from botops.emulator.store import Assistant, Bot, Dataset, conversation_row
from botops.errors import BotopsError

DEMO = Path(__file__).parent / "data" / "demo.yaml"

BOT_KEYS = ("bot_id", "version", "date_created", "versions", *rules.BOT_TABLE)
VERSION_KEYS = ("version", "date_created", "version_description")
ASSISTANT_KEYS = (
    "assistant_id",
    "version",
    "stable_version",
    "date_created",
    *rules.ASSISTANT_TABLE,
)
# Fixtures may hold very old versions (v1000), but each earlier version is stored too.
MAX_VERSION = 10_000


class FixtureError(BotopsError):
    """A fixtures file that can't be loaded."""


def read(path: Path) -> Dataset:
    """The dataset in `path`; FixtureError says what is wrong, and where. The data is held to
    the rule of every input the emulator takes (`plain`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixtureError(f"{path}: can't read fixtures: {error.strerror or error}") from None
    try:
        if path.suffix.lower() == ".json":
            document = plain.json_value(data)
        else:
            document = yaml.load(plain.utf8(data), Loader=_Loader)
            plain.check(document, dates=DATED)
    except plain.NotPlain as error:
        where = f"{path}:{error.position[0]}:{error.position[1]}" if error.position else path
        raise FixtureError(f"{where}: {error.message}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise FixtureError(f"{where}: not valid YAML: {error.problem}") from None
    except (ValueError, yaml.YAMLError) as error:
        reason = " ".join(str(error).split())
        raise FixtureError(f"{path}: not valid YAML or JSON: {reason}") from None
    try:
        return dataset(document)
    except ValueError as error:
        raise FixtureError(f"{path}: {error}") from None


DATED = frozenset({"date_created", "start_time"})
"""The fields a YAML date may stand for (they become the API's text form)."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, a key given twice in one mapping refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a word, not a list or mapping", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def dataset(document: Any) -> Dataset:
    """Checks a parsed fixtures document; ValueError names the first bad item and field."""
    if document is None:
        return Dataset()
    if not isinstance(document, dict):
        raise ValueError("fixtures must be a mapping with bots, assistants and conversations")
    unknown = sorted(set(document) - {"bots", "assistants", "conversations"})
    if unknown:
        raise ValueError(f"unknown section {unknown[0]!r}: use bots, assistants, conversations")
    result = Dataset(
        bots=[_bot(f"bots[{i}]", item) for i, item in enumerate(_items(document, "bots"))],
        assistants=[
            _assistant(f"assistants[{i}]", item)
            for i, item in enumerate(_items(document, "assistants"))
        ],
        conversations=[
            _conversation(f"conversations[{i}]", item)
            for i, item in enumerate(_items(document, "conversations"))
        ],
    )
    _unique("bots", [b.bot_id for b in result.bots])
    _unique("assistants", [a.assistant_id for a in result.assistants])
    _unique("conversations", [row[0] for row in result.conversations])
    return result


def _items(document: dict[str, Any], section: str) -> list[dict[str, Any]]:
    items = document.get(section) or []
    if not isinstance(items, list):
        raise ValueError(f"{section} must be a list")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{section}[{index}] must be a mapping")
    return items


def _unique(section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for rid in ids:
        if rid in seen:
            raise ValueError(f"{section}: {rid} is defined twice")
        seen.add(rid)


def _bot(where: str, item: dict[str, Any]) -> Bot:
    _known_keys(where, item, BOT_KEYS)
    bot_id = _id(where, item, "bot_id")
    data = rules.defaults(rules.BOT_TABLE, item)
    _check(where, rules.check_fields(data, rules.BOT_TABLE, what="a voicebot"))
    version, created = _version(where, item, "version"), _date(where, item)
    return Bot(bot_id, version, data, created, _history(where, item, version, created))


def _history(
    where: str, item: dict[str, Any], latest: int, latest_date: str
) -> dict[int, tuple[str, str | None]]:
    """`versions: [{version, date_created, version_description}]`: what the version history
    shows for each (the latest's date is the bot's `date_created`); dates may not go back."""
    given = item.get("versions") or []
    if not isinstance(given, list):
        raise ValueError(f"{where}: versions must be a list")
    history: dict[int, tuple[str, str | None]] = {}
    for index, entry in enumerate(given):
        at = f"{where}.versions[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{at} must be a mapping")
        _known_keys(at, entry, VERSION_KEYS)
        number = _version(at, entry, "version")
        if number > latest or number in history:
            raise ValueError(
                f"{at}: version v{number} is not an earlier version, or is given twice"
            )
        description = entry.get("version_description")
        if description is not None and not isinstance(description, str):
            raise ValueError(f"{at}: version_description must be a string")
        created = latest_date if number == latest else _date(at, entry)
        history[number] = (created, description)
    # Stored dates are in one form that sorts as text.
    dates = [history[n][0] for n in sorted(history)] + [latest_date]
    if dates != sorted(dates):
        raise ValueError(f"{where}: versions' date_created must not go back in time")
    return history


def _assistant(where: str, item: dict[str, Any]) -> Assistant:
    _known_keys(where, item, ASSISTANT_KEYS)
    assistant_id = _id(where, item, "assistant_id")
    data = rules.defaults(rules.ASSISTANT_TABLE, item)
    _check(where, rules.check_fields(data, rules.ASSISTANT_TABLE, what="an assistant"))
    version = _version(where, item, "version")
    stable = None
    if item.get("stable_version") is not None:
        stable = _version(where, item, "stable_version")
        if stable > version:
            raise ValueError(f"{where}: stable_version is newer than version")
    return Assistant(assistant_id, version, stable, data, _date(where, item))


def _conversation(where: str, item: dict[str, Any]) -> Any:
    _id(where, item, "conversation_id")
    _id(where, item, "bot_id")
    kinds = {"call_metadata": dict, "transcript": list, "insights": dict}
    for key, kind in kinds.items():
        if item.get(key) is not None and not isinstance(item[key], kind):
            what = "a mapping" if kind is dict else "a list"
            raise ValueError(f"{where}: {key} must be {what}")
    start = item.get("start_time")
    if isinstance(start, date):
        item = {**item, "start_time": _timestamp(start)}
    elif start is not None and not isinstance(start, str):
        raise ValueError(f"{where}: start_time must be an ISO 8601 date-time")
    return conversation_row(item)


def _known_keys(where: str, item: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in item:
        if key not in keys:
            raise ValueError(f"{where}: unknown field {key!r} (known: {', '.join(keys)})")


def _id(where: str, item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError(f"{where}: {key} must be a non-empty string without '/'")
    return value


def _check(where: str, problems: list[str]) -> None:
    if problems:
        raise ValueError(f"{where}: {problems[0]}")


def _version(where: str, item: dict[str, Any], key: str) -> int:
    value = item.get(key, "v1")
    number = rules.version_number(value)
    if number is None or number > MAX_VERSION:
        raise ValueError(f"{where}: {key} must look like v1, v2, ... (up to v{MAX_VERSION})")
    return number


def _date(where: str, item: dict[str, Any]) -> str:
    value = item.get("date_created")
    if value is None:
        return rules.now()
    if isinstance(value, date):
        return _timestamp(value)
    parsed = rules.parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"{where}: date_created must be an ISO 8601 date-time")
    return rules.timestamp(parsed[0])


def _timestamp(value: date) -> str:
    """YAML reads unquoted dates as dates; they go back to the API's text form."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return rules.timestamp(value)
