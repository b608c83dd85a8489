"""Text helpers every layer shares: a value as text or None, and the one escaping function for
every external string botops shows.

A value read from the API, a forge, a plan file or a resource file must neither drive the
terminal (C0/C1 controls: ESC sequences, OSC 52, BEL) nor read as something it is not: the
bidirectional overrides and isolates (RLO, LRM) reorder what a reviewer reads, and the invisible
characters (zero-width space and joiners, word joiner, the byte order mark, the Unicode tag
characters of "ASCII smuggling") make `gpt\\u200b-4o` look like `gpt-4o`. Each is shown as its
escape (`\\x1b`, `\\u200b`, `\\U000e0041`), so what is shown is what is there.
"""

from __future__ import annotations

import json
import re
from typing import Any


def text_or_none(value: Any) -> str | None:
    """`value` as text; None stays None (a missing field is not the text "None")."""
    return None if value is None else str(value)


# C0 and C1 controls (but tab and newline); soft hyphen; the Arabic letter mark; Mongolian
# vowel separator; zero-width space/non-joiner/joiner; LRM/RLM; line and paragraph separators;
# the bidi embeddings, overrides and isolates; word joiner and the invisible operators; the
# deprecated format characters; lone surrogates (which no output can encode); the byte
# order mark; interlinear annotations; the tag block.
_HIDDEN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
)
HIDDEN = re.compile(f"[{_HIDDEN}]")


def printable(text: str) -> str:
    """`text` with every control and invisible character as its escape; tab and newline kept."""
    return HIDDEN.sub(_escaped, text)


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """Where `text` holds a character `printable` escapes (offset, escape), tab and newline
    aside: what `validate` reports."""
    return [(match.start(), _escaped(match)) for match in HIDDEN.finditer(text)]


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# What drives a terminal or reorders a line: C0 and C1 controls (but tab, newline and carriage
# return) and the bidi embeddings, overrides and isolates. Escaped in data formats whose cells
# are text for people and programs alike (CSV), where the joiners of Indic scripts must stay.
_DRIVING = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
DRIVING = re.compile(f"[{_DRIVING}]")


def terminal_safe(text: str) -> str:
    """`text` with what would drive a terminal or reorder a line escaped; all else kept."""
    return DRIVING.sub(_escaped, text)


def json_text(value: Any, *, indent: int | None = None, compact: bool = False) -> str:
    """`value` as JSON whose every character `printable` escapes is a `\\u` escape: the same
    JSON to a program, and nothing hidden or driving the terminal for a person reading it."""
    separators = (",", ":") if compact else None
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return HIDDEN.sub(_json_escaped, text)


def _json_escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
