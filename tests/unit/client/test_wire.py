"""botops.client.wire: envelopes, list bodies, normalisation and the server's messages, read
through the real `Client` from scripted answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest

from botops.client import Client, Page
from botops.errors import (
    ApiError,
    BadRequestError,
    NotFoundError,
    RateLimitedError,
)
from tests.unit.client.support import (
    BOT,
    call,
    json_response,
    make_client,
    outcome,
    run,
    scripted,
)

# Envelopes and normalisation


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
    handler, _ = scripted(httpx2.Response(200, text="<html>login</html>"))
    error = outcome(make_client(handler), lambda c: c.get_voicebot("b"))
    assert type(error) is ApiError
    assert "not JSON" in str(error)


# Server messages


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
        (httpx2.Response(400, text=long_text), "line one line two xxx"),
        (httpx2.Response(400, text="<html><title>Bad Gateway Page</title></html>"), None),
        (json_response(400, {"detail": [{"loc": ["body", "data", "x"], "msg": "bad"}]}), None),
        (httpx2.Response(400), None),
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


# Retry-After


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
    handler, _ = scripted(httpx2.Response(429, headers=headers))
    error = outcome(make_client(handler, deadline=0), lambda c: c.get_voicebot("b"))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == expected


def test_retry_after_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    handler, _ = scripted(httpx2.Response(429, headers={"Retry-After": when}))
    error = outcome(make_client(handler, deadline=0), lambda c: c.get_voicebot("b"))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after is not None
    assert 15 < error.retry_after <= 20
