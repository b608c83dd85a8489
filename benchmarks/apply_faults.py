"""Apply a fleet of N changed bots to a clean emulator and to a faulty one.

Prints, for each, the apply runs needed to converge, the requests the emulator received per bot,
the wall time, and checks that every bot got exactly one new version.

    .venv/bin/python benchmarks/apply_faults.py --bots 200
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _emulator import cli_environment, start_emulator

FAULTS = ["--fault-rate", "0.15", "--lost-response-rate", "0.15", "--rate-limit", "40"]


def write_fleet(directory: Path, bots: int) -> Path:
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
    (directory / "bots").mkdir()
    for i in range(bots):
        (directory / f"bots/bot-{i:05d}.yaml").write_text(
            f"kind: Voicebot\nbot_id: bot_{i:05d}\nname: Fleet Bot {i:05d}\n"
            "supported_languages: [en, hi]\n"
        )
    return directory / "fixtures.json"


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def run(directory: Path, fixtures: Path, bots: int, extra: list[str]) -> dict[str, Any]:
    process, url = start_emulator("--fixtures", str(fixtures), *extra)
    env = cli_environment(url)
    try:
        started = time.perf_counter()
        runs = 0
        for attempt in range(1, 6):
            runs = attempt
            result = subprocess.run(
                [sys.executable, "-m", "botops", "apply", "bots", "--auto-approve"],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode == 0:
                break
        wall = time.perf_counter() - started
        requests = get(f"{url}/_emulator/requests")
        # The emulator's own version history (never faulted or rate-limited).
        histories = [
            [v["version"] for v in get(f"{url}/_emulator/voicebots/bot_{i:05d}/versions")]
            for i in range(bots)
        ]
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {
        "runs": runs,
        "converged": result.returncode == 0,
        "wall": wall,
        "requests": len(requests),
        "throttled": sum(1 for r in requests if r["status"] == 429),
        "failed": sum(1 for r in requests if r["status"] == 500),
        "one_new_version_each": all(h == ["v1", "v2"] for h in histories),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fixtures = write_fleet(directory, args.bots)
        for label, extra in (("clean", []), ("faulty " + " ".join(FAULTS), FAULTS)):
            figures = run(directory, fixtures, args.bots, extra)
            print(f"{label}:")
            print(
                f"  apply runs to converge: {figures['runs']} (converged: {figures['converged']})"
            )
            print(f"  wall: {figures['wall']:.2f} s")
            print(
                f"  requests: {figures['requests']} = {figures['requests'] / args.bots:.2f} per bot"
                f" ({figures['throttled']} answered 429, {figures['failed']} answered 500)"
            )
            print(f"  exactly one new version per bot: {figures['one_new_version_each']}")


if __name__ == "__main__":
    main()
