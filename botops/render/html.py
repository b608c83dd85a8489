"""The pieces every HTML report shares: escaped text, an SVG chart's opening tag, a card, and
the page around them (inline CSS: the page loads nothing)."""

from __future__ import annotations

import html
from collections.abc import Sequence


def escape(text: object) -> str:
    """`text` as HTML text or attribute value."""
    return html.escape(str(text), quote=True)


def svg_open(width: float, height: float) -> str:
    """An inline chart `width` by `height` units that scales to its card's width."""
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'preserveAspectRatio="xMinYMin meet">'
    )


def page(title: str, css: str, body: Sequence[str]) -> str:
    """A whole HTML document: `title` (escaped here), `css` inline, `body` one line each."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
