"""Plan a fleet of N bots against an emulator that allows R requests a second (DESIGN §14).

Prints the wall time of `botops plan` (a fresh process, start-up included), the floor
(N - R) / R (the first R requests go at once, then R a second), their ratio, the requests the
emulator received and the share it answered 429. Every run gets a fresh emulator, so that no
run starts inside the previous one's window. With `--known`, botops.yaml says `rate_limit: R`
and botops must never exceed it (no 429 at all).

    .venv/bin/python benchmarks/plan_rate_limit.py --bots 400 --rate-limit 40
    .venv/bin/python benchmarks/plan_rate_limit.py --bots 400 --rate-limit 40 --known
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _emulator import cli_environment, start_emulator
from plan_fleet import write_fleet


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def run_once(directory: Path, fixtures: Path, rate_limit: int) -> tuple[float, int, int, str]:
    """One plan against a fresh emulator: wall time, requests, requests answered 429, summary."""
    emulator, url = start_emulator("--fixtures", str(fixtures), "--rate-limit", str(rate_limit))
    try:
        command = [sys.executable, "-m", "botops", "plan", "bots", "--detailed-exitcode"]
        started = time.perf_counter()
        result = subprocess.run(
            command,
            cwd=directory,
            env=cli_environment(url),
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if result.returncode != 2:
            raise SystemExit(f"plan failed ({result.returncode}): {result.stderr[-2000:]}")
        log = get(f"{url}/_emulator/requests")
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    throttled = sum(1 for entry in log if entry["status"] == 429)
    return wall, len(log), throttled, result.stdout.rstrip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=400)
    parser.add_argument("--rate-limit", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--known", action="store_true", help="rate_limit: R in botops.yaml")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fixtures = write_fleet(directory, args.bots)
        if args.known:
            (directory / "botops.yaml").write_text(f"rate_limit: {args.rate_limit}\n")
        runs = [run_once(directory, fixtures, args.rate_limit) for _ in range(args.runs)]

    floor = (args.bots - args.rate_limit) / args.rate_limit
    walls = [wall for wall, *_ in runs]
    best, median = min(walls), statistics.median(walls)
    known = " (rate_limit in botops.yaml)" if args.known else ""
    print(f"bots={args.bots} rate_limit={args.rate_limit}/s{known}")
    print(f"  {runs[-1][3]}")
    print(f"  floor (N-R)/R:          {floor:.2f} s")
    print(f"  wall (best of {args.runs}):     {best:.2f} s  = {best / floor:.3f}x floor")
    print(f"  wall (median):          {median:.2f} s  = {median / floor:.3f}x floor")
    for wall, requests, throttled, _ in runs:
        share = throttled / requests if requests else 0.0
        print(f"  run: {wall:.2f} s, {requests} requests, {throttled} answered 429 ({share:.1%})")


if __name__ == "__main__":
    main()
