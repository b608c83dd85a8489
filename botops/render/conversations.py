"""Conversations for people: an aligned table of a page, and one transcript to read.

Pure functions from data to text; widths are display widths (`render.table`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from botops.analytics import export
from botops.analytics import fields as flat
from botops.render.table import display_width, fit, pad, table
from botops.support.text import json_text, printable

_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_SPEAKER_COLORS = {"bot": "\033[36m", "user": "\033[33m"}
_MAX_CELL = 32


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` display columns, broken at spaces (a word longer
    than a line is cut). textwrap counts code points, which wraps Devanagari far too early."""
    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        size = display_width(word)
        while size > width:
            if line:
                lines.append(line)
                line, used = "", 0
            head = fit(word, width + 1)[:-1] or word[0]
            lines.append(head)
            word = word[len(head) :]
            size = display_width(word)
        if line and used + 1 + size > width:
            lines.append(line)
            line, used = "", 0
        line, used = (f"{line} {word}", used + 1 + size) if line else (word, size)
    if line:
        lines.append(line)
    return lines


def clock(seconds: float | None) -> str:
    """180 → `3:00`; an hour or more → `1:02:03`; unknown (or not a finite number) → `-`."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(conversation: dict[str, Any], *, seconds: bool = False) -> str:
    started = flat.start_time(conversation)
    if started is None:
        raw = conversation.get("start_time") or flat.call_metadata(conversation).get("start_time")
        return str(raw) if raw else "-"
    if started.tzinfo is not None and started.utcoffset() == UTC.utcoffset(None):
        return started.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")
    text = started.isoformat(sep=" ", timespec="seconds" if seconds else "minutes")
    return text


def render_page(
    page: Sequence[dict[str, Any]], *, output_format: str, insights: bool, transcripts: bool = False
) -> str:
    """`conversations list` output, newline-terminated: table, json, jsonl or csv."""
    if output_format == "json":
        return json_text(list(page), indent=2) + "\n"
    if output_format == "jsonl":
        return "".join(export.to_json_line(c) for c in page)
    if output_format == "csv":
        buffer = io.StringIO()
        export.write_csv(buffer, page, insights=insights, transcripts=transcripts)
        return buffer.getvalue()
    return render_table(page, insights=insights) + "\n"


def render_table(conversations: Sequence[dict[str, Any]], *, insights: bool) -> str:
    """A page of conversations as an aligned table (insight columns when asked for)."""
    if not conversations:
        return "No conversations."
    headers = ["CONVERSATION", "BOT", "FROM", "TO", "DURATION", "STARTED"]
    if insights:
        headers += ["SENTIMENT", "INTENT", "OUTCOME"]
    rows = []
    for item in conversations:
        metadata = flat.call_metadata(item)
        row = [
            str(item.get("conversation_id") or "-"),
            str(item.get("bot_id") or "-"),
            str(metadata.get("from") or "-"),
            str(metadata.get("to") or "-"),
            clock(flat.duration_seconds(item)),
            when(item),
        ]
        if insights:
            row += [
                flat.sentiment(item) or "-",
                ", ".join(flat.intents(item)) or "-",
                flat.outcome(item) or "-",
            ]
        rows.append([fit(printable(cell), _MAX_CELL) for cell in row])
    return table(headers, rows, right={4})


def render_transcript(
    conversation: dict[str, Any], *, width: int = 100, color: bool = False
) -> str:
    """One conversation for a person: who called whom and for how long, what the insights
    say, every turn (`[00:00:04] User: ...`) wrapped to `width`, and the recording."""
    width = max(40, width)
    conversation = _printable_values(conversation)

    def bold(text: str) -> str:
        return f"{_BOLD}{text}{_RESET}" if color else text

    metadata = flat.call_metadata(conversation)
    caller, called = metadata.get("from") or "?", metadata.get("to") or "?"
    lines = [bold(f"Conversation {conversation.get('conversation_id') or '?'}")]
    details = [
        ("Bot", str(conversation.get("bot_id") or "-")),
        ("Call", f"{caller} → {called}"),
        ("Duration", clock(flat.duration_seconds(conversation))),
        ("Started", when(conversation, seconds=True)),
    ]
    insights = flat.insights_of(conversation)
    if insights:
        details += [
            ("Sentiment", flat.sentiment(conversation) or "-"),
            ("Intent", ", ".join(flat.intents(conversation)) or "-"),
            ("Outcome", flat.outcome(conversation) or "-"),
        ]
        summary = insights.get("summary")
        if isinstance(summary, str) and summary.strip():
            details.append(("Summary", summary.strip()))
    label_width = max(len(label) for label, _ in details) + 2
    for label, value in details:
        indent = " " * (2 + label_width)
        wrapped = wrap(value, width - len(indent)) or [value]
        lines.append(f"  {pad(label, label_width)}{wrapped[0]}")
        lines += [indent + rest for rest in wrapped[1:]]

    transcript = conversation.get("transcript")
    lines.append("")
    if isinstance(transcript, list) and transcript:
        for turn in transcript:
            if isinstance(turn, dict):
                lines += _turn(turn, width, color)
    elif "transcript" in conversation:
        lines.append("(no transcript)")
    else:
        lines.append("(transcript not included in this answer)")
    recording = metadata.get("recording_url")
    lines += ["", f"Recording: {recording}" if recording else "Recording: none"]
    return "\n".join(lines)


def _printable_values(value: Any) -> Any:
    """Every string in `value` through `printable`: a transcript is what callers said, and
    must not drive the terminal it is read in."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable_values(item) for item in value]
    return value


def _turn(turn: dict[str, Any], width: int, color: bool) -> list[str]:
    speaker = str(turn.get("speaker") or "unknown").strip()
    name = {"bot": "Bot", "user": "User", "agent": "Agent"}.get(speaker.lower(), speaker.title())
    stamp = f"[{timestamp(turn.get('timestamp'))}] "
    head = f"{stamp}{name}: "
    indent = " " * display_width(head)
    text = " ".join(str(turn.get("text") or "").split())
    wrapped = wrap(text, max(20, width - len(indent))) or [""]
    if color:
        tint = _SPEAKER_COLORS.get(speaker.lower(), _BOLD)
        head = f"{_DIM}{stamp}{_RESET}{tint}{name}:{_RESET} "
    return [head + wrapped[0], *(indent + rest for rest in wrapped[1:])]


def timestamp(value: Any) -> str:
    """`00:00:04` as given; seconds (4, "4.2") and `mm:ss` become `hh:mm:ss`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = max(0, int(value))
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        parts = text.split(":")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return f"00:{int(parts[0]):02d}:{int(parts[1]):02d}"
        try:
            seconds = max(0, int(float(text)))
        except ValueError:
            if "T" in text:
                with_date = _iso(text)
                return with_date.strftime("%H:%M:%S") if with_date else text
            return text
    else:
        return "--:--:--"
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
