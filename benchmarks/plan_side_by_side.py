"""Plan a fleet side by side with the cheapest plan this machine allows (DESIGN §14).

Four parts, all on this machine:

- a minimal keep-alive HTTP/1.1 server (asyncio, its own process) answering each bot's GET
  after a fixed delay (--latency-ms), with the bot as the emulator stores it;
- the raw client: a fresh Python process that parses the same files with PyYAML's C loader and
  reads the same bots over --concurrency keep-alive connections (asyncio streams, the JSON
  parsed) — what any plan must at least do;
- the same client over httpx2 (one AsyncClient, as many connections): what the HTTP stack
  botops uses costs over asyncio streams;
- `botops plan` (a fresh process: start-up, loading and validating, the reads, the diff and
  its rendering) against the same server.

The three clients take turns, --rounds times; prints the median wall time of each, the floor
N * latency / concurrency, botops ÷ raw (target: at most 1.10), and how that splits between
the HTTP stack (httpx2 ÷ raw) and botops' own work (botops ÷ httpx2).

    .venv/bin/python benchmarks/plan_side_by_side.py --bots 1000 --latency-ms 50 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _emulator import cli_environment
from plan_fleet import write_fleet

PREFIX = "/voicebot/api/v2/accounts/Exotel/voicebots/"
READY = "side-by-side server listening on "

# Both clients parse the files the same way: every document's bot_id, with the C loader.
BOT_IDS = r"""
import os
import yaml

def bot_ids(folder):
    ids = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                for document in yaml.load_all(file, Loader=yaml.CSafeLoader):
                    ids.append(document["bot_id"])
    return ids
"""

RAW_CLIENT = (
    BOT_IDS
    + r"""
import asyncio, json, sys
from urllib.parse import urlsplit

async def main(url, folder, connections):
    parts = urlsplit(url)
    queue = asyncio.Queue()
    for bot_id in bot_ids(folder):
        queue.put_nowait(bot_id)
    found = []

    async def worker():
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while not queue.empty():
            bot_id = queue.get_nowait()
            writer.write(
                f"GET /voicebot/api/v2/accounts/Exotel/voicebots/{bot_id} HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\nAuthorization: Basic eDp5\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            found.append(json.loads(await reader.readexactly(length)))
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    print(len(found))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""
)

# The same plan over httpx2 (the HTTP stack botops uses) instead of asyncio streams: one
# AsyncClient, --concurrency connections, as many requests in flight. What botops costs over it
# is botops' own; what it costs over the raw client is the HTTP stack's.
HTTPX2_CLIENT = (
    BOT_IDS
    + r"""
import asyncio, sys
import httpx2

async def main(url, folder, connections):
    ids = iter(bot_ids(folder))
    found = []
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": "Basic eDp5"}
    async with httpx2.AsyncClient(base_url=url, headers=headers, limits=limits) as client:

        async def worker():
            for bot_id in ids:
                response = await client.get(f"/voicebot/api/v2/accounts/Exotel/voicebots/{bot_id}")
                found.append(response.json())

        await asyncio.gather(*(worker() for _ in range(connections)))
    print(len(found))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""
)


def serve(fixtures: Path, latency: float) -> None:
    """The minimal server: each bot's GET answered after `latency` seconds, keep-alive."""
    bodies = {
        bot["bot_id"]: json.dumps(bot, separators=(",", ":")).encode()
        for bot in json.loads(fixtures.read_text())["bots"]
    }

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                await asyncio.sleep(latency)
                body = bodies.get(path.removeprefix(PREFIX)) if path.startswith(PREFIX) else None
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b'{"message":"not found"}'
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
                    b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(f"{READY}http://127.0.0.1:{port}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def timed(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode not in ok:
        raise SystemExit(f"{command[1:3]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.latency_ms / 1000)
        return
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        fixtures = write_fleet(directory, args.bots)
        server = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(fixtures),
                "--latency-ms",
                str(args.latency_ms),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            if not line.startswith(READY):
                raise SystemExit(f"server did not start: {line!r}")
            url = line[len(READY) :].strip()
            env = cli_environment(url)
            raw = [sys.executable, "-c", RAW_CLIENT, url, "bots", str(args.concurrency)]
            plan = [sys.executable, "-m", "botops", "plan", "bots", "--detailed-exitcode"]
            plan += ["--concurrency", str(args.concurrency)]
            over_httpx2 = [sys.executable, "-c", HTTPX2_CLIENT, url, "bots", str(args.concurrency)]
            walls: dict[str, list[float]] = {"raw": [], "httpx2": [], "botops": []}
            for _ in range(args.rounds):
                walls["raw"].append(timed(raw, directory, env, (0,)))
                walls["httpx2"].append(timed(over_httpx2, directory, env, (0,)))
                walls["botops"].append(timed(plan, directory, env, (2,)))
        finally:
            server.terminate()
            server.wait()
    floor = args.bots * args.latency_ms / 1000 / args.concurrency
    raw, botops = statistics.median(walls["raw"]), statistics.median(walls["botops"])
    over_httpx2 = statistics.median(walls["httpx2"])
    print(
        f"{args.bots} bots @ {args.latency_ms} ms, c={args.concurrency}, {args.rounds} rounds "
        f"taking turns, load average {os.getloadavg()[0]:.2f}"
    )
    print(f"  floor N*latency/c:  {floor:6.2f} s")
    print(
        f"  raw client:         {raw:6.2f} s median (best {min(walls['raw']):.2f}) "
        f"= {raw / floor:.2f}x floor"
    )
    print(
        f"  same over httpx2:   {over_httpx2:6.2f} s median (best {min(walls['httpx2']):.2f}) "
        f"= {over_httpx2 / floor:.2f}x floor"
    )
    print(
        f"  botops plan:        {botops:6.2f} s median (best {min(walls['botops']):.2f}) "
        f"= {botops / floor:.2f}x floor"
    )
    print(f"  botops ÷ raw:       {botops / raw:6.2f}   (target: at most 1.10)")
    print(f"  httpx2 ÷ raw:       {over_httpx2 / raw:6.2f}   (the HTTP stack's share)")
    print(f"  botops ÷ httpx2:    {botops / over_httpx2:6.2f}   (botops' own share)")


if __name__ == "__main__":
    main()
