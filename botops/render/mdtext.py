"""External text inside Markdown that a forge renders (a pull-request comment, a report): one
function for every such string.

It is shown as written and does nothing else: control and invisible characters escaped
(`support.text.printable`), one line, cut to a width, no HTML (`<`, `>`, `&` as entities), no
`@mention` that pings someone (the `@` as an entity, which renders the same), nothing that
breaks a table cell (`|`, `\\`), and, unless `keep_specials`, no Markdown emphasis or link.
"""

from __future__ import annotations

import re

from botops.support.text import printable

_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")
_SPECIALS = re.compile(r"([`*_\[\]~])")
# A cell or a summary line longer than this is cut in the middle: one long name must not
# crowd every diff out of a comment of bounded size.
CELL_WIDTH = 200


def cut(text: str, width: int) -> str:
    """`text` cut in the middle to about `width` characters, saying how long it was."""
    if len(text) <= width:
        return text
    head, tail = text[: width * 2 // 3], text[-(width // 6) :]
    return f"{head}…{tail} ({len(text):,} characters)"


def inline(text: str, *, width: int = CELL_WIDTH, keep_specials: bool = False) -> str:
    """`text` as one line of Markdown (or HTML) that shows it as written."""
    text = cut(printable(" ".join(text.splitlines())), width)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MENTION.sub("&#64;", text)
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return text if keep_specials else _SPECIALS.sub(r"\\\1", text)


def html_inline(text: str, *, width: int = CELL_WIDTH) -> str:
    """`text` for inside an HTML element (`<summary>`): no Markdown escapes, which HTML would
    show as backslashes."""
    text = cut(printable(" ".join(text.splitlines())), width)
    text = (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    return _MENTION.sub("&#64;", text)
