"""`botops analytics --by version` over N conversations of one bot with 20 versions, and the
parquet export of the same conversations: wall time, peak memory, size.

For each N, starts an emulator with a fixtures file (one bot, v1..v20 live at even steps; the
emulator dates the synthetic conversations from v1 to a month after v20) and
`--synthetic-conversations N`, then runs, each in a
fresh process whose peak resident memory is read with `os.wait4`:

- `analytics --by version --format json` through the API (every page, with insights),
- the same `--from` a JSONL export with `--versions` (offline, no API),
- `conversations export --format parquet --fields insights` (its directory's size too).

It checks that each version got conversations and that the offline report equals the API one.
Peaks should stay flat as N grows: nothing is kept per conversation.

    .venv/bin/python benchmarks/analytics_by_version.py                 # 10,000 and 100,000
    .venv/bin/python benchmarks/analytics_by_version.py --conversations 100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _emulator import cli_environment, start_emulator

VERSIONS = 20
WALL_TARGET_S = 5.0
SYNTHETIC_START = datetime(2026, 1, 1, 3, 30, tzinfo=UTC)  # when v1 goes live
SYNTHETIC_STEP_S = 26


def fixtures(path: Path, conversations: int) -> None:
    """One bot whose 20 versions go live at even steps over the conversations' time span."""
    span = timedelta(seconds=conversations * SYNTHETIC_STEP_S)

    def live(n: int) -> str:
        moment = SYNTHETIC_START + span * (n - 1) / VERSIONS
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    bot = {
        "bot_id": "bot_bench",
        "name": "Bench Support",
        "version": f"v{VERSIONS}",
        "date_created": live(VERSIONS),
        "versions": [
            {"version": f"v{n}", "date_created": live(n), "version_description": f"step {n}"}
            for n in range(1, VERSIONS)
        ],
    }
    path.write_text(json.dumps({"bots": [bot]}))


def measured(url: str, cwd: Path, *args: str) -> tuple[float, float, float, str]:
    """One botops command in its own process: wall seconds, its CPU seconds and peak RSS (MB)
    from wait4 (its own, not its siblings'), and what it printed."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "botops", *args],
            env=cli_environment(url),
            stdout=out,
            stderr=err,
            cwd=cwd,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        printed, errors = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"botops {' '.join(args)} failed: {errors.strip()}")
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / scale, printed


def in_process(path: Path, versions: Path) -> float:
    """Attribution and figures alone: the export's conversations parsed up front, then timed.
    Run in a child of its own (`--alone`): a list of N conversations held here would swell the
    peak memory every later child inherits before its exec."""
    command = [sys.executable, __file__, "--alone", str(path), str(versions)]
    return float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def _alone(path: Path, versions: Path) -> float:
    from botops.analytics.by_version import VersionReport
    from botops.analytics.history import read_histories

    conversations = [json.loads(line) for line in path.open(encoding="utf-8")]
    started = time.perf_counter()
    report = VersionReport(read_histories(versions))
    for conversation in conversations:
        report.add(conversation)
    report.to_json()
    return time.perf_counter() - started


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--conversations", type=int, nargs="+", default=[10_000, 100_000], metavar="N"
    )
    parser.add_argument("--alone", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone:
        print(_alone(*args.alone))
        return
    print(f"analytics --by version, one bot with {VERSIONS} versions")
    header = f"{'conversations':>13}  {'what':<36}  {'wall s':>7}  {'cpu s':>6}  {'peak MB':>7}"
    header += f"  {'size MB':>7}"
    print(header)
    rows: list[tuple[int, str, float, float]] = []
    for conversations in args.conversations:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            fixtures(work / "fixtures.json", conversations)
            emulator, url = start_emulator(
                "--fixtures", str(work / "fixtures.json"),
                "--synthetic-conversations", str(conversations),
            )  # fmt: skip
            try:
                api_s, api_cpu, api_mb, api_out = measured(
                    url, work, "analytics", "--by", "version", "--format", "json"
                )
                report = json.loads(api_out)["bots"]["bot_bench"]["versions"]
                totals = [v["total"] for v in report]
                if len(report) != VERSIONS or min(totals) == 0 or sum(totals) != conversations:
                    raise SystemExit(f"unexpected attribution: {totals}")
                measured(url, work, "conversations", "export", "--out", "calls.jsonl",
                         "--fields", "insights")  # fmt: skip
                *_, history = measured(url, work, "history", "bot_bench", "--format", "json")
                (work / "versions.json").write_text(history)
                off_s, off_cpu, off_mb, off_out = measured(
                    "http://127.0.0.1:9", work, "analytics", "--by", "version", "--format",
                    "json", "--from", "calls.jsonl", "--versions", "versions.json",
                )  # fmt: skip
                if json.loads(off_out) != json.loads(api_out):
                    raise SystemExit("the offline report differs from the API one")
                pq_s, pq_cpu, pq_mb, _ = measured(
                    url, work, "conversations", "export", "--format", "parquet",
                    "--out", "calls", "--fields", "insights",
                )  # fmt: skip
                pq_size = size_mb(work / "calls")
                jsonl_size = (work / "calls.jsonl").stat().st_size / 1e6
                alone = in_process(work / "calls.jsonl", work / "versions.json")
            finally:
                emulator.terminate()
                emulator.wait(timeout=30)
                if emulator.stdout:
                    emulator.stdout.close()
        for what, wall, cpu, peak, size in (
            ("analytics --by version (API)", api_s, api_cpu, api_mb, None),
            ("analytics --by version --from jsonl", off_s, off_cpu, off_mb, jsonl_size),
            ("attribution + figures alone", alone, alone, None, None),
            ("export --format parquet", pq_s, pq_cpu, pq_mb, pq_size),
        ):
            if peak is not None:
                rows.append((conversations, what, wall, peak))
            mb = f"{peak:>7.1f}" if peak is not None else f"{'':>7}"
            shown = f"{size:>7.1f}" if size is not None else f"{'':>7}"
            print(f"{conversations:>13,}  {what:<36}  {wall:>7.2f}  {cpu:>6.2f}  {mb}  {shown}")
    biggest = max(args.conversations)
    api_walls = [w for n, what, w, _ in rows if n == biggest and what.endswith("(API)")]
    verdict = "ok" if api_walls and api_walls[0] < WALL_TARGET_S else "OVER TARGET"
    print(f"analytics --by version over {biggest:,}: {api_walls[0]:.2f} s (target < "
          f"{WALL_TARGET_S:.0f} s): {verdict}")  # fmt: skip
    for what in {what for _, what, _, _ in rows}:
        peaks = [p for _, w, _, p in rows if w == what]
        print(f"peak memory of {what}: {min(peaks):.1f}-{max(peaks):.1f} MB")


if __name__ == "__main__":
    main()
