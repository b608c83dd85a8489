"""The pieces every HTML report shares: escaped text, an SVG chart's opening tag, a card, and
the page around them (inline CSS: the page loads nothing)."""

from __future__ import annotations

import html


def escape(text: object) -> str:
    """`text` as HTML text or attribute value."""
    return html.escape(str(text), quote=True)


def svg_open(width: float, height: float) -> str:
    """An inline chart `width` by `height` units that scales to its card's width."""
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'preserveAspectRatio="xMinYMin meet">'
    )
