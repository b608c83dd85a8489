"""What environments cost botops itself, without the network: load the plan-fleet files in
process, as they are and as one set of files for two environments, and compare CPU time.

`plan_fleet.py --environments` measures the whole plan, but on a busy machine its wall times
wander by more than the 2% they are meant to show; CPU time spent loading is where
environments add work (each document's effective view, the names it uses, the guards), so this
measures that alone, taking turns, median of many rounds.

    .venv/bin/python benchmarks/environments_overhead.py --bots 1000 --rounds 15
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

from plan_fleet import write_files

from botops.project.loader import load_resources
from botops.project.settings import load_project, scope_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        shapes = {}
        for name, environments, overrides in (
            ("without environments", None, False),
            ("environments defined", "http://127.0.0.1:1", False),
            ("ids in overrides", "http://127.0.0.1:1", True),
        ):
            where = directory / name.replace(" ", "-")
            write_files(where, args.bots, environments=environments, overrides=overrides)
            project = load_project(where / "botops.yaml") if environments else None
            scope = scope_of(project, project.environments["prod"]) if project else None
            shapes[name] = (where, scope)
        times: dict[str, list[float]] = {name: [] for name in shapes}
        for _ in range(args.rounds):
            for name, (where, scope) in shapes.items():
                gc.collect()  # else one shape pays for the garbage of the one before
                started = time.process_time()
                loaded = load_resources([where / "bots"], root=where, scope=scope)
                times[name].append(time.process_time() - started)
                assert len(loaded) == args.bots

    plain = statistics.median(times["without environments"])
    print(f"bots={args.bots} rounds={args.rounds} (CPU time of loading and validating, median)")
    for name, spent in times.items():
        median = statistics.median(spent)
        print(f"  {name + ':':24s}{median * 1000:7.1f} ms  = {median / plain:.3f}x")


if __name__ == "__main__":
    main()
