"""Did the change help? Conversations attributed to the bot version live when they started,
with per-version figures and a test of each version against the one before it.

Pure: no I/O. Conversations stream past `VersionReport.add` one at a time and only counters are
kept (per version, and per bot and day for the timeline), so memory does not grow with the
number of conversations.

- Attribution: the newest version whose `date_created` <= the conversation's start (a start
  exactly at `date_created` belongs to the new version). A conversation without a readable time,
  before its bot's first version, or of a bot whose history is unknown is counted as
  unattributed, never guessed.
- `resolution_ci`: the 95% Wilson score interval (Wilson 1927), which stays inside [0, 1] and is
  sound for small samples and rates near 0 or 1, unlike the normal approximation.
- `vs_previous`: a two-sided two-proportion z-test with the pooled proportion, at 5%. Below
  `MIN_CONVERSATIONS` on either side the verdict is `too few conversations` (the normal
  approximation behind the test is not to be trusted there); the delta and p-value are still
  given where they can be computed.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from botops.analytics.fields import outcome, parse_time, start_time
from botops.analytics.summary import RESOLVED, Stats, ranked
from botops.support.text import text_or_none

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile
ALPHA = 0.05
MIN_CONVERSATIONS = 30
Verdict = Literal["better", "worse", "no clear difference", "too few conversations"]
# What `apply` appends to a version_description (planner.version_description).
_COMMIT = re.compile(r"\(commit ([0-9a-fA-F]{7,40})\)")


@dataclass(frozen=True)
class Version:
    """One version of a resource as its history shows it. `date_created` is None only for the
    fallback's "everything before the current version", which has no start."""

    version: str
    date_created: datetime | None
    date_text: str | None = None
    description: str | None = None

    @property
    def commit(self) -> str | None:
        return commit_of(self.description)


@dataclass(frozen=True)
class History:
    """A resource's versions, oldest first. `complete` is False when the server has no history
    endpoint and botops fell back to the current version against everything before it. `kind`
    is its kind's address prefix (`KindSpec.prefix`), as `history --format json` says it."""

    resource_id: str
    name: str | None
    versions: tuple[Version, ...]
    complete: bool = True
    kind: str = field(kw_only=True)

    def live_version(self) -> Version | None:
        return self.versions[-1] if self.versions else None


def commit_of(description: str | None) -> str | None:
    """The short hash apply named in a version description: `... (commit abc1234)`."""
    if not description:
        return None
    found = _COMMIT.findall(description)
    return found[-1].lower() if found else None


def history_from_items(
    resource_id: str, name: str | None, items: Sequence[Mapping[str, Any]], *, kind: str
) -> History:
    """A history from the API's version items (`{version, date_created, version_description}`),
    put in date order (the API says oldest first; a server that isn't is not trusted to be)."""
    versions = [
        Version(
            version=str(item.get("version")),
            date_created=parse_time(item.get("date_created")),
            date_text=text_or_none(item.get("date_created")),
            description=text_or_none(item.get("version_description")),
        )
        for item in items
    ]
    dated = sorted(
        (v for v in versions if v.date_created is not None),
        key=lambda v: (v.date_created, _version_number(v.version)),
    )
    # A version without a readable date can't be placed in time: it is kept, at the start, and
    # no conversation is ever attributed to it.
    undated = [v for v in versions if v.date_created is None]
    return History(resource_id, name, tuple(undated + dated), complete=True, kind=kind)


def fallback_history(
    resource_id: str, name: str | None, live: Mapping[str, Any], *, kind: str
) -> History:
    """Without a history endpoint: the live version (from the resource's own read) against
    everything before it."""
    current = str(live.get("version") or "current")
    created = parse_time(live.get("date_created"))
    if created is None:
        return History(resource_id, name, (), complete=False, kind=kind)
    return History(
        resource_id,
        name,
        (
            Version(f"before {current}", None),
            Version(current, created, text_or_none(live.get("date_created"))),
        ),
        complete=False,
        kind=kind,
    )


def _version_number(version: str) -> int:
    digits = version.lstrip("vV")
    return int(digits) if digits.isdigit() else 0


def history_json(history: History) -> dict[str, Any]:
    """`{id, kind, name, complete, versions}`, the versions newest first."""
    return {
        "id": history.resource_id,
        "kind": history.kind,
        "name": history.name,
        "complete": history.complete,
        "versions": [
            {
                "version": v.version,
                "date_created": v.date_text,
                "version_description": v.description,
                "commit": v.commit,
            }
            for v in reversed(history.versions)
        ],
    }


# The statistics


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for `successes` out of `total` (Wilson 1927):
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). With no trials, [0, 1]: nothing
    is known."""
    if total <= 0:
        return 0.0, 1.0
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    # At 0 or `total` successes a bound is exactly 0 or 1, which rounding would miss by 1e-16.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= total else min(1.0, centre + half)
    return low, high


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2:
    z = (p2 - p1) / sqrt(p(1-p)(1/n1 + 1/n2)) with p = (x1+x2)/(n1+n2), p = erfc(|z|/√2).
    None without conversations on both sides; 1.0 when every conversation on both sides
    resolved, or none did (no difference to see)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def verdict(x1: int, n1: int, x2: int, n2: int) -> tuple[Verdict, float | None]:
    """The newer version (x2/n2) against the older (x1/n1): verdict and p-value."""
    p_value = two_proportion_p_value(x1, n1, x2, n2)
    if n1 < MIN_CONVERSATIONS or n2 < MIN_CONVERSATIONS or p_value is None:
        return "too few conversations", p_value
    if p_value >= ALPHA:
        return "no clear difference", p_value
    return ("better" if x2 / n2 > x1 / n1 else "worse"), p_value


def _significant(value: float) -> float:
    """Four significant digits: p-values span orders of magnitude, so fixed decimals would
    turn 3e-9 into 0."""
    return float(f"{value:.4g}")


# The report


@dataclass
class BotVersions:
    """One bot: a Stats per version (parallel to `history.versions`) and what couldn't be
    attributed."""

    history: History | None
    name: str | None = None
    stats: list[Stats] = field(default_factory=list)
    no_time: int = 0
    before_first: int = 0
    no_history: int = 0
    by_day: Counter[date] = field(default_factory=Counter)
    resolved_by_day: Counter[date] = field(default_factory=Counter)
    _starts: list[datetime] = field(default_factory=list)
    _dated: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        versions = self.history.versions if self.history else ()
        self.stats = [Stats() for _ in versions]
        self._dated = [i for i, v in enumerate(versions) if v.date_created is not None]
        self._starts = [v.date_created for v in versions if v.date_created is not None]
        if self.name is None and self.history is not None:
            self.name = self.history.name

    @property
    def unattributed(self) -> int:
        return self.no_time + self.before_first + self.no_history

    def add(self, conversation: dict[str, Any]) -> None:
        started = start_time(conversation)
        if started is not None:
            day = started.date()
            self.by_day[day] += 1
            if outcome(conversation) == RESOLVED:
                self.resolved_by_day[day] += 1
        history = self.history
        if history is None or not history.versions:
            self.no_history += 1
        elif started is None:
            self.no_time += 1
        else:
            index = bisect.bisect_right(self._starts, started) - 1
            if index >= 0:
                self.stats[self._dated[index]].add(conversation)
            elif not history.complete and history.versions[0].date_created is None:
                self.stats[0].add(conversation)  # the fallback's "everything before"
            else:
                self.before_first += 1

    def versions_json(self) -> list[dict[str, Any]]:
        versions = self.history.versions if self.history else ()
        result = []
        previous: Stats | None = None
        for version, stats in zip(versions, self.stats, strict=True):
            # No conversations, no rate: null (the table's "-"), not a 0% that scripts would read.
            ci = None
            if stats.total:
                ci = [round(bound, 4) for bound in wilson_interval(stats.resolved, stats.total)]
            result.append(
                {
                    "version": version.version,
                    "date_created": version.date_text,
                    "commit": version.commit,
                    "total": stats.total,
                    "resolution_rate": stats.resolution_rate if stats.total else None,
                    "resolution_ci": ci,
                    "avg_duration_seconds": stats.avg_duration_seconds,
                    "by_outcome": ranked(stats.by_outcome),
                    "by_sentiment": ranked(stats.by_sentiment),
                    "vs_previous": None if previous is None else compare(previous, stats),
                }
            )
            previous = stats
        return result


def compare(before: Stats, after: Stats) -> dict[str, Any]:
    """`vs_previous`: the change in resolution rate and whether it is more than noise."""
    found, p_value = verdict(before.resolved, before.total, after.resolved, after.total)
    delta = None
    if before.total and after.total:
        delta = round(after.resolved / after.total - before.resolved / before.total, 4)
    return {
        "resolution_rate_delta": delta,
        "p_value": None if p_value is None else _significant(p_value),
        "verdict": found,
    }


@dataclass
class VersionReport:
    """Every bot's conversations per version. Bots come from `histories` (and, for a bot
    that appears only in the conversations, with an unknown history)."""

    histories: Mapping[str, History]
    bot_filter: str | None = None
    bots: dict[str, BotVersions] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for bot_id, history in self.histories.items():
            if self.bot_filter is None or bot_id == self.bot_filter:
                self.bots[bot_id] = BotVersions(history)

    def add(self, conversation: dict[str, Any]) -> None:
        raw = conversation.get("bot_id")
        bot_id = str(raw) if raw not in (None, "") else "unknown"
        if self.bot_filter is not None and bot_id != self.bot_filter:
            return
        bot = self.bots.get(bot_id)
        if bot is None:
            bot = self.bots[bot_id] = BotVersions(None)
        bot.add(conversation)

    @property
    def unattributed(self) -> int:
        return sum(bot.unattributed for bot in self.bots.values())

    def to_json(self) -> dict[str, Any]:
        """The contracted shape of `botops analytics --by version --format json`."""
        return {
            "bots": {
                bot_id: {"name": bot.name, "versions": bot.versions_json()}
                for bot_id, bot in sorted(self.bots.items())
            }
        }
