"""Import and apply at zero latency: where the time goes is botops's own CPU and disk writes.

Three commands, each a fresh `botops` process against one emulator (no injected latency),
reset (`POST /_emulator/reset`) before every run:

- `import --all` of --import-bots live bots into an empty directory (one file each);
- `apply --auto-approve` of --apply-bots files, each changing its bot's name (N updates);
- `apply --auto-approve --write-ids` of --apply-bots files without ids (N creates through bot
  generation, taking no time here, each new id written back into its file).

With `--source DIR` (repeatable) the botops of another checkout (an older commit, e.g. a
`git worktree add /tmp/old <commit>`) runs each command too, taking turns with this one.
Prints the median wall time and CPU time (user + system of the botops process) of each.

    .venv/bin/python benchmarks/write_fleet.py --rounds 5 --source /tmp/old
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _emulator import cli_environment, start_emulator
from _sources import add_source_option, environment_for, sources


def write_fixtures(path: Path, import_bots: int, apply_bots: int) -> None:
    bots = [
        {
            "bot_id": f"bot_{i:05d}",
            "name": f"Fleet Bot {i:05d}",
            "version": "v1",
            "enable_greeting_interruption": False,
            "supported_languages": ["en"],
        }
        for i in range(max(import_bots, apply_bots))
    ]
    path.write_text(json.dumps({"bots": bots}))


def write_updates(directory: Path, bots: int) -> None:
    for i in range(bots):
        (directory / f"bot-{i:05d}.yaml").write_text(
            f"kind: Voicebot\nbot_id: bot_{i:05d}\nname: Renamed Bot {i:05d}\n"
            "supported_languages: [en]\n"
        )


def write_creates(directory: Path, bots: int) -> None:
    for i in range(bots):
        (directory / f"new-{i:05d}.yaml").write_text(
            f"# A new bot\nkind: Voicebot\nname: New Bot {i:05d}\nsupported_languages: [en]\n"
            "description: A support bot that answers order questions.\n"
        )


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float] | None:
    """Wall and CPU seconds of one botops process; None where that botops lacks an option."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if "No such option" in result.stderr:
        return None
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:])} failed:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/_emulator/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-bots", type=int, default=1000)
    parser.add_argument("--apply-bots", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    add_source_option(parser)
    args = parser.parse_args()
    chosen = sources(args.source)
    botops = [sys.executable, "-m", "botops"]
    commands = {
        f"import --all ({args.import_bots} bots)": (None, [*botops, "import", "--all"]),
        f"apply ({args.apply_bots} updates)": (write_updates, [*botops, "apply", "--auto-approve"]),
        f"apply --write-ids ({args.apply_bots} creates)": (
            write_creates,
            [*botops, "apply", "--auto-approve", "--write-ids"],
        ),
    }
    figures: dict[tuple[str, str], list[tuple[float, float] | None]] = {}
    with tempfile.TemporaryDirectory() as temporary:
        fixtures = Path(temporary) / "fixtures.json"
        write_fixtures(fixtures, args.import_bots, args.apply_bots)
        process, url = start_emulator("--fixtures", str(fixtures), "--generation-seconds", "0")
        try:
            for round_ in range(args.rounds):
                for name, (prepare, command) in commands.items():
                    for label, source in chosen:
                        reset(url)
                        work = Path(temporary) / f"run-{round_}-{len(figures)}-{abs(hash(label))}"
                        work.mkdir()
                        if prepare is not None:
                            prepare(work, args.apply_bots)
                        env = environment_for(source, cli_environment(url))
                        figures.setdefault((name, label), []).append(timed(command, work, env))
        finally:
            process.terminate()
            process.wait()
    print(f"load average {os.getloadavg()[0]:.2f}; zero latency; {args.rounds} rounds taking turns")
    for name in commands:
        for label, _ in chosen:
            runs = [run for run in figures[(name, label)] if run is not None]
            if not runs:
                print(f"{name:36} {label:22} (this botops has no such option)")
                continue
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"{name:36} {label:22} wall {wall:6.2f} s  CPU {cpu:6.2f} s")


if __name__ == "__main__":
    main()
