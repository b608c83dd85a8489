"""botops.client: the HTTP boundary.

Most tests drive the real `Client` through an `httpx.MockTransport` handler (retries, backoff,
error mapping, envelopes); a few use a tiny real HTTP server on a free port for what only real
sockets show (connection reuse, refused connections, timeouts, dropped connections, TLS).
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import itertools
import json
import random
import shutil
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from botops.client import AdaptiveLimiter, Client, Credentials, Pacer, Page
from botops.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    BotopsError,
    HTTPStatusError,
    MethodNotAllowedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
)

BASE = "http://api.test"
VB = "/voicebot/api/v2/accounts/Exotel"
AS = "/api/v2/accounts/Exotel"
TOKEN = "tok-SECRET-9f8e7d"

AsyncHandler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
Handler = Callable[[httpx.Request], httpx.Response] | AsyncHandler


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


class FakeTime:
    """A clock that only moves when the client sleeps, so backoff costs no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(handler: Handler, time: FakeTime | None = None, **options: Any) -> Client:
    fake = time or FakeTime()
    settings: dict[str, Any] = {
        "base_url": BASE,
        "account_id": "Exotel",
        "transport": httpx.MockTransport(handler),
        "sleep": fake.sleep,
        "clock": fake.clock,
    }
    settings.update(options)
    return Client(**settings)


def json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with `responses` in turn (the last one repeats); records requests."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


async def call(client: Client, method: Callable[[Client], Awaitable[Any]]) -> Any:
    async with client:
        return await method(client)


def outcome(client: Client, method: Callable[[Client], Awaitable[Any]]) -> BaseException:
    with pytest.raises(BotopsError) as info:
        run(call(client, method))
    return info.value


BOT = {"bot_id": "bot_1", "name": "Support", "version": "v2"}


# Paths, ids and headers


def test_every_endpoint_uses_its_documented_path() -> None:
    handler, seen = scripted(json_response(200, {"metadata": {"total": 0}, "data": []}))

    async def all_calls(client: Client) -> None:
        await client.get_voicebot("b1")
        await client.list_voicebots(limit=20, offset=40)
        await client.create_voicebot_version("b1", {"source_version": "v1", "data": {}})
        await client.create_generation("a bot")
        await client.get_generation("g1")
        await client.list_conversations(fields=["transcript", "insights"], limit=5)
        await client.get_conversation("c1")
        await client.get_assistant("a1")
        await client.list_assistants()
        await client.create_assistant_version("a1", {"source_version": "v1"})

    run(call(make_client(handler), all_calls))
    assert [(r.method, r.url.raw_path.decode()) for r in seen] == [
        ("GET", f"{VB}/voicebots/b1"),
        ("GET", f"{VB}/voicebots?limit=20&offset=40"),
        ("POST", f"{VB}/voicebots/b1/versions"),
        ("POST", f"{VB}/bot-generation"),
        ("GET", f"{VB}/bot-generation/g1"),
        ("GET", f"{VB}/voicebot-conversations?fields=transcript%2Cinsights&limit=5&offset=0"),
        ("GET", f"{VB}/voicebot-conversations/c1"),
        ("GET", f"{AS}/assistants/a1"),
        ("GET", f"{AS}/assistants?limit=100&offset=0"),
        ("POST", f"{AS}/assistants/a1/versions"),
    ]
    assert {r.url.host for r in seen} == {"api.test"}


def test_ids_are_percent_encoded_in_paths() -> None:
    handler, seen = scripted(json_response(200, BOT))
    client = make_client(handler, account_id="acme corp")

    async def calls(client: Client) -> None:
        await client.get_voicebot("bot x?y")
        await client.get_assistant("a#1%")

    run(call(client, calls))
    assert [r.url.raw_path.decode() for r in seen] == [
        "/voicebot/api/v2/accounts/acme%20corp/voicebots/bot%20x%3Fy",
        "/api/v2/accounts/acme%20corp/assistants/a%231%25",
    ]


@pytest.mark.parametrize("bad", ["a/b", "", "..", "/"])
def test_ids_that_cannot_be_a_path_segment_are_refused_before_any_request(bad: str) -> None:
    handler, seen = scripted(json_response(200, BOT))
    for method in (
        lambda c: c.get_voicebot(bad),
        lambda c: c.get_assistant(bad),
        lambda c: c.get_conversation(bad),
        lambda c: c.get_generation(bad),
        lambda c: c.create_voicebot_version(bad, {}),
        lambda c: c.create_assistant_version(bad, {}),
    ):
        error = outcome(make_client(handler), method)
        assert isinstance(error, UsageError)
    with pytest.raises(UsageError):
        make_client(handler, account_id=bad)
    assert seen == []


def test_base_url_is_cleaned_and_checked() -> None:
    handler, seen = scripted(json_response(200, BOT))
    for base in (
        "http://api.test/",
        "http://api.test/voicebot/api/v2",
        "http://api.test/api/v2/",
    ):
        run(call(make_client(handler, base_url=base), lambda c: c.get_voicebot("b")))
    run(call(make_client(handler, base_url="http://api.test/gw/"), lambda c: c.get_voicebot("b")))
    assert [str(r.url) for r in seen] == [f"{BASE}{VB}/voicebots/b"] * 3 + [
        f"{BASE}/gw{VB}/voicebots/b"
    ]
    for bad in ("api.test", "ftp://api.test", f"https://key:{TOKEN}@api.test"):
        with pytest.raises(UsageError) as info:
            make_client(handler, base_url=bad)
        assert TOKEN not in str(info.value)


def test_bearer_token_is_sent() -> None:
    handler, seen = scripted(json_response(200, BOT))
    client = make_client(handler, credentials=Credentials(token=TOKEN))
    run(call(client, lambda c: c.get_voicebot("b")))
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_basic_auth_is_sent() -> None:
    handler, seen = scripted(json_response(200, BOT))
    client = make_client(handler, credentials=Credentials(api_key="key1", api_token=TOKEN))
    run(call(client, lambda c: c.get_voicebot("b")))
    expected = base64.b64encode(f"key1:{TOKEN}".encode()).decode()
    assert seen[0].headers["Authorization"] == f"Basic {expected}"


def test_no_credentials_sends_no_authorization() -> None:
    handler, seen = scripted(json_response(200, BOT))
    run(call(make_client(handler), lambda c: c.get_voicebot("b")))
    assert "Authorization" not in seen[0].headers
    assert seen[0].headers["Accept"] == "application/json"


# Credentials


def test_credentials_from_env() -> None:
    assert Credentials.from_env({}) is None
    assert Credentials.from_env({"BOTOPS_TOKEN": "", "BOTOPS_API_KEY": " "}) is None
    assert Credentials.from_env({"BOTOPS_TOKEN": "t"}) == Credentials(token="t")
    both = {"BOTOPS_API_KEY": "k", "BOTOPS_API_TOKEN": "t"}
    assert Credentials.from_env(both) == Credentials(api_key="k", api_token="t")
    assert Credentials.from_env({**both, "BOTOPS_TOKEN": "b"}) == Credentials(token="b")


def test_credentials_from_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOTOPS_TOKEN", TOKEN)
    assert Credentials.from_env() == Credentials(token=TOKEN)


def test_half_of_basic_credentials_names_what_is_missing() -> None:
    with pytest.raises(UsageError, match="BOTOPS_API_TOKEN is missing"):
        Credentials.from_env({"BOTOPS_API_KEY": "k"})
    with pytest.raises(UsageError, match="BOTOPS_API_KEY is missing"):
        Credentials.from_env({"BOTOPS_API_TOKEN": TOKEN})


def test_credentials_never_show_their_secrets() -> None:
    for credentials in (Credentials(token=TOKEN), Credentials(api_key="KEY-77", api_token=TOKEN)):
        shown = repr(credentials) + str(credentials) + f"{credentials}" + repr([credentials])
        assert TOKEN not in shown
        assert "KEY-77" not in shown
        assert TOKEN in credentials.secrets()
    basic = base64.b64encode(f"KEY-77:{TOKEN}".encode()).decode()
    assert basic in Credentials(api_key="KEY-77", api_token=TOKEN).secrets()


def test_a_token_that_cannot_be_a_header_is_refused_without_quoting_it() -> None:
    with pytest.raises(UsageError) as info:
        make_client(scripted()[0], credentials=Credentials(token=TOKEN + "\n"))
    assert TOKEN not in str(info.value)
    assert "BOTOPS_TOKEN" in str(info.value)


def test_secrets_never_reach_messages_or_trace() -> None:
    lines: list[str] = []
    # A server that echoes what it got must not make botops print the secret.
    handler, _ = scripted(json_response(401, {"error": {"message": f"bad token {TOKEN}"}}))
    client = make_client(handler, credentials=Credentials(token=TOKEN), trace=lines.append)
    error = outcome(client, lambda c: c.get_voicebot(f"x{TOKEN}"))
    assert isinstance(error, AuthError)
    assert "bad token ***" in str(error)
    assert lines
    for text in [str(error), *lines]:
        assert TOKEN not in text
        assert "Authorization" not in text


# Reading responses


def test_envelope_is_unwrapped() -> None:
    envelope = {
        "http_code": 200,
        "method": "GET",
        "request_id": "r1",
        "response": {"http_code": 200, "data": {**BOT, "extra": 1}, "error_data": None},
    }
    handler, _ = scripted(json_response(200, envelope))
    assert run(call(make_client(handler), lambda c: c.get_voicebot("b"))) == {**BOT, "extra": 1}


def test_enveloped_lists_are_unwrapped_in_both_shapes() -> None:
    inner_list = {
        "http_code": 200,
        "request_id": "r1",
        "response": {"http_code": 200, "data": {"metadata": {"total": 7}, "data": [BOT]}},
    }
    per_item = {
        "http_code": 200,
        "request_id": "r2",
        "metadata": {"total": 8},
        "response": [{"code": 200, "status": "success", "data": BOT}],
    }
    for body, total in ((inner_list, 7), (per_item, 8)):
        handler, _ = scripted(json_response(200, body))
        page = run(call(make_client(handler), lambda c: c.list_voicebots()))
        assert page == Page(items=[BOT], total=total, offset=0, limit=100)


def test_a_bare_object_with_a_response_field_is_not_mistaken_for_an_envelope() -> None:
    body = {**BOT, "response": {"data": "kept"}}
    handler, _ = scripted(json_response(200, body))
    assert run(call(make_client(handler), lambda c: c.get_voicebot("b"))) == body


def test_booleans_as_strings_are_read_as_booleans() -> None:
    bot = {**BOT, "enable_greeting_interruption": "true", "unknown_flag": "true"}
    assistant = {"assistant_id": "a1", "mark_as_stable": "False", "version": "v3"}
    handler, _ = scripted(
        json_response(200, bot),
        json_response(200, {"data": [bot, {**bot, "enable_greeting_interruption": "FALSE"}]}),
        json_response(200, assistant),
        json_response(200, {**bot, "enable_greeting_interruption": "maybe"}),
    )

    async def calls(client: Client) -> list[Any]:
        return [
            await client.get_voicebot("b"),
            await client.list_voicebots(),
            await client.get_assistant("a1"),
            await client.get_voicebot("b"),
        ]

    got, page, got_assistant, odd = run(call(make_client(handler), calls))
    assert got == {**BOT, "enable_greeting_interruption": True, "unknown_flag": "true"}
    assert [b["enable_greeting_interruption"] for b in page.items] == [True, False]
    assert got_assistant == {**assistant, "mark_as_stable": False}
    assert odd["enable_greeting_interruption"] == "maybe"


def test_intents_as_a_string_are_read_as_a_list() -> None:
    conversation = {
        "conversation_id": "c1",
        "insights": {"intent": "order_status", "intents": "order_status, refund,,", "x": 1},
    }
    listed = {"conversation_id": "c2", "insights": {"intents": ["kept"]}}
    handler, _ = scripted(
        json_response(200, conversation), json_response(200, {"data": [conversation, listed]})
    )

    async def calls(client: Client) -> tuple[Any, Page]:
        return await client.get_conversation("c1"), await client.list_conversations()

    got, page = run(call(make_client(handler), calls))
    expected = {
        "conversation_id": "c1",
        "insights": {"intent": "order_status", "intents": ["order_status", "refund"], "x": 1},
    }
    assert got == expected
    assert page.items == [expected, listed]


def test_an_answer_that_is_not_json_says_so() -> None:
    handler, _ = scripted(httpx.Response(200, text="<html>login</html>"))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert type(error) is ApiError
    assert "not JSON" in str(error)


# Error statuses


STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthError),
    (403, AuthError),
    (404, NotFoundError),
    (405, MethodNotAllowedError),
    (409, HTTPStatusError),
    (429, RateLimitedError),
    (500, ServerError),
    (503, ServerError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_error_status_maps_to_a_typed_error_with_the_emulators_message(
    status: int, cls: type[HTTPStatusError]
) -> None:
    body = {"error": {"status": status, "message": "data.nme: unknown field"}}
    handler, _ = scripted(json_response(status, body))
    error = outcome(make_client(handler, deadline=0), lambda c: c.create_voicebot_version("b", {}))
    assert type(error) is cls
    assert isinstance(error, HTTPStatusError)
    assert error.status == status
    assert error.server_message == "data.nme: unknown field"
    assert str(error).startswith(f"POST {VB}/voicebots/b/versions: {status} data.nme: unknown")
    assert "\n" not in str(error)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_error_status_in_the_exotel_envelope_uses_error_data(
    status: int, cls: type[HTTPStatusError]
) -> None:
    body = {
        "http_code": status,
        "method": "GET",
        "request_id": "r1",
        "response": {
            "http_code": status,
            "data": None,
            "error_data": {"code": 1001, "message": "Not allowed", "description": "why"},
        },
    }
    handler, _ = scripted(json_response(status, body))
    error = outcome(make_client(handler, deadline=0), lambda c: c.get_voicebot("b"))
    assert type(error) is cls
    assert isinstance(error, HTTPStatusError)
    assert error.server_message == "Not allowed: why"


def test_an_error_inside_a_200_envelope_is_an_error() -> None:
    body = {
        "http_code": 404,
        "request_id": "r1",
        "response": {"http_code": 404, "data": None, "error_data": {"message": "no bot b"}},
    }
    handler, _ = scripted(json_response(200, body))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert isinstance(error, NotFoundError)
    assert error.server_message == "no bot b"


def test_error_messages_fall_back_to_body_text_then_reason() -> None:
    long_text = "line one\nline two " + "x" * 1000
    cases = [
        (httpx.Response(400, text=long_text), "line one line two xxx"),
        (httpx.Response(400, text="<html><title>Bad Gateway Page</title></html>"), None),
        (json_response(400, {"detail": [{"loc": ["body", "data", "x"], "msg": "bad"}]}), None),
        (httpx.Response(400), None),
    ]
    messages = []
    for response, _ in cases:
        handler, _ = scripted(response)
        error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
        assert isinstance(error, BadRequestError)
        messages.append(error.server_message)
    assert messages[0].startswith("line one line two xxx")
    assert len(messages[0]) <= 300
    assert messages[1:] == ["Bad Gateway Page", "data.x: bad", "Bad Request"]


def test_auth_errors_say_what_to_check() -> None:
    handler, _ = scripted(json_response(401, {"error": {"message": "invalid token"}}))
    with_credentials = make_client(handler, credentials=Credentials(token=TOKEN))
    error = outcome(with_credentials, lambda c: c.get_voicebot("b"))
    assert "401 invalid token (check BOTOPS_TOKEN or BOTOPS_API_KEY/BOTOPS_API_TOKEN)" in str(error)
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert "no credentials were sent" in str(error)


def test_redirects_are_reported_not_followed() -> None:
    handler, seen = scripted(httpx.Response(301, headers={"Location": "https://api.test/"}))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert type(error) is HTTPStatusError
    assert "redirected to https://api.test/; check the base URL" in str(error)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("-4", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    headers = {"Retry-After": value} if value is not None else {}
    handler, _ = scripted(httpx.Response(429, headers=headers))
    error = outcome(make_client(handler, deadline=0), lambda c: c.get_voicebot("b"))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == expected


def test_retry_after_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": when}))
    error = outcome(make_client(handler, deadline=0), lambda c: c.get_voicebot("b"))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after is not None
    assert 15 < error.retry_after <= 20


# Retries


def test_reads_are_retried_on_5xx_429_and_transport_errors() -> None:
    time = FakeTime()
    lines: list[str] = []
    handler, seen = scripted(
        json_response(503, {"error": {"message": "busy"}}),
        httpx.ReadTimeout("timed out"),
        json_response(429, {}, **{"Retry-After": "2"}),
        httpx.ConnectError("[Errno 111] Connection refused"),
        json_response(200, BOT),
    )
    client = make_client(handler, time, trace=lines.append)
    assert run(call(client, lambda c: c.get_voicebot("b"))) == BOT
    assert len(seen) == 5
    assert client.request_count == 5
    assert len(time.sleeps) == 4
    assert 2.0 <= time.sleeps[2] <= 2.2, "Retry-After was not honoured"
    assert all(0 <= s <= 5 for s in time.sleeps)
    trace = "\n".join(lines)
    assert f"GET {VB}/voicebots/b -> 503 (" in trace
    assert f"GET {VB}/voicebots/b -> 200 (" in trace
    assert "retry 5 in" in trace


def test_backoff_grows_with_full_jitter_and_a_cap() -> None:
    random.seed(7)
    time = FakeTime()
    handler, _ = scripted(json_response(500, {}))
    client = make_client(handler, time, max_attempts=40, deadline=1000)
    outcome(client, lambda c: c.get_voicebot("b"))
    assert len(time.sleeps) == 39
    caps = [min(5.0, 0.2 * 2**n) for n in range(39)]
    assert all(0 <= s <= cap for s, cap in zip(time.sleeps, caps, strict=True))
    assert max(time.sleeps[10:]) > 2.5, "backoff did not grow"


def test_retry_after_is_capped() -> None:
    time = FakeTime()
    handler, _ = scripted(
        json_response(429, {}, **{"Retry-After": "3600"}), json_response(200, BOT)
    )
    run(call(make_client(handler, time), lambda c: c.get_voicebot("b")))
    assert 30 <= time.sleeps[0] <= 30.2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409])
def test_refusals_are_never_retried(status: int) -> None:
    time = FakeTime()
    handler, seen = scripted(json_response(status, {}), json_response(200, BOT))
    outcome(make_client(handler, time), lambda c: c.get_voicebot("b"))
    assert len(seen) == 1
    assert time.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        json_response(500, {}),
        json_response(502, {}),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ],
    ids=["500", "502", "read-timeout", "disconnect", "refused"],
)
def test_writes_are_not_retried_except_on_429(failure: httpx.Response | Exception) -> None:
    for write in (
        lambda c: c.create_voicebot_version("b", {}),
        lambda c: c.create_assistant_version("a", {}),
        lambda c: c.create_generation("text"),
    ):
        handler, seen = scripted(failure, json_response(200, {"version": "v2"}))
        client = make_client(handler)
        error = outcome(client, write)
        assert isinstance(error, ServerError | TransportError)
        assert len(seen) == 1
        assert client.request_count == 1


def test_writes_are_retried_after_429() -> None:
    time = FakeTime()
    handler, seen = scripted(
        json_response(429, {}, **{"Retry-After": "1"}),
        json_response(429, {}),
        json_response(200, {"version": "v2"}),
    )
    client = make_client(handler, time)
    got = run(call(client, lambda c: c.create_voicebot_version("b", {"source_version": "v1"})))
    assert got == {"version": "v2"}
    assert len(seen) == 3
    assert [json.loads(r.content) for r in seen] == [{"source_version": "v1"}] * 3
    assert 1.0 <= time.sleeps[0] <= 1.2


def test_retries_stop_at_the_deadline() -> None:
    time = FakeTime()
    handler, seen = scripted(json_response(429, {}, **{"Retry-After": "2"}))
    error = outcome(make_client(handler, time, deadline=7), lambda c: c.get_voicebot("b"))
    assert isinstance(error, RateLimitedError)
    assert sum(time.sleeps) <= 7
    assert len(seen) == 4
    assert "(tried 4 times)" in str(error)


def test_retries_stop_after_max_attempts() -> None:
    handler, seen = scripted(json_response(500, {}))
    error = outcome(make_client(handler, max_attempts=3), lambda c: c.get_voicebot("b"))
    assert isinstance(error, ServerError)
    assert len(seen) == 3


def test_an_unreachable_server_is_given_up_on_quickly() -> None:
    handler, seen = scripted(httpx.ConnectError("[Errno 111] Connection refused"))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert isinstance(error, TransportError)
    assert len(seen) == 3


# Transport errors


@pytest.mark.parametrize(
    ("exc", "maybe_sent", "text"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), False, "connection refused"),
        (httpx.ConnectError("[Errno -2] Name or service not known"), False, "host name not found"),
        (httpx.ConnectError("All connection attempts failed"), False, "connection failed"),
        (httpx.ConnectTimeout("timed out"), False, "connection timed out"),
        (httpx.PoolTimeout("timed out"), False, "no free connection"),
        (httpx.ReadTimeout("timed out"), True, "no answer from http://api.test within 30 s"),
        (httpx.WriteTimeout("timed out"), True, "no answer"),
        (httpx.RemoteProtocolError("Server disconnected"), True, "Server disconnected"),
        (httpx.ReadError("reset by peer"), True, "reset by peer"),
        (httpx.WriteError("broken pipe"), True, "broken pipe"),
    ],
)
def test_transport_errors_are_translated(exc: Exception, maybe_sent: bool, text: str) -> None:
    handler, _ = scripted(exc)
    error = outcome(make_client(handler), lambda c: c.create_voicebot_version("b", {}))
    assert type(error) is TransportError
    assert error.maybe_sent is maybe_sent
    assert text in str(error)
    assert str(error).startswith(f"POST {VB}/voicebots/b/versions: ")
    assert error.__cause__ is exc
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        assert "can't reach http://api.test" in str(error)


# Adaptive concurrency


def test_limiter_halves_on_429_once_per_burst_and_grows_back() -> None:
    async def scenario() -> None:
        limiter = AdaptiveLimiter(8)
        epochs = [await limiter.acquire() for _ in range(8)]
        for epoch in epochs:
            limiter.release(epoch, throttled=True)
        assert limiter.limit == 4, "a burst sent under one limit must halve it once"
        stale = epochs[0]
        for _ in range(10):
            await limiter.acquire()
            limiter.release(stale, succeeded=True)
        assert limiter.limit == 4, "successes sent under the old limit must not grow the new one"
        for expected in (2, 1, 1):
            limiter.release(await limiter.acquire(), throttled=True)
            assert limiter.limit == expected
        grown = []
        for _ in range(40):
            limiter.release(await limiter.acquire(), succeeded=True)
            grown.append(limiter.limit)
        assert grown[:4] == [2, 2, 3, 3]
        assert max(grown) == 8 and grown[-1] == 8

    run(scenario())


def test_limiter_bounds_in_flight_and_survives_cancellation() -> None:
    async def scenario() -> None:
        limiter = AdaptiveLimiter(2)
        first, _ = await limiter.acquire(), await limiter.acquire()
        waiting = [asyncio.create_task(limiter.acquire()) for _ in range(3)]
        await asyncio.sleep(0)
        assert limiter.in_flight == 2
        waiting[0].cancel()
        limiter.release(first, succeeded=True)
        await asyncio.sleep(0)
        assert limiter.in_flight == 2
        assert waiting[0].cancelled()
        assert waiting[1].done()
        assert not waiting[2].done()
        waiting[2].cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        assert limiter.in_flight == 2

    run(scenario())


def test_client_keeps_requests_in_flight_within_the_adaptive_limit() -> None:
    client: Client
    in_flight = 0
    starts: list[tuple[int, int]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight
        in_flight += 1
        starts.append((in_flight, client.limiter.limit))
        first = len(starts) == 1
        await asyncio.sleep(0.001)
        in_flight -= 1
        if first:
            return json_response(429, {}, **{"Retry-After": "0"})
        return json_response(200, BOT)

    async def scenario(client: Client) -> None:
        await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(60)))

    client = make_client(handler, concurrency=8)
    run(call(client, scenario))
    assert client.request_count == len(starts) == 61
    assert max(n for n, _ in starts[:8]) == 8, "requests were not sent concurrently"
    limits = [limit for _, limit in starts]
    assert min(limits) == 4, "a 429 did not halve the limit"
    assert limits[-1] == 8, "the limit did not grow back"
    assert all(n <= limit for n, limit in starts[8:]), "more in flight than the limit"


# Pagination


def pages_handler(
    total: int | None, count: int | None = None, delay: bool = False
) -> tuple[AsyncHandler, list[tuple[int, int]]]:
    """Lists of `count` items (default `total`); records (offset, limit) of each request."""
    asked: list[tuple[int, int]] = []
    available = total if count is None else count
    assert available is not None

    async def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        asked.append((offset, limit))
        if delay:
            await asyncio.sleep(random.uniform(0, 0.003))
        ids = range(offset, min(offset + limit, available))
        body: dict[str, Any] = {"data": [{"bot_id": f"b{i}", "n": i} for i in ids]}
        if total is not None:
            body["metadata"] = {"total": total, "count": len(ids), "offset": offset}
        return json_response(200, body)

    return handler, asked


async def collect(iterator: Any) -> list[dict[str, Any]]:
    return [item async for item in iterator]


def test_list_returns_one_page() -> None:
    handler, asked = pages_handler(45)
    page = run(call(make_client(handler), lambda c: c.list_voicebots(limit=20, offset=40)))
    assert [b["n"] for b in page.items] == [40, 41, 42, 43, 44]
    assert (page.total, page.offset, page.limit) == (45, 40, 20)
    assert asked == [(40, 20)]


def test_iteration_reads_every_page_until_total() -> None:
    handler, asked = pages_handler(250)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots())))
    assert [b["n"] for b in items] == list(range(250))
    assert sorted(asked) == [(0, 100), (100, 100), (200, 100)]


def test_iteration_stops_at_total_without_an_extra_request() -> None:
    handler, asked = pages_handler(200)
    items = run(call(make_client(handler), lambda c: collect(c.iter_assistants())))
    assert len(items) == 200
    assert len(asked) == 2


def test_iteration_stops_on_a_short_page_when_total_is_unknown() -> None:
    handler, asked = pages_handler(None, count=230)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots())))
    assert [b["n"] for b in items] == list(range(230))
    assert asked == [(0, 100), (100, 100), (200, 100)]


def test_iteration_stops_on_an_empty_page_when_total_is_unknown() -> None:
    handler, asked = pages_handler(None, count=200)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots())))
    assert len(items) == 200
    assert asked == [(0, 100), (100, 100), (200, 100)]


def test_iteration_stops_on_a_short_page_before_total() -> None:
    handler, asked = pages_handler(1000, count=150)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots(prefetch=1))))
    assert len(items) == 150
    assert asked == [(0, 100), (100, 100)]


def test_pages_larger_than_the_api_allows_are_refused() -> None:
    handler, asked = pages_handler(500)
    for page_size, prefetch in ((101, 4), (0, 4), (100, 0)):

        async def read(client: Client, size: int = page_size, ahead: int = prefetch) -> Any:
            return await collect(client.iter_conversations(page_size=size, prefetch=ahead))

        assert isinstance(outcome(make_client(handler), read), UsageError)
    assert asked == []


def test_prefetching_conversations_yields_in_order_without_gaps_or_duplicates() -> None:
    random.seed(3)
    handler, asked = pages_handler(1003, delay=True)
    in_flight = 0
    peak = 0

    async def counting(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    client = make_client(counting)
    items = run(call(client, lambda c: collect(c.iter_conversations(page_size=10, prefetch=4))))
    assert [item["n"] for item in items] == list(range(1003))
    assert len(asked) == 101
    assert 1 < peak <= 4


def test_prefetching_stops_cleanly_when_the_reader_stops_early() -> None:
    handler, asked = pages_handler(1000, delay=True)

    async def first_fifteen(client: Client) -> list[int]:
        got = []
        iterator = client.iter_conversations(page_size=10, prefetch=3)
        async for item in iterator:
            got.append(item["n"])
            if len(got) == 15:
                break
        await iterator.aclose()  # type: ignore[attr-defined]
        return got

    got = run(call(make_client(handler), first_fifteen))
    assert got == list(range(15))
    assert len(asked) <= 5


def test_a_failing_page_fails_the_iteration_after_the_pages_before_it() -> None:
    good, _ = pages_handler(500)

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["offset"] == "300":
            return json_response(404, {"error": {"message": "gone"}})
        return await good(request)

    got: list[int] = []

    async def read(client: Client) -> None:
        async for item in client.iter_conversations(page_size=100):
            got.append(item["n"])

    error = outcome(make_client(handler), read)
    assert isinstance(error, NotFoundError)
    assert got == list(range(300))


def test_conversation_fields_are_sent_on_every_page() -> None:
    handler, _ = pages_handler(150)
    seen: list[str] = []

    async def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["fields"])
        return await handler(request)

    client = make_client(recording)
    run(call(client, lambda c: collect(c.iter_conversations(fields=["transcript", "insights"]))))
    assert seen == ["transcript,insights"] * 2


# Bot generation


def test_generation_is_posted_as_multipart_form_data() -> None:
    handler, seen = scripted(json_response(201, {"id": "gen_1", "status": "pending"}))
    text = "Create a support bot — English and हिन्दी"
    got = run(call(make_client(handler), lambda c: c.create_generation(text)))
    assert got == {"id": "gen_1", "status": "pending"}
    request = seen[0]
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'Content-Disposition: form-data; name="text_content"\r\n\r\n' in body
    assert text.encode() in body
    assert b"filename" not in body


# Real sockets


class TinyServer:
    """A keep-alive HTTP/1.1 server on a free port, counting the connections it accepts."""

    def __init__(
        self, mode: str = "ok", delay: float = 0.0, tls: ssl.SSLContext | None = None
    ) -> None:
        self.mode = mode
        self.delay = delay
        self.tls = tls
        self.connections = 0
        self.requests = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> TinyServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                self.requests += 1
                if self.mode == "silent":
                    await asyncio.sleep(10)
                if self.mode == "drop":
                    break
                await asyncio.sleep(self.delay)
                body = json.dumps(BOT).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def test_concurrent_reads_reuse_a_pool_sized_to_the_concurrency() -> None:
    async def scenario() -> tuple[int, int, int]:
        async with TinyServer(delay=0.05) as server:
            client = Client(base_url=server.url, account_id="Exotel", concurrency=24)
            async with client:
                for _ in range(3):
                    await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(24)))
            return server.connections, server.requests, client.request_count

    connections, requests, sent = run(scenario())
    assert requests == sent == 72
    # httpx's default pool keeps 20 idle connections: 4 would be reopened on every wave.
    assert connections <= 24


def test_sixteen_concurrent_reads_use_at_most_sixteen_connections() -> None:
    async def scenario() -> int:
        async with TinyServer(delay=0.005) as server:
            async with Client(base_url=server.url, account_id="Exotel") as client:
                await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(64)))
            return server.connections

    assert run(scenario()) <= 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_refused_connection_says_what_to_check() -> None:
    port = free_port()
    client = Client(
        base_url=f"http://127.0.0.1:{port}",
        account_id="Exotel",
        sleep=FakeTime().sleep,
        credentials=Credentials(token=TOKEN),
    )
    error = outcome(client, lambda c: c.get_voicebot("b"))
    assert isinstance(error, TransportError)
    assert error.maybe_sent is False
    message = str(error)
    assert f"can't reach http://127.0.0.1:{port}: connection refused; check the base URL" in message
    assert TOKEN not in message
    assert "\n" not in message


def test_a_silent_server_times_out_as_maybe_sent() -> None:
    async def scenario() -> BaseException:
        async with TinyServer(mode="silent") as server:
            client = Client(base_url=server.url, account_id="Exotel", timeout=0.2)
            async with client:
                with pytest.raises(TransportError) as info:
                    await client.create_voicebot_version("b", {"source_version": "v1"})
            return info.value

    error = run(scenario())
    assert isinstance(error, TransportError)
    assert error.maybe_sent is True
    assert "no answer from" in str(error)


def test_a_dropped_connection_after_sending_is_maybe_sent() -> None:
    async def scenario() -> tuple[BaseException, int]:
        async with TinyServer(mode="drop") as server:
            async with Client(base_url=server.url, account_id="Exotel") as client:
                with pytest.raises(TransportError) as info:
                    await client.create_generation("a bot")
            return info.value, server.requests

    error, requests = run(scenario())
    assert isinstance(error, TransportError)
    assert error.maybe_sent is True
    assert requests == 1


# TLS


def make_certificate(directory: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_is_verified_and_ssl_cert_file_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = make_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)

    async def get(url: str) -> Any:
        async with Client(base_url=url, account_id="Exotel", max_attempts=1) as client:
            return await client.get_voicebot("b")

    async def scenario() -> tuple[BaseException, Any]:
        async with TinyServer(tls=server_context) as server:
            monkeypatch.delenv("SSL_CERT_DIR", raising=False)
            monkeypatch.delenv("SSL_CERT_FILE", raising=False)
            with pytest.raises(TransportError) as info:
                await get(server.url)
            monkeypatch.setenv("SSL_CERT_FILE", str(cert))
            trusted = await get(server.url)
        return info.value, trusted

    untrusted, trusted = run(scenario())
    assert "TLS certificate not trusted" in str(untrusted)
    assert "SSL_CERT_FILE" in str(untrusted)
    assert trusted == BOT


def test_an_unreadable_ssl_cert_file_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(UsageError, match="SSL_CERT_FILE"):
        Client(base_url="https://api.test", account_id="Exotel")
    # Plain http needs no certificates at all.
    Client(base_url="http://api.test", account_id="Exotel")


# End to end against the real emulator

needs_emulator = pytest.mark.skipif(
    importlib.util.find_spec("botops.emulator.server") is None,
    reason="the emulator (botops.emulator.server) is not built yet",
)


class CountingProxy:
    """Forwards TCP to a port and counts the connections clients open through it."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> CountingProxy:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self._writers += [writer, up_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def test_counting_proxy_counts_connections() -> None:
    """The proxy used for the emulator test below, checked against the tiny server."""

    async def scenario() -> tuple[int, int]:
        async with TinyServer(delay=0.02) as server, CountingProxy(server.port) as proxy:
            async with Client(base_url=proxy.url, account_id="Exotel", concurrency=4) as client:
                await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(12)))
            return proxy.connections, server.requests

    assert run(scenario()) == (4, 12)


GENERATION_TEXT = "Create a support bot for order inquiries in English"


def live_client(url: str, **options: Any) -> Client:
    return Client(base_url=url, account_id="Exotel", deadline=10, **options)


@needs_emulator
@pytest.mark.parametrize("shape", ["bare", "envelope"])
def test_emulator_reads_writes_and_errors(emulator_factory: Any, shape: str) -> None:
    extra = ["--envelope"] if shape == "envelope" else []
    emulator = emulator_factory("--demo", "--synthetic-conversations", "25", *extra)

    async def scenario(client: Client) -> None:
        live = await client.get_voicebot("bot_support01")
        assert live["bot_id"] == "bot_support01"
        assert isinstance(live["enable_greeting_interruption"], bool)
        first = await client.list_voicebots(limit=1)
        assert len(first.items) == 1
        assert first.total is not None and first.total >= 2
        every = [bot["bot_id"] async for bot in client.iter_voicebots(page_size=1)]
        assert len(every) == len(set(every)) == first.total
        assistant = await client.get_assistant("asst_acme01")
        assert assistant["assistant_id"] == "asst_acme01"
        assert "asst_acme01" in [a["assistant_id"] async for a in client.iter_assistants()]

        body = {"source_version": live["version"], "data": {"name": "Renamed by client test"}}
        written = await client.create_voicebot_version("bot_support01", body)
        assert written["version"] != live["version"]
        again = await client.get_voicebot("bot_support01")
        assert (again["version"], again["name"]) == (written["version"], "Renamed by client test")

        with pytest.raises(NotFoundError) as missing:
            await client.get_voicebot("bot_nope")
        assert missing.value.server_message
        bad = {"source_version": again["version"], "data": {"nme": "x"}}
        with pytest.raises(BadRequestError) as refused:
            await client.create_voicebot_version("bot_support01", bad)
        assert "nme" in refused.value.server_message

        job = await client.create_generation(GENERATION_TEXT)
        assert job["status"] == "pending"
        polled = await client.get_generation(job["id"])
        assert polled["status"] in {"pending", "in_progress", "completed"}

        page = await client.list_conversations(fields=["transcript", "insights"], limit=10)
        assert page.total is not None and page.total >= 25
        assert all("transcript" in c for c in page.items)
        ids = [c["conversation_id"] async for c in client.iter_conversations(page_size=7)]
        assert len(ids) == len(set(ids)) == page.total
        one = await client.get_conversation(ids[3])
        assert one["conversation_id"] == ids[3]

    run(call(live_client(emulator.url), scenario))
    sent = [r for r in emulator.requests() if r["method"] == "POST"]
    assert [r["path"] for r in sent] == [
        f"{VB}/voicebots/bot_support01/versions",
        f"{VB}/voicebots/bot_support01/versions",
        f"{VB}/bot-generation",
    ]
    assert sent[2]["body"] == {
        "text_content": "Create a support bot for order inquiries in English"
    }


@needs_emulator
def test_emulator_auth_with_bearer_and_basic(emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--token", TOKEN)
    good = [Credentials(token=TOKEN), Credentials(api_key="any-key", api_token=TOKEN)]
    for credentials in good:
        client = live_client(emulator.url, credentials=credentials)
        assert run(call(client, lambda c: c.get_voicebot("bot_support01")))["bot_id"]
    for wrong in (Credentials(token="wrong"), None):
        error = outcome(
            live_client(emulator.url, credentials=wrong), lambda c: c.get_voicebot("bot_support01")
        )
        assert isinstance(error, AuthError)
        assert error.status == 401
        assert TOKEN not in str(error)


@needs_emulator
def test_emulator_sixteen_concurrent_reads_use_at_most_sixteen_connections(
    emulator_factory: Any,
) -> None:
    emulator = emulator_factory("--demo", "--latency-ms", "20")
    port = httpx.URL(emulator.url).port
    assert port is not None

    async def scenario() -> int:
        async with CountingProxy(port) as proxy:
            async with live_client(proxy.url) as client:
                for _ in range(3):
                    await asyncio.gather(*(client.get_voicebot("bot_support01") for _ in range(16)))
            return proxy.connections

    assert run(scenario()) <= 16


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sending_since(pacer: Pacer, clock: ManualClock, seconds: float) -> None:
    """An answer `seconds` ago: the pacer has been sending that long."""
    now = clock.now
    clock.now -= seconds
    pacer.answered()
    clock.now = now


def test_pacer_is_free_until_a_429() -> None:
    clock = ManualClock()
    pacer = Pacer(clock)
    for _ in range(100):
        assert pacer.delay() == 0
        pacer.answered()
    assert pacer.rate is None


def test_a_429_pauses_every_request_then_paces_at_the_accepted_rate() -> None:
    clock = ManualClock()
    pacer = Pacer(clock)
    sending_since(pacer, clock, 5)
    for i in range(40):  # 40 answers within the last second, then refused
        clock.now = 100.0 + i * 0.02
        pacer.answered()
    clock.now = 100.8
    pacer.throttled(retry_after=2)
    assert pacer.paused()
    assert pacer.rate == pytest.approx(40 * Pacer.HEADROOM)
    # Every request, not only the refused one, waits out the pause, then they are spaced.
    starts = [clock.now + pacer.delay() for _ in range(4)]
    assert starts[0] == pytest.approx(102.8)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([1 / (40 * Pacer.HEADROOM)] * 3)
    clock.now = 102.9
    assert not pacer.paused()


def test_a_429_right_after_a_pause_does_not_lower_the_pace() -> None:
    """The second after a pause was not spent sending: its few answers say nothing."""
    clock = ManualClock()
    pacer = Pacer(clock)
    sending_since(pacer, clock, 5)
    for i in range(40):
        clock.now = 100.0 + i * 0.02
        pacer.answered()
    pacer.throttled(retry_after=1)
    learned = pacer.rate
    assert learned is not None
    clock.now += 1.2
    pacer.answered()
    pacer.throttled(retry_after=1)
    assert pacer.rate == learned


def test_a_429_soon_after_the_start_teaches_nothing() -> None:
    """The server's window may still hold requests from before this client, or another's."""
    clock = ManualClock()
    pacer = Pacer(clock)
    pacer.answered()
    clock.now += 0.1
    pacer.answered()
    pacer.throttled(retry_after=1)
    assert pacer.rate is None
    assert pacer.paused()


def test_the_pace_drops_by_half_at_most() -> None:
    clock = ManualClock()
    pacer = Pacer(clock)
    sending_since(pacer, clock, 5)
    for i in range(40):
        clock.now = 100.0 + i * 0.02
        pacer.answered()
    pacer.throttled(retry_after=None)
    clock.now += 3
    pacer.answered()
    pacer.throttled(retry_after=None)  # one answer in the last second: a busy neighbour
    assert pacer.rate == pytest.approx(40 * Pacer.HEADROOM / 2)


def test_the_pace_grows_back_after_a_quiet_while() -> None:
    clock = ManualClock()
    pacer = Pacer(clock)
    sending_since(pacer, clock, 5)
    for i in range(10):
        clock.now = 100.0 + i * 0.05
        pacer.answered()
    pacer.throttled(retry_after=None)
    learned = pacer.rate
    assert learned is not None
    clock.now += Pacer.QUIET + 0.1
    pacer.delay()
    assert pacer.rate == pytest.approx(learned * Pacer.GROWTH)


def test_requests_queued_before_a_429_wait_for_the_pause(emulator_factory: Any) -> None:
    """Against a real rate-limited server: 200 reads at once get few 429s, because the
    requests already queued when the first 429 comes go back to wait out its pause."""
    from tests.test_faults import fleet

    fixtures = fleet(Path(tempfile.mkdtemp()), 100)
    emulator = emulator_factory("--fixtures", str(fixtures), "--rate-limit", "50")
    refused = 0

    async def go() -> None:
        nonlocal refused
        async with Client(base_url=emulator.url, account_id="Exotel", concurrency=16) as client:
            await asyncio.gather(*(client.get_voicebot(f"bot_{i % 100:03d}") for i in range(200)))
            refused = client.request_count - 200

    run(go())
    # Without the shared pause, every request queued behind the first 429 was refused in
    # turn (about 150 of 200 here).
    assert refused <= 40, refused
