"""The `Client`: the Voicebot API's endpoints over one retried, paced, traced request.

It composes the package's parts: `auth` gives the `Authorization` header and what to redact,
`flow` when a request may start and how long to back off, `wire` how answers are read and
normalised, `diagnosis` which typed error a failure becomes, and `pages` how lists are read.
What is left here is the endpoints themselves and the retry loop that ties those together.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2

from botops import __version__
from botops.client import wire
from botops.client.auth import AUTH_HINT, Credentials, Redactor
from botops.client.bounds import (
    MAX_BODY,
    REQUEST_DEADLINE,
    BodyTooLarge,
    DeadlineExceeded,
    megabytes,
    read_capped,
    within,
)
from botops.client.diagnosis import read_answer, short_reason, ssl_context, transport_error
from botops.client.flow import AdaptiveLimiter, Pacer, Sleep, retry_delay, take_slot
from botops.client.pages import CONVERSATION_PAGES, Page, paginate
from botops.client.protocol import ApiClient
from botops.client.urls import ASSISTANT_API, ASSISTANT_PATHS, VOICEBOT_API, clean_base_url
from botops.errors import (
    ApiError,
    HTTPStatusError,
    MethodNotAllowedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
)

Trace = Callable[[str], None]
Normalize = Callable[[dict[str, Any]], dict[str, Any]]
Files = Mapping[str, tuple[None, bytes]]
T = TypeVar("T")

# A refused connection is usually a wrong base URL, not a blip: don't make the user wait long.
UNREACHABLE_ATTEMPTS = 3


class Client:
    """Async client. Use as `async with Client(...) as client:`.

    - voicebots and conversations under `{base_url}/voicebot/api/v2/accounts/{account_id}/...`,
      assistants under `{base_url}/api/v2/accounts/{account_id}/...` (the reference's path), or
      where the server has them: the first assistant call that the reference's path answers
      404 or 405 is asked once more under `/voicebot/api/v2` (Exotel's client's path), and if
      that answers, every later one goes there (DESIGN §16). `assistants_path` pins it: then
      nothing is guessed.
    - an assistant is read as `?version=stable`; a nested answer (`{stable_version,
      latest_version, versions}`) is read as the stable version (`wire.assistant`).
    - every id is percent-encoded; an id containing `/` raises UsageError.
    - bare or enveloped responses are both accepted; the returned dicts are the bare objects.
    - `booleans` are the resource fields that are booleans on the wire (the kinds say which:
      `botops.kinds.wire_booleans()`): the strings "true" and "false" there become booleans.
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
        transport: httpx2.AsyncBaseTransport | None = None,
        trace: Trace | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_attempts: int = 10,
        pacer: Pacer | None = None,
        request_deadline: float = REQUEST_DEADLINE,
        max_body: int = MAX_BODY,
        assistants_path: str | None = None,
        booleans: Iterable[str] = (),
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
        if assistants_path is not None and assistants_path not in ASSISTANT_PATHS:
            known = " or ".join(ASSISTANT_PATHS)
            raise UsageError(f"assistants_path must be {known}, got {assistants_path!r}")
        self._account = account
        # Where assistants live: pinned, learned from the first assistant call, or None (not
        # known yet). One probe at a time: every other assistant call waits for its answer.
        self.assistants_path: str | None = assistants_path
        self._probe = asyncio.Lock()
        self.credentials = credentials
        self._redact = Redactor(credentials)
        self.limiter = AdaptiveLimiter(concurrency)
        # Shared by the clients of one run (plan, then apply) so that a learned pace carries.
        self.pacer = pacer or Pacer(clock)
        self._booleans = frozenset(booleans)
        self.concurrency = concurrency
        self.timeout = timeout
        self.deadline = deadline
        self.max_attempts = max_attempts
        # Every request is bounded as a whole (a server dripping bytes never trips a per-read
        # timeout) and in size (client/bounds.py, shared with every HTTP client of botops).
        self.request_deadline = request_deadline
        self.max_body = max_body
        self.request_count = 0
        self._trace = trace
        self._sleep = sleep
        self._clock = clock
        headers = {"Accept": "application/json", "User-Agent": f"botops/{__version__}"}
        if credentials is not None:
            headers["Authorization"] = credentials.authorization()
        self._http = httpx2.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
            # Without this httpx2 keeps only 20 idle connections and churns the rest.
            limits=httpx2.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            ),
            transport=transport,
            verify=ssl_context(self.base_url),
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
        return self._resource(await self._object("GET", path))

    async def list_voicebots(self, *, limit: int = 100, offset: int = 0) -> Page:
        return await self._page(f"{self._voicebot_root}/voicebots", limit, offset, self._resource)

    def iter_voicebots(
        self, *, page_size: int = 100, prefetch: int = 4
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every voicebot, page after page, until `metadata.total` or a short page."""
        return paginate(self.list_voicebots, page_size, prefetch)

    def iter_voicebot_versions(
        self, bot_id: str, *, page_size: int = 100
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every version of a voicebot, oldest first (an assumed extension: a server without it
        answers 404 or 405)."""
        path = f"{self._voicebot_root}/voicebots/{_path_id(bot_id, 'bot id')}/versions"
        return paginate(self._pages_of(path), page_size, 1)

    async def create_voicebot_version(self, bot_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST .../voicebots/{bot_id}/versions with `body` as given."""
        path = f"{self._voicebot_root}/voicebots/{_path_id(bot_id, 'bot id')}/versions"
        return self._resource(await self._object("POST", path, json=body))

    # Assistants
    async def get_assistant(self, assistant_id: str, *, version: str = "stable") -> dict[str, Any]:
        """The assistant as callers get it: `?version=stable` (or another `version`); a nested
        answer is read as that version, with `latest_version` kept (`wire.assistant`). A flat
        server answers its latest version whatever is asked."""
        aid = _path_id(assistant_id, "assistant id")

        async def read(root: str) -> dict[str, Any]:
            path = f"{root}/assistants/{aid}"
            return await self._object("GET", path, params={"version": version})

        return wire.assistant(await self._on_assistants(read), version, self._booleans)

    async def list_assistants(self, *, limit: int = 100, offset: int = 0) -> Page:
        async def page(root: str) -> Page:
            return await self._page(f"{root}/assistants", limit, offset, self._resource)

        return await self._on_assistants(page)

    def iter_assistants(
        self, *, page_size: int = 100, prefetch: int = 4
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every assistant, page after page, until `metadata.total` or a short page."""
        return paginate(self.list_assistants, page_size, prefetch)

    def iter_assistant_versions(
        self, assistant_id: str, *, page_size: int = 100
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every version of an assistant, oldest first (an assumed extension, like the read)."""
        aid = _path_id(assistant_id, "assistant id")

        async def fetch(*, limit: int, offset: int) -> Page:
            async def page(root: str) -> Page:
                path = f"{root}/assistants/{aid}/versions"
                return await self._page(path, limit, offset, self._resource)

            return await self._on_assistants(page)

        return paginate(fetch, page_size, 1)

    def _pages_of(self, path: str) -> Callable[..., Coroutine[Any, Any, Page]]:
        async def fetch(*, limit: int, offset: int) -> Page:
            return await self._page(path, limit, offset, self._resource)

        return fetch

    async def create_assistant_version(
        self, assistant_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """POST .../assistants/{assistant_id}/versions with `body` as given."""
        aid = _path_id(assistant_id, "assistant id")

        async def write(root: str) -> dict[str, Any]:
            path = f"{root}/assistants/{aid}/versions"
            return await self._object("POST", path, json=body)

        # A write goes where reads found assistants (apply reads before it writes); never to
        # a path guessed by the write itself.
        prefix = self.assistants_path or ASSISTANT_API
        return self._resource(await write(self._root(prefix)))

    def _root(self, prefix: str) -> str:
        return f"{prefix}/accounts/{self._account}"

    async def _on_assistants(self, call: Callable[[str], Awaitable[T]]) -> T:
        """`call(root)` under the path where assistants live. Until that is known, one call at a
        time tries the reference's path, and on 404 or 405 asks the other once: the first path
        that answers is used for the rest of the run. So a run makes one request more than it
        would pinned, plus one for each assistant missing on both paths before that (each of
        which is missing)."""
        if self.assistants_path is None:
            async with self._probe:
                if self.assistants_path is None:
                    return await self._probing(call)
        return await call(self._root(self.assistants_path))

    async def _probing(self, call: Callable[[str], Awaitable[T]]) -> T:
        first, other = ASSISTANT_PATHS
        try:
            result = await call(self._root(first))
        except (NotFoundError, MethodNotAllowedError) as refused:
            try:
                result = await call(self._root(other))
            except HTTPStatusError:
                # Missing on both: this one is missing, and where the others are is still
                # open (the next assistant call asks again).
                raise refused from None
            self.assistants_path = other
            self._emit(
                f"assistants answer under {other} here, not {first}: using {other} for the "
                "rest of the run (assistants_path in botops.yaml pins it)"
            )
            return result
        self.assistants_path = first
        return result

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
        return await self._page(path, limit, offset, wire.conversation, extra)

    def iter_conversations(
        self,
        *,
        fields: list[str] | None = None,
        page_size: int = 100,
        prefetch: int = 4,
        on_total: Callable[[int | None], None] | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every conversation in order; up to `prefetch` pages in flight, memory bounded by it.
        `on_total` hears the first page's total (None when the server gave none)."""

        async def fetch(*, limit: int, offset: int) -> Page:
            return await self.list_conversations(fields=fields, limit=limit, offset=offset)

        return paginate(fetch, page_size, prefetch, on_total, max_pages=CONVERSATION_PAGES)

    async def get_conversation(self, conversation_id: str) -> dict[str, Any]:
        cid = _path_id(conversation_id, "conversation id")
        path = f"{self._voicebot_root}/voicebot-conversations/{cid}"
        return wire.conversation(await self._object("GET", path))

    # Reading answers
    def _resource(self, obj: dict[str, Any]) -> dict[str, Any]:
        return wire.resource(obj, self._booleans)

    async def _page(
        self,
        path: str,
        limit: int,
        offset: int,
        normalize: Normalize,
        extra: Mapping[str, str] | None = None,
    ) -> Page:
        if limit < 1:
            raise UsageError(f"limit must be at least 1, got {limit}")
        if offset < 0:
            raise UsageError(f"offset must not be negative, got {offset}")
        params = {**(extra or {}), "limit": str(limit), "offset": str(offset)}
        body = await self._call("GET", path, params=params)
        items, total = wire.list_body(body, "GET", self._redact(path))
        return Page([normalize(item) for item in items], total, offset, limit)

    async def _object(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        files: Files | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        body = await self._call(method, path, params=params, json=json, files=files)
        if not isinstance(body, dict):
            message = f"expected a JSON object, got {type(body).__name__}"
            raise ApiError(message, method=method, path=self._redact(path))
        return body

    # One request, with retries
    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        files: Files | None = None,
    ) -> Any:
        """The answer to one request. Reads are retried on TransportError, 429 and 5xx; writes
        only on 429 (the server acted on nothing); within the attempts and deadline."""
        shown = (
            f"{method} {path}?{urllib.parse.urlencode(params)}" if params else f"{method} {path}"
        )
        retries = _Retries(self.max_attempts, self.deadline, self._clock)
        while True:
            try:
                return await self._paced_attempt(method, path, shown, params, json, files, retries)
            except (RateLimitedError, ServerError, TransportError) as error:
                throttled = isinstance(error, RateLimitedError)
                if not (method == "GET" or throttled):
                    raise
                delay = retry_delay(retries.attempt, error)
                if retries.give_up(error, throttled=throttled, delay=delay):
                    attempt, elapsed = retries.attempt, retries.elapsed
                    self._emit(f"{shown}: giving up after {attempt} attempts in {elapsed:.1f} s")
                    if attempt > 1:
                        error.args = (f"{error} (tried {attempt} times)",)
                    raise
            self._emit(f"{shown}: retry {retries.attempt + 1} in {delay:.2f} s")
            await self._sleep(delay)

    async def _paced_attempt(
        self,
        method: str,
        path: str,
        shown: str,
        params: Mapping[str, str] | None,
        json: Any,
        files: Files | None,
        retries: _Retries,
    ) -> Any:
        """One attempt when the pacer and the limiter let it start; they hear how it went: an
        answer, even a refusal, says the server keeps up with this rate, a 429 that it doesn't."""
        epoch, turn = await take_slot(self.pacer, self.limiter, self._sleep)
        retries.begin()
        succeeded = throttled = answered = False
        retry_after: float | None = None
        # The retry deadline is total: an attempt gets what is left of it, and never more than
        # the request deadline (a server dripping bytes never trips a per-read timeout).
        left = retries.left()
        limit = self.request_deadline if left is None else min(self.request_deadline, left)
        try:
            body = await self._attempt(method, path, shown, params, json, files, max(limit, 1.0))
            succeeded = answered = True
            return body
        except RateLimitedError as exc:
            throttled = True
            retry_after = exc.retry_after
            raise
        except ServerError:
            answered = True
            raise
        except TransportError:
            raise
        except HTTPStatusError:
            succeeded = answered = True
            raise
        finally:
            self.pacer.ended(turn, answered=answered, throttled=throttled, retry_after=retry_after)
            self.limiter.release(epoch, succeeded=succeeded, throttled=throttled)

    async def _attempt(
        self,
        method: str,
        path: str,
        shown: str,
        params: Mapping[str, str] | None,
        json: Any,
        files: Files | None,
        limit: float,
    ) -> Any:
        self.request_count += 1
        # Errors quote the path; a caller may have put anything into an id.
        where = self._redact(path)
        start = time.perf_counter()
        try:
            response = await within(
                limit, self._bounded(method, path, params=params, json=json, files=files)
            )
        except DeadlineExceeded as exc:
            self._emit(f"{shown} -> no complete answer within {limit:g} s ({_ms(start)})")
            raise TransportError(
                f"no complete answer from {self.base_url} within {limit:g} s (it kept the "
                "connection open); it may have acted",
                method=method,
                path=where,
                maybe_sent=True,
            ) from exc
        except BodyTooLarge as exc:
            self._emit(f"{shown} -> more than {megabytes(exc.limit)} ({_ms(start)})")
            raise ApiError(str(exc), method=method, path=where) from None
        except httpx2.HTTPError as exc:
            base, timeout = self.base_url, self.timeout
            error = transport_error(
                exc, method=method, path=where, base_url=base, timeout=timeout, redact=self._redact
            )
            self._emit(f"{shown} -> {short_reason(exc)} ({_ms(start)})")
            raise error from exc
        except httpx2.InvalidURL as exc:
            raise UsageError(f"{method} {where}: invalid URL ({self._redact(str(exc))})") from exc
        if self._trace is not None:
            self._emit(f"{shown} -> {response.status_code} ({_ms(start)})")
        credentials = self.credentials
        hint = credentials.hint if credentials else "no credentials were sent: " + AUTH_HINT
        return read_answer(response, method=method, path=where, redact=self._redact, hint=hint)

    async def _bounded(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        json: Any,
        files: Files | None,
    ) -> httpx2.Response:
        """The response with its body read, at most `max_body` bytes of it."""
        request = self._http.build_request(method, path, params=params, json=json, files=files)
        streamed = await self._http.send(request, stream=True)
        try:
            body = await read_capped(streamed.aiter_bytes(), self.max_body)
        finally:
            await streamed.aclose()
        # The body is decoded already: the new response must not decode it again.
        headers = httpx2.Headers(streamed.headers)
        for name in ("content-encoding", "content-length", "transfer-encoding"):
            headers.pop(name, None)
        return httpx2.Response(
            streamed.status_code, headers=headers, content=body, request=streamed.request
        )

    def _emit(self, line: str) -> None:
        if self._trace is not None:
            self._trace(self._redact(line))


@dataclass
class _Retries:
    """How far one request's retries have gone: its attempts, the failures that count against
    `max_attempts` (a 429 doesn't), attempts that never reached the server, and the time since
    its first attempt started (time queued behind other requests is not time retrying)."""

    max_attempts: int
    deadline: float
    clock: Callable[[], float]
    attempt: int = 0
    failures: int = 0
    unreachable: int = 0
    started: float | None = None
    elapsed: float = 0.0

    def begin(self) -> None:
        self.attempt += 1
        if self.started is None:
            self.started = self.clock()

    def left(self) -> float | None:
        """What is left of the deadline (None: no deadline)."""
        if self.deadline <= 0:
            return None
        return self.deadline - (self.clock() - (self.started or 0.0))

    def give_up(self, error: ApiError, *, throttled: bool, delay: float) -> bool:
        """Whether `error` ends the retries: too many failures, a server unreachable (usually
        a wrong base URL, not a blip: don't make the user wait long), or past the deadline
        after `delay`."""
        if not throttled:
            self.failures += 1
        if isinstance(error, TransportError) and not error.maybe_sent:
            self.unreachable += 1
        self.elapsed = self.clock() - (self.started or 0.0)
        return (
            self.failures >= self.max_attempts
            or self.unreachable >= UNREACHABLE_ATTEMPTS
            or self.elapsed + delay > self.deadline
        )


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


def _ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.0f} ms"


# mypy --strict checks here that `Client` offers every operation of `ApiClient`, with
# compatible signatures; tests/client/test_protocol.py checks the same at run time.
_CONFORMS: type[ApiClient] = Client
