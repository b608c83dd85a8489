"""A loopback OpenAI-compatible Chat Completions server for benchmarks: every answer takes a fixed
latency (300 ms by default), and it counts what it receives. Standard library and asyncio only,
one event loop: thousands of waiting requests cost it nothing, so at `concurrency: 8` the time
measured is botops's, not this server's.

It keeps counters only, never bodies, so that it can run inside the process whose memory a
benchmark measures. Replies: a judge (a system prompt naming a judge) gets a passing JSON verdict,
a simulated caller (one naming the caller) says it is done with `[DONE]`, anyone else gets a
short plain sentence that passes the speech checks. Pass `reply=` for other answers.

In a benchmark:

    from llm_server import serve

    with serve(latency=0.3) as server:
        env["BOTOPS_LLM_ENDPOINT"] = server.url          # http://127.0.0.1:PORT/v1
        ...
        print(server.requests, server.peak)              # requests received, most at once

On its own (prints its URL, then the count when stopped with Ctrl-C or SIGTERM; `GET /count`
answers the counters as JSON):

    .venv/bin/python benchmarks/llm_server.py --latency 0.3 --port 8099
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

MAX_HEAD = 64 * 1024
MAX_BODY = 8 * 1024 * 1024
JUDGE = re.compile(r"(?i)\bjudge\b")
CALLER = re.compile(r"(?i)\bcaller\b")
VERDICT = json.dumps({"pass": True, "reason": "The reply meets the rubric."})
MODEL = "benchmark-loopback"

Reply = Callable[[dict[str, Any]], str]


def default_reply(body: dict[str, Any]) -> str:
    system = " ".join(
        str(m.get("content", ""))
        for m in body.get("messages", [])
        if isinstance(m, dict) and m.get("role") in ("system", "developer")
    )
    if JUDGE.search(system):
        return VERDICT
    if CALLER.search(system):
        return "Thanks, that is all I needed. [DONE]"
    return "Sure, I can help with that. Your order ships tomorrow."


class Server:
    """The running server: its URL (ending in /v1) and its counters."""

    def __init__(self, latency: float, reply: Reply) -> None:
        self.latency = latency
        self.reply = reply
        self.url = ""
        self.requests = 0  # chat completion requests received
        self.in_flight = 0
        self.peak = 0  # most chat completion requests in flight at once
        self._lock = threading.Lock()

    def counters(self) -> dict[str, int]:
        return {"requests": self.requests, "in_flight": self.in_flight, "peak": self.peak}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """One request on a keep-alive connection; False when the connection is done."""
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length > MAX_BODY:
            await self._send(writer, 413, {"error": {"message": "too large", "type": "x"}})
            return False
        raw = await reader.readexactly(length) if length else b""
        keep = headers.get("connection", "").lower() != "close"
        if method == "GET" and path == "/count":
            await self._send(writer, 200, self.counters(), keep)
        elif method == "POST" and path.rstrip("/").endswith("/chat/completions"):
            await self._completion(writer, raw, keep)
        else:
            message = f"no such endpoint: {method} {path}"
            await self._send(writer, 404, {"error": {"message": message, "type": "x"}}, keep)
        return keep

    async def _completion(self, writer: asyncio.StreamWriter, raw: bytes, keep: bool) -> None:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
            try:
                body = json.loads(raw)
                if not isinstance(body, dict) or not body.get("messages"):
                    raise ValueError("no messages")
            except ValueError as error:
                error_body = {"error": {"message": str(error), "type": "invalid_request_error"}}
                await self._send(writer, 400, error_body, keep)
                return
            content = self.reply(body)
            words = len(content.split())
            await self._send(
                writer,
                200,
                {
                    "id": f"chatcmpl-{uuid.uuid4().hex}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": MODEL,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": len(raw) // 4,
                        "completion_tokens": words,
                        "total_tokens": len(raw) // 4 + words,
                    },
                },
                keep,
            )
        finally:
            with self._lock:
                self.in_flight -= 1

    @staticmethod
    async def _send(
        writer: asyncio.StreamWriter, status: int, payload: Any, keep: bool = False
    ) -> None:
        body = json.dumps(payload).encode()
        head = (
            f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()


@contextlib.contextmanager
def serve(
    latency: float = 0.3, *, host: str = "127.0.0.1", port: int = 0, reply: Reply = default_reply
) -> Iterator[Server]:
    """The server on its own thread and event loop, for the `with` block."""
    server = Server(latency, reply)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        listener = await asyncio.start_server(server.handle, host, port, limit=MAX_HEAD)
        bound = listener.sockets[0].getsockname()[1]
        server.url = f"http://{host}:{bound}/v1"
        ready.set()
        async with listener:
            await stop.wait()

    def run() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as error:  # reported to the caller of serve()
            failure.append(error)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="llm-server", daemon=True)
    thread.start()
    ready.wait()
    if failure:
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per answer (0.3)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with serve(options.latency, host=options.host, port=options.port) as server:
        print(f"llm server listening on {server.url}", flush=True)
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        print(json.dumps(server.counters()), file=sys.stderr)


if __name__ == "__main__":
    main()
