"""CPU time the emulator spends per GET of a bot, over keep-alive connections.

Starts `botops emulator --fixtures` (one bot), sends --requests GETs of it over --connections
keep-alive connections (a raw asyncio client, so the client's own cost does not matter), and
reads the emulator's CPU time (user + system, /proc/PID/stat) before and after. With
`--source DIR` the emulator of another checkout (an older commit) takes turns with this one.
Prints the median CPU per GET of each, and the ratio.

    .venv/bin/python benchmarks/emulator_cpu.py --requests 4000 --rounds 5 --source /tmp/old
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from _emulator import start_emulator
from _sources import add_source_option, environment_for, neutral_directory, sources

PATH = "/voicebot/api/v2/accounts/Exotel/voicebots/bot_00001"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def get_many(url: str, requests: int, connections: int) -> None:
    parts = urlsplit(url)
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Basic eDp5\r\n\r\n"
    ).encode()

    async def one_connection(count: int) -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"emulator answered {head[:40]!r}")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
        writer.close()

    share = requests // connections
    await asyncio.gather(*(one_connection(share) for _ in range(connections)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    add_source_option(parser)
    args = parser.parse_args()
    chosen = sources(args.source)
    per_get: dict[str, list[float]] = {label: [] for label, _ in chosen}
    with tempfile.TemporaryDirectory() as temporary:
        fixtures = Path(temporary) / "fixtures.json"
        bot = {"bot_id": "bot_00001", "name": "Bot", "version": "v1"}
        fixtures.write_text(json.dumps({"bots": [bot]}))
        emulators = []
        try:
            for label, source in chosen:
                process, url = start_emulator(
                    "--fixtures",
                    str(fixtures),
                    env=environment_for(source),
                    cwd=neutral_directory(),
                )
                emulators.append((label, process, url))
                asyncio.run(get_many(url, 200, 4))  # warm-up: imports, first requests
            for _ in range(args.rounds):
                for label, process, url in emulators:
                    before = cpu_seconds(process.pid)
                    asyncio.run(get_many(url, args.requests, args.connections))
                    spent = cpu_seconds(process.pid) - before
                    per_get[label].append(spent / args.requests)
        finally:
            for _, process, _ in emulators:
                process.terminate()
                process.wait()
    print(
        f"load average {os.getloadavg()[0]:.2f}; {args.requests} GETs a round, "
        f"{args.connections} connections, {args.rounds} rounds taking turns"
    )
    first = statistics.median(per_get[chosen[0][0]])
    for label, _ in chosen:
        median = statistics.median(per_get[label])
        print(
            f"{label}: CPU per GET median {median * 1e6:6.0f} µs "
            f"(best {min(per_get[label]) * 1e6:.0f} µs), {median / first:.2f}x this checkout"
        )


if __name__ == "__main__":
    main()
