"""Conversation analytics: totals, resolution, duration, outcome/sentiment/intent counts.

Figures are accumulated while conversations stream past (nothing is kept per conversation), for
all of them and per bot. Definitions, also shown in `botops analytics --help`:

- `resolution_rate`: conversations whose outcome is `resolved`, divided by all conversations
  (those without insights included), rounded to 4 decimals; 0.0 when there are none.
- `avg_duration_seconds`: mean of the conversations that report a duration, rounded to
  1 decimal; 0.0 when none does.
- `by_outcome` / `by_sentiment`: one count per conversation, lower-cased; a conversation
  without the value counts as `unknown`, so each map sums to `total`.
- `by_intent`: each distinct intent of a conversation counts once (a conversation may carry
  several, or none: those are not counted), so this map need not sum to `total`.
- maps are ordered by count, largest first, then by value.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from botops.analytics import conversations as conv
from botops.analytics import fields as flat
from botops.errors import BotopsError
from botops.kinds import conversing

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

UNKNOWN = "unknown"
RESOLVED = "resolved"
# Upper bounds (seconds) of the duration histogram's buckets; the last is open-ended.
DURATION_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 30 s", 30),
    ("30–60 s", 60),
    ("1–2 min", 120),
    ("2–5 min", 300),
    ("5–10 min", 600),
    ("≥ 10 min", float("inf")),
)

OnProgress = Callable[[int], None]
"""Hears how many conversations have been read (of the bot, with a bot filter) so far."""


def counting(on_progress: OnProgress | None) -> conv.OnProgress | None:
    """`on_progress` as the conversation loop calls it (used, read, total)."""
    if on_progress is None:
        return None
    return lambda used, read, total: on_progress(used)


@dataclass
class Stats:
    """Figures for one set of conversations."""

    total: int = 0
    resolved: int = 0
    duration_sum: float = 0.0
    with_duration: int = 0
    # The mean kept step by step as well: finite durations can still sum to infinity.
    duration_mean: float = 0.0
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_sentiment: Counter[str] = field(default_factory=Counter)
    by_intent: Counter[str] = field(default_factory=Counter)
    durations: list[int] = field(default_factory=lambda: [0] * len(DURATION_BUCKETS))

    def add(self, conversation: dict[str, Any]) -> None:
        self.total += 1
        outcome = flat.outcome(conversation) or UNKNOWN
        self.by_outcome[outcome] += 1
        if outcome == RESOLVED:
            self.resolved += 1
        self.by_sentiment[flat.sentiment(conversation) or UNKNOWN] += 1
        self.by_intent.update(flat.intents(conversation))
        seconds = flat.duration_seconds(conversation)
        if seconds is not None:
            self.duration_sum += seconds
            self.with_duration += 1
            self.duration_mean += (seconds - self.duration_mean) / self.with_duration
            for index, (_, upper) in enumerate(DURATION_BUCKETS):
                if seconds < upper:
                    self.durations[index] += 1
                    break

    @property
    def resolution_rate(self) -> float:
        return round(self.resolved / self.total, 4) if self.total else 0.0

    @property
    def avg_duration_seconds(self) -> float:
        if not self.with_duration:
            return 0.0
        if math.isfinite(self.duration_sum):
            return round(self.duration_sum / self.with_duration, 1)
        return round(self.duration_mean, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "avg_duration_seconds": self.avg_duration_seconds,
            "resolution_rate": self.resolution_rate,
            "by_outcome": ranked(self.by_outcome),
            "by_sentiment": ranked(self.by_sentiment),
            "by_intent": ranked(self.by_intent),
        }


@dataclass
class Report:
    """Figures overall and per bot, plus what the renderers show beside them."""

    overall: Stats = field(default_factory=Stats)
    bots: dict[str, Stats] = field(default_factory=dict)
    by_day: Counter[date] = field(default_factory=Counter)
    resolved_by_day: Counter[date] = field(default_factory=Counter)
    bot_names: dict[str, str] = field(default_factory=dict)
    bot_filter: str | None = None

    def add(self, conversation: dict[str, Any]) -> None:
        self.overall.add(conversation)
        bot = conversation.get("bot_id")
        key = str(bot) if bot not in (None, "") else UNKNOWN
        self.bots.setdefault(key, Stats()).add(conversation)
        started = flat.start_time(conversation)
        if started is not None:
            self.by_day[started.date()] += 1
            if flat.outcome(conversation) == RESOLVED:
                self.resolved_by_day[started.date()] += 1

    def to_json(self) -> dict[str, Any]:
        """The contracted shape of `botops analytics --format json`."""
        return {
            **self.overall.to_json(),
            "bots": {bot: self.bots[bot].to_json() for bot in sorted(self.bots)},
        }


def ranked(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


async def build_report(
    client: ApiClient,
    *,
    bot_id: str | None = None,
    names: bool = False,
    on_progress: OnProgress | None = None,
) -> Report:
    """Read every conversation with insights and summarize; `names` also looks up bot names
    (best effort: a server that can't list voicebots just leaves them out)."""
    report = Report(bot_filter=bot_id)
    await conv.each(
        client, report.add, fields=["insights"], bot_id=bot_id, on_progress=counting(on_progress)
    )
    if names and report.bots:
        report.bot_names = await _bot_names(client, set(report.bots), only=bot_id)
    return report


def report_from(conversations: Iterable[dict[str, Any]], *, bot_id: str | None = None) -> Report:
    """The same report from conversations at hand (`analytics --from FILE`, streamed)."""
    report = Report(bot_filter=bot_id)
    for conversation in conversations:
        if bot_id is None or conversation.get("bot_id") == bot_id:
            report.add(conversation)
    return report


async def _bot_names(client: ApiClient, wanted: set[str], *, only: str | None) -> dict[str, str]:
    """Names of the `wanted` bots (of the kind conversations belong to): for one bot (`--bot`),
    that bot alone is read."""
    found: dict[str, str] = {}
    spec = conversing()

    def note(bot: dict[str, Any]) -> None:
        bot_id, name = bot.get(spec.id_key), bot.get("name")
        if bot_id in wanted and isinstance(name, str) and name:
            found[str(bot_id)] = name

    with contextlib.suppress(BotopsError):
        if only is not None:
            note(await spec.fetch(client, only))
        else:
            async for bot in spec.listing(client):
                note(bot)
    return found
