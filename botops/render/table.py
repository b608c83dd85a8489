"""Plain-text tables measured in display columns, so that Devanagari (whose vowel signs take
no column) and wide CJK characters line up in a terminal. Shared by every table botops prints.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from botops.support.text import printable


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: combining marks none, wide characters two."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns, with an ellipsis when it was cut."""
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for char in text:
        step = display_width(char)
        if used + step > width - 1:
            break
        out += char
        used += step
    return out + "…"


def pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    """An aligned plain-text table; columns in `right` are right-aligned."""
    # Cells hold what the API said: escape sequences and bidi controls are shown, not obeyed.
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = [
            pad(c, w, right=i in right) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
