"""`ModelClient`: `POST {endpoint}/chat/completions`, retried, paced, traced and bounded.

- Flow control is the Voicebot client's own (`botops.client.flow`): a concurrency limiter
  (AIMD on 429), a pacer that holds every request back while a 429's Retry-After runs and
  learns the rate the server accepts, and the same backoff with jitter.
- 429, 5xx and no answer are retried; other refusals (400, 401, 404) are not. Every call has
  one deadline (`deadline` seconds, retries and Retry-After pauses included): past it, the
  call fails with the last reason.
- An answer is read up to `max_bytes`; more is an error, not a completion. The cap and the
  deadline are the shared bounds of every HTTP client of botops (`botops.client.bounds`).
- The key goes in the `Authorization` header and nowhere else. Every message and trace line
  passes through redaction, so a server that echoes the key in an error body still never has
  it shown. Traces name the method, host, path, model and status, never a header or a body.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx2

from botops import __version__
from botops.client.bounds import BodyTooLarge, DeadlineExceeded, read_capped, within
from botops.client.diagnosis import short_reason, ssl_context
from botops.client.flow import AdaptiveLimiter, Pacer, Sleep, backoff, take_slot
from botops.client.wire import one_line, retry_after
from botops.errors import (
    ModelAnswerError,
    ModelError,
    ModelStatusError,
    ModelTransportError,
    UsageError,
)
from botops.llm.endpoint import COMPLETIONS, Completion, Endpoint

Trace = Callable[[str], None]

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""The most of one answer that is read: a completion of a voice reply is a few KiB."""
MAX_ATTEMPTS = 5
UNREACHABLE_ATTEMPTS = 2  # a refused connection is a wrong endpoint, not a blip


class ModelClient:
    """Async client of one endpoint. Use as `async with ModelClient(...) as client:`."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        concurrency: int = 4,
        deadline: float = 120.0,
        max_bytes: int = MAX_ANSWER_BYTES,
        trace: Trace | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer | None = None,
    ) -> None:
        if deadline <= 0:
            raise UsageError(f"the deadline of a model call must be positive, got {deadline}")
        self.endpoint = endpoint
        self.host = endpoint.host
        self.limiter = AdaptiveLimiter(concurrency)
        self.pacer = pacer or Pacer(clock)
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.request_count = 0
        self._path = urllib.parse.urlsplit(endpoint.url).path + COMPLETIONS
        self._secrets = sorted(endpoint.secrets(), key=len, reverse=True)
        self._trace = trace
        self._sleep = sleep
        self._clock = clock
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": f"botops/{__version__}",
        }
        if endpoint.key:
            headers["Authorization"] = f"Bearer {endpoint.key}"
        self._http = httpx2.AsyncClient(
            headers=headers,
            timeout=httpx2.Timeout(deadline, connect=min(deadline, 10.0)),
            limits=httpx2.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            ),
            transport=transport,
            verify=ssl_context(endpoint.url),
            follow_redirects=False,
        )

    async def __aenter__(self) -> ModelClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def redact(self, text: str) -> str:
        """`text` with the key (wherever it appears) replaced by `***`."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    async def complete(
        self, model: str, messages: list[dict[str, str]], settings: dict[str, Any]
    ) -> Completion:
        """One completion of `messages` by `model` with `settings` (temperature, top_p,
        max_tokens); raises a `ModelError` naming the host."""
        body = {"model": model, "messages": messages, **settings}
        started = self._clock()
        attempt = failures = unreachable = 0
        while True:
            attempt += 1
            remaining = self.deadline - (self._clock() - started)
            if remaining <= 0:
                raise ModelTransportError(
                    self.host, f"no answer within {self.deadline:g} s (the deadline of a call)"
                )
            epoch, turn = await take_slot(self.pacer, self.limiter, self._sleep)
            succeeded = throttled = answered = False
            wait: float | None = None
            try:
                result = await self._attempt(model, body, remaining)
                succeeded = answered = True
                return result
            except ModelStatusError as exc:
                error: ModelError = exc
                throttled = exc.status == 429
                answered = not throttled
                wait = exc.retry_after
                if not (throttled or exc.status >= 500):
                    succeeded = True  # a refusal is an answer: the server keeps up
                    raise
            except ModelAnswerError:
                succeeded = answered = True  # answered (and paid for): not retried
                raise
            except ModelTransportError as exc:
                error = exc
                if isinstance(exc, _Unreachable):
                    unreachable += 1
            finally:
                self.pacer.ended(turn, answered=answered, throttled=throttled, retry_after=wait)
                self.limiter.release(epoch, succeeded=succeeded, throttled=throttled)
            if not throttled:
                failures += 1
            delay = backoff(attempt, wait)
            elapsed = self._clock() - started
            if (
                failures >= MAX_ATTEMPTS
                or unreachable >= UNREACHABLE_ATTEMPTS
                or elapsed + delay >= self.deadline
            ):
                self._emit(f"POST {self._path}: giving up after {attempt} attempts")
                if attempt > 1:
                    error.args = (f"{error} (tried {attempt} times in {elapsed:.0f} s)",)
                raise error
            self._emit(f"POST {self._path}: retry {attempt + 1} in {delay:.2f} s")
            await self._sleep(delay)

    async def _attempt(self, model: str, body: dict[str, Any], remaining: float) -> Completion:
        self.request_count += 1
        start = time.perf_counter()
        shown = f"POST {self.endpoint.url}{COMPLETIONS} model={model}"
        try:
            status, headers, data = await within(remaining, self._send(body))
        except DeadlineExceeded:
            self._emit(f"{shown} -> timed out ({_ms(start)})")
            raise ModelTransportError(
                self.host, f"no answer within {self.deadline:g} s (the deadline of a call)"
            ) from None
        except httpx2.HTTPError as exc:
            reason = self.redact(short_reason(exc))
            self._emit(f"{shown} -> {reason} ({_ms(start)})")
            if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout):
                raise _Unreachable(
                    self.host,
                    f"can't reach the endpoint: {reason}; check tests.endpoint or "
                    "BOTOPS_LLM_ENDPOINT",
                ) from None
            raise ModelTransportError(self.host, f"the connection failed: {reason}") from None
        self._emit(f"{shown} -> {status} ({_ms(start)})")
        if status >= 400:
            raise self._status_error(status, headers, data)
        if 300 <= status < 400:
            raise ModelStatusError(self.host, status, "a redirect; check tests.endpoint")
        return self._completion(data)

    async def _send(self, body: dict[str, Any]) -> tuple[int, httpx2.Headers, bytes]:
        """Status, headers and at most `max_bytes` of body (more is a `ModelAnswerError`)."""
        url = self.endpoint.url + COMPLETIONS
        async with self._http.stream("POST", url, content=json.dumps(body)) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise self._too_large()
            try:
                data = await read_capped(response.aiter_bytes(), self.max_bytes)
            except BodyTooLarge:
                raise self._too_large() from None
            return response.status_code, response.headers, data

    def _too_large(self) -> ModelAnswerError:
        return ModelAnswerError(
            self.host, f"the answer is larger than {self.max_bytes // 1024:,} KiB; not read"
        )

    def _status_error(self, status: int, headers: httpx2.Headers, data: bytes) -> ModelStatusError:
        message = _server_message(data, self.redact)
        if status in (401, 403):
            message += f" (check {self.endpoint.key_source})"
        wait = retry_after(headers.get("Retry-After")) if status == 429 else None
        return ModelStatusError(self.host, status, message, retry_after=wait)

    def _completion(self, data: bytes) -> Completion:
        try:
            body = json.loads(data)
        except (ValueError, RecursionError):
            raise ModelAnswerError(self.host, "the answer is not JSON") from None
        choices = body.get("choices") if isinstance(body, dict) else None
        first = choices[0] if isinstance(choices, list) and choices else None
        message = first.get("message") if isinstance(first, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):  # content parts: [{type: text, text: ...}]
            content = "".join(
                p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
            )
        if not isinstance(content, str):
            raise ModelAnswerError(
                self.host, "the answer has no reply text (choices[0].message.content)"
            )
        usage = body.get("usage")
        tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
        if not (isinstance(tokens, int) and not isinstance(tokens, bool) and tokens >= 0):
            tokens = 0
        model = body.get("model")
        return Completion(content, tokens, model if isinstance(model, str) else None)

    def _emit(self, line: str) -> None:
        if self._trace is not None:
            self._trace(self.redact(line))


class _Unreachable(ModelTransportError):
    """The connection was refused or never made: retried less, as it is rarely a blip."""


def _server_message(data: bytes, redact: Callable[[str], str]) -> str:
    """The server's words for a refusal: OpenAI's `error.message`, or `error`, `message`,
    `detail`; short text as it is; one line of at most 200 characters. Redacted before it is
    cut, so that no part of a key is left at the cut."""
    text = redact(data.decode("utf-8", errors="replace"))
    message: Any = None
    try:
        body = json.loads(text) if len(text) <= 65_536 else None
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message")
        elif isinstance(error, str):
            message = error
        message = message or body.get("message") or body.get("detail")
    if not isinstance(message, str):
        message = "" if text.lstrip().startswith("<") else text
    return one_line(message)


def _ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.0f} ms"
