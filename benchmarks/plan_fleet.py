"""Plan a fleet of N bots against the emulator with injected latency.

Prints the wall time of `botops plan` (a fresh process: Python start-up, loading and validating
N files, N concurrent reads, rendering) and its ratio to the floor N * latency / concurrency.

    .venv/bin/python benchmarks/plan_fleet.py --bots 1000 --latency-ms 50 --concurrency 16

`--environments` also plans the same fleet written as one set of files for two accounts
(botops.yaml defines `staging` and `prod`, every file keeps its ids in `overrides`, the plan
runs with `--env prod`), the two kinds of run taking turns against one emulator, and prints
both figures and their ratio.
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
    write_files(directory, bots, environments=None)
    return write_fixtures(directory, bots)


def write_fixtures(directory: Path, bots: int) -> Path:
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
    return directory / "fixtures.json"


def write_files(directory: Path, bots: int, *, environments: str | None) -> None:
    """The N resource files; with `environments` (a base URL), a botops.yaml that defines
    two environments there and each file's ids in its `overrides`."""
    files = directory / "bots"
    files.mkdir(parents=True)
    if environments is not None:
        (directory / "botops.yaml").write_text(
            "paths: [bots]\nenvironments:\n"
            f"  staging: {{account_id: Exotel, base_url: '{environments}'}}\n"
            f"  prod: {{account_id: Exotel, base_url: '{environments}'}}\n"
        )
    for i in range(bots):
        languages = "[en, hi]" if i % 3 == 0 else "[en]"
        ids = (
            f"overrides:\n  staging: {{bot_id: bot_s{i:05d}}}\n  prod: {{bot_id: bot_{i:05d}}}\n"
            if environments is not None
            else f"bot_id: bot_{i:05d}\n"
        )
        (files / f"bot-{i:05d}.yaml").write_text(
            "kind: Voicebot\n"
            f"name: Fleet Bot {i:05d}\n"
            "enable_greeting_interruption: false\n"
            f"supported_languages: {languages}\n" + ids
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--environments",
        action="store_true",
        help="Also plan the fleet as two environments with ids in overrides, taking turns.",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fixtures = write_fleet(directory, args.bots)
        emulator, url = start_emulator(
            "--fixtures", str(fixtures), "--latency-ms", str(args.latency_ms)
        )
        options = ["--concurrency", str(args.concurrency), "--detailed-exitcode"]
        plan = [sys.executable, "-m", "botops", "plan", "bots", *options]
        shapes = {"without environments": (plan, directory, cli_environment(url))}
        if args.environments:
            write_files(directory / "envs", args.bots, environments=url)
            # Only botops.yaml names the target, as in a project with environments.
            bare = {
                k: v for k, v in cli_environment(url).items() if k.startswith("BOTOPS_") is False
            }
            shapes["with environments"] = ([*plan, "--env", "prod"], directory / "envs", bare)
        walls: dict[str, list[float]] = {name: [] for name in shapes}
        try:
            for _ in range(args.runs):
                for name, (command, cwd, env) in shapes.items():
                    started = time.perf_counter()
                    result = subprocess.run(
                        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
                    )
                    walls[name].append(time.perf_counter() - started)
                    if result.returncode != 2:
                        raise SystemExit(
                            f"plan {name} failed ({result.returncode}): {result.stderr[-2000:]}"
                        )
            summary = result.stdout.rstrip().splitlines()[-1]
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)

    floor = args.bots * args.latency_ms / 1000 / args.concurrency
    print(f"bots={args.bots} latency={args.latency_ms}ms concurrency={args.concurrency}")
    print(f"  {summary}")
    print(f"  floor N*latency/concurrency: {floor:.2f} s")
    for name, times in walls.items():
        best, median = min(times), statistics.median(times)
        if len(walls) > 1:
            print(f"  {name}:")
        print(f"  wall (best of {args.runs}):  {best:.2f} s  = {best / floor:.2f}x floor")
        print(f"  wall (median):         {median:.2f} s  = {median / floor:.2f}x floor")
    if len(walls) > 1:
        plain, envs = (statistics.median(t) for t in walls.values())
        print(f"  with / without environments (medians): {envs / plain:.3f}")


if __name__ == "__main__":
    main()
