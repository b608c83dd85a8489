"""botops.client.diagnosis: which typed error a failure becomes, and what it tells the user to
check; the transport failures over real sockets (refused, silent, dropped, untrusted TLS)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx2
import pytest

from botops.client import Client, Credentials
from botops.errors import (
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
from tests.unit.client.support import (
    TOKEN,
    VB,
    FakeTime,
    TinyServer,
    json_response,
    make_client,
    outcome,
    run,
    scripted,
)

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


def test_auth_errors_say_what_to_check() -> None:
    handler, _ = scripted(json_response(401, {"error": {"message": "invalid token"}}))
    with_credentials = make_client(handler, credentials=Credentials(token=TOKEN))
    error = outcome(with_credentials, lambda c: c.get_voicebot("b"))
    assert "401 invalid token (check BOTOPS_TOKEN or BOTOPS_API_KEY/BOTOPS_API_TOKEN)" in str(error)
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert "no credentials were sent" in str(error)


def test_redirects_are_reported_not_followed() -> None:
    handler, seen = scripted(httpx2.Response(301, headers={"Location": "https://api.test/"}))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert type(error) is HTTPStatusError
    assert "redirected to https://api.test/; check the base URL" in str(error)
    assert len(seen) == 1


# Transport errors


@pytest.mark.parametrize(
    ("exc", "maybe_sent", "text"),
    [
        (httpx2.ConnectError("[Errno 111] Connection refused"), False, "connection refused"),
        (httpx2.ConnectError("[Errno -2] Name or service not known"), False, "host name not found"),
        (httpx2.ConnectError("All connection attempts failed"), False, "connection failed"),
        (httpx2.ConnectTimeout("timed out"), False, "connection timed out"),
        (httpx2.PoolTimeout("timed out"), False, "no free connection"),
        (httpx2.ReadTimeout("timed out"), True, "no answer from http://api.test within 30 s"),
        (httpx2.WriteTimeout("timed out"), True, "no answer"),
        (httpx2.RemoteProtocolError("Server disconnected"), True, "Server disconnected"),
        (httpx2.ReadError("reset by peer"), True, "reset by peer"),
        (httpx2.WriteError("broken pipe"), True, "broken pipe"),
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
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout):
        assert "can't reach http://api.test" in str(error)


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
            # The timeout also bounds connecting: long enough that a stalled machine still connects.
            client = Client(base_url=server.url, account_id="Exotel", timeout=1.0)
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


def test_an_unreadable_ssl_cert_file_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(UsageError, match="SSL_CERT_FILE"):
        Client(base_url="https://api.test", account_id="Exotel")
    # Plain http needs no certificates at all.
    Client(base_url="http://api.test", account_id="Exotel")
