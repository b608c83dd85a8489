"""Analytics reports: JSON (the contracted shape), a terminal table, Markdown, and one
self-contained HTML page with inline CSS and inline SVG charts (nothing loaded from anywhere).

Pure functions `Report -> str`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from botops.analytics.summary import DURATION_BUCKETS, UNKNOWN, Report, Stats, ranked
from botops.render.conversations import clock
from botops.render.html import escape, page, svg_open
from botops.render.mdtext import inline
from botops.render.plan_text import counted
from botops.render.table import fit, table
from botops.support.text import json_text

TOP_INTENTS = 10
_BAR = "█"
_PARTIAL = " ▏▎▍▌▋▊▉"

_OUTCOME_COLORS = {
    "resolved": "#1f9d6b",
    "escalated": "#e8a317",
    "transferred": "#3b82f6",
    "callback": "#8b5cf6",
    "unresolved": "#e5484d",
    "abandoned": "#e5484d",
    "failed": "#e5484d",
    "dropped": "#e5484d",
    UNKNOWN: "#b8c0cc",
}
_OUTCOME_HINTS = (
    (("unresolv", "abandon", "fail", "drop", "hang"), "#e5484d"),
    (("resolv", "success", "complet", "paid"), "#1f9d6b"),
    (("escalat", "transfer", "agent", "handoff"), "#e8a317"),
    (("callback", "later", "schedul", "follow"), "#8b5cf6"),
)
_SENTIMENT_COLORS = {
    "positive": "#1f9d6b",
    "neutral": "#9aa6b8",
    "negative": "#e5484d",
    "mixed": "#e8a317",
    UNKNOWN: "#d5dae1",
}
_SENTIMENT_ORDER = ("positive", "neutral", "mixed", "negative")
_PALETTE = ("#4f6bed", "#14b8a6", "#f97316", "#8b5cf6", "#ec4899", "#0ea5e9", "#84cc16", "#64748b")
_ACCENT = "#4f6bed"
_LIGHT_ACCENT = "#c7d0f8"


# JSON


def render(report: Report, output_format: str, *, source: str = "") -> str:
    """The report as `output_format` (table, json, markdown or html); `source` names the
    account and API in the html page."""
    if output_format == "json":
        return render_json(report)
    if output_format == "markdown":
        return render_markdown(report)
    if output_format == "html":
        return render_html(report, source=source)
    return render_table(report)


def render_json(report: Report) -> str:
    return json_text(report.to_json(), indent=2) + "\n"


# Shared helpers


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


def _count(value: int) -> str:
    return f"{value:,}"


def _bot_label(report: Report, bot_id: str) -> str:
    name = report.bot_names.get(bot_id)
    return f"{name} ({bot_id})" if name else bot_id


def _headline(stats: Stats) -> str:
    return (
        f"{_count(stats.total)} conversations · resolution rate "
        f"{100 * stats.resolution_rate:.1f}% · average duration "
        f"{clock(stats.avg_duration_seconds)}"
    )


def _sentiments(counts: Counter[str]) -> list[str]:
    """Known sentiments in their natural order, then any others, then `unknown`."""
    others = sorted(k for k in counts if k not in _SENTIMENT_ORDER and k != UNKNOWN)
    tail = [UNKNOWN] if counts.get(UNKNOWN) else []
    return [k for k in _SENTIMENT_ORDER if counts.get(k)] + others + tail


def _breakdowns(stats: Stats) -> list[tuple[str, dict[str, int]]]:
    """Outcomes (most first), sentiments (in their order) and the top intents, each titled."""
    return [
        ("Outcome", ranked(stats.by_outcome)),
        ("Sentiment", {k: stats.by_sentiment[k] for k in _sentiments(stats.by_sentiment)}),
        ("Intent", dict(list(ranked(stats.by_intent).items())[:TOP_INTENTS])),
    ]


def _largest_first(report: Report) -> list[str]:
    """The bots' ids, most conversations first, then by id."""
    return sorted(report.bots, key=lambda b: (-report.bots[b].total, b))


# Terminal table


def render_table(report: Report, *, width: int = 100) -> str:
    """A summary for a terminal: headline, outcome/sentiment/intent shares with bars, and one
    row per bot."""
    stats = report.overall
    lines = [_headline(stats)]
    if report.bot_filter:
        lines[0] += f" · bot {_bot_label(report, report.bot_filter)}"
    if not stats.total:
        return lines[0] + "\n"
    bar_width = max(10, min(40, width - 46))
    for title, counts in _breakdowns(stats):
        if not counts:
            continue
        biggest = max(counts.values())
        rows = [
            [fit(key, 28), _count(n), percent(n, stats.total), _text_bar(n / biggest, bar_width)]
            for key, n in counts.items()
        ]
        lines += ["", table([title.upper(), "COUNT", "SHARE", ""], rows, right={1, 2})]
    if len(stats.by_intent) > TOP_INTENTS:
        lines.append(f"(top {TOP_INTENTS} of {len(stats.by_intent)} intents)")
    headers, rows, numbers = _bot_rows(report, width=28)
    lines += ["", table(headers, rows, right=numbers)]
    return "\n".join(lines) + "\n"


def _text_bar(fraction: float, width: int) -> str:
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return _BAR * full + (_PARTIAL[rest] if rest else "")


def _bot_rows(report: Report, *, width: int) -> tuple[list[str], list[list[str]], set[int]]:
    """Per-bot rows (largest first), and which columns hold numbers."""
    named = bool(report.bot_names)
    headers = ["BOT", *(["NAME"] if named else []), "CONVERSATIONS", "RESOLVED", "AVG DURATION"]
    headers += ["POSITIVE", "NEGATIVE", "TOP INTENT"]
    rows = []
    for bot_id in _largest_first(report):
        stats = report.bots[bot_id]
        top = ranked(stats.by_intent)
        name = [fit(report.bot_names.get(bot_id, "-"), width)] if named else []
        rows.append(
            [
                bot_id,
                *name,
                _count(stats.total),
                f"{100 * stats.resolution_rate:.1f}%",
                clock(stats.avg_duration_seconds),
                percent(stats.by_sentiment["positive"], stats.total),
                percent(stats.by_sentiment["negative"], stats.total),
                fit(next(iter(top), "-"), width),
            ]
        )
    first = 2 if named else 1
    return headers, rows, set(range(first, first + 5))


# Markdown


def render_markdown(report: Report) -> str:
    stats = report.overall
    title = "## Conversation analytics"
    if report.bot_filter:
        title += f": {_md(_bot_label(report, report.bot_filter))}"
    out = [title, ""]
    out.append(
        f"**{_count(stats.total)}** conversations · resolution rate "
        f"**{100 * stats.resolution_rate:.1f} %** · average duration "
        f"**{clock(stats.avg_duration_seconds)}**"
    )
    if not stats.total:
        return "\n".join(out) + "\n"
    for title, counts in _breakdowns(stats):
        if not counts:
            continue
        out += ["", f"| {title} | Count | Share |", "|---|--:|--:|"]
        out += [
            f"| {_md(k)} | {_count(n)} | {percent(n, stats.total)} |" for k, n in counts.items()
        ]
    headers, rows, numbers = _bot_rows(report, width=60)
    out += ["", "### Per bot", ""]
    out.append("| " + " | ".join(h.capitalize() for h in headers) + " |")
    out.append("|" + "".join("--:|" if i in numbers else "---|" for i in range(len(headers))))
    out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """A table cell (`render.mdtext.inline`); unlike a plan in a pull-request comment, the
    report keeps ids like `bot_gamma` as written, greppable."""
    return inline(text, keep_specials=True)


# HTML


def render_html(
    report: Report,
    *,
    source: str = "",
    generated: datetime | None = None,
    sections: Sequence[str] = (),
) -> str:
    """One page, self-contained: inline CSS and SVG, no scripts, fonts or images to load.
    `sections` are more cards (`analytics --by version`'s), shown before the per-bot table."""
    generated = generated or datetime.now(UTC)
    scope = _bot_label(report, report.bot_filter) if report.bot_filter else "all bots"
    subtitle = " · ".join(
        part
        for part in (scope, source, f"generated {generated.strftime('%Y-%m-%d %H:%M UTC')}")
        if part
    )
    body = [
        "<header>",
        "<h1>Conversation analytics</h1>",
        f'<p class="sub">{escape(subtitle)}</p>',
        "</header>",
        _kpis(report),
        *(_cards(report, sections) if report.overall.total else [_NOTHING]),
        _FOOTER,
    ]
    return page(f"Conversation analytics · {scope}", _CSS, body)


_NOTHING = '<p class="empty">No conversations to report on.</p>'
_FOOTER = (
    "<footer>Resolution rate: conversations whose outcome is <i>resolved</i> out of all "
    "conversations. Average duration: over the conversations that report one. A conversation "
    "may carry several intents; each counts once. Made by <code>botops analytics</code>."
    "</footer>"
)


def _cards(report: Report, sections: Sequence[str]) -> list[str]:
    """The grid of charts: outcomes, durations, sentiment, intents, the timeline (over two
    days or more), `sections`, and the table per bot."""
    stats = report.overall
    cards = [
        _card("Outcomes", _outcome_chart(stats), "How conversations ended."),
        _card(
            "Call duration",
            _duration_chart(stats),
            f"{_count(stats.with_duration)} conversations reported a duration; "
            f"average {clock(stats.avg_duration_seconds)}.",
        ),
        _card("Sentiment by bot", _sentiment_chart(report), _sentiment_legend(report), wide=True),
        _card("Top intents", _intent_chart(stats), _intent_note(stats), wide=True),
    ]
    if len(report.by_day) >= 2:
        unit, periods = _timeline(report)
        cards.append(
            _card(
                f"Conversations per {unit}",
                _timeline_chart(unit, periods),
                _legend([("All", _LIGHT_ACCENT), ("Resolved", _ACCENT)]),
                wide=True,
            )
        )
    cards.extend(sections)
    cards.append(_card("Per bot", _bot_table(report), "", wide=True))
    return ['<div class="grid">', *cards, "</div>"]


def _card(title: str, content: str, note: str, *, wide: bool = False) -> str:
    css = "card wide" if wide else "card"
    foot = f'<div class="note">{note}</div>' if note else ""
    return f'<section class="{css}"><h2>{escape(title)}</h2>{content}{foot}</section>'


def _kpis(report: Report) -> str:
    stats = report.overall
    negative = stats.by_sentiment.get("negative", 0)
    cards = [
        ("Conversations", _count(stats.total), "across " + counted(len(report.bots), "bot")),
        (
            "Resolution rate",
            f"{100 * stats.resolution_rate:.1f}%",
            f"{_count(stats.resolved)} resolved",
        ),
        ("Average duration", clock(stats.avg_duration_seconds), "minutes:seconds"),
        (
            "Negative sentiment",
            percent(negative, stats.total),
            f"{negative:,} calls",
        ),
    ]
    items = []
    for index, (label, value, note) in enumerate(cards):
        meter = ""
        if index == 1:
            filled = max(0.0, min(1.0, stats.resolution_rate)) * 100
            meter = f'<div class="meter"><span style="width:{filled:.1f}%"></span></div>'
        items.append(
            f'<div class="kpi"><div class="label">{escape(label)}</div>'
            f'<div class="value">{escape(value)}</div>{meter}'
            f'<div class="hint">{escape(note)}</div></div>'
        )
    return '<section class="kpis">' + "".join(items) + "</section>"


def _outcome_color(key: str, index: int) -> str:
    """Green for resolved, red for lost, amber for handed on, and so on, whatever the exact
    words a server uses (`callback_scheduled`, `transferred_to_agent`, ...)."""
    if key in _OUTCOME_COLORS:
        return _OUTCOME_COLORS[key]
    for words, color in _OUTCOME_HINTS:
        if any(word in key for word in words):
            return color
    return _PALETTE[index % len(_PALETTE)]


def _color(key: str, known: dict[str, str], index: int) -> str:
    return known.get(key, _PALETTE[index % len(_PALETTE)])


def _hbars(
    items: Sequence[tuple[str, int, str]], total: int, *, width: int = 520, label_width: int = 150
) -> str:
    """Horizontal bars, one row per item: label, bar scaled to the largest, count and share."""
    if not items:
        return '<p class="empty">None.</p>'
    # Few rows get taller bars, so that a short chart still fills its card.
    row, gap = max(30, min(40, 200 // len(items))), 10
    height = len(items) * (row + gap)
    value_width = 96
    space = width - label_width - value_width
    biggest = max(n for _, n, _ in items) or 1
    parts = [svg_open(width, height)]
    for index, (label, value, color) in enumerate(items):
        y = index * (row + gap)
        length = max(2.0, space * value / biggest)
        parts.append(
            f"<g><title>{escape(label)}: {value:,} ({percent(value, total)})</title>"
            f'<text x="{label_width - 10}" y="{y + row / 2 + 5}" text-anchor="end" '
            f'class="lbl">{escape(fit(label, 22))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{row}" rx="5" '
            f'fill="{color}"/>'
            f'<text x="{label_width + length + 8:.1f}" y="{y + row / 2 + 5}" class="val">'
            f'{value:,} <tspan class="dim">{percent(value, total)}</tspan></text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _outcome_chart(stats: Stats) -> str:
    counts = ranked(stats.by_outcome)
    items = [(key, n, _outcome_color(key, i)) for i, (key, n) in enumerate(counts.items())]
    return _hbars(items, stats.total)


def _intent_chart(stats: Stats) -> str:
    top = list(ranked(stats.by_intent).items())[:TOP_INTENTS]
    items = [(key, n, _ACCENT) for key, n in top]
    return _hbars(items, stats.total, width=1040, label_width=230)


def _intent_note(stats: Stats) -> str:
    if not stats.by_intent:
        return "No conversation reported an intent."
    shown = min(TOP_INTENTS, len(stats.by_intent))
    return (
        f"The {shown} most frequent of {len(stats.by_intent)} intents; shares are of all "
        "conversations."
    )


def _duration_chart(stats: Stats) -> str:
    width, height = 520, 236
    left, bottom, top = 36, 34, 22
    plot_h = height - bottom - top
    counts = stats.durations
    biggest = max(counts) or 1
    slot = (width - left) / len(counts)
    bar = slot * 0.7
    parts = [svg_open(width, height)]
    parts += _grid(biggest, left, width, top, plot_h)
    for index, ((label, _), count) in enumerate(zip(DURATION_BUCKETS, counts, strict=True)):
        x = left + index * slot + (slot - bar) / 2
        h = plot_h * count / biggest
        y = top + plot_h - h
        parts.append(
            f"<g><title>{escape(label)}: {count:,}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0.5):.1f}" rx="4" '
            f'fill="{_ACCENT}"/>'
            f'<text x="{x + bar / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" class="val">'
            f"{count:,}</text>"
            f'<text x="{x + bar / 2:.1f}" y="{height - 12}" text-anchor="middle" class="axis">'
            f"{escape(label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _grid(biggest: int, left: float, width: float, top: float, plot_h: float) -> list[str]:
    """A bar chart's horizontal grid lines, each labelled with its count on the left."""
    lines = []
    for step in _ticks(biggest):
        y = top + plot_h - plot_h * step / biggest
        lines.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{step:,}</text>'
        )
    return lines


def _ticks(biggest: int) -> list[int]:
    """Three to five round gridline values up to `biggest`."""
    if biggest <= 0:
        return []
    raw = biggest / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = max(1, int(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)))
    return list(range(step, biggest + 1, step))


def _sentiment_chart(report: Report) -> str:
    rows: list[tuple[str, Stats]] = []
    if len(report.bots) > 1:
        rows.append(("All bots", report.overall))
    rows += [(report.bot_names.get(b, b), report.bots[b]) for b in _largest_first(report)]
    width, label_width, row, gap = 1040, 260, 30, 10
    space = width - label_width - 70
    height = len(rows) * (row + gap)
    parts = [svg_open(width, height)]
    for index, (label, stats) in enumerate(rows):
        y = index * (row + gap)
        parts.append(
            f'<text x="{label_width - 12}" y="{y + row / 2 + 5}" text-anchor="end" '
            f'class="lbl{" strong" if label == "All bots" else ""}">{escape(fit(label, 30))}</text>'
        )
        x = float(label_width)
        for key, count, color in _sentiment_parts(stats):
            share = count / stats.total if stats.total else 0
            w = space * share
            parts.append(
                f"<g><title>{escape(label)}: {escape(key)} {count:,} "
                f"({percent(count, stats.total)})"
                f'</title><rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row}" '
                f'fill="{color}"/>'
            )
            if w > 44:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + row / 2 + 5}" text-anchor="middle" '
                    f'class="in">{100 * share:.0f}%</text>'
                )
            parts.append("</g>")
            x += w
        parts.append(
            f'<text x="{label_width + space + 10}" y="{y + row / 2 + 5}" class="val dim">'
            f"{stats.total:,}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _sentiment_parts(stats: Stats) -> list[tuple[str, int, str]]:
    """Each sentiment in its order with its count and colour, for the bars and the legend."""
    keys = _sentiments(stats.by_sentiment)
    return [
        (k, stats.by_sentiment[k], _color(k, _SENTIMENT_COLORS, i + 3)) for i, k in enumerate(keys)
    ]


def _sentiment_legend(report: Report) -> str:
    return _legend([(key, color) for key, _, color in _sentiment_parts(report.overall)])


def _legend(entries: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<span><i style="background:{color}"></i>{escape(label)}</span>'
        for label, color in entries
    )
    return f'<div class="legend">{items}</div>'


def _timeline(report: Report) -> tuple[str, list[tuple[date, int, int]]]:
    """Conversations and resolved ones per day, or per week or month over a long span, with
    empty periods included so that gaps show as gaps."""
    first, last = min(report.by_day), max(report.by_day)
    span = (last - first).days + 1
    unit = "day" if span <= 62 else "week" if span <= 7 * 60 else "month"

    def period(day: date) -> date:
        if unit == "week":
            return day - timedelta(days=day.weekday())
        return day.replace(day=1) if unit == "month" else day

    counts: Counter[date] = Counter()
    resolved: Counter[date] = Counter()
    for day, n in report.by_day.items():
        counts[period(day)] += n
        resolved[period(day)] += report.resolved_by_day.get(day, 0)
    periods, current = [], period(first)
    while current <= last:
        periods.append((current, counts[current], resolved[current]))
        if unit == "month":
            current = (current + timedelta(days=32)).replace(day=1)
        else:
            current += timedelta(days=7 if unit == "week" else 1)
    return unit, periods


def _timeline_chart(unit: str, periods: Sequence[tuple[date, int, int]]) -> str:
    width, height, left, bottom, top = 1040, 220, 44, 30, 14
    plot_h = height - bottom - top
    biggest = max(n for _, n, _ in periods) or 1
    slot = (width - left) / len(periods)
    bar = max(1.0, slot * 0.75)
    parts = [svg_open(width, height)]
    parts += _grid(biggest, left, width, top, plot_h)
    every = max(1, math.ceil(len(periods) / 12))
    label = "%b %Y" if unit == "month" else "%d %b"
    for index, (start, count, resolved) in enumerate(periods):
        x = left + index * slot + (slot - bar) / 2
        h_all, h_res = plot_h * count / biggest, plot_h * resolved / biggest
        what = f"{unit} of {start.isoformat()}" if unit != "day" else start.isoformat()
        parts.append(
            f"<g><title>{what}: {count:,} conversations, {resolved:,} resolved</title>"
            f'<rect x="{x:.1f}" y="{top + plot_h - h_all:.1f}" width="{bar:.1f}" '
            f'height="{h_all:.1f}" fill="{_LIGHT_ACCENT}"/>'
            f'<rect x="{x:.1f}" y="{top + plot_h - h_res:.1f}" width="{bar:.1f}" '
            f'height="{h_res:.1f}" fill="{_ACCENT}"/></g>'
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                f'class="axis">{start.strftime(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _bot_table(report: Report) -> str:
    head = (
        "<tr><th>Bot</th><th class=num>Conversations</th><th>Resolution rate</th>"
        "<th class=num>Avg duration</th><th>Sentiment</th><th>Top outcome</th>"
        "<th>Top intent</th></tr>"
    )
    rows = []
    for bot_id in _largest_first(report):
        stats = report.bots[bot_id]
        name = report.bot_names.get(bot_id)
        label = f"{escape(name)}<div class=id>{escape(bot_id)}</div>" if name else escape(bot_id)
        rate = 100 * stats.resolution_rate
        outcome = next(iter(ranked(stats.by_outcome)), "-")
        intent = next(iter(ranked(stats.by_intent)), "-")
        rows.append(
            f"<tr><td>{label}</td><td class=num>{stats.total:,}</td>"
            f'<td><div class="rate"><div class="meter small"><span style="width:{rate:.1f}%">'
            f"</span></div>{rate:.1f}%</div></td>"
            f"<td class=num>{clock(stats.avg_duration_seconds)}</td>"
            f"<td>{_mini_sentiment(stats)}</td><td>{escape(outcome)}</td><td>{escape(intent)}</td></tr>"
        )
    return f'<table class="bots"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _mini_sentiment(stats: Stats) -> str:
    width, height = 140, 12
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    x = 0.0
    tips = []
    for key, count, color in _sentiment_parts(stats):
        w = width * count / stats.total if stats.total else 0
        parts.append(f'<rect x="{x:.1f}" width="{w:.1f}" height="{height}" fill="{color}"/>')
        tips.append(f"{key} {percent(count, stats.total)}")
        x += w
    parts.insert(1, f"<title>{escape(', '.join(tips))}</title>")
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
:root { color-scheme: light; --ink: #1d2433; --muted: #667085; --line: #e6e9f0; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6fb; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari",
  sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 36px 28px 48px; }
header h1 { margin: 0; font-size: 28px; letter-spacing: -0.01em; }
.sub { margin: 4px 0 24px; color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 16px; margin-bottom: 16px; }
.kpi, .card { background: #fff; border: 1px solid var(--line); border-radius: 14px;
  box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
.kpi { padding: 18px 20px; }
.kpi .label { color: var(--muted); font-size: 13px; text-transform: uppercase;
  letter-spacing: .06em; }
.kpi .value { font-size: 34px; font-weight: 700; margin: 2px 0 4px;
  font-variant-numeric: tabular-nums; }
.kpi .hint { color: var(--muted); font-size: 13px; }
.meter { height: 8px; background: #e8ecf6; border-radius: 99px; overflow: hidden; margin: 6px 0; }
.meter span { display: block; height: 100%; background: #1f9d6b; border-radius: 99px; }
.meter.small { width: 90px; height: 7px; margin: 0; display: inline-block; }
.rate { display: flex; align-items: center; gap: 10px; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.card { padding: 20px 22px 16px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.card h2 { margin: 0 0 14px; font-size: 16px; }
.note { color: var(--muted); font-size: 13px; margin-top: 10px; }
svg text { font-family: inherit; }
svg .lbl { font-size: 13px; fill: #344054; }
svg .lbl.strong { font-weight: 700; }
svg .val { font-size: 12.5px; fill: #344054; font-weight: 600; }
svg .dim, svg tspan.dim { fill: #8a94a6; font-weight: 400; }
svg .axis { font-size: 11.5px; fill: #8a94a6; }
svg .in { font-size: 12px; fill: #fff; font-weight: 600; }
svg .grid { stroke: #eef1f6; stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend i { width: 11px; height: 11px; border-radius: 3px; display: inline-block; }
table.bots { width: 100%; border-collapse: collapse; font-size: 14px; }
table.bots th { white-space: nowrap; text-align: left; color: var(--muted); font-weight: 600;
  font-size: 12px; text-transform: uppercase; letter-spacing: .05em; padding: 8px 10px;
  border-bottom: 1px solid var(--line); }
table.bots td { padding: 10px; border-bottom: 1px solid #f0f2f6; vertical-align: middle; }
table.bots td:first-child { min-width: 200px; }
table.bots tr:last-child td { border-bottom: 0; }
table.bots .num { text-align: right; font-variant-numeric: tabular-nums; }
table.bots .id { color: var(--muted); font-size: 12px; font-family: ui-monospace, monospace; }
.empty { color: var(--muted); }
footer { color: var(--muted); font-size: 12.5px; margin-top: 22px; }
@media (max-width: 820px) { .kpis, .grid { grid-template-columns: 1fr 1fr; }
  .grid .card { grid-column: 1 / -1; } }
@media print { body { background: #fff; } .kpi, .card { box-shadow: none; } }
"""
