"""`support.text`: what counts as invisible (from Unicode's categories and default-ignorable
code points), where a run of them is, and that the one escaping function shows every one."""

from __future__ import annotations

import unicodedata

import pytest

from botops.support.text import HIDDEN, Invisible, invisible, invisible_runs, printable

# Every plane that has format characters or default-ignorables (the others hold letters,
# symbols and private use only).
PLANES = (*range(0x20000), *range(0xE0000, 0xE1000))


def test_every_format_character_and_separator_is_invisible() -> None:
    missed = [
        f"U+{code:04X}"
        for code in PLANES
        if unicodedata.category(chr(code)) in ("Cf", "Zl", "Zp") and not invisible(chr(code))
    ]
    # Only the prepended concatenation marks, which show as signs over the digits after them.
    assert missed == [
        "U+0600", "U+0601", "U+0602", "U+0603", "U+0604", "U+0605", "U+06DD", "U+070F",
        "U+0890", "U+0891", "U+08E2", "U+110BD", "U+110CD",
    ]  # fmt: skip


def test_printable_escapes_every_invisible_character() -> None:
    unescaped = [
        f"U+{code:04X}" for code in PLANES if invisible(chr(code)) and not HIDDEN.match(chr(code))
    ]
    assert unescaped == []


@pytest.mark.parametrize("text", ["plain ASCII", "नमस्ते, मैं आपकी मदद करूँगी", "tab\tand\r\nlines\n"])
def test_ordinary_text_has_nothing_invisible(text: str) -> None:
    assert invisible_runs(text) == []
    assert printable(text) == text.replace("\r", "\\x0d")  # a lone CR moves the cursor


def test_runs_are_found_at_their_line_and_column_as_editors_count_them() -> None:
    text = "a\u200bb\r\nc\rd\u2060\u2060e\n\n  \ufeff"
    assert invisible_runs(text) == [
        Invisible(1, 2, "\u200b"),
        Invisible(3, 2, "\u2060\u2060"),
        Invisible(5, 3, "\ufeff"),
    ]
    assert invisible_runs(text, frozenset("\u2060")) == [
        Invisible(1, 2, "\u200b"),
        Invisible(5, 3, "\ufeff"),
    ]


def test_tag_characters_say_what_they_spell() -> None:
    [run] = invisible_runs("x" + "".join(chr(0xE0000 + ord(c)) for c in "obey me") + "y")
    assert run.spelled == "obey me"
    assert run.describe() == "7 Unicode tag characters (U+E0000-U+E007F) spelling 'obey me'"
    assert run.codes[0] == "U+E006F"
