"""The client in both dialects (DESIGN §16): where assistants live (asked once, remembered,
pinned), the nested read as its stable version, and request ids in error lines."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from botops.client import Client, wire
from botops.errors import NotFoundError, ServerError, UsageError
from tests.unit.client.support import call, json_response, make_client, outcome, run

REFERENCE = "/api/v2/accounts/Exotel/assistants"
EXOTEL = "/voicebot/api/v2/accounts/Exotel/assistants"
FLAT = {"assistant_id": "a1", "version": "v3", "stable_version": "v3", "instruction": "hi"}


def server(where: str, *, missing: tuple[str, ...] = ()) -> tuple[Any, list[str]]:
    """Assistants under `where` only; everything else 404. Records the paths asked."""
    seen: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.path)
        if not request.url.path.startswith(where) or request.url.path.endswith(missing):
            return json_response(404, {"error": {"status": 404, "message": "not found"}})
        return json_response(200, FLAT)

    return handle, seen


def test_the_reference_path_answering_is_used_without_an_extra_request() -> None:
    handler, seen = server(REFERENCE)

    async def reads(client: Client) -> None:
        for rid in ("a1", "a2", "a3"):
            await client.get_assistant(rid)

    run(call(make_client(handler), reads))
    assert seen == [f"{REFERENCE}/a1", f"{REFERENCE}/a2", f"{REFERENCE}/a3"]


def test_the_other_path_is_asked_once_then_kept_even_for_concurrent_reads() -> None:
    handler, seen = server(EXOTEL)
    lines: list[str] = []

    async def reads(client: Client) -> None:
        await asyncio.gather(*(client.get_assistant(f"a{n}") for n in range(8)))
        await client.create_assistant_version("a1", {"source_version": "v3"})

    run(call(make_client(handler, trace=lines.append), reads))
    assert [path for path in seen if path.startswith(REFERENCE)] == [seen[0]]
    assert len(seen) == 8 + 1 + 1
    assert seen[-1] == f"{EXOTEL}/a1/versions"
    assert sum("assistants answer under /voicebot/api/v2 here" in line for line in lines) == 1


def test_a_pinned_path_is_never_guessed() -> None:
    handler, seen = server(EXOTEL)
    client = make_client(handler, assistants_path="/voicebot/api/v2")
    run(call(client, lambda c: c.get_assistant("a1")))
    assert seen == [f"{EXOTEL}/a1"]
    handler, seen = server(EXOTEL)
    error = outcome(make_client(handler, assistants_path="/api/v2"), lambda c: c.get_assistant("a"))
    assert isinstance(error, NotFoundError)
    assert seen == [f"{REFERENCE}/a"]


def test_a_pin_must_be_one_of_the_two_paths() -> None:
    handler, _ = server(EXOTEL)
    with pytest.raises(UsageError, match="assistants_path must be /api/v2 or /voicebot/api/v2"):
        make_client(handler, assistants_path="/v3")


def test_missing_on_both_is_missing_and_leaves_the_path_open() -> None:
    handler, seen = server(EXOTEL, missing=("/gone",))

    async def reads(client: Client) -> list[Any]:
        return await asyncio.gather(
            client.get_assistant("gone"), client.get_assistant("a1"), return_exceptions=True
        )

    gone, found = run(call(make_client(handler), reads))
    assert isinstance(gone, NotFoundError)
    assert found["assistant_id"] == "a1"
    assert seen[-1] == f"{EXOTEL}/a1"


def test_an_error_other_than_404_or_405_decides_nothing() -> None:
    answers = iter(
        [json_response(500, {"error": {"message": "down"}})]
        + [json_response(404, {})]
        + [json_response(200, FLAT)] * 3
    )
    seen: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.path)
        return next(answers)

    async def reads(client: Client) -> list[Any]:
        first = await asyncio.gather(client.get_assistant("a1"), return_exceptions=True)
        return [*first, await client.get_assistant("a1"), await client.get_assistant("a2")]

    failed, *found = run(call(make_client(handle, deadline=0), reads))
    assert isinstance(failed, ServerError)
    assert [item["assistant_id"] for item in found] == ["a1", "a1"]
    assert seen == [f"{REFERENCE}/a1", f"{REFERENCE}/a1", f"{EXOTEL}/a1", f"{EXOTEL}/a2"]


# The nested shape


NESTED = {
    "assistant_id": "a1",
    "stable_version": "v7",
    "latest_version": "v8",
    "versions": {
        "v7": {"instruction": "stable", "agents": [{"role": "r", "mcp_tools": ["t"]}]},
        "v8": {"instruction": "draft"},
    },
}


def test_the_nested_shape_reads_as_its_stable_version() -> None:
    flat = wire.assistant(NESTED)
    assert flat == {
        "assistant_id": "a1",
        "version": "v7",
        "stable_version": "v7",
        "latest_version": "v8",
        "instruction": "stable",
        "agents": [{"role": "r", "mcp_tools": ["t"]}],
    }
    assert wire.assistant(NESTED, "v8")["instruction"] == "draft"
    assert wire.assistant(NESTED, "latest")["version"] == "v8"


def test_a_nested_shape_without_a_stable_version_reads_its_latest() -> None:
    body = {
        "stable_version": None,
        "latest_version": "v2",
        "versions": {"v2": {"instruction": "x"}},
    }
    assert wire.assistant(body)["version"] == "v2"
    # Neither named nor the only one: no version, which the planner refuses to build on.
    body = {"versions": {"v1": {}, "v2": {}}}
    assert wire.assistant(body)["version"] is None


def test_the_flat_shape_is_only_normalised() -> None:
    marked = {**FLAT, "mark_as_stable": "true"}
    assert wire.assistant(marked, "stable", frozenset({"mark_as_stable"})) == {
        **FLAT,
        "mark_as_stable": True,
    }


def test_the_enveloped_nested_read_goes_through_the_client() -> None:
    envelope = {"http_code": 200, "request_id": "r1", "response": {"data": NESTED}}
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return json_response(200, envelope)

    found = run(call(make_client(handle), lambda c: c.get_assistant("a1")))
    assert found["version"] == "v7" and found["latest_version"] == "v8"
    assert seen[0].url.params["version"] == "stable"


# Request ids


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"error": {"status": 400, "message": "bad"}, "request_id": "8f2c01"}, {}),
        ({"error": {"status": 400, "message": "bad", "request_id": "8f2c01"}}, {}),
        ({"error": {"status": 400, "message": "bad"}}, {"X-Request-Id": "8f2c01"}),
        (
            {
                "http_code": 400,
                "request_id": "8f2c01",
                "response": {"http_code": 400, "error_data": {"message": "bad"}},
            },
            {},
        ),
    ],
)
def test_error_lines_name_the_request_id_from_either_shape(
    body: dict[str, Any], headers: dict[str, str]
) -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        return json_response(400, body, **headers)

    error = outcome(make_client(handle), lambda c: c.get_voicebot("b"))
    assert str(error).endswith("400 bad (request_id 8f2c01)")
    assert error.server_message == "bad"  # type: ignore[attr-defined]


def test_a_request_id_that_is_not_a_plain_token_is_not_shown() -> None:
    body = {"error": {"message": "bad"}, "request_id": "x\nFAKE: line"}

    def handle(request: httpx2.Request) -> httpx2.Response:
        return json_response(400, body)

    error = outcome(make_client(handle), lambda c: c.get_voicebot("b"))
    assert "request_id" not in str(error)
