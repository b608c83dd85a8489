"""botops.client.Client: the endpoints, their paths and ids, the retry loop, connection reuse,
and the whole client against the real emulator."""

from __future__ import annotations

import asyncio
import json
import random

import httpx2
import pytest

from botops.client import Client
from botops.errors import (
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
)
from tests.unit.client.support import (
    AS,
    BASE,
    BOT,
    TOKEN,
    VB,
    CountingProxy,
    FakeTime,
    TinyServer,
    call,
    json_response,
    make_client,
    outcome,
    run,
    scripted,
)

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
        ("GET", f"{AS}/assistants/a1?version=stable"),
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
        "/api/v2/accounts/acme%20corp/assistants/a%231%25?version=stable",
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


# Retries


def test_reads_are_retried_on_5xx_429_and_transport_errors() -> None:
    time = FakeTime()
    lines: list[str] = []
    handler, seen = scripted(
        json_response(503, {"error": {"message": "busy"}}),
        httpx2.ReadTimeout("timed out"),
        json_response(429, {}, **{"Retry-After": "2"}),
        httpx2.ConnectError("[Errno 111] Connection refused"),
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
        httpx2.ReadTimeout("timed out"),
        httpx2.RemoteProtocolError("Server disconnected without sending a response."),
        httpx2.ConnectError("[Errno 111] Connection refused"),
    ],
    ids=["500", "502", "read-timeout", "disconnect", "refused"],
)
def test_writes_are_not_retried_except_on_429(failure: httpx2.Response | Exception) -> None:
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
    handler, seen = scripted(httpx2.ConnectError("[Errno 111] Connection refused"))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert isinstance(error, TransportError)
    assert len(seen) == 3


# Connections, over real sockets


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
    # httpx2's default pool keeps 20 idle connections: 4 would be reopened on every wave.
    assert connections <= 24


def test_sixteen_concurrent_reads_use_at_most_sixteen_connections() -> None:
    async def scenario() -> int:
        async with TinyServer(delay=0.005) as server:
            async with Client(base_url=server.url, account_id="Exotel") as client:
                await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(64)))
            return server.connections

    assert run(scenario()) <= 16


def test_counting_proxy_counts_connections() -> None:
    """The proxy used for the emulator test below, checked against the tiny server."""

    async def scenario() -> tuple[int, int]:
        async with TinyServer(delay=0.02) as server, CountingProxy(server.port) as proxy:
            async with Client(base_url=proxy.url, account_id="Exotel", concurrency=4) as client:
                await asyncio.gather(*(client.get_voicebot(f"b{i}") for i in range(12)))
            return proxy.connections, server.requests

    assert run(scenario()) == (4, 12)
