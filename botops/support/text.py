"""Text helpers every layer shares: a value as text or None, and text made safe to show."""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (but tab and newline), and the bidirectional overrides and isolates,
# which make a terminal or a pull-request page show text in another order than it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text_or_none(value: Any) -> str | None:
    """`value` as text; None stays None (a missing field is not the text "None")."""
    return None if value is None else str(value)


def printable(text: str) -> str:
    """Control characters as `\\xNN`, bidi controls as `\\u202e`: a value read from the API
    must not drive the terminal, nor reorder what a reviewer reads."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
