"""The analytics report's arithmetic at the edges of floating point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from botops.analytics.summary import Report, Stats
from botops.render.analytics import render_json, render_table


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_finite_durations_too_large_to_add_up_still_average() -> None:
    stats = Stats()
    for _ in range(2):
        stats.add({"call_metadata": {"duration_seconds": 1.5e308}})
    assert stats.avg_duration_seconds == 1.5e308


def test_json_report_stays_json_when_a_server_says_1e400() -> None:
    report = Report()
    report.add(json.loads('{"bot_id": "b", "call_metadata": {"duration_seconds": 1e400}}'))
    report.add(json.loads('{"bot_id": "b", "call_metadata": {"duration_seconds": 30}}'))
    figures = _strict_json(render_json(report))
    assert figures["avg_duration_seconds"] == 30.0
    assert render_table(report).splitlines()[0].endswith("average duration 0:30")
