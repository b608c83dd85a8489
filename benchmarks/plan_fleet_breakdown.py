"""Where the time of a fleet plan goes (DESIGN §14: at most 1.10 x N * latency / concurrency,
start-up included), on plan_fleet.py's fleet.

Prints the wall time of `botops plan` and its ratio to the floor, and where the median goes:
the interpreter starting (`python -c pass`), botops' imports (`botops --version`, less the
interpreter), loading and validating the files (`botops validate`, less that), and the reads
(`plan`, less `validate`); the CPU time of the plan process, which a busy machine disturbs
less than wall time; and for scale the same reads by bare httpx2 (one client, `concurrency`
connections, no botops) in the same conditions: what this machine allows.

    .venv/bin/python benchmarks/plan_fleet_breakdown.py --bots 1000 --latency-ms 50 --concurrency 16
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from _emulator import cli_environment
from plan_fleet import fleet_arguments, running_fleet

CPU_SECONDS: dict[str, list[float]] = {}


def main() -> None:
    args = fleet_arguments(__doc__.splitlines()[0]).parse_args()

    with running_fleet(args.bots, args.latency_ms) as (directory, url):
        env = cli_environment(url)
        command = [sys.executable, "-m", "botops", "plan", "bots"]
        command += ["--concurrency", str(args.concurrency), "--detailed-exitcode"]
        phases = {
            "interpreter": [sys.executable, "-c", "pass"],
            "imports": [sys.executable, "-m", "botops", "--version"],
            "validate": [sys.executable, "-m", "botops", "validate", "bots"],
        }
        timings: dict[str, list[float]] = {name: [] for name in phases}
        walls = []
        for _ in range(args.runs):
            for name, phase in phases.items():
                timings[name].append(timed(phase, directory, env, expect=0)[0])
            wall, result = timed(command, directory, env, expect=2)
            walls.append(wall)
        summary = result.stdout.rstrip().splitlines()[-1]
        bare = [asyncio.run(bare_reads(url, args.bots, args.concurrency)) for _ in walls]

    floor = args.bots * args.latency_ms / 1000 / args.concurrency
    best, median = min(walls), statistics.median(walls)
    print(f"bots={args.bots} latency={args.latency_ms}ms concurrency={args.concurrency}")
    print(f"  {summary}")
    print(f"  floor N*latency/concurrency: {floor:.2f} s")
    print(f"  wall (best of {args.runs}):  {best:.2f} s  = {best / floor:.2f}x floor")
    print(f"  wall (median):         {median:.2f} s  = {median / floor:.2f}x floor")
    steps = {name: statistics.median(values) for name, values in timings.items()}
    print("  where the median goes:")
    print(f"    interpreter start-up      {steps['interpreter']:.3f} s")
    print(f"    botops imports            {steps['imports'] - steps['interpreter']:.3f} s")
    print(f"    load and validate files   {steps['validate'] - steps['imports']:.3f} s")
    reads = median - steps["validate"]
    print(f"    reads (and render)        {reads:.3f} s  = {reads / floor:.2f}x floor")
    plan_cpu = statistics.median(CPU_SECONDS["plan"])
    print(f"  CPU time of one plan (user + system, median): {plan_cpu:.2f} s")
    reference = statistics.median(bare)
    print(f"  the same reads by bare httpx2: {reference:.3f} s  = {reference / floor:.2f}x floor")


async def bare_reads(url: str, bots: int, concurrency: int) -> float:
    """The reads alone, by httpx2 without botops: what this machine's floor really is."""
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with httpx2.AsyncClient(base_url=url, limits=limits) as client:

        async def read(i: int) -> None:
            async with gate:
                response = await client.get(
                    f"/voicebot/api/v2/accounts/Exotel/voicebots/bot_{i:05d}"
                )
                response.raise_for_status()
                response.json()

        started = time.perf_counter()
        await asyncio.gather(*(read(i) for i in range(bots)))
        return time.perf_counter() - started


def timed(
    command: list[str], cwd: Path, env: dict[str, str], *, expect: int
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of `command`; its CPU time (user + system) is added to CPU_SECONDS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    CPU_SECONDS.setdefault(command[3] if len(command) > 3 else command[-1], []).append(cpu)
    if result.returncode != expect:
        raise SystemExit(f"{command[2:]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return wall, result


if __name__ == "__main__":
    main()
