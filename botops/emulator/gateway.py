"""What stands between the network and the API routes: the request log, body limits, and the
faults tests ask for (latency, 500s, lost responses, a rate limit, credentials, the envelope).

It is plain ASGI around the FastAPI app. `/_emulator/` and the OpenAPI document pass straight
through: they need no credentials and are never delayed, faulted, limited, logged or enveloped.
The OpenAI-compatible `/v1/` endpoints get the same treatment as the API's, except that their
errors come in OpenAI's shape, they are never enveloped, and no response is "lost" (a chat
completion is not a write).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import email.parser
import email.policy
import hmac
import json
import math
import random
import re
import sys
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from botops.emulator import plain

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1024 * 1024
PASS_THROUGH = ("/_emulator/", "/openapi.json", "/docs", "/redoc")
CONTROL = "/_emulator/"
OPENAI = "/v1/"
OPENAI_ERROR_TYPES = {
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "not_found"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    fault_rate: float = 0.0
    lost_response_rate: float = 0.0
    rate_limit: int | None = None
    token: str | None = None
    envelope: bool = False
    # The accounts served (--account, or the demo's); empty serves every account id.
    accounts: frozenset[str] = frozenset()
    # "exotel": as Exotel's service answers (DESIGN §16): always enveloped, a list's items each
    # in an envelope of its own, its metadata beside `response` and without `total`.
    dialect: str = "reference"


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def openai_error_body(
    status: int, message: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """An error as OpenAI answers one: `{"error": {"message", "type", "param", "code"}}`."""
    kind, default_code = OPENAI_ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    error = {"message": message, "type": kind, "param": param, "code": code or default_code}
    return {"error": error}


def is_openai(path: str) -> bool:
    return path.startswith(OPENAI)


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def parse_form(content_type: str, body: bytes) -> dict[str, str] | None:
    """Fields of a multipart/form-data or urlencoded body; None for any other body."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if kind != "multipart/form-data":
        return None
    # The standard library's MIME parser reads form data well enough for a few text fields.
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            name = plain.without_surrogates(name)  # the MIME parser keeps bad bytes as such
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            try:
                fields[name] = data.decode(part.get_content_charset() or "utf-8", "replace")
            except LookupError:  # a charset Python doesn't know
                fields[name] = data.decode("utf-8", "replace")
    return fields


def logged_body(content_type: str, body: bytes) -> Any:
    """The body as `/_emulator/requests` shows it: JSON, form fields, else null."""
    if not body:
        return None
    form = parse_form(content_type, body)
    if form is not None:
        return form
    try:
        return plain.json_value(body)
    except plain.NotPlain:
        return None


# The newest requests kept (refused ones too): a long-running emulator must not grow forever,
# neither in entries nor in the bytes of the bodies they keep.
MAX_LOGGED = 10_000
MAX_LOGGED_BYTES = 16 * 1024 * 1024


class RequestLog:
    """The API requests received, oldest first, each completed with the status answered; only
    the newest `limit` are kept, and bodies of at most `max_bytes` in all (as received: parsed
    only when `/_emulator/requests` shows them, so a body costs its size, not a parsed tree)."""

    def __init__(self, limit: int = MAX_LOGGED, max_bytes: int = MAX_LOGGED_BYTES) -> None:
        self.entries: collections.deque[dict[str, Any]] = collections.deque()
        self.limit = limit
        self.max_bytes = max_bytes
        self.bytes = 0

    def add(self, scope: Scope) -> dict[str, Any]:
        query = scope.get("query_string", b"").decode("latin-1")
        entry: dict[str, Any] = {
            "method": scope["method"],
            "path": scope["path"],
            "query": dict(parse_qsl(query, keep_blank_values=True)),
            "body": None,
            "status": None,
        }
        self.entries.append(entry)
        self._trim()
        return entry

    def keep_body(self, entry: dict[str, Any], content_type: str, body: bytes) -> None:
        """Keep `body` with `entry` (shown parsed), while the log's bytes allow: older entries'
        bodies go first; one larger than the whole budget is not kept."""
        if not body or len(body) > self.max_bytes:
            return
        entry["body"] = _Raw(content_type, body)
        self.bytes += len(body)
        self._trim()

    def shown(self) -> list[dict[str, Any]]:
        return [
            {**e, "body": e["body"].parsed() if isinstance(e["body"], _Raw) else e["body"]}
            for e in self.entries
        ]

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0

    def _trim(self) -> None:
        while len(self.entries) > self.limit or self.bytes > self.max_bytes:
            oldest = self.entries.popleft()
            if isinstance(oldest["body"], _Raw):
                self.bytes -= len(oldest["body"].body)


class _Raw:
    """A logged body as it came."""

    __slots__ = ("body", "content_type")

    def __init__(self, content_type: str, body: bytes) -> None:
        self.content_type = content_type
        self.body = body

    def parsed(self) -> Any:
        return logged_body(self.content_type, self.body)


class TooLarge(Exception):
    pass


_ACCOUNT = re.compile(r"/accounts/([^/]+)")


def _account_of(path: str) -> str | None:
    found = _ACCOUNT.search(path)
    return None if found is None else unquote(found.group(1))


class Gateway:
    def __init__(
        self,
        app: ASGIApp,
        faults: Faults,
        log: RequestLog,
        rng: random.Random | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # `clock` and `sleep` are the rate limit's window and the latency: tests pass their own
        # to check both without measuring time on a machine that may be busy.
        self.app = app
        self.faults = faults
        self.log = log
        self.rng = rng or random.Random()
        self.clock = clock
        self.sleep = sleep
        self.admitted: collections.deque[float] = collections.deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROL) and self.faults.token:
            # With --token the emulator's own endpoints (its request log, its stores) need the
            # token too: they tell and change as much as the API does.
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            if not self._authorized(headers):
                reply = Reply(scope, send, {}, envelope=False)
                await reply.error(
                    401, "missing or wrong credentials: send Authorization: Bearer <token>"
                )
                return
        if scope["type"] != "http" or scope["path"].startswith(PASS_THROUGH):
            await self.app(scope, receive, send)
            return
        entry = self.log.add(scope)
        openai = is_openai(scope["path"])
        exotel = self.faults.dialect == "exotel" and not openai
        envelope = (self.faults.envelope or exotel) and not openai
        reply = Reply(scope, send, entry, envelope=envelope, per_item=exotel)
        if self.faults.latency_ms:
            await self.sleep(self.faults.latency_ms / 1000)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            body = await _read_body(receive)
        except TooLarge:
            await reply.error(413, f"request body is larger than {MAX_BODY} bytes")
            return
        retry_after = self._throttle()
        if retry_after is not None:
            message = f"rate limit of {self.faults.rate_limit} requests a second exceeded"
            await reply.error(429, message, [(b"retry-after", str(retry_after).encode())])
            return
        if self.faults.token is not None and not self._authorized(headers):
            challenge = b'Bearer realm="botops emulator", Basic realm="botops emulator"'
            message = "missing or wrong credentials: send Authorization: Bearer <token>"
            await reply.error(401, message, [(b"www-authenticate", challenge)])
            return
        # Kept only from a caller the emulator serves (anyone, without --token).
        self.log.keep_body(entry, headers.get("content-type", ""), body)
        account = _account_of(scope["path"])
        if self.faults.accounts and account is not None and account not in self.faults.accounts:
            await reply.error(404, f"no account has the id {account!r} on this server")
            return
        if self.faults.fault_rate and self.rng.random() < self.faults.fault_rate:
            await reply.error(500, "injected fault (--fault-rate): nothing was done")
            return
        status, response_headers, content = await self._call_app(scope, body)
        lost = self.faults.lost_response_rate
        if scope["method"] == "POST" and not openai and lost and self.rng.random() < lost:
            await reply.error(500, "injected fault (--lost-response-rate): the request was done")
            return
        await reply.send(status, response_headers, content)

    def _throttle(self) -> int | None:
        """Seconds to wait when over the limit (a sliding one-second window), else None."""
        limit = self.faults.rate_limit
        if limit is None:
            return None
        now = self.clock()
        while self.admitted and self.admitted[0] <= now - 1.0:
            self.admitted.popleft()
        if len(self.admitted) >= limit:
            return max(1, math.ceil(self.admitted[0] + 1.0 - now))
        self.admitted.append(now)
        return None

    def _authorized(self, headers: dict[str, str]) -> bool:
        assert self.faults.token is not None
        expected = self.faults.token.encode()
        scheme, _, value = headers.get("authorization", "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            # Headers arrive as latin-1 text: back to their bytes, to compare with the token's.
            return hmac.compare_digest(value.encode("latin-1"), expected)
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return False
            _, colon, password = decoded.partition(b":")
            return bool(colon) and hmac.compare_digest(password, expected)
        return False

    async def _call_app(self, scope: Scope, body: bytes) -> tuple[int, list[Any], bytes]:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status, headers, chunks = 500, [], []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay, capture)
        except Exception:
            # A bug in a route: answer in the API's error shape, and show the bug on stderr.
            traceback.print_exc(file=sys.stderr)
            if not chunks:
                shape = openai_error_body if is_openai(scope["path"]) else error_body
                return 500, [], encode(shape(500, "internal error in the emulator"))
        return status, headers, b"".join(chunks)


class Reply:
    """Sends one API response, enveloped when asked, and notes its status in the log."""

    def __init__(
        self,
        scope: Scope,
        send: Send,
        entry: dict[str, Any],
        *,
        envelope: bool,
        per_item: bool = False,
    ):
        self.scope = scope
        self._send = send
        self.entry = entry
        self.envelope = envelope
        self.per_item = per_item

    async def error(self, status: int, message: str, headers: list[Any] | None = None) -> None:
        extra = [(b"content-type", b"application/json")] + (headers or [])
        if is_openai(self.scope["path"]):
            await self.send(status, extra, encode(openai_error_body(status, message)))
        else:
            await self.send(status, extra, encode(error_body(status, message)))

    async def send(self, status: int, headers: list[Any], content: bytes) -> None:
        if self.envelope:
            content = self._wrap(status, content)
        kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        kept.append((b"content-length", str(len(content)).encode()))
        self.entry["status"] = status
        await self._send({"type": "http.response.start", "status": status, "headers": kept})
        await self._send({"type": "http.response.body", "body": content})

    def _wrap(self, status: int, content: bytes) -> bytes:
        try:
            payload = json.loads(content) if content else None
        except ValueError:
            payload = None
        if status < 400:
            data, error_data = payload, None
            if self.per_item and isinstance(payload, dict) and _is_list(payload):
                # Exotel's list style: one small envelope per item, no total.
                metadata = {k: v for k, v in payload["metadata"].items() if k != "total"}
                items = [{"code": status, "status": "success", "data": x} for x in payload["data"]]
                return encode(
                    {
                        "http_code": status,
                        "method": self.scope["method"],
                        "request_id": uuid.uuid4().hex,
                        "metadata": metadata,
                        "response": items,
                    }
                )
        else:
            error = payload.get("error") if isinstance(payload, dict) else None
            message = error.get("message") if isinstance(error, dict) else None
            phrase = _phrase(status)
            data = None
            error_data = {"code": status, "message": phrase, "description": message or phrase}
        return encode(
            {
                "http_code": status,
                "method": self.scope["method"],
                "request_id": uuid.uuid4().hex,
                "response": {"http_code": status, "data": data, "error_data": error_data},
            }
        )


def _is_list(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("metadata"), dict)
        and isinstance(payload.get("data"), list)
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


async def _read_body(receive: Receive) -> bytes:
    """The whole body; TooLarge past MAX_BODY, once the rest has been read so that the client
    is not cut off mid-upload and sees the 413."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if size > MAX_BODY:
        raise TooLarge
    return b"".join(chunks)
