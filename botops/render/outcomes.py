"""Outcomes per version: `botops history` and `botops analytics --by version` as text, JSON,
Markdown, and the sections they add to the HTML report (inline SVG, nothing loaded).

Pure functions over `History` and `VersionReport`; every figure comes from
`BotVersions.versions_json()`, so table, Markdown, HTML and JSON can't disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Any

from botops.analytics.by_version import BotVersions, History, VersionReport, history_json
from botops.analytics.fields import parse_time
from botops.kinds import conversing
from botops.render.conversations import clock
from botops.render.html import escape, svg_open
from botops.render.mdtext import inline
from botops.render.table import fit, table
from botops.support.text import json_text, printable

_ACCENT = "#4f6bed"
_LIGHT = "#c7d0f8"
_VERDICT_COLORS = {"better": "#1f9d6b", "worse": "#e5484d"}
FALLBACK_NOTE = "this server has no version history: the live version against everything before it"


# botops history


def render_history_json(history: History) -> str:
    # One line: `botops history ID --format json >> versions.jsonl` builds a JSON Lines file.
    return json_text(history_json(history)) + "\n"


def render_history_table(history: History) -> str:
    what = f"{history.name} ({history.resource_id})" if history.name else history.resource_id
    lines = [f"{history.kind} {what}: {_count(len(history.versions), 'version')}"]
    if not history.complete:
        lines[0] = f"{history.kind} {what}"
        lines.append(f"({FALLBACK_NOTE})")
    rows = [
        [v.version, _when(v.date_text), v.commit or "-", fit(v.description or "-", 72)]
        for v in reversed(history.versions)
    ]
    lines += ["", table(["VERSION", "DATE", "COMMIT", "DESCRIPTION"], rows, right=set())]
    # Names and descriptions come from the API: they must not drive the terminal.
    return printable("\n".join(lines)) + "\n"


# analytics --by version


def render_json(report: VersionReport) -> str:
    return json_text(report.to_json(), indent=2) + "\n"


def render_table(report: VersionReport) -> str:
    if not report.bots:
        return f"{_nothing()}\n"
    blocks = []
    for bot_id, bot in sorted(report.bots.items()):
        headers = ["VERSION", "LIVE SINCE", "COMMIT", "CONVERSATIONS", "RESOLVED", "95% INTERVAL"]
        headers += ["AVG DURATION", "VS PREVIOUS"]
        rows = [
            [
                v["version"],
                _when(v["date_created"]),
                v["commit"] or "-",
                f"{v['total']:,}",
                _rate(v),
                _interval(v),
                clock(v["avg_duration_seconds"]) if v["total"] else "-",
                _versus(v["vs_previous"]),
            ]
            for v in bot.versions_json()
        ]
        block = [_title(bot_id, bot)]
        if rows:
            block.append(table(headers, rows, right={3, 4, 6}))
        block += [f"({note})" for note in _notes(bot)]
        blocks.append("\n".join(block))
    return printable("\n\n".join(blocks)) + "\n"


def render_markdown(report: VersionReport) -> str:
    out = ["## Outcomes per version"]
    if not report.bots:
        return f"{out[0]}\n\n{_nothing()}\n"
    for bot_id, bot in sorted(report.bots.items()):
        out += ["", f"### {_md(_title(bot_id, bot))}", ""]
        versions = bot.versions_json()
        if versions:
            out.append(
                "| Version | Live since | Commit | Conversations | Resolved | 95% interval "
                "| Avg duration | vs previous |"
            )
            out.append("|---|---|---|--:|--:|---|--:|---|")
            for v in versions:
                cells = [
                    f"`{v['version']}`",
                    _when(v["date_created"]),
                    f"`{v['commit']}`" if v["commit"] else "-",
                    f"{v['total']:,}",
                    _rate(v),
                    _interval(v),
                    clock(v["avg_duration_seconds"]) if v["total"] else "-",
                    _versus(v["vs_previous"]),
                ]
                out.append("| " + " | ".join(_md(c) for c in cells) + " |")
        out += [f"\n_{_md(note)}._" for note in _notes(bot)]
    out += [
        "",
        "Each conversation counts for the version live when it started. Interval: 95% Wilson "
        "score; vs previous: two-sided two-proportion z-test at 5% (30 conversations a side at "
        "least).",
    ]
    return "\n".join(out) + "\n"


def _nothing() -> str:
    return f"No {conversing().prefix}s and no conversations to report on."


def _title(bot_id: str, bot: BotVersions) -> str:
    return f"{bot.name} ({bot_id})" if bot.name else bot_id


def _notes(bot: BotVersions) -> list[str]:
    notes = []
    if bot.history is not None and not bot.history.complete:
        notes.append(FALLBACK_NOTE)
    parts = []
    if bot.no_time:
        parts.append(f"{bot.no_time:,} without a start time")
    if bot.before_first:
        parts.append(f"{bot.before_first:,} before its first version")
    if bot.no_history:
        parts.append(f"{bot.no_history:,} of a bot whose versions are unknown")
    if parts:
        noun = "conversation" if bot.unattributed == 1 else "conversations"
        notes.append(f"{bot.unattributed:,} {noun} not attributed: {', '.join(parts)}")
    return notes


def _when(text: str | None) -> str:
    """`2026-03-18T10:15:00Z` → `2026-03-18 10:15`; anything else as it came."""
    if text is None:
        return "-"
    return text.replace("T", " ")[:16] if len(text) >= 16 and text[10:11] == "T" else text


def _rate(v: dict[str, Any]) -> str:
    return f"{100 * v['resolution_rate']:.1f}%" if v["total"] else "-"


def _interval(v: dict[str, Any]) -> str:
    if not v["total"]:
        return "-"
    low, high = v["resolution_ci"]
    return f"{100 * low:.1f}–{100 * high:.1f}%"


def _versus(versus: dict[str, Any] | None) -> str:
    if versus is None:
        return "-"
    verdict = str(versus["verdict"])
    delta, p_value = versus["resolution_rate_delta"], versus["p_value"]
    if delta is None:
        return verdict
    detail = f"{100 * delta:+.1f} pts"
    if p_value is not None:
        detail += f", p{_p(p_value)}"
    return f"{verdict} ({detail})"


def _p(value: float) -> str:
    return "<0.0001" if value < 0.0001 else "=" + (f"{value:.4f}".rstrip("0").rstrip(".") or "0")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _md(text: str) -> str:
    return inline(text, keep_specials=True)


# HTML: sections for render.analytics.render_html


def html_sections(report: VersionReport) -> list[str]:
    """Per bot: resolution rate per version with its interval, and the bot's conversations per
    day with the versions marked where they went live."""
    sections = []
    for bot_id, bot in sorted(report.bots.items()):
        versions = bot.versions_json()
        if not versions:
            continue
        notes = [escape(n) for n in _notes(bot)]
        notes.append(
            "Dots: resolution rate of the conversations that started while the version was "
            "live; whiskers: 95% Wilson interval."
        )
        content = _rate_chart(versions)
        if len(bot.by_day) >= 2:
            content += _timeline(bot, versions)
        sections.append(
            f'<section class="card wide"><h2>{escape(_title(bot_id, bot))}: resolution rate per '
            f'version</h2>{content}<div class="note">{"<br>".join(notes)}</div></section>'
        )
    return sections


def _rate_chart(versions: Sequence[dict[str, Any]]) -> str:
    width, height, left, right, top, bottom = 1040, 250, 48, 16, 16, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(versions)

    def y(rate: float) -> float:
        return top + plot_h * (1 - rate)

    parts = [svg_open(width, height)]
    for step in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(step):.1f}" y2="{y(step):.1f}" '
            f'class="grid"/><text x="{left - 6}" y="{y(step) + 4:.1f}" text-anchor="end" '
            f'class="axis">{100 * step:.0f}%</text>'
        )
    for index, v in enumerate(versions):
        x = left + slot * (index + 0.5)
        label = f"{v['version']}" + (f" · {v['commit']}" if v["commit"] else "")
        parts.append(
            f'<text x="{x:.1f}" y="{height - 34}" text-anchor="middle" class="lbl">'
            f"{escape(fit(label, 24))}</text>"
            f'<text x="{x:.1f}" y="{height - 18}" text-anchor="middle" class="axis">'
            f"{escape(_when(v['date_created']))} · {v['total']:,} calls</text>"
        )
        if not v["total"]:
            parts.append(
                f'<text x="{x:.1f}" y="{y(0.5):.1f}" text-anchor="middle" class="axis">'
                "no conversations</text>"
            )
            continue
        low, high = v["resolution_ci"]
        rate = v["resolution_rate"]
        versus = v["vs_previous"] or {}
        color = _VERDICT_COLORS.get(str(versus.get("verdict")), _ACCENT)
        tip = (
            f"{v['version']}: {100 * rate:.1f}% resolved of {v['total']:,} "
            f"(95% interval {100 * low:.1f}–{100 * high:.1f}%)"
            + (f"; vs previous: {_versus(versus)}" if versus else "")
        )
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(high):.1f}" y2="{y(low):.1f}" '
            f'stroke="{color}" stroke-width="2.5"/>'
            f'<line x1="{x - 9:.1f}" x2="{x + 9:.1f}" y1="{y(high):.1f}" y2="{y(high):.1f}" '
            f'stroke="{color}" stroke-width="2.5"/>'
            f'<line x1="{x - 9:.1f}" x2="{x + 9:.1f}" y1="{y(low):.1f}" y2="{y(low):.1f}" '
            f'stroke="{color}" stroke-width="2.5"/>'
            f'<circle cx="{x:.1f}" cy="{y(rate):.1f}" r="6.5" fill="{color}"/>'
            f'<text x="{x + 14:.1f}" y="{y(rate) + 4:.1f}" class="val">{100 * rate:.1f}%</text>'
        )
        if versus:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 2}" text-anchor="middle" class="axis" '
                f'fill="{color}">{escape(str(versus.get("verdict")))}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _timeline(bot: BotVersions, versions: Sequence[dict[str, Any]]) -> str:
    """Conversations per day (resolved darker), a dashed line where each version went live."""
    first, last = min(bot.by_day), max(bot.by_day)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    width, height, left, right, top, bottom = 1040, 190, 48, 16, 26, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max(bot.by_day.values())
    slot = plot_w / len(days)
    bar = max(1.0, slot * 0.75)
    parts = [svg_open(width, height)]
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        total, resolved = bot.by_day.get(day, 0), bot.resolved_by_day.get(day, 0)
        h_all, h_res = plot_h * total / biggest, plot_h * resolved / biggest
        parts.append(
            f"<g><title>{day.isoformat()}: {total:,} conversations, {resolved:,} resolved</title>"
            f'<rect x="{x:.1f}" y="{top + plot_h - h_all:.1f}" width="{bar:.1f}" '
            f'height="{h_all:.1f}" fill="{_LIGHT}"/><rect x="{x:.1f}" '
            f'y="{top + plot_h - h_res:.1f}" width="{bar:.1f}" height="{h_res:.1f}" '
            f'fill="{_ACCENT}"/></g>'
        )
    every = max(1, -(-len(days) // 12))
    for index in range(0, len(days), every):
        x = left + index * slot + slot / 2
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="axis">'
            f"{days[index].strftime('%d %b')}</text>"
        )
    marks = [(v, _day_position(v["date_created"], first)) for v in versions]
    # The version already live on the first day is marked at the left edge, with its date.
    earlier = [v for v, at in marks if at is not None and at < 0]
    shown: list[tuple[dict[str, Any], float | None]] = [
        (v, at) for v, at in marks if at is not None and 0 <= at <= len(days)
    ]
    if earlier:
        shown.insert(0, (earlier[-1], None))
    for v, at in shown:
        x = left + (at or 0) * slot
        label = (
            v["version"] if at is not None else f"{v['version']} (since {_when(v['date_created'])})"
        )
        parts.append(
            f"<g><title>{escape(v['version'])} live from {escape(_when(v['date_created']))}</title>"
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 8}" y2="{top + plot_h}" '
            f'stroke="#1d2433" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{x + 4:.1f}" y="{top - 12}" class="lbl strong">{escape(label)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    legend = (
        '<div class="legend"><span><i style="background:#c7d0f8"></i>Conversations per day</span>'
        '<span><i style="background:#4f6bed"></i>Resolved</span><span>'
        '<i style="background:#1d2433;height:2px"></i>A version goes live</span></div>'
    )
    return "".join(parts) + legend


def _day_position(text: str | None, first: date) -> float | None:
    """Where a moment falls on the day axis, in days from the first day's start (UTC)."""
    moment = parse_time(text)
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return (moment.date() - first).days + (moment.hour * 60 + moment.minute) / 1440
