"""`botops analytics` against fixture conversations whose figures were computed by hand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, Emulator, botops, start_emulator

FIXTURES = ROOT / "tests/fixtures/analytics.yaml"

# By hand from tests/fixtures/analytics.yaml (13 conversations):
# - outcomes: resolved c01 c02 c04 c06 c10 c11 = 6; escalated c03 c08 c12 c13 = 4;
#   unresolved c05, abandoned c07, none c09 (no insights) -> unknown: 1 each. 6/13 = 0.461538...
# - durations: c05 has none; 60+120+30+90 + 200+100+45+15+10 + 61+62+63 = 856 over 12 = 71.33...
# - sentiment: c10 says "Positive"; c09 has none. intents: c10 has two, c13 none.
EXPECTED: dict[str, Any] = {
    "total": 13,
    "avg_duration_seconds": 71.3,
    "resolution_rate": 0.4615,
    "by_outcome": {"resolved": 6, "escalated": 4, "abandoned": 1, "unknown": 1, "unresolved": 1},
    "by_sentiment": {"neutral": 6, "positive": 4, "negative": 2, "unknown": 1},
    "by_intent": {"order_status": 3, "payment_link": 3, "emi_due_date": 2, "faq": 2, "refund": 2},
    "bots": {
        "bot_alpha": {
            "total": 5,
            "avg_duration_seconds": 75.0,  # 300 / 4: c05 has no duration
            "resolution_rate": 0.6,
            "by_outcome": {"resolved": 3, "escalated": 1, "unresolved": 1},
            "by_sentiment": {"neutral": 2, "positive": 2, "negative": 1},
            "by_intent": {"order_status": 3, "refund": 2},
        },
        "bot_beta": {
            "total": 5,
            "avg_duration_seconds": 74.0,  # 370 / 5
            "resolution_rate": 0.4,
            "by_outcome": {"resolved": 2, "abandoned": 1, "escalated": 1, "unknown": 1},
            "by_sentiment": {"positive": 2, "negative": 1, "neutral": 1, "unknown": 1},
            "by_intent": {"payment_link": 3, "emi_due_date": 2},
        },
        "bot_gamma": {
            "total": 3,
            "avg_duration_seconds": 62.0,  # 186 / 3
            "resolution_rate": 0.3333,
            "by_outcome": {"escalated": 2, "resolved": 1},
            "by_sentiment": {"neutral": 3},
            "by_intent": {"faq": 2},
        },
    },
}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def fixtures() -> Iterator[Emulator]:
    """Read-only tests share one emulator loaded with the fixture file."""
    emulator = start_emulator("--fixtures", str(FIXTURES))
    yield emulator
    emulator.stop()


def test_json_figures_match_the_hand_computed_ones(fixtures: Emulator) -> None:
    fixtures.clear_requests()
    result = botops(fixtures, "analytics", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report == EXPECTED
    assert list(report) == [
        "total",
        "avg_duration_seconds",
        "resolution_rate",
        "by_outcome",
        "by_sentiment",
        "by_intent",
        "bots",
    ]
    # Largest count first, ties by value.
    assert list(report["by_outcome"]) == list(EXPECTED["by_outcome"])
    # Only insights were asked for, with every page.
    lists = [r for r in fixtures.requests() if r["path"].endswith("/voicebot-conversations")]
    assert lists and all(r["query"].get("fields") == "insights" for r in lists)


def test_bot_filter_reports_only_that_bot(fixtures: Emulator) -> None:
    result = botops(fixtures, "analytics", "--bot", "bot_gamma", "--format", "json")
    assert result.exit_code == 0, result.output
    gamma = EXPECTED["bots"]["bot_gamma"]
    assert json.loads(result.stdout) == {**gamma, "bots": {"bot_gamma": gamma}}


def test_no_conversations_gives_zeros_and_empty_maps(emulator: Emulator) -> None:
    result = botops(emulator, "analytics", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "total": 0,
        "avg_duration_seconds": 0.0,
        "resolution_rate": 0.0,
        "by_outcome": {},
        "by_sentiment": {},
        "by_intent": {},
        "bots": {},
    }
    for output_format in ("table", "markdown", "html"):
        assert botops(emulator, "analytics", "--format", output_format).exit_code == 0


def test_table_shows_the_figures_and_bot_names(fixtures: Emulator) -> None:
    result = botops(fixtures, "analytics")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "13 conversations · resolution rate 46.2% · average duration 1:11"
    assert re.search(r"^resolved\s+6\s+46\.2%\s+█+", result.stdout, re.MULTILINE)
    assert re.search(r"^bot_alpha\s+Alpha Support\s+5\s+60\.0%\s+1:15", result.stdout, re.MULTILINE)


def test_markdown_is_made_of_tables(fixtures: Emulator, tmp_path: Path) -> None:
    result = botops(fixtures, "analytics", "--format", "markdown", "--out", "report.md")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = (tmp_path / "report.md").read_text()
    assert text.startswith("## Conversation analytics\n")
    assert "| resolved | 6 | 46.2% |" in text
    assert "| bot_gamma | Gamma FAQ | 3 | 33.3% | 1:02 |" in text


def test_html_report_is_one_self_contained_page(fixtures: Emulator, tmp_path: Path) -> None:
    result = botops(fixtures, "analytics", "--format", "html")
    assert result.exit_code == 0, result.output
    assert "report.html" in result.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") >= 5
    # Nothing is loaded from anywhere: no scripts, stylesheets, images, fonts or imports.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    for loader in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert loader not in page.lower()
    assert "http://" not in page.replace(fixtures.url, "") and "https://" not in page
    for figure in ("46.2%", "Alpha Support", "Gamma FAQ", "order_status", "Conversations per day"):
        assert figure in page


def test_html_goes_where_out_says(fixtures: Emulator, tmp_path: Path) -> None:
    result = botops(fixtures, "analytics", "--format", "html", "--out", "out/team.html")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/team.html").read_text().rstrip().endswith("</html>")
    assert not (tmp_path / "report.html").exists()


ODD_DURATIONS = """\
conversations:
  - {conversation_id: d1, bot_id: bot_odd, call_metadata: {duration_seconds: "inf"}}
  - {conversation_id: d2, bot_id: bot_odd, call_metadata: {duration_seconds: "1e400"}}
  - {conversation_id: d3, bot_id: bot_odd, call_metadata: {duration_seconds: "-Infinity"}}
  - {conversation_id: d4, bot_id: bot_odd, call_metadata: {duration_seconds: "NaN"}}
  - {conversation_id: d5, bot_id: bot_odd, call_metadata: {duration_seconds: 1E400_DIGITS}}
  - {conversation_id: d6, bot_id: bot_odd, call_metadata: {duration_seconds: 90}}
""".replace("1E400_DIGITS", "1" + "0" * 400)


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_durations_that_are_not_finite_numbers_are_unknown(
    emulator_factory: Any, tmp_path: Path
) -> None:
    (tmp_path / "odd.yaml").write_text(ODD_DURATIONS)
    odd = emulator_factory("--fixtures", str(tmp_path / "odd.yaml"))
    result = botops(odd, "analytics", "--format", "json")
    assert result.exit_code == 0, result.output
    report = _strict_json(result.stdout)
    assert (report["total"], report["avg_duration_seconds"]) == (6, 90.0)
    table = botops(odd, "analytics")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0] == (
        "6 conversations · resolution rate 0.0% · average duration 1:30"
    )
    for output_format in ("markdown", "html"):
        assert botops(odd, "analytics", "--format", output_format).exit_code == 0


def test_out_under_a_plain_file_is_a_one_line_error(fixtures: Emulator, tmp_path: Path) -> None:
    (tmp_path / "afile2").write_text("a file, not a directory\n")
    result = botops(fixtures, "analytics", "--format", "html", "--out", "afile2/x.html")
    assert result.exit_code == 1
    assert result.stderr == "Error: afile2/x.html: can't write: afile2 is not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile2"]


def test_names_for_one_bot_read_that_bot_alone(fixtures: Emulator) -> None:
    fixtures.clear_requests()
    result = botops(fixtures, "analytics", "--bot", "bot_gamma")
    assert result.exit_code == 0, result.output
    assert re.search(r"^bot_gamma\s+Gamma FAQ\s+3\s", result.stdout, re.MULTILINE)
    bots = [r["path"] for r in fixtures.requests() if "/voicebots" in r["path"]]
    assert bots == ["/voicebot/api/v2/accounts/Exotel/voicebots/bot_gamma"]
