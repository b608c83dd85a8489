"""Plan a fleet of N bots against the emulator with injected latency.

Prints the wall time of `botops plan` (a fresh process: Python start-up, loading and validating
N files, N concurrent reads, rendering) and its ratio to the floor N * latency / concurrency.

    .venv/bin/python benchmarks/plan_fleet.py --bots 1000 --latency-ms 50 --concurrency 16
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _emulator import cli_environment, start_emulator


def write_fleet(directory: Path, bots: int) -> Path:
    """N live bots (fixtures) and N files, every third of which changes something."""
    fixtures = {
        "bots": [
            {
                "bot_id": f"bot_{i:05d}",
                "name": f"Fleet Bot {i:05d}",
                "version": "v1",
                "enable_greeting_interruption": False,
                "supported_languages": ["en"],
            }
            for i in range(bots)
        ]
    }
    (directory / "fixtures.json").write_text(json.dumps(fixtures))
    files = directory / "bots"
    files.mkdir()
    for i in range(bots):
        languages = "[en, hi]" if i % 3 == 0 else "[en]"
        (files / f"bot-{i:05d}.yaml").write_text(
            "kind: Voicebot\n"
            f"bot_id: bot_{i:05d}\n"
            f"name: Fleet Bot {i:05d}\n"
            "enable_greeting_interruption: false\n"
            f"supported_languages: {languages}\n"
        )
    return directory / "fixtures.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fixtures = write_fleet(directory, args.bots)
        emulator, url = start_emulator(
            "--fixtures", str(fixtures), "--latency-ms", str(args.latency_ms)
        )
        env = cli_environment(url)
        command = [sys.executable, "-m", "botops", "plan", "bots"]
        command += ["--concurrency", str(args.concurrency), "--detailed-exitcode"]
        try:
            walls = []
            for _ in range(args.runs):
                started = time.perf_counter()
                result = subprocess.run(
                    command, cwd=directory, env=env, capture_output=True, text=True, check=False
                )
                walls.append(time.perf_counter() - started)
                if result.returncode != 2:
                    raise SystemExit(f"plan failed ({result.returncode}): {result.stderr[-2000:]}")
            summary = result.stdout.rstrip().splitlines()[-1]
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)

    floor = args.bots * args.latency_ms / 1000 / args.concurrency
    best, median = min(walls), statistics.median(walls)
    print(f"bots={args.bots} latency={args.latency_ms}ms concurrency={args.concurrency}")
    print(f"  {summary}")
    print(f"  floor N*latency/concurrency: {floor:.2f} s")
    print(f"  wall (best of {args.runs}):  {best:.2f} s  = {best / floor:.2f}x floor")
    print(f"  wall (median):         {median:.2f} s  = {median / floor:.2f}x floor")


if __name__ == "__main__":
    main()
