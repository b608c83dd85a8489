"""The one comparison of values botops makes: plan's diff and apply's read-back both use it.

Semantics, for JSON-like values (None, bool, int, float, str, list, dict):

- Types are strict: a boolean equals only a boolean (`True` is not `1`, `False` is not `0`),
  text never equals a number (`"1"` is not `1`), `None` equals only `None`.
- Numbers compare by value: `1` equals `1.0` (YAML writes `1`, the API may answer `1.0`).
- NaN equals nothing, not even NaN. No API value is NaN (JSON has none), so a NaN can only be
  a mistake; calling it "the same" would let a plan show no change where apply would send one.
- Lists compare item by item, in order; mappings key by key, with the same keys.

`carries` is the read-back's question: does the live value hold what was sent? Mappings may
carry extra keys (the server fills in defaults), lists must have the same items in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def same(a: Any, b: Any) -> bool:
    """Whether `a` and `b` are the same value as botops compares values (above)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    return bool(a == b)


def differs(a: Any, b: Any) -> bool:
    """Whether `a` and `b` differ: `not same(a, b)`."""
    return not same(a, b)


def carries(live: Any, sent: Any) -> bool:
    """Whether `live` holds `sent`: mappings key by key (`live` may have more keys), lists
    item by item (the same number, in order), everything else `same`."""
    if isinstance(sent, Mapping):
        return isinstance(live, Mapping) and all(
            carries(live.get(key), value) for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(live, list)
            and len(live) == len(sent)
            and all(carries(v, s) for v, s in zip(live, sent, strict=True))
        )
    return same(sent, live)
