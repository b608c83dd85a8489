"""`botops history`, `analytics --by version`, `--from` and `--versions`, and the parquet export,
end to end: the real CLI against a real emulator loaded with conversations whose per-version
figures are known, and against a loopback proxy that hides the history endpoint (404/405)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.independent_stats import chi_square_p, quadratic_wilson
from tests.support import ROOT, Emulator, botops, start_emulator

T1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
T3 = datetime(2026, 3, 20, 8, 30, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def conversations() -> list[dict[str, Any]]:
    """bot_a: 40 on v1 (12 resolved), 50 on v2 (35 resolved; one exactly at T2), 5 on v3 (all
    resolved; one exactly at T3), 2 without a time, 1 before v1. bot_b: 3 on its only version."""
    made: list[dict[str, Any]] = []

    def add(bot: str, start: datetime | None, outcome: str, duration: int = 60) -> None:
        item: dict[str, Any] = {
            "conversation_id": f"c{len(made):03d}",
            "bot_id": bot,
            "call_metadata": {"from": "+919800000001", "duration_seconds": duration},
            "insights": {"outcome": outcome, "sentiment": "neutral", "intent": "faq"},
        }
        if start is not None:
            item["start_time"] = stamp(start)
        made.append(item)

    add("bot_a", T1 - timedelta(seconds=1), "resolved")
    for i in range(40):
        add("bot_a", T1 + timedelta(hours=i), "resolved" if i < 12 else "escalated", 30)
    for i in range(50):
        add("bot_a", T2 + timedelta(hours=i), "resolved" if i < 35 else "abandoned", 90)
    for i in range(5):
        add("bot_a", T3 + timedelta(hours=i), "resolved", 120)
    add("bot_a", None, "resolved")
    add("bot_a", None, "escalated")
    for i in range(3):
        add("bot_b", T1 + timedelta(days=i), "resolved")
    return made


FIXTURES = {
    "bots": [
        {
            "bot_id": "bot_a",
            "name": "Alpha",
            "version": "v3",
            "date_created": stamp(T3),
            "versions": [
                {
                    "version": "v1",
                    "date_created": stamp(T1),
                    "version_description": "first (commit 1111111)",
                },
                {
                    "version": "v2",
                    "date_created": stamp(T2),
                    "version_description": "second (commit 2222222)",
                },
                {"version": "v3", "version_description": "third, by hand"},
            ],
        },
        {
            "bot_id": "bot_b",
            "name": "Beta",
            "version": "v1",
            "date_created": stamp(T1 - timedelta(days=1)),
        },
        {"bot_id": "bot_many", "name": "Many", "version": "v250", "date_created": stamp(T1)},
    ],
    "conversations": conversations(),
}


def interval(x: int, n: int) -> list[float]:
    low, high = quadratic_wilson(x, n)
    return [round(max(0.0, low), 4), round(min(1.0, high), 4)]


def p4(x1: int, n1: int, x2: int, n2: int) -> float:
    return float(f"{chi_square_p(x1, n1, x2, n2):.4g}")


EXPECTED_A = [
    {
        "version": "v1",
        "date_created": stamp(T1),
        "commit": "1111111",
        "total": 40,
        "resolution_rate": 0.3,
        "resolution_ci": interval(12, 40),
        "avg_duration_seconds": 30.0,
        "by_outcome": {"escalated": 28, "resolved": 12},
        "by_sentiment": {"neutral": 40},
        "vs_previous": None,
    },
    {
        "version": "v2",
        "date_created": stamp(T2),
        "commit": "2222222",
        "total": 50,
        "resolution_rate": 0.7,
        "resolution_ci": interval(35, 50),
        "avg_duration_seconds": 90.0,
        "by_outcome": {"resolved": 35, "abandoned": 15},
        "by_sentiment": {"neutral": 50},
        "vs_previous": {
            "resolution_rate_delta": 0.4,
            "p_value": p4(12, 40, 35, 50),
            "verdict": "better",
        },
    },
    {
        "version": "v3",
        "date_created": stamp(T3),
        "commit": None,
        "total": 5,
        "resolution_rate": 1.0,
        "resolution_ci": interval(5, 5),
        "avg_duration_seconds": 120.0,
        "by_outcome": {"resolved": 5},
        "by_sentiment": {"neutral": 5},
        "vs_previous": {
            "resolution_rate_delta": 0.3,
            "p_value": p4(35, 50, 5, 5),
            "verdict": "too few conversations",
        },
    },
]


@pytest.fixture(scope="module")
def fixtures_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outcomes") / "outcomes.json"
    path.write_text(json.dumps(FIXTURES))
    return path


@pytest.fixture(scope="module")
def known(fixtures_file: Path) -> Iterator[Emulator]:
    emulator = start_emulator("--fixtures", str(fixtures_file))
    yield emulator
    emulator.stop()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


# botops history


def test_history_lists_versions_newest_first_with_their_commits(known: Emulator) -> None:
    lines = ok(botops(known, "history", "bot_a")).splitlines()
    assert lines[0] == "voicebot Alpha (bot_a): 3 versions"
    assert lines[2].split() == ["VERSION", "DATE", "COMMIT", "DESCRIPTION"]
    assert [line.split()[:4] for line in lines[3:]] == [
        ["v3", "2026-03-20", "08:30", "-"],
        ["v2", "2026-03-10", "12:00", "2222222"],
        ["v1", "2026-03-01", "09:00", "1111111"],
    ]
    assert lines[4].endswith("second (commit 2222222)")
    document = json.loads(ok(botops(known, "history", "bot_a", "--format", "json")))
    assert document == {
        "id": "bot_a",
        "kind": "voicebot",
        "name": "Alpha",
        "complete": True,
        "versions": [
            {
                "version": "v3",
                "date_created": stamp(T3),
                "version_description": "third, by hand",
                "commit": None,
            },
            {
                "version": "v2",
                "date_created": stamp(T2),
                "version_description": "second (commit 2222222)",
                "commit": "2222222",
            },
            {
                "version": "v1",
                "date_created": stamp(T1),
                "version_description": "first (commit 1111111)",
                "commit": "1111111",
            },
        ],
    }


def test_history_reads_every_page(known: Emulator) -> None:
    known.clear_requests()
    document = json.loads(ok(botops(known, "history", "bot_many", "--format", "json")))
    assert [v["version"] for v in document["versions"]] == [f"v{n}" for n in range(250, 0, -1)]
    pages = [r["query"] for r in known.requests() if r["path"].endswith("/versions")]
    assert pages == [{"limit": "100", "offset": str(o)} for o in (0, 100, 200)]


def test_history_of_an_unknown_id_is_one_line(known: Emulator) -> None:
    result = botops(known, "history", "nope")
    assert result.exit_code == 1
    assert result.stderr == "Error: no voicebot or assistant has the id 'nope'\n"


def test_history_names_the_commit_apply_wrote(emulator_factory: Any, tmp_path: Path) -> None:
    demo = emulator_factory("--demo")
    shutil.copytree(ROOT / "examples/bots", tmp_path / "bots")
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    ok(botops(demo, "apply", "--auto-approve", GITHUB_SHA="abcdef1234567890"))
    document = json.loads(ok(botops(demo, "history", "bot_support01", "--format", "json")))
    newest = document["versions"][0]
    assert (newest["version"], newest["commit"]) == ("v4", "abcdef1")
    assert newest["version_description"].endswith("(commit abcdef1)")
    assert [v["commit"] for v in document["versions"][1:]] == ["c27e5a9", "8d41b07", "3f9a1c2"]
    assistant = json.loads(ok(botops(demo, "history", "asst_acme01", "--format", "json")))
    assert (assistant["kind"], assistant["complete"]) == ("assistant", True)
    assert [v["version"] for v in assistant["versions"]] == ["v5", "v4", "v3", "v2", "v1"]


# analytics --by version


def test_by_version_json_has_the_known_figures(known: Emulator) -> None:
    document = json.loads(ok(botops(known, "analytics", "--by", "version", "--format", "json")))
    assert list(document) == ["bots"]
    assert document["bots"]["bot_a"] == {"name": "Alpha", "versions": EXPECTED_A}
    beta = document["bots"]["bot_b"]["versions"]
    assert [(v["version"], v["total"], v["vs_previous"]) for v in beta] == [("v1", 3, None)]
    empty = document["bots"]["bot_many"]["versions"][-1]
    assert empty["total"] == 0
    # No conversations, no rate: null like the table's "-", not a "0% resolved".
    assert (empty["resolution_rate"], empty["resolution_ci"]) == (None, None)
    assert empty["vs_previous"] == {
        "resolution_rate_delta": None,
        "p_value": None,
        "verdict": "too few conversations",
    }


def test_by_version_for_one_bot_reads_that_bot_alone(known: Emulator) -> None:
    known.clear_requests()
    document = json.loads(
        ok(botops(known, "analytics", "--by", "version", "--bot", "bot_a", "--format", "json"))
    )
    assert document == {"bots": {"bot_a": {"name": "Alpha", "versions": EXPECTED_A}}}
    reads = {r["path"] for r in known.requests() if "/voicebots" in r["path"]}
    assert reads == {
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_a",
        "/voicebot/api/v2/accounts/Exotel/voicebots/bot_a/versions",
    }


def test_by_version_table_and_markdown_say_the_verdicts(known: Emulator) -> None:
    table = ok(botops(known, "analytics", "--by", "version", "--bot", "bot_a")).splitlines()
    assert table[0] == "Alpha (bot_a)"
    assert table[1].split()[:4] == ["VERSION", "LIVE", "SINCE", "COMMIT"]
    rows = [line.split(None, 6) for line in table[2:5]]
    assert [r[:6] for r in rows] == [
        ["v1", "2026-03-01", "09:00", "1111111", "40", "30.0%"],
        ["v2", "2026-03-10", "12:00", "2222222", "50", "70.0%"],
        ["v3", "2026-03-20", "08:30", "-", "5", "100.0%"],
    ]
    # p-values as chi_square_p gives them: 0.00016003 and 0.15096.
    assert table[3].endswith("better (+40.0 pts, p=0.0002)")
    assert table[4].endswith("too few conversations (+30.0 pts, p=0.151)")
    assert table[5] == (
        "(3 conversations not attributed: 2 without a start time, 1 before its first version)"
    )
    markdown = ok(botops(known, "analytics", "--by", "version", "--format", "markdown"))
    assert markdown.startswith("## Outcomes per version\n")
    assert "### Alpha (bot_a)" in markdown
    assert "| `v2` | 2026-03-10 12:00 | `2222222` | 50 | 70.0% | 56.2–80.9% | 1:30 | better" in (
        markdown
    )


def test_by_version_html_shows_intervals_and_version_marks(known: Emulator) -> None:
    result = botops(known, "analytics", "--by", "version", "--format", "html")
    assert result.exit_code == 0, result.output
    page = Path("report.html").read_text(encoding="utf-8")
    assert "Alpha (bot_a): resolution rate per version" in page
    assert "v2: 70.0% resolved of 50 (95% interval 56.2–80.9%)" in page  # the whisker's title
    assert "v3 live from 2026-03-20 08:30" in page  # the timeline's mark
    assert "Conversations per day" in page and "Per bot" in page  # the plain report too
    assert "https://" not in page and "<script" not in page


# The fallback: a server without the history endpoint


class _HidingProxy(BaseHTTPRequestHandler):
    """Forwards to the emulator, except `GET .../versions`, answered with `status`."""

    upstream = ""
    status = 404

    def do_GET(self) -> None:
        if self.path.split("?")[0].endswith("/versions"):
            body = json.dumps({"error": {"status": self.status, "message": "no such endpoint"}})
            self._answer(self.status, body.encode())
            return
        response = httpx2.get(self.upstream + self.path, timeout=10)
        self._answer(response.status_code, response.content)

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(params=[404, 405])
def without_history(request: pytest.FixtureRequest, known: Emulator) -> Iterator[Emulator]:
    handler = type("Proxy", (_HidingProxy,), {"upstream": known.url, "status": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Emulator(url=f"http://127.0.0.1:{server.server_port}", process=known.process)
    server.shutdown()
    server.server_close()


def test_without_history_the_live_version_is_set_against_everything_before(
    without_history: Emulator,
) -> None:
    document = json.loads(
        ok(botops(without_history, "analytics", "--by", "version", "--format", "json"))
    )
    before, live = document["bots"]["bot_a"]["versions"]
    # v1 and v2 together (41 with the one before v1: there is no first version to be before),
    # against v3 from its date_created on.
    assert (before["version"], before["date_created"], before["total"]) == ("before v3", None, 91)
    assert before["resolution_rate"] == round(48 / 91, 4)
    assert (live["version"], live["date_created"], live["total"]) == ("v3", stamp(T3), 5)
    assert live["vs_previous"]["verdict"] == "too few conversations"
    table = ok(botops(without_history, "analytics", "--by", "version", "--bot", "bot_a"))
    assert "(this server has no version history: the live version against everything " in table
    history = ok(botops(without_history, "history", "bot_a", "--format", "json"))
    assert json.loads(history)["complete"] is False


# --from and --versions


def api_and_file(known: Emulator, fields: str, out: str, *args: str) -> tuple[Any, Any]:
    ok(botops(known, "conversations", "export", "--out", out, "--fields", fields))
    api = json.loads(ok(botops(known, "analytics", *args, "--format", "json")))
    offline = json.loads(ok(botops(known, "analytics", *args, "--from", out, "--format", "json")))
    return api, offline


@pytest.mark.parametrize("out", ["calls.jsonl", "calls.csv"])
def test_from_an_export_file_equals_the_api_report(known: Emulator, out: str) -> None:
    api, offline = api_and_file(known, "insights", out)
    assert offline == api and api["total"] == len(FIXTURES["conversations"])


def write_versions(known: Emulator, *bots: str) -> None:
    """versions.jsonl as the README says to make it: `botops history ID --format json`."""
    # As `for id in ...; do botops history "$id" --format json; done > versions.jsonl` does.
    histories = [botops(known, "history", b, "--format", "json").stdout for b in bots]
    Path("versions.jsonl").write_text("".join(histories))


@pytest.mark.parametrize("out", ["calls.jsonl", "calls.csv"])
def test_from_an_export_by_version_equals_the_api_report(known: Emulator, out: str) -> None:
    """The CSV export has each conversation's start_time, so --by version reads it too."""
    write_versions(known, "bot_a", "bot_b", "bot_many")
    api, offline = api_and_file(
        known, "insights", out, "--by", "version", "--versions", "versions.jsonl"
    )
    assert offline == api and offline["bots"]["bot_a"]["versions"] == EXPECTED_A


def test_from_with_versions_file_sends_nothing(known: Emulator) -> None:
    ok(botops(known, "conversations", "export", "--out", "calls.jsonl", "--fields", "insights"))
    write_versions(known, "bot_a", "bot_b")
    known.clear_requests()
    args = ["analytics", "--by", "version", "--from", "calls.jsonl", "--versions", "versions.jsonl"]
    # Pointed at a port where nothing listens: a request would fail the command.
    result = botops(None, *args, "--format", "json", BOTOPS_BASE_URL="http://127.0.0.1:9")
    document = json.loads(ok(result))
    assert document["bots"]["bot_a"]["versions"] == EXPECTED_A
    assert set(document["bots"]) == {"bot_a", "bot_b"}  # bot_many: no history given, no calls
    assert known.requests() == []


def test_by_version_from_a_file_without_versions_file_sends_nothing(known: Emulator) -> None:
    """--from is offline (DESIGN §13), even with a project that could reach the API."""
    ok(botops(known, "conversations", "export", "--out", "calls.jsonl", "--fields", "insights"))
    known.clear_requests()
    result = botops(known, "analytics", "--by", "version", "--from", "calls.jsonl")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: --by version --from FILE needs --versions FILE (--from sends nothing, so it "
        "can't read histories from the API); make it with `botops history ID --format json >> "
        "versions.jsonl` for each bot\n"
    )
    assert known.requests() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--versions", "v.json"], "Error: --versions goes with --by version\n"),
        (["--from", "missing.jsonl"], "Error: missing.jsonl: no such file\n"),
        (["--from", "bad.jsonl"], "Error: bad.jsonl:2: not valid JSON: "),
        (
            ["--from", "calls.csv", "--by", "version"],
            "Error: calls.csv: --by version places each conversation in its version's time, and "
            "this CSV has no start_time column; export again (the export's CSV has one): "
            "botops conversations export --out calls.csv --fields insights\n",
        ),
        (["--from", "odd.csv"], "Error: odd.csv:1: not a conversations export: no bot_id column\n"),
        (
            ["--by", "version", "--from", "good.jsonl", "--versions", "bad.jsonl"],
            "Error: bad.jsonl:2: not valid JSON: ",
        ),
    ],
)
def test_bad_offline_inputs_are_one_line(args: list[str], message: str) -> None:
    Path("bad.jsonl").write_text('{"conversation_id": "c1", "bot_id": "b"}\n{oops\n')
    Path("good.jsonl").write_text('{"conversation_id": "c1", "bot_id": "b"}\n')
    Path("calls.csv").write_text("conversation_id,bot_id,from,to\nc1,b,,\n")
    Path("odd.csv").write_text("conversation_id,name\nc1,b\n")
    result = botops(None, "analytics", *args, BOTOPS_BASE_URL="http://127.0.0.1:9")
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert result.stdout == ""


# Parquet, and the DuckDB query the README shows

DUCKDB_QUERY = """
WITH versions AS (
    SELECT id AS bot_id, v.version, CAST(v.date_created AS TIMESTAMPTZ) AS live_from, v.commit
    FROM (SELECT id, unnest(versions) AS v FROM read_json('versions.jsonl'))
),
calls AS (
    SELECT * FROM read_parquet('calls/*/*.parquet', hive_partitioning = true)
),
per_version AS (
    SELECT c.bot_id, v.version, v.live_from, v.commit,
           count(*) AS total,
           count(*) FILTER (WHERE c.outcome = 'resolved') AS resolved,
           avg(c.duration_seconds) AS avg_duration_seconds
    FROM calls c ASOF JOIN versions v
      ON c.bot_id = v.bot_id AND c.start_time >= v.live_from
    GROUP BY ALL
),
rates AS (
    SELECT *, resolved / total AS p, 1.959963984540054 AS z,
           lag(resolved) OVER w AS prev_resolved, lag(total) OVER w AS prev_total
    FROM per_version WINDOW w AS (PARTITION BY bot_id ORDER BY live_from)
)
SELECT bot_id, version, commit, total,
       round(p, 4) AS resolution_rate,
       round((p + z*z/(2*total) - z*sqrt(p*(1-p)/total + z*z/(4*total*total)))
             / (1 + z*z/total), 4) AS ci_low,
       round((p + z*z/(2*total) + z*sqrt(p*(1-p)/total + z*z/(4*total*total)))
             / (1 + z*z/total), 4) AS ci_high,
       round(avg_duration_seconds, 1) AS avg_duration_seconds,
       CASE
         WHEN prev_total IS NULL THEN NULL
         WHEN total < 30 OR prev_total < 30 THEN 'too few conversations'
         WHEN abs(p - prev_resolved / prev_total) / sqrt(
                (resolved + prev_resolved) / (total + prev_total)
                * (1 - (resolved + prev_resolved) / (total + prev_total))
                * (1 / total + 1 / prev_total)) < z THEN 'no clear difference'
         WHEN p > prev_resolved / prev_total THEN 'better'
         ELSE 'worse'
       END AS verdict
FROM rates
ORDER BY bot_id, live_from
"""


def test_parquet_export_read_by_duckdb_gives_analytics_by_version(known: Emulator) -> None:
    duckdb = pytest.importorskip("duckdb")
    result = botops(known, "conversations", "export", "--format", "parquet", "--out", "calls",
                    "--fields", "insights,transcript")  # fmt: skip
    assert ok(result) == f"Exported {len(FIXTURES['conversations'])} conversations to calls\n"
    days = sorted(p.name for p in Path("calls").iterdir())
    assert days[0] == "day=2026-03-01" and days[-1] == "day=__HIVE_DEFAULT_PARTITION__"
    assert all(p.suffix == ".parquet" for d in Path("calls").iterdir() for p in d.iterdir())
    typed = duckdb.sql(
        "DESCRIBE SELECT * FROM read_parquet('calls/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert {name: kind for name, kind, *_ in typed} == {
        "conversation_id": "VARCHAR",
        "bot_id": "VARCHAR",
        "start_time": "TIMESTAMP WITH TIME ZONE",
        "from_number": "VARCHAR",
        "to_number": "VARCHAR",
        "duration_seconds": "DOUBLE",
        "recording_url": "VARCHAR",
        "sentiment": "VARCHAR",
        "outcome": "VARCHAR",
        "intents": "VARCHAR[]",
        "transcript": 'STRUCT(speaker VARCHAR, "text" VARCHAR, "timestamp" VARCHAR)[]',
        "day": "DATE",
    }
    write_versions(known, "bot_a", "bot_b")
    rows = duckdb.sql(DUCKDB_QUERY).fetchall()
    report = json.loads(ok(botops(known, "analytics", "--by", "version", "--format", "json")))
    expected = [
        (
            bot_id,
            v["version"],
            v["commit"],
            v["total"],
            v["resolution_rate"],
            *v["resolution_ci"],
            v["avg_duration_seconds"],
            v["vs_previous"] and v["vs_previous"]["verdict"],
        )
        for bot_id in ("bot_a", "bot_b")
        for v in report["bots"][bot_id]["versions"]
        if v["total"]
    ]
    assert [tuple(row) for row in rows] == expected


def test_parquet_export_never_writes_into_an_existing_directory(known: Emulator) -> None:
    Path("calls").mkdir()
    Path("calls/keep.txt").write_text("mine\n")
    result = botops(known, "conversations", "export", "--format", "parquet", "--out", "calls")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: calls already exists; --format parquet writes a new")
    assert sorted(p.name for p in Path(".").iterdir()) == ["calls"]
    assert [p.name for p in Path("calls").iterdir()] == ["keep.txt"]


# plan --with-outcomes


def test_plan_with_outcomes_shows_the_live_version_s_calls(known: Emulator) -> None:
    Path("bots").mkdir()
    Path("bots/alpha.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_a\nname: Alpha\nsupported_languages: [en, hi]\n"
    )
    Path("bots/beta.yaml").write_text("kind: Voicebot\nbot_id: bot_b\nname: Beta\n")  # no-op
    Path("botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    plain = ok(botops(known, "plan"))
    assert "# live" not in plain
    known.clear_requests()
    text = ok(botops(known, "plan", "--with-outcomes"))
    lines = text.splitlines()
    header = lines.index(
        '~ voicebot/bot_a "Alpha" (bots/alpha.yaml) will be updated in place, from version v3'
    )
    low, high = interval(5, 5)
    assert lines[header + 1] == (
        f"    # live v3 since 2026-03-20 08:30: 5 calls, 100.0% resolved "
        f"(95% interval {100 * low:.1f}–{100 * high:.1f}%)"
    )
    assert text.count("# live") == 1  # bot_b is unchanged: nothing at risk
    reads = [r["path"] for r in known.requests() if r["path"].endswith("/versions")]
    assert reads == ["/voicebot/api/v2/accounts/Exotel/voicebots/bot_a/versions"]
    markdown = ok(botops(known, "plan", "--with-outcomes", "--format", "markdown"))
    assert "\n\nlive v3 since 2026-03-20 08:30: 5 calls, 100.0% resolved (95% interval " in markdown
    planned = json.loads(ok(botops(known, "plan", "--with-outcomes", "--format", "json")))
    assert "outcomes" not in planned["resources"][0]  # the plan file is unchanged
