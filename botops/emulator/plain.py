"""The one rule for data the emulator takes from outside: request bodies (the API's routes, bot
generation, chat completions) and fixture files. The same rule the CLI keeps for what it reads:

- JSON is UTF-8 text, parsed strictly: no `NaN`/`Infinity` (nor a number too large for a
  float, `1e400`), no key given twice in one object, no integer of more than `MAX_DIGITS`
  digits;
- the value is plain data: text without lone surrogates (`"\\ud800"` is valid JSON but no text,
  and nothing can store or send it), finite numbers, text keys, at most `MAX_DEPTH` levels deep.

What breaks it is a `NotPlain` whose message says what and where (`data.name`), in one line:
the routes answer it as a 400 in the API's error shape, `--fixtures` as one line at start-up.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

MAX_DEPTH = 64
"""Levels of nesting a body or fixture may have: the API's deepest object has four."""
MAX_DIGITS = 400
"""Digits an integer may have (Python refuses to read 4,300; the API's largest fit in 20)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class NotPlain(ValueError):
    """Data that is not plain JSON-able data, or text that is not JSON; `message` says why."""

    def __init__(self, message: str, position: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position  # line and column, for text that is not JSON

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (line {self.position[0]}, column {self.position[1]})"


def json_value(raw: bytes | str) -> Any:
    """The plain value of a JSON text (`raw` as bytes must be UTF-8), checked by `check`."""
    if isinstance(raw, bytes):
        raw = utf8(raw)
    try:
        value = json.loads(
            raw,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
            object_pairs_hook=_object,
        )
    except NotPlain:
        raise
    except json.JSONDecodeError as error:
        raise NotPlain(f"not valid JSON: {error.msg}", (error.lineno, error.colno)) from None
    except RecursionError:
        raise NotPlain(f"not valid JSON: nested deeper than {MAX_DEPTH} levels") from None
    check(value)
    return value


def utf8(data: bytes) -> str:
    """`data` as UTF-8 text, else `NotPlain` at the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[data.rfind(b"\n", 0, error.start) + 1 : error.start]) + 1
        byte = data[error.start]
        raise NotPlain(f"not UTF-8 text (byte 0x{byte:02x})", (line, column)) from None


def check(value: Any, *, dates: frozenset[str] = frozenset()) -> None:
    """`NotPlain` unless `value` is plain data (see the module); a YAML date or date-time may
    stand only under one of the keys `dates` names (fixtures turn those into the API's text)."""
    pending: list[tuple[Any, str, int, bool]] = [(value, "", 0, False)]
    while pending:
        item, where, depth, dated = pending.pop()
        if depth > MAX_DEPTH:
            raise NotPlain(f"{_at(where)}nested deeper than {MAX_DEPTH} levels")
        # Children are pushed last first: the first problem in the text is the one reported.
        if isinstance(item, dict):
            children = []
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise NotPlain(f"{_at(where)}the key {key!r} is not text; quote it")
                path = f"{where}.{_shown(key)}".lstrip(".")
                _text(key, f"{path} (its key)")
                children.append((inner, path, depth + 1, key in dates))
            pending.extend(reversed(children))
        elif isinstance(item, list):
            pending.extend(
                (item[index], f"{where}[{index}]", depth + 1, dated)
                for index in range(len(item) - 1, -1, -1)
            )
        elif isinstance(item, str):
            _text(item, where)
        elif isinstance(item, float) and not math.isfinite(item):
            raise NotPlain(f"{_at(where)}{item} is not a finite number")
        elif isinstance(item, date) and not dated:
            raise NotPlain(f"{_at(where)}a date where text is expected; quote it")
        elif not (item is None or isinstance(item, bool | int | float | date)):
            raise NotPlain(f"{_at(where)}{type(item).__name__} is not plain data")


def _text(text: str, where: str) -> None:
    found = _SURROGATE.search(text)
    if found is not None:
        code = ord(found.group())
        raise NotPlain(
            f"{_at(where)}holds a lone surrogate (\\u{code:04x}), which is not Unicode text"
        )


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate (a byte a decoder kept as it was) as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _shown(key: str) -> str:
    """A key as a path names it: lone surrogates escaped (a message must be text), cut short."""
    shown = _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", key)
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _at(where: str) -> str:
    shown = where if len(where) <= 60 else where[:60] + "…"
    return f"{shown}: " if shown else ""


def _constant(name: str) -> Any:
    raise NotPlain(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise NotPlain(f"an integer of {digits} digits (at most {MAX_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise NotPlain(f"{text[:20]} is too large for a number")
    return number


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotPlain(f"the key {key!r} is given twice in one object")
        result[key] = value
    return result
