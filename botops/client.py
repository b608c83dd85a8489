"""The one module that speaks HTTP to the Voicebot API (DESIGN §5).

Everything about the wire lives here: the two path prefixes, percent-encoding of ids, auth,
timeouts, retries with backoff, adaptive concurrency, pagination, and the tolerant reading of
responses (bare or in Exotel's envelope, booleans as strings, intents as a string). Callers get
plain dicts and the typed errors of `botops.errors`; no httpx exception leaves this module.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import email.utils
import errno
import json
import os
import random
import re
import socket
import ssl
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from botops import __version__
from botops.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    HTTPStatusError,
    MethodNotAllowedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
)
from botops.urls import ASSISTANT_API, VOICEBOT_API, clean_base_url

Trace = Callable[[str], None]
Sleep = Callable[[float], Awaitable[None]]

AUTH_HINT = "check BOTOPS_TOKEN or BOTOPS_API_KEY/BOTOPS_API_TOKEN"
BACKOFF_BASE = 0.2
BACKOFF_CAP = 5.0
MAX_RETRY_AFTER = 30.0
# A refused connection is usually a wrong base URL, not a blip: don't make the user wait long.
UNREACHABLE_ATTEMPTS = 3
MESSAGE_LIMIT = 300
MAX_PAGE_SIZE = 100  # the reference's maximum `limit`

_BOOLEAN_FIELDS = frozenset({"enable_greeting_interruption", "mark_as_stable"})
_ENVELOPE_KEYS = frozenset({"http_code", "request_id", "method"})


@dataclass(frozen=True)
class Credentials:
    """Bearer token, or HTTP Basic key + token. `repr` never shows the secret."""

    token: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    api_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """BOTOPS_TOKEN, or BOTOPS_API_KEY + BOTOPS_API_TOKEN; None when neither is set."""
        env = os.environ if environ is None else environ
        # CI systems often define unset secrets as empty strings: treat those as absent.
        token = env.get("BOTOPS_TOKEN", "").strip() or None
        api_key = env.get("BOTOPS_API_KEY", "").strip() or None
        api_token = env.get("BOTOPS_API_TOKEN", "").strip() or None
        if token:
            return cls(token=token)
        if api_key and not api_token:
            raise UsageError("BOTOPS_API_KEY is set but BOTOPS_API_TOKEN is missing")
        if api_token and not api_key:
            raise UsageError("BOTOPS_API_TOKEN is set but BOTOPS_API_KEY is missing")
        if api_key and api_token:
            return cls(api_key=api_key, api_token=api_token)
        return None

    def __repr__(self) -> str:
        return f"Credentials(scheme={self.scheme!r})"

    __str__ = __repr__

    @property
    def scheme(self) -> str:
        """`bearer` or `basic`, safe to show."""
        return "bearer" if self.token else "basic"

    def authorization(self) -> str:
        """The `Authorization` header value. Raises UsageError for an unusable secret."""
        if self.token:
            _check_header_safe(self.token, "BOTOPS_TOKEN")
            return f"Bearer {self.token}"
        if not self.api_key or not self.api_token:
            raise UsageError("HTTP Basic needs both BOTOPS_API_KEY and BOTOPS_API_TOKEN")
        return "Basic " + _basic(self.api_key, self.api_token)

    def secrets(self) -> list[str]:
        """Every secret string, for redaction (the encoded Basic header included)."""
        found = [s for s in (self.token, self.api_key, self.api_token) if s]
        if self.api_key and self.api_token:
            found.append(_basic(self.api_key, self.api_token))
        return found


def _check_header_safe(value: str, name: str) -> None:
    # The HTTP stack would otherwise fail with an error that quotes the header value.
    if not all(" " < ch < "\x7f" for ch in value):
        raise UsageError(f"{name} contains characters that can't be sent in an HTTP header")


def _basic(api_key: str, api_token: str) -> str:
    return base64.b64encode(f"{api_key}:{api_token}".encode()).decode("ascii")


@dataclass
class Page:
    """One page of a list: `items` and the list's `total` (None when the server didn't say)."""

    items: list[dict[str, Any]]
    total: int | None
    offset: int
    limit: int


class AdaptiveLimiter:
    """Bounds requests in flight, AIMD style: halve on 429, grow by one after `limit` successes.

    One burst of 429s (every request that was already in flight when the limit dropped) halves
    the limit once, not once per response: those requests were sent under the old limit, and
    for the same reason their successes don't count towards growing the new one.
    """

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise UsageError(f"concurrency must be at least 1, got {maximum}")
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self._answers = 0
        self._epoch = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> int:
        """Wait for a slot; returns the epoch to hand back to `release`."""
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return self._epoch
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # The slot was granted just as we were cancelled: pass it on.
                self.in_flight -= 1
                self._wake()
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise
        return self._epoch

    def release(self, epoch: int, *, succeeded: bool = False, throttled: bool = False) -> None:
        self.in_flight -= 1
        if throttled:
            if epoch == self._epoch:
                self.limit = max(1, self.limit // 2)
                self._epoch += 1
                self._answers = 0
        elif succeeded and epoch == self._epoch and self.limit < self.maximum:
            # Only requests sent under the current limit say whether it can grow.
            self._answers += 1
            if self._answers >= self.limit:
                self.limit += 1
                self._answers = 0
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)


class Pacer:
    """When the next request may start: learned from 429s, free until the first one.

    A 429's Retry-After holds back every request until it has passed, not only the refused one.
    Concurrency alone can't keep under a rate limit when answers are fast, so after a 429 the
    requests are also spaced out at the rate the server was accepting (the answers of the
    last second, a little under), and that rate grows by 5% every 5 s without a 429.
    """

    WINDOW = 1.0
    HEADROOM = 0.95
    GROWTH = 1.05
    QUIET = 5.0  # seconds without a 429 before the pace grows: every 429 costs a pause

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._resume_at = 0.0
        self._next_start = 0.0
        self.rate: float | None = None  # requests a second; None: not limited
        self._grown_at = 0.0
        self._first_answer: float | None = None
        self._answers: collections.deque[float] = collections.deque()

    def delay(self) -> float:
        """Seconds to wait before sending; the start time is reserved for the caller."""
        now = self._clock()
        start = max(now, self._resume_at)
        if self.rate is not None:
            if now - self._grown_at >= self.QUIET:
                self.rate *= self.GROWTH
                self._grown_at = now
            start = max(start, self._next_start)
            self._next_start = start + 1 / self.rate
        return start - now

    def paused(self) -> bool:
        """A 429's Retry-After has not passed yet."""
        return self._clock() < self._resume_at

    def answered(self) -> None:
        """Any answer but a 429: the request got past the server's rate limit."""
        now = self._clock()
        if self._first_answer is None:
            self._first_answer = now
        self._answers.append(now)
        self._forget(now)

    def throttled(self, retry_after: float | None) -> None:
        now = self._clock()
        self._forget(now)
        # The answers of the last second show the server's rate only when that whole second
        # was spent sending: not when part of it was a pause or came before the first answer
        # (the server's window may hold requests from before, or from other clients). Even
        # then the pace drops by half at most at a time, as other clients may come and go.
        start = now - self.WINDOW
        if self._first_answer is not None and start >= max(self._first_answer, self._resume_at):
            rate = max(1.0, len(self._answers) / self.WINDOW * self.HEADROOM)
            if self.rate is not None:
                rate = max(rate, self.rate / 2)
            if self.rate is None or rate < self.rate:
                self.rate = rate
        self._grown_at = now
        if retry_after is not None:
            self._resume_at = max(self._resume_at, now + min(retry_after, MAX_RETRY_AFTER))

    def _forget(self, now: float) -> None:
        while self._answers and self._answers[0] <= now - self.WINDOW:
            self._answers.popleft()


class Client:
    """Async client. Use as `async with Client(...) as client:`.

    - voicebots and conversations under `{base_url}/voicebot/api/v2/accounts/{account_id}/...`,
      assistants under `{base_url}/api/v2/accounts/{account_id}/...`.
    - every id is percent-encoded; an id containing `/` raises UsageError.
    - bare or enveloped responses are both accepted; the returned dicts are the bare objects.
    - error statuses raise the typed errors of `botops.errors`; no answer raises TransportError.
    - reads are retried on TransportError, 429 and 5xx (backoff with jitter, Retry-After honoured)
      within `deadline` seconds; writes are retried only on 429 (the server acted on nothing).

    `trace` receives one line per request, response, retry and wait (never headers or secrets).
    `request_count` counts every HTTP request sent, retries included.
    """

    def __init__(
        self,
        *,
        base_url: str,
        account_id: str,
        credentials: Credentials | None = None,
        concurrency: int = 16,
        timeout: float = 30.0,
        deadline: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
        trace: Trace | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_attempts: int = 10,
        pacer: Pacer | None = None,
    ) -> None:
        if timeout <= 0:
            raise UsageError(f"timeout must be positive, got {timeout}")
        if deadline < 0:
            raise UsageError(f"deadline must not be negative, got {deadline}")
        if max_attempts < 1:
            raise UsageError(f"max_attempts must be at least 1, got {max_attempts}")
        self.base_url = clean_base_url(base_url)
        self.account_id = account_id
        account = _path_id(account_id, "account id")
        self._voicebot_root = f"{VOICEBOT_API}/accounts/{account}"
        self._assistant_root = f"{ASSISTANT_API}/accounts/{account}"
        self.credentials = credentials
        self._secrets = sorted(credentials.secrets(), key=len, reverse=True) if credentials else []
        self.limiter = AdaptiveLimiter(concurrency)
        # Shared by the clients of one run (plan, then apply) so that a learned pace carries.
        self.pacer = pacer or Pacer(clock)
        self.concurrency = concurrency
        self.timeout = timeout
        self.deadline = deadline
        self.max_attempts = max_attempts
        self.request_count = 0
        self._trace = trace
        self._sleep = sleep
        self._clock = clock
        headers = {"Accept": "application/json", "User-Agent": f"botops/{__version__}"}
        if credentials is not None:
            headers["Authorization"] = credentials.authorization()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            # Without this httpx keeps only 20 idle connections and churns the rest.
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            transport=transport,
            verify=_ssl_context(self.base_url),
            follow_redirects=False,
        )

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # Voicebots
    async def get_voicebot(self, bot_id: str) -> dict[str, Any]:
        path = f"{self._voicebot_root}/voicebots/{_path_id(bot_id, 'bot id')}"
        return _resource(await self._object("GET", path))

    async def list_voicebots(self, *, limit: int = 100, offset: int = 0) -> Page:
        return await self._page(f"{self._voicebot_root}/voicebots", limit, offset, _resource)

    def iter_voicebots(
        self, *, page_size: int = 100, prefetch: int = 4
    ) -> AsyncIterator[dict[str, Any]]:
        """Every voicebot, page after page, until `metadata.total` or a short page."""
        return self._paginate(self.list_voicebots, page_size, prefetch)

    def iter_voicebot_versions(
        self, bot_id: str, *, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        """Every version of a voicebot, oldest first (an assumed extension: a server without it
        answers 404 or 405)."""
        path = f"{self._voicebot_root}/voicebots/{_path_id(bot_id, 'bot id')}/versions"
        return self._paginate(self._pages_of(path), page_size, 1)

    async def create_voicebot_version(self, bot_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST .../voicebots/{bot_id}/versions with `body` as given."""
        path = f"{self._voicebot_root}/voicebots/{_path_id(bot_id, 'bot id')}/versions"
        return _resource(await self._object("POST", path, json=body))

    # Assistants
    async def get_assistant(self, assistant_id: str) -> dict[str, Any]:
        path = f"{self._assistant_root}/assistants/{_path_id(assistant_id, 'assistant id')}"
        return _resource(await self._object("GET", path))

    async def list_assistants(self, *, limit: int = 100, offset: int = 0) -> Page:
        return await self._page(f"{self._assistant_root}/assistants", limit, offset, _resource)

    def iter_assistants(
        self, *, page_size: int = 100, prefetch: int = 4
    ) -> AsyncIterator[dict[str, Any]]:
        """Every assistant, page after page, until `metadata.total` or a short page."""
        return self._paginate(self.list_assistants, page_size, prefetch)

    def iter_assistant_versions(
        self, assistant_id: str, *, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        """Every version of an assistant, oldest first (an assumed extension, like the read)."""
        aid = _path_id(assistant_id, "assistant id")
        path = f"{self._assistant_root}/assistants/{aid}/versions"
        return self._paginate(self._pages_of(path), page_size, 1)

    def _pages_of(self, path: str) -> Callable[..., Coroutine[Any, Any, Page]]:
        async def fetch(*, limit: int, offset: int) -> Page:
            return await self._page(path, limit, offset, _resource)

        return fetch

    async def create_assistant_version(
        self, assistant_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """POST .../assistants/{assistant_id}/versions with `body` as given."""
        aid = _path_id(assistant_id, "assistant id")
        path = f"{self._assistant_root}/assistants/{aid}/versions"
        return _resource(await self._object("POST", path, json=body))

    # Bot generation
    async def create_generation(self, text_content: str) -> dict[str, Any]:
        """POST .../bot-generation as multipart/form-data with `text_content`."""
        path = f"{self._voicebot_root}/bot-generation"
        # A (None, value) file entry is a plain form field, and forces multipart encoding.
        files = {"text_content": (None, text_content.encode())}
        return await self._object("POST", path, files=files)

    async def get_generation(self, generation_id: str) -> dict[str, Any]:
        gid = _path_id(generation_id, "generation id")
        return await self._object("GET", f"{self._voicebot_root}/bot-generation/{gid}")

    # Conversations
    async def list_conversations(
        self, *, fields: list[str] | None = None, limit: int = 100, offset: int = 0
    ) -> Page:
        path = f"{self._voicebot_root}/voicebot-conversations"
        extra = {"fields": ",".join(fields)} if fields else {}
        return await self._page(path, limit, offset, _conversation, extra)

    def iter_conversations(
        self,
        *,
        fields: list[str] | None = None,
        page_size: int = 100,
        prefetch: int = 4,
        on_total: Callable[[int | None], None] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every conversation in order; up to `prefetch` pages in flight, memory bounded by it.
        `on_total` hears the first page's total (None when the server gave none)."""

        async def fetch(*, limit: int, offset: int) -> Page:
            return await self.list_conversations(fields=fields, limit=limit, offset=offset)

        return self._paginate(fetch, page_size, prefetch, on_total)

    async def get_conversation(self, conversation_id: str) -> dict[str, Any]:
        cid = _path_id(conversation_id, "conversation id")
        path = f"{self._voicebot_root}/voicebot-conversations/{cid}"
        return _conversation(await self._object("GET", path))

    # Pagination
    async def _page(
        self,
        path: str,
        limit: int,
        offset: int,
        normalize: Callable[[dict[str, Any]], dict[str, Any]],
        extra: Mapping[str, str] | None = None,
    ) -> Page:
        if limit < 1:
            raise UsageError(f"limit must be at least 1, got {limit}")
        if offset < 0:
            raise UsageError(f"offset must not be negative, got {offset}")
        params = {**(extra or {}), "limit": str(limit), "offset": str(offset)}
        body = await self._call("GET", path, params=params)
        items, total = _list_body(body, "GET", self._redact(path))
        return Page([normalize(item) for item in items], total, offset, limit)

    async def _paginate(
        self,
        fetch: Callable[..., Coroutine[Any, Any, Page]],
        page_size: int,
        prefetch: int,
        on_total: Callable[[int | None], None] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        if not 1 <= page_size <= MAX_PAGE_SIZE or prefetch < 1:
            # A server caps larger pages at its maximum, which would read as a short last page.
            raise UsageError(f"page_size must be 1 to {MAX_PAGE_SIZE}, prefetch at least 1")
        first = await fetch(limit=page_size, offset=0)
        if on_total is not None:
            on_total(first.total)
        for item in first.items:
            yield item
        if first.total is None:
            # Without a total only a short page ends the list, so we can't read ahead.
            page = first
            while len(page.items) >= page_size:
                page = await fetch(limit=page_size, offset=page.offset + page_size)
                for item in page.items:
                    yield item
            return
        total = first.total
        if len(first.items) < page_size:
            return
        pending: collections.deque[asyncio.Task[Page]] = collections.deque()
        next_offset = page_size
        try:
            while True:
                while len(pending) < prefetch and next_offset < total:
                    pending.append(asyncio.create_task(fetch(limit=page_size, offset=next_offset)))
                    next_offset += page_size
                if not pending:
                    return
                page = await pending.popleft()
                for item in page.items:
                    yield item
                if len(page.items) < page_size:
                    return
                if page.total is not None:
                    total = page.total
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    # One request, with retries
    async def _object(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        files: Mapping[str, tuple[None, bytes]] | None = None,
    ) -> dict[str, Any]:
        body = await self._call(method, path, json=json, files=files)
        if not isinstance(body, dict):
            message = f"expected a JSON object, got {type(body).__name__}"
            raise ApiError(message, method=method, path=self._redact(path))
        return body

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        files: Mapping[str, tuple[None, bytes]] | None = None,
    ) -> Any:
        is_read = method == "GET"
        shown = (
            f"{method} {path}?{urllib.parse.urlencode(params)}" if params else f"{method} {path}"
        )
        attempt = 0
        failures = unreachable = 0
        started: float | None = None
        while True:
            attempt += 1
            epoch = await self._slot()
            if started is None:
                # Time queued behind other requests is not time spent retrying.
                started = self._clock()
            succeeded = throttled = False
            try:
                body = await self._attempt(method, path, shown, params, json, files)
                succeeded = True
                self.pacer.answered()
                return body
            except RateLimitedError as exc:
                throttled = True
                error: ApiError = exc
                self.pacer.throttled(exc.retry_after)
            except ServerError as exc:
                error = exc
                self.pacer.answered()
            except TransportError as exc:
                error = exc
            except HTTPStatusError:
                # An answer, even a refusal, says the server keeps up with this rate.
                succeeded = True
                self.pacer.answered()
                raise
            finally:
                self.limiter.release(epoch, succeeded=succeeded, throttled=throttled)

            if not (is_read or throttled):
                raise error
            if not throttled:
                failures += 1
            if isinstance(error, TransportError) and not error.maybe_sent:
                unreachable += 1
            delay = self._retry_delay(attempt, error)
            elapsed = self._clock() - started
            if (
                failures >= self.max_attempts
                or unreachable >= UNREACHABLE_ATTEMPTS
                or elapsed + delay > self.deadline
            ):
                self._emit(f"{shown}: giving up after {attempt} attempts in {elapsed:.1f} s")
                if attempt > 1:
                    error.args = (f"{error} (tried {attempt} times)",)
                raise error
            self._emit(f"{shown}: retry {attempt + 1} in {delay:.2f} s")
            await self._sleep(delay)

    async def _slot(self) -> int:
        """Wait for the pace and for a concurrency slot; a 429 that arrives while this request
        was queued for its slot sends it back to wait out the pause."""
        while True:
            pause = self.pacer.delay()
            if pause > 0:
                await self._sleep(pause)
            epoch = await self.limiter.acquire()
            if not self.pacer.paused():
                return epoch
            self.limiter.release(epoch)

    def _retry_delay(self, failures: int, error: ApiError) -> float:
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            # A little jitter so that every throttled request doesn't return at the same instant.
            return min(error.retry_after, MAX_RETRY_AFTER) + random.uniform(0, BACKOFF_BASE)
        return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1)))

    async def _attempt(
        self,
        method: str,
        path: str,
        shown: str,
        params: Mapping[str, str] | None,
        json: Any,
        files: Mapping[str, tuple[None, bytes]] | None,
    ) -> Any:
        self.request_count += 1
        # Errors quote the path; a caller may have put anything into an id.
        where = self._redact(path)
        start = time.perf_counter()
        try:
            response = await self._http.request(method, path, params=params, json=json, files=files)
        except httpx.HTTPError as exc:
            error = self._transport_error(exc, method, where)
            self._emit(f"{shown} -> {_short_reason(exc)} ({_ms(start)})")
            raise error from exc
        except httpx.InvalidURL as exc:
            raise UsageError(f"{method} {where}: invalid URL ({self._redact(str(exc))})") from exc
        if self._trace is not None:
            self._emit(f"{shown} -> {response.status_code} ({_ms(start)})")
        body = _json_body(response)
        status = _envelope_status(body, response.status_code)
        if 200 <= status < 300:
            if body is None:
                kind = response.headers.get("Content-Type", "no content type").split(";")[0]
                message = f"the answer was not JSON ({kind}); check the base URL"
                raise ApiError(message, method=method, path=where)
            return _unwrap(body)
        raise self._status_error(status, response, body, method, where)

    def _status_error(
        self, status: int, response: httpx.Response, body: Any, method: str, path: str
    ) -> HTTPStatusError:
        message = self._redact(_server_message(status, response, body))
        if status == 400:
            return BadRequestError(status, message, method=method, path=path)
        if status in (401, 403):
            hint = AUTH_HINT if self.credentials else "no credentials were sent: " + AUTH_HINT
            error = AuthError(status, f"{message} ({hint})", method=method, path=path)
            error.server_message = message
            return error
        if status == 404:
            return NotFoundError(status, message, method=method, path=path)
        if status == 405:
            return MethodNotAllowedError(status, message, method=method, path=path)
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            return RateLimitedError(
                status, message, method=method, path=path, retry_after=retry_after
            )
        if status >= 500:
            return ServerError(status, message, method=method, path=path)
        if 300 <= status < 400:
            location = self._redact(response.headers.get("Location", "elsewhere"))
            message = f"redirected to {location}; check the base URL"
        return HTTPStatusError(status, message, method=method, path=path)

    def _transport_error(self, exc: httpx.HTTPError, method: str, path: str) -> TransportError:
        reason = self._redact(_short_reason(exc))
        where = self.base_url
        if isinstance(exc, httpx.ConnectTimeout):
            message = f"can't reach {where}: connection timed out; check the base URL"
            return TransportError(message, method=method, path=path, maybe_sent=False)
        if isinstance(exc, httpx.ConnectError | httpx.ProxyError | httpx.UnsupportedProtocol):
            hint = _connect_hint(reason)
            message = f"can't reach {where}: {reason}; {hint}"
            return TransportError(message, method=method, path=path, maybe_sent=False)
        if isinstance(exc, httpx.PoolTimeout):
            message = f"no free connection to {where} within {self.timeout:g} s"
            return TransportError(message, method=method, path=path, maybe_sent=False)
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
            message = f"no answer from {where} within {self.timeout:g} s; it may have acted"
            return TransportError(message, method=method, path=path, maybe_sent=True)
        message = f"the connection to {where} failed ({reason}); it may have acted"
        return TransportError(message, method=method, path=path, maybe_sent=True)

    def _emit(self, line: str) -> None:
        if self._trace is not None:
            self._trace(self._redact(line))

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


# Paths and configuration


def _path_id(value: str, what: str) -> str:
    """Percent-encode one id for a path segment; refuse what can't be one."""
    if not isinstance(value, str) or not value:
        raise UsageError(f"{what} must be a non-empty string")
    if "/" in value:
        raise UsageError(f"{what} {value!r} contains '/', which can't be used in a URL path")
    if value in (".", ".."):
        # The URL layer would resolve these as relative path steps.
        raise UsageError(f"{what} {value!r} can't be used in a URL path")
    return urllib.parse.quote(value, safe="")


def _ssl_context(base_url: str) -> ssl.SSLContext:
    """Verification on, with SSL_CERT_FILE / SSL_CERT_DIR when set, else certifi's bundle."""
    if not base_url.startswith("https:"):
        # Nothing to verify over plain http; a bare verifying context costs nothing to build.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    try:
        if cafile or capath:
            return ssl.create_default_context(cafile=cafile, capath=capath)
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except (OSError, ssl.SSLError) as exc:
        source = f"SSL_CERT_FILE={cafile}" if cafile else f"SSL_CERT_DIR={capath}"
        raise UsageError(f"can't load CA certificates from {source}: {exc}") from exc


# Reading responses


def _json_body(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _is_envelope(body: Any) -> bool:
    return isinstance(body, dict) and "response" in body and bool(_ENVELOPE_KEYS & body.keys())


def _envelope_status(body: Any, status: int) -> int:
    """An envelope may report an error inside a 200; believe the envelope."""
    if not _is_envelope(body):
        return status
    inner = body["response"]
    for code in (
        inner.get("http_code") if isinstance(inner, dict) else None,
        body.get("http_code"),
    ):
        if isinstance(code, int | str) and str(code).isdigit() and int(code) >= 400:
            return int(code)
    return status


def _unwrap(body: Any) -> Any:
    if not _is_envelope(body):
        return body
    inner = body["response"]
    if isinstance(inner, list):
        # Exotel's list style: one small envelope per item, metadata beside `response`.
        items = [x["data"] if isinstance(x, dict) and "data" in x else x for x in inner]
        return {"metadata": body.get("metadata"), "data": items}
    if isinstance(inner, dict) and "data" in inner:
        data = inner["data"]
        if isinstance(data, list):
            return {"metadata": inner.get("metadata", body.get("metadata")), "data": data}
        return data
    return inner


def _list_body(body: Any, method: str, path: str) -> tuple[list[dict[str, Any]], int | None]:
    if isinstance(body, list):
        return [x for x in body if isinstance(x, dict)], None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ApiError("expected a list response with `data`", method=method, path=path)
    items = [x for x in body["data"] if isinstance(x, dict)]
    metadata = body.get("metadata")
    total = metadata.get("total") if isinstance(metadata, dict) else None
    if isinstance(total, str) and total.strip().isdigit():
        total = int(total)
    return items, total if isinstance(total, int) and not isinstance(total, bool) else None


def _resource(obj: dict[str, Any]) -> dict[str, Any]:
    """Booleans that arrive as strings are read as booleans; everything else is kept."""
    fixed = {k: _boolean(obj[k]) for k in _BOOLEAN_FIELDS & obj.keys()}
    return {**obj, **fixed} if fixed else obj


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _conversation(obj: dict[str, Any]) -> dict[str, Any]:
    insights = obj.get("insights")
    if isinstance(insights, dict) and isinstance(insights.get("intents"), str):
        intents = [part.strip() for part in insights["intents"].split(",") if part.strip()]
        obj = {**obj, "insights": {**insights, "intents": intents}}
    return obj


def _server_message(status: int, response: httpx.Response, body: Any) -> str:
    message: Any = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message") or error.get("description")
        elif isinstance(error, str):
            message = error
        if not message and _is_envelope(body) and isinstance(body["response"], dict):
            message = _error_data_message(body["response"].get("error_data"))
        if not message:
            message = _detail_message(body.get("detail")) or body.get("message")
    if not message and response.content and body != {}:
        message = _text_message(response)
    if not message:
        message = response.reason_phrase or f"HTTP {status}"
    return _one_line(str(message))


def _error_data_message(error_data: Any) -> str | None:
    if isinstance(error_data, str):
        return error_data
    if not isinstance(error_data, dict):
        return None
    message, description = error_data.get("message"), error_data.get("description")
    if message and description and message != description:
        return f"{message}: {description}"
    return str(message or description) if message or description else None


def _detail_message(detail: Any) -> str | None:
    """FastAPI-style `detail`, a string or a list of `{loc, msg}`."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item['msg']}" if loc else str(item["msg"]))
        return "; ".join(parts) or None
    return None


def _text_message(response: httpx.Response) -> str:
    text = response.text
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        return title.group(1)
    if "<html" in text[:500].lower():
        return response.reason_phrase
    return text


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _short_reason(exc: httpx.HTTPError) -> str:
    """What went wrong in a few words, from the lowest error that says (httpx wraps several)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "TLS certificate not trusted"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
            return "network unreachable"
    text = _one_line(str(exc))
    lower = text.lower()
    for needle, reason in _REASONS:
        if needle in lower:
            return reason
    return text or type(exc).__name__


_UNREACHABLE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH})
_REASONS = (
    ("refused", "connection refused"),
    ("certificate_verify_failed", "TLS certificate not trusted"),
    ("name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("temporary failure in name resolution", "host name not found"),
    ("network is unreachable", "network unreachable"),
    ("no route to host", "network unreachable"),
    ("all connection attempts failed", "connection failed"),
)


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: its causes, contexts and exception group members."""
    found: list[BaseException] = []
    todo = [exc]
    while todo and len(found) < 20:
        current = todo.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return found


def _connect_hint(reason: str) -> str:
    if reason == "TLS certificate not trusted":
        return "set SSL_CERT_FILE to your CA bundle if a proxy re-signs TLS"
    return "check the base URL (--base-url, BOTOPS_BASE_URL or botops.yaml)"


def _ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.0f} ms"
