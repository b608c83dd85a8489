"""Outcomes per version, against answers worked out independently (tests/independent_stats.py)
and published: the Wilson intervals of Newcombe 1998 ("Two-sided confidence intervals for the
single proportion", Statistics in Medicine 17, table I, method 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from botops.analytics.by_version import (
    MIN_CONVERSATIONS,
    VersionReport,
    commit_of,
    fallback_history,
    history_from_items,
    two_proportion_p_value,
    verdict,
    wilson_interval,
)
from tests.independent_stats import chi_square_p, quadratic_wilson

T1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe_1998(x: int, n: int, low: float, high: float) -> None:
    found = wilson_interval(x, n)
    assert (round(found[0], 4), round(found[1], 4)) == (low, high)


@pytest.mark.parametrize(("x", "n"), [(1, 1), (7, 10), (50, 100), (999, 1000), (3, 31), (30, 30)])
def test_wilson_interval_is_the_quadratic_s_roots(x: int, n: int) -> None:
    low, high = wilson_interval(x, n)
    expected = quadratic_wilson(x, n)
    assert low == pytest.approx(max(0.0, expected[0]), abs=1e-12)
    assert high == pytest.approx(min(1.0, expected[1]), abs=1e-12)
    assert 0.0 <= low <= x / n <= high <= 1.0


def test_wilson_interval_of_nothing_is_everything() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [(45, 100, 60, 100), (30, 100, 50, 100), (11, 39, 43, 61), (21, 38, 20, 46), (5, 30, 6, 31)],
)
def test_p_value_is_the_chi_square_of_the_two_by_two_table(
    x1: int, n1: int, x2: int, n2: int
) -> None:
    assert two_proportion_p_value(x1, n1, x2, n2) == pytest.approx(
        chi_square_p(x1, n1, x2, n2), rel=1e-9
    )


def test_p_value_known_value_and_edges() -> None:
    # 45% of 100 against 60% of 100: pooled 0.525, z = 0.15 / sqrt(0.525·0.475·0.02) = 2.1240,
    # so p = 2·(1 - Φ(2.1240)) = 0.03367.
    assert two_proportion_p_value(45, 100, 60, 100) == pytest.approx(0.03367, abs=1e-5)
    assert two_proportion_p_value(40, 40, 50, 50) == 1.0  # all resolved on both sides
    assert two_proportion_p_value(0, 40, 0, 50) == 1.0
    assert two_proportion_p_value(1, 0, 3, 10) is None


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ((30, 100), (50, 100), "better"),
        ((50, 100), (30, 100), "worse"),
        ((45, 100), (50, 100), "no clear difference"),
        ((10, 29), (90, 100), "too few conversations"),  # 29 before: too few, however clear
        ((90, 100), (0, 29), "too few conversations"),
        ((5, 30), (20, 30), "better"),  # 30 a side is enough
    ],
)
def test_each_verdict(before: tuple[int, int], after: tuple[int, int], expected: str) -> None:
    found, p_value = verdict(*before, *after)
    assert found == expected
    assert p_value == pytest.approx(chi_square_p(*before, *after), rel=1e-9)
    assert MIN_CONVERSATIONS == 30


@pytest.mark.parametrize(
    ("description", "commit"),
    [
        ("botops: update name (commit abc1234)", "abc1234"),
        ("Shorter greeting (commit 8D41B07)", "8d41b07"),
        ("no commit here", None),
        ("(commit xyz)", None),
        (None, None),
    ],
)
def test_commit_named_in_a_description(description: str | None, commit: str | None) -> None:
    assert commit_of(description) == commit


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def history() -> Any:
    return history_from_items(
        "bot_a",
        "Alpha",
        [
            {"version": "v1", "date_created": stamp(T1), "version_description": "first"},
            {
                "version": "v2",
                "date_created": stamp(T2),
                "version_description": "x (commit 1234567)",
            },
        ],
        kind="voicebot",
    )


def call(cid: str, outcome: str = "resolved", **fields: Any) -> dict[str, Any]:
    return {"conversation_id": cid, "bot_id": "bot_a", "insights": {"outcome": outcome}, **fields}


def totals(report: VersionReport) -> dict[str, int]:
    return {v["version"]: v["total"] for v in report.to_json()["bots"]["bot_a"]["versions"]}


def test_attribution_at_the_version_boundaries() -> None:
    report = VersionReport({"bot_a": history()})
    report.add(call("at-v2", start_time=stamp(T2)))  # exactly at date_created: the new version
    report.add(call("just-before", start_time=stamp(T2 - timedelta(seconds=1))))
    report.add(call("at-v1", start_time=stamp(T1)))
    report.add(call("before-v1", start_time=stamp(T1 - timedelta(seconds=1))))
    report.add(call("ist", start_time="2026-03-10T17:29:59+05:30"))  # 11:59:59 UTC: v1
    report.add(call("naive", start_time="2026-03-10T12:00:00"))  # read as UTC: v2
    report.add(call("created", date_created=stamp(T2 + timedelta(days=1))))
    report.add(call("metadata", call_metadata={"start_time": stamp(T1 + timedelta(hours=1))}))
    report.add(call("order", start_time=stamp(T1), date_created=stamp(T2)))  # start_time first
    report.add(call("no-time"))
    report.add(call("bad-time", start_time="yesterday"))
    assert totals(report) == {"v1": 5, "v2": 3}
    bot = report.bots["bot_a"]
    assert (bot.no_time, bot.before_first, bot.no_history) == (2, 1, 0)


def test_fallback_is_the_live_version_against_everything_before() -> None:
    live = {"bot_id": "bot_a", "name": "Alpha", "version": "v3", "date_created": stamp(T2)}
    fallback = fallback_history("bot_a", "Alpha", live, kind="voicebot")
    assert [v.version for v in fallback.versions] == ["before v3", "v3"]
    assert not fallback.complete
    report = VersionReport({"bot_a": fallback})
    report.add(call("old", start_time="2020-01-01T00:00:00Z"))
    report.add(call("at", start_time=stamp(T2)))
    report.add(call("no-time"))
    versions = report.to_json()["bots"]["bot_a"]["versions"]
    assert [(v["version"], v["date_created"], v["total"]) for v in versions] == [
        ("before v3", None, 1),
        ("v3", stamp(T2), 1),
    ]
    assert report.bots["bot_a"].no_time == 1


def test_conversations_of_a_bot_without_history_are_unattributed() -> None:
    report = VersionReport({"bot_a": history()})
    report.add({"conversation_id": "c", "bot_id": "bot_z", "start_time": stamp(T2)})
    assert report.to_json()["bots"]["bot_z"] == {"name": None, "versions": []}
    assert report.bots["bot_z"].no_history == 1


def test_per_version_figures_in_the_contracted_shape() -> None:
    report = VersionReport({"bot_a": history()})
    for index in range(40):
        started = stamp(T1 + timedelta(minutes=index))
        outcome = "resolved" if index < 12 else "escalated"
        report.add(
            call(
                f"a{index}",
                outcome,
                start_time=started,
                call_metadata={"duration_seconds": 60},
            )
        )
    for index in range(50):
        started = stamp(T2 + timedelta(minutes=index))
        outcome = "resolved" if index < 35 else "abandoned"
        insights = {"outcome": outcome, "sentiment": "Positive" if index % 2 else None}
        report.add({**call(f"b{index}", start_time=started), "insights": insights})
    document = report.to_json()
    assert list(document) == ["bots"]
    assert list(document["bots"]["bot_a"]) == ["name", "versions"]
    first, second = document["bots"]["bot_a"]["versions"]
    keys = ["version", "date_created", "commit", "total", "resolution_rate", "resolution_ci"]
    keys += ["avg_duration_seconds", "by_outcome", "by_sentiment", "vs_previous"]
    assert list(first) == keys
    low, high = quadratic_wilson(12, 40)
    assert first == {
        "version": "v1",
        "date_created": stamp(T1),
        "commit": None,
        "total": 40,
        "resolution_rate": 0.3,
        "resolution_ci": [round(low, 4), round(high, 4)],
        "avg_duration_seconds": 60.0,
        "by_outcome": {"escalated": 28, "resolved": 12},
        "by_sentiment": {"unknown": 40},
        "vs_previous": None,
    }
    assert second["commit"] == "1234567"
    assert (second["total"], second["resolution_rate"]) == (50, 0.7)
    assert second["by_outcome"] == {"resolved": 35, "abandoned": 15}
    assert second["by_sentiment"] == {"positive": 25, "unknown": 25}
    assert second["avg_duration_seconds"] == 0.0
    p_value = chi_square_p(12, 40, 35, 50)
    assert second["vs_previous"] == {
        "resolution_rate_delta": 0.4,
        "p_value": float(f"{p_value:.4g}"),
        "verdict": "better",
    }


def test_history_items_are_put_in_date_order() -> None:
    items = [
        {"version": "v2", "date_created": stamp(T2)},
        {"version": "v1", "date_created": stamp(T1)},
        {"version": "v0", "date_created": "not a date"},
    ]
    found = history_from_items("bot_a", None, items, kind="voicebot")
    assert [v.version for v in found.versions] == ["v0", "v1", "v2"]
    report = VersionReport({"bot_a": found})
    report.add(call("c", start_time=stamp(T1)))
    assert totals(report) == {"v0": 0, "v1": 1, "v2": 0}


def test_history_and_tables_never_pass_control_characters_to_the_terminal() -> None:
    from botops.render.outcomes import render_history_table, render_markdown, render_table

    sneaky = history_from_items(
        "bot_a",
        "Alpha\x1b[31m",
        [{"version": "v1", "date_created": stamp(T1), "version_description": "x\x1b]0;owned\x07"}],
        kind="voicebot",
    )
    report = VersionReport({"bot_a": sneaky})
    for text in (render_history_table(sneaky), render_table(report), render_markdown(report)):
        assert "\x1b" not in text and "\x07" not in text
        assert "\\x1b" in text


def test_the_95_percent_z_is_the_normal_s_97_5th_percentile() -> None:
    import tests.independent_stats as independent
    from botops.analytics import by_version as outcomes

    assert abs(outcomes.Z_95 - independent.Z_95) < 1e-12


def test_a_version_without_conversations_has_no_rate_and_its_plan_line_shows_calls() -> None:
    from botops.analytics.history import live_outcome
    from botops.render.plan_text import live_outcome_line

    report = VersionReport({"bot_a": history()})
    report.add(call("a", "abandoned", start_time=stamp(T1 + timedelta(minutes=1))))
    first, second = report.bots["bot_a"].versions_json()
    assert (first["total"], first["resolution_rate"]) == (1, 0.0)  # 0% of one call: a number
    assert (second["total"], second["resolution_rate"], second["resolution_ci"]) == (0, None, None)
    outcome = live_outcome(report.bots["bot_a"], "v2")
    assert outcome is not None
    since = stamp(T2)[:16].replace("T", " ")
    assert live_outcome_line(outcome) == f"live v2 since {since}: 0 calls"
