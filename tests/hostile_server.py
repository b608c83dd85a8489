"""A loopback HTTP server that answers the way a broken or hostile server does: dripping bytes,
answering without end, repeating one list page forever, linking a page to itself.

`behaviour(handler)` decides each answer; helpers below write the common ones. The server runs
on its own threads and stops with the `with` block; a drip ends when the client goes away (or
after `DRIP_LIMIT` seconds, so no thread outlives a test by long)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DRIP_LIMIT = 120.0

Behaviour = Callable[["Handler"], None]


@dataclass
class Hostile:
    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    behaviour: Behaviour
    seen: list[tuple[str, str]]

    def log_message(self, *_: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(("GET", self.path))
        self.behaviour(self)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append(("POST", self.path))
        self.behaviour(self)

    do_PATCH = do_POST
    do_PUT = do_POST

    # answers

    def json(self, body: Any, *, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def drip(self) -> None:
        """Headers at once, then one byte of a never-finished JSON body every 0.1 s."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000000")
        self.end_headers()
        started = time.monotonic()
        try:
            self.wfile.write(b"{")
            while time.monotonic() - started < DRIP_LIMIT:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass
        self.close_connection = True

    def endless(self, megabytes: int = 64) -> None:
        """A JSON answer of `megabytes` MB, sent as fast as the client reads."""
        chunk = b" " * 65536
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(megabytes * 1024 * 1024 + 2))
        self.end_headers()
        try:
            self.wfile.write(b"{")
            for _ in range(megabytes * 16):
                self.wfile.write(chunk)
            self.wfile.write(b"}")
        except OSError:
            pass
        self.close_connection = True


@contextmanager
def hostile(behaviour: Behaviour) -> Iterator[Hostile]:
    seen: list[tuple[str, str]] = []
    handler = type("Bound", (Handler,), {"behaviour": staticmethod(behaviour), "seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Hostile(url=f"http://127.0.0.1:{server.server_address[1]}", requests=seen)
    finally:
        server.shutdown()
        server.server_close()
