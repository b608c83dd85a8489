"""A real HTTP server between the CLI and the emulator, for what the emulator can't be asked
to do at an exact moment: another writer's version landing between two of botops' requests, an
answer replaced by one a misbehaving server would give, the server dying after it acted.

Every request goes to `rule`, which may forward it (`exchange.forward()`), answer it itself, or
return `DIE`: the connection drops unanswered and every later request is dropped too, as when
the server process is gone. A rule that returns None lets the request through unchanged.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})


@dataclass
class Exchange:
    method: str
    path: str
    body: bytes
    forward: Callable[[], Answer]


DIE = object()
Rule = Callable[[Exchange], Any]  # -> Answer | DIE | None


class Interposer:
    def __init__(self, upstream: str, rule: Rule) -> None:
        self.upstream = upstream
        self.rule = rule
        self.dead = False
        self.seen: list[tuple[str, str]] = []
        self._http = httpx2.Client(base_url=upstream, timeout=30)
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Interposer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        response = self._http.request(method, path, headers=headers, content=body)
        kept = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
        return Answer(response.status_code, response.content, kept)

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                with proxy._lock:
                    proxy.seen.append((self.command, self.path))
                    if proxy.dead:
                        self.close_connection = True
                        return
                    exchange = Exchange(
                        self.command,
                        self.path,
                        body,
                        lambda: proxy._forward(self.command, self.path, headers, body),
                    )
                    answer = proxy.rule(exchange)
                    if answer is DIE:
                        proxy.dead = True
                        self.close_connection = True
                        return
                    if answer is None:
                        answer = exchange.forward()
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _any

        return Handler


@contextmanager
def interposed(upstream: str, rule: Rule) -> Iterator[Interposer]:
    proxy = Interposer(upstream, rule).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def once(rule: Rule) -> Rule:
    """`rule` for the first request it acts on (returns something other than None), then
    every request passes."""
    done = [False]

    def wrapped(exchange: Exchange) -> Any:
        if done[0]:
            return None
        answer = rule(exchange)
        if answer is not None:
            done[0] = True
        return answer

    return wrapped
