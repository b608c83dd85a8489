"""Plan a fleet of N bots against the emulator with injected latency.

Prints the wall time of `botops plan` (a fresh process: Python start-up, loading and validating
N files, N concurrent reads, rendering) and its ratio to the floor N * latency / concurrency.

    .venv/bin/python benchmarks/plan_fleet.py --bots 1000 --latency-ms 50 --concurrency 16

`--environments` also plans the same fleet as one set of files for two accounts, with
`--env prod`: once with the environments only defined in botops.yaml (the files as they were),
once with every file keeping its ids in `overrides`. The kinds of run take turns against one
emulator; each prints its wall time and the CPU time of the plan process (which a busy machine
disturbs less), and the ratios to the run without environments.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


def write_files(
    directory: Path, bots: int, *, environments: str | None, overrides: bool = False
) -> None:
    """The N resource files; with `environments` (a base URL), a botops.yaml that defines
    two environments there, and with `overrides` each file's ids in its `overrides`."""
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
            if overrides
            else f"bot_id: bot_{i:05d}\n"
        )
        (files / f"bot-{i:05d}.yaml").write_text(
            "kind: Voicebot\n"
            f"name: Fleet Bot {i:05d}\n"
            "enable_greeting_interruption: false\n"
            f"supported_languages: {languages}\n" + ids
        )


def fleet_arguments(description: str) -> argparse.ArgumentParser:
    """The options every fleet benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bots", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    return parser


@contextlib.contextmanager
def running_fleet(bots: int, latency_ms: int) -> Iterator[tuple[Path, str]]:
    """A directory holding the fleet's files and an emulator serving it (its URL), stopped
    on the way out."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fixtures = write_fleet(directory, bots)
        emulator, url = start_emulator("--fixtures", str(fixtures), "--latency-ms", str(latency_ms))
        try:
            yield directory, url
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)


def main() -> None:
    parser = fleet_arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--environments",
        action="store_true",
        help="Also plan the fleet as two environments (defined; ids in overrides), taking turns.",
    )
    args = parser.parse_args()

    with running_fleet(args.bots, args.latency_ms) as (directory, url):
        options = ["--concurrency", str(args.concurrency), "--detailed-exitcode"]
        plan = [sys.executable, "-m", "botops", "plan", "bots", *options]
        shapes = {"without environments": (plan, directory, cli_environment(url))}
        if args.environments:
            # Only botops.yaml names the target, as in a project with environments.
            bare = {k: v for k, v in cli_environment(url).items() if not k.startswith("BOTOPS_")}
            for name, overrides in (("environments defined", False), ("ids in overrides", True)):
                where = directory / name.replace(" ", "-")
                write_files(where, args.bots, environments=url, overrides=overrides)
                shapes[name] = ([*plan, "--env", "prod"], where, bare)
        walls: dict[str, list[float]] = {name: [] for name in shapes}
        cpus: dict[str, list[float]] = {name: [] for name in shapes}
        for _ in range(args.runs):
            for name, (command, cwd, env) in shapes.items():
                cpu = _children_cpu()
                started = time.perf_counter()
                result = subprocess.run(
                    command, cwd=cwd, env=env, capture_output=True, text=True, check=False
                )
                walls[name].append(time.perf_counter() - started)
                cpus[name].append(_children_cpu() - cpu)
                if result.returncode != 2:
                    raise SystemExit(
                        f"plan {name} failed ({result.returncode}): {result.stderr[-2000:]}"
                    )
        summary = result.stdout.rstrip().splitlines()[-1]

    floor = args.bots * args.latency_ms / 1000 / args.concurrency
    print(f"bots={args.bots} latency={args.latency_ms}ms concurrency={args.concurrency}")
    print(f"  {summary}")
    print(f"  floor N*latency/concurrency: {floor:.2f} s")
    plain = "without environments"
    for name, times in walls.items():
        best, median = min(times), statistics.median(times)
        if len(walls) > 1:
            print(f"  {name}:")
        print(f"  wall (best of {args.runs}):  {best:.2f} s  = {best / floor:.2f}x floor")
        print(f"  wall (median):         {median:.2f} s  = {median / floor:.2f}x floor")
        if len(walls) > 1:
            print(f"  CPU of plan (median):  {statistics.median(cpus[name]):.2f} s")
        if name != plain:
            ratio = median / statistics.median(walls[plain])
            cpu_ratio = statistics.median(cpus[name]) / statistics.median(cpus[plain])
            print(f"  vs without (medians):  wall {ratio:.3f}, CPU {cpu_ratio:.3f}")


def _children_cpu() -> float:
    """User and system CPU seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
