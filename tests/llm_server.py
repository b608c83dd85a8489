"""A real OpenAI-compatible Chat Completions server on loopback, for tests and benchmarks of
`botops test` (DESIGN §15): `POST /v1/chat/completions`, every request recorded (headers that
matter and the parsed body), replies chosen by the test, and faults on demand: 429 with
Retry-After, 500, slow answers, malformed and oversized bodies, a key echoed in an error.

Replies: `state.reply(body) -> str` decides the assistant's and the caller's text; requests
whose system prompt is the judge's get `state.verdict(body) -> str` (default: a passing JSON
verdict). `state.faults` is a queue: each request takes the next fault, if any, before it is
answered (`("429", seconds)`, `("500",)`, `("slow", seconds)`, `("malformed",)`,
`("oversized", bytes)`, `("echo_key",)`, `("text", body)`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KEY = "sk-test-SECRETkey0123456789abcdef"
JUDGE_START = "You are the judge of a test"
CALLER_START = "You are role-playing a caller"


def system_prompt(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    first = messages[0] if messages else {}
    return str(first.get("content", "")) if first.get("role") == "system" else ""


def last_user(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def is_judge(body: dict[str, Any]) -> bool:
    return system_prompt(body).startswith(JUDGE_START)


def is_caller(body: dict[str, Any]) -> bool:
    return system_prompt(body).startswith(CALLER_START)


def passing(_: dict[str, Any]) -> str:
    return json.dumps({"pass": True, "reason": "meets the rubric"})


@dataclass
class Recorded:
    path: str
    authorization: str | None
    body: Any


@dataclass
class LlmState:
    url: str = ""  # the endpoint: http://127.0.0.1:PORT/v1
    reply: Callable[[dict[str, Any]], str] = lambda body: "Sure, I can help with that."
    verdict: Callable[[dict[str, Any]], str] = passing
    faults: list[tuple[Any, ...]] = field(default_factory=list)
    latency: float = 0.0
    tokens: int = 10
    requests: list[Recorded] = field(default_factory=list)
    record: bool = True
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, kind: str = "any") -> list[dict[str, Any]]:
        """Recorded bodies: `bot` (neither judge nor caller), `judge`, `caller` or `any`."""
        found = []
        for request in self.requests:
            body = request.body
            if not isinstance(body, dict):
                continue
            role = "judge" if is_judge(body) else "caller" if is_caller(body) else "bot"
            if kind in ("any", role):
                found.append(body)
        return found


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without it every answer (headers, then body) waits ~40 ms on a delayed ACK (DESIGN §9).
    disable_nagle_algorithm = True
    state: LlmState

    def log_message(self, *_: Any) -> None:
        pass

    def _send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def do_POST(self) -> None:
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with state.lock:
            state.count += 1
            if state.record:
                state.requests.append(Recorded(self.path, self.headers.get("Authorization"), body))
            fault = state.faults.pop(0) if state.faults else None
        if not self.path.endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        if state.latency:
            time.sleep(state.latency)
        if fault is not None and self._fault(fault):
            return
        text = state.verdict(body) if is_judge(body) else state.reply(body)
        answer = {
            "id": f"chatcmpl-{state.count}",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": state.tokens},
        }
        self._send(200, json.dumps(answer).encode())

    def _fault(self, fault: tuple[Any, ...]) -> bool:
        """Act out a fault; True when it answered the request."""
        kind = fault[0]
        if kind == "429":
            self._send(
                429,
                b'{"error": {"message": "Rate limit reached", "type": "requests"}}',
                {"Retry-After": str(fault[1])},
            )
            return True
        if kind == "500":
            self._send(500, b'{"error": {"message": "The server had an error"}}')
            return True
        if kind == "slow":
            time.sleep(fault[1])
            return False
        if kind == "malformed":
            self._send(200, b"<html>this is not json</html>")
            return True
        if kind == "oversized":
            self._send(200, b'{"choices": [{"message": {"content": "' + b"a" * fault[1] + b'"}}]}')
            return True
        if kind == "echo_key":
            authorization = self.headers.get("Authorization") or ""
            message = f"Incorrect API key provided: {authorization.removeprefix('Bearer ')}"
            self._send(401, json.dumps({"error": {"message": message}}).encode())
            return True
        if kind == "text":
            self._send(200, json.dumps({"choices": [{"message": {"content": fault[1]}}]}).encode())
            return True
        raise AssertionError(f"unknown fault {fault!r}")


@contextmanager
def serve_llm(state: LlmState | None = None) -> Iterator[LlmState]:
    """Serve on a free port of 127.0.0.1 in a thread for the duration of the block."""
    state = state or LlmState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
