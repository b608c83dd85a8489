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

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any


def text_or_none(value: Any) -> str | None:
    """`value` as text; None stays None (a missing field is not the text "None")."""
    return None if value is None else str(value)


# C0 and C1 controls (but tab and newline); soft hyphen; the Arabic letter mark; Mongolian
# vowel separator; zero-width space/non-joiner/joiner; LRM/RLM; line and paragraph separators;
# the bidi embeddings, overrides and isolates; word joiner and the invisible operators; the
# deprecated format characters; lone surrogates (which no output can encode); the byte
# order mark; interlinear annotations; the tag block; and the other default-ignorable code
# points (combining grapheme joiner, Hangul fillers, variation selectors, which can carry
# hidden bytes after an emoji). A test checks this covers every character `invisible` finds.
_HIDDEN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ud800-\udfff"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
HIDDEN = re.compile(f"[{_HIDDEN}]")


def printable(text: str) -> str:
    """`text` with every control and invisible character as its escape; tab and newline kept."""
    if text.isascii() and text.isprintable():
        return text  # nothing to escape: the usual case, and a plan's diff has many lines
    return HIDDEN.sub(_escaped, text)


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """Where `text` holds a character `printable` escapes (offset, escape), tab and newline
    aside."""
    return [(match.start(), _escaped(match)) for match in HIDDEN.finditer(text)]


def _escaped(match: re.Match[str]) -> str:
    return escape(match.group())


def escape(char: str) -> str:
    """One character as Python writes it escaped: `\\x1b`, `\\u200b`, `\\U000e0041`."""
    code = ord(char)
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


# ---------------------------------------------------------------------------- invisible

# What `invisible` finds, from the Unicode character database rather than a list of examples:
# the format characters (category Cf: zero-width characters, LRM/RLM, bidi embeddings,
# overrides and isolates, word joiner, the byte order mark, tag characters), line and paragraph
# separators (Zl, Zp), controls (Cc) but tab, line feed and carriage return, and the rest of
# Unicode's default-ignorable code points, which `unicodedata` has no property for: these
# tables are PropList.txt's Other_Default_Ignorable_Code_Point and Variation_Selector. Left
# out, as Unicode leaves them out of the default-ignorables: the prepended concatenation marks
# (Arabic number signs and the like, which show as signs over the digits that follow).
_OTHER_IGNORABLE = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x2065, 0x2065), (0x3164, 0x3164),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF),
)  # fmt: skip
_VARIATION_SELECTORS = ((0x180B, 0x180D), (0x180F, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_CONCATENATION_MARKS = frozenset(
    (*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD)
)
_KEPT_CONTROLS = frozenset("\t\n\r")
TAGS = (0xE0000, 0xE007F)
"""The Unicode tag characters: ASCII spelled invisibly ("ASCII smuggling")."""


@functools.cache
def invisible(char: str) -> bool:
    """Whether `char` shows as nothing (or moves what is around it) where text is read."""
    code = ord(char)
    if code < 0x80:
        return (code < 0x20 or code == 0x7F) and char not in _KEPT_CONTROLS
    category = unicodedata.category(char)
    if category in ("Cf", "Zl", "Zp", "Cc"):
        return code not in _CONCATENATION_MARKS
    return any(low <= code <= high for low, high in (*_OTHER_IGNORABLE, *_VARIATION_SELECTORS))


@dataclass(frozen=True)
class Invisible:
    """A run of invisible characters in a text: where it starts (1-based line and column, lines
    ended by LF, CRLF or CR as editors count them) and the characters."""

    line: int
    column: int
    chars: str

    def describe(self) -> str:
        """What the run is, in words: `U+200B (ZERO WIDTH SPACE)`, or for tag characters the
        text they spell."""
        spelled = self.spelled
        if spelled is not None:
            shown = spelled if len(spelled) <= 40 else spelled[:40] + "…"
            count = len(self.chars)
            return f"{count} Unicode tag characters (U+E0000-U+E007F) spelling {shown!r}"
        named = [_named(c) for c in self.chars[:3]]
        more = f", … ({len(self.chars)} in a row)" if len(self.chars) > 3 else ""
        return ", ".join(named) + more

    @property
    def spelled(self) -> str | None:
        """The ASCII text a run of two or more tag characters spells ("ASCII smuggling")."""
        codes = [ord(c) for c in self.chars]
        if len(codes) < 2 or not all(TAGS[0] + 0x20 <= code < TAGS[1] for code in codes):
            return None
        return "".join(chr(code - TAGS[0]) for code in codes)

    @property
    def codes(self) -> list[str]:
        """The distinct characters as `U+XXXX`, in order of appearance."""
        return list(dict.fromkeys(code_point(c) for c in self.chars))


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _named(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        name = "a control character" if unicodedata.category(char) == "Cc" else "unassigned"
    return f"{code_point(char)} ({name})"


def invisible_runs(text: str, allowed: frozenset[str] = frozenset()) -> list[Invisible]:
    """Every run of `invisible` characters in `text` but those `allowed` (characters), each with
    its position. Only the characters `text` holds are looked up (a prompt uses a few hundred
    distinct ones), so a long text is scanned once by a pattern of those alone."""
    found = {c for c in set(text) if c not in allowed and invisible(c)}
    if not found:
        return []
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(found)) + "]+")
    runs: list[Invisible] = []
    line, start, scanned = 1, 0, 0  # the line, where it starts, how far breaks were counted
    for match in pattern.finditer(text):
        for breaking in _LINE_BREAK.finditer(text, scanned, match.start()):
            line += 1
            start = breaking.end()
        scanned = match.end()
        runs.append(Invisible(line, match.start() - start + 1, match.group()))
    return runs


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
