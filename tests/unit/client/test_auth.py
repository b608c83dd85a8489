"""botops.client.auth: credentials from the environment, the Authorization header, redaction."""

from __future__ import annotations

import base64

import pytest

from botops.client import Credentials
from botops.errors import (
    AuthError,
    UsageError,
)
from tests.unit.client.support import (
    BOT,
    TOKEN,
    call,
    json_response,
    make_client,
    outcome,
    run,
    scripted,
)

# Headers


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
