"""What every request goes through: the request log, body limits, unknown routes, credentials,
the envelope and injected faults (checked statistically, with enough requests to be sure)."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import AS, VB, Emulator, client, error_message, fleet_bots, write_fixtures

TOKEN = "s3cret-t0ken"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_the_request_log_records_what_was_sent_and_answered(demo: Emulator) -> None:
    demo.clear_requests()
    with client(demo) as http:
        http.get(f"{VB}/voicebots", params={"limit": "2", "offset": "1"})
        http.post(f"{VB}/voicebots/bot_support01/versions", json={"source_version": "v3"})
        http.post(f"{VB}/bot-generation", files={"text_content": (None, "A bot for orders")})
        http.post(f"{VB}/bot-generation", data={"text_content": "A bot for returns"})
        http.post(f"{VB}/voicebots/bot_support01/versions", content=b"{nope")
        http.delete(f"{VB}/voicebots")
        http.get("/_emulator/requests")  # never logged itself
    assert demo.requests() == [
        {
            "method": "GET",
            "path": f"{VB}/voicebots",
            "query": {"limit": "2", "offset": "1"},
            "body": None,
            "status": 200,
        },
        {
            "method": "POST",
            "path": f"{VB}/voicebots/bot_support01/versions",
            "query": {},
            "body": {"source_version": "v3"},
            "status": 400,
        },
        {
            "method": "POST",
            "path": f"{VB}/bot-generation",
            "query": {},
            "body": {"text_content": "A bot for orders"},
            "status": 201,
        },
        {
            "method": "POST",
            "path": f"{VB}/bot-generation",
            "query": {},
            "body": {"text_content": "A bot for returns"},
            "status": 201,
        },
        {
            "method": "POST",
            "path": f"{VB}/voicebots/bot_support01/versions",
            "query": {},
            "body": None,
            "status": 400,
        },
        {"method": "DELETE", "path": f"{VB}/voicebots", "query": {}, "body": None, "status": 405},
    ]
    demo.clear_requests()
    assert demo.requests() == []


def test_unknown_routes_and_methods_answer_in_the_error_shape(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        assert "/nowhere" in error_message(http.get("/nowhere"), 404)
        error_message(http.get(f"{VB}/voicebots/"), 404)
        error_message(http.get(f"{VB}/bots"), 404)
        error_message(http.get("/_emulator/nothing"), 404)
        wrong = http.put(f"{VB}/voicebots/bot_support01")
        assert "PUT" in error_message(wrong, 405)
        assert "GET" in wrong.headers["allow"]
        error_message(http.delete(f"{VB}/voicebots/bot_support01/versions"), 405)


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"{not json", 400, "JSON"),
        (b'["source_version", "v3"]', 400, "object"),
        (b'"v3"', 400, "object"),
        (b"null", 400, "object"),
        (b"", 400, "object"),
        (b'{"source_version": "v3", "data": {"name": NaN}}', 400, "NaN"),
        (b"[" * 100_000, 400, "JSON"),
        (b'{"source_version": "v3", "data": {"name": "' + b"x" * (1024 * 1024) + b'"}}', 413, ""),
    ],
)
def test_bodies_must_be_json_objects_under_one_mebibyte(
    demo_readonly: Emulator, content: bytes, status: int, words: str
) -> None:
    with client(demo_readonly) as http:
        for path in (
            f"{VB}/voicebots/bot_support01/versions",
            f"{AS}/assistants/asst_acme01/versions",
        ):
            response = http.post(
                path, content=content, headers={"content-type": "application/json"}
            )
            assert words in error_message(response, status)
        assert http.get(f"{VB}/voicebots/bot_support01").json()["version"] == "v3"
        assert http.get("/_emulator/requests").status_code == 200


def test_no_422_ever(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        answers = [
            http.post(f"{VB}/voicebots/bot_support01/versions", data={"source_version": "v3"}),
            http.post(f"{AS}/assistants/asst_acme01/versions", json={"agents": None}),
            http.get(f"{VB}/voicebot-conversations", params={"limit": "1e3"}),
            http.get(f"{VB}/voicebots", params={"startDate": "2026-02-30"}),
        ]
    assert [a.status_code for a in answers] == [400, 400, 400, 400]


def test_openapi_describes_every_route_with_its_parameters_and_bodies(
    demo_readonly: Emulator,
) -> None:
    demo_readonly.clear_requests()
    with client(demo_readonly) as http:
        document = http.get("/openapi.json").json()
    paths = document["paths"]
    routes = {(path, method) for path, item in paths.items() for method in item}
    assert routes == {
        ("/voicebot/api/v2/accounts/{accountId}/bot-generation", "post"),
        ("/voicebot/api/v2/accounts/{accountId}/bot-generation/{generation_id}", "get"),
        ("/voicebot/api/v2/accounts/{accountId}/voicebots/{botId}/versions", "post"),
        ("/voicebot/api/v2/accounts/{accountId}/voicebots/{botId}/versions", "get"),
        ("/voicebot/api/v2/accounts/{accountId}/voicebots", "get"),
        ("/voicebot/api/v2/accounts/{accountId}/voicebots/{botId}", "get"),
        ("/voicebot/api/v2/accounts/{accountId}/voicebot-conversations", "get"),
        ("/voicebot/api/v2/accounts/{accountId}/voicebot-conversations/{conversation_id}", "get"),
        ("/api/v2/accounts/{tenant_id}/assistants/{assistant_id}/versions", "post"),
        ("/api/v2/accounts/{tenant_id}/assistants/{assistant_id}/versions", "get"),
        ("/api/v2/accounts/{tenant_id}/assistants", "get"),
        ("/api/v2/accounts/{tenant_id}/assistants/{assistant_id}", "get"),
    }
    generation = paths["/voicebot/api/v2/accounts/{accountId}/bot-generation"]["post"]
    assert set(generation["requestBody"]["content"]) == {
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    }
    assert "201" in generation["responses"]
    version = paths["/voicebot/api/v2/accounts/{accountId}/voicebots/{botId}/versions"]["post"]
    schema = version["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["source_version", "data"]
    assert set(schema["properties"]["data"]["properties"]) == {
        "name",
        "enable_greeting_interruption",
        "supported_languages",
    }
    listing = paths["/voicebot/api/v2/accounts/{accountId}/voicebots"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "accountId",
        "limit",
        "offset",
        "startDate",
        "endDate",
    }
    for item in paths.values():
        for operation in item.values():
            assert "422" not in operation["responses"]
            assert "400" in operation["responses"]
    assert demo_readonly.requests() == []


def test_envelope_wraps_every_api_answer_and_keeps_the_status(emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--envelope", "--rate-limit", "1000")
    with client(emulator) as http:
        bot = http.get(f"{VB}/voicebots/bot_support01")
        listing = http.get(f"{VB}/voicebots", params={"limit": 1})
        created = http.post(f"{VB}/bot-generation", data={"text_content": "A bot for orders"})
        missing = http.get(f"{VB}/voicebots/bot_nope")
        unknown = http.get("/nowhere")
        requests = http.get("/_emulator/requests")
    assert bot.status_code == 200
    envelope = bot.json()
    assert set(envelope) == {"http_code", "method", "request_id", "response"}
    assert (envelope["http_code"], envelope["method"]) == (200, "GET")
    assert envelope["response"]["http_code"] == 200
    assert envelope["response"]["error_data"] is None
    assert envelope["response"]["data"]["bot_id"] == "bot_support01"
    assert listing.json()["response"]["data"]["metadata"]["limit"] == 1
    assert created.status_code == 201
    assert created.json()["method"] == "POST"
    assert created.json()["response"]["data"]["status"] == "pending"
    assert created.json()["request_id"] != envelope["request_id"]
    for response, status in ((missing, 404), (unknown, 404)):
        assert response.status_code == status
        body = response.json()
        assert body["http_code"] == status
        assert body["response"]["data"] is None
        error = body["response"]["error_data"]
        assert error["code"] == status and error["message"] == "Not Found"
    assert "bot_nope" in missing.json()["response"]["error_data"]["description"]
    assert isinstance(requests.json(), list)  # /_emulator/ is never wrapped


def test_envelope_wraps_injected_faults_too(emulator_factory: Any) -> None:
    emulator = emulator_factory("--envelope", "--token", TOKEN, "--fault-rate", "1")
    with client(emulator) as http:
        refused = http.get(f"{VB}/voicebots")
        faulted = http.get(f"{VB}/voicebots", headers={"authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 401 and refused.json()["response"]["error_data"]["code"] == 401
    assert faulted.status_code == 500 and faulted.json()["response"]["error_data"]["code"] == 500
    assert [r["status"] for r in emulator.requests()] == [401, 500]


def test_token_accepts_bearer_and_basic_with_any_key(emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--token", TOKEN)
    path = f"{VB}/voicebots/bot_support01"
    with client(emulator) as http:
        for good in (
            f"Bearer {TOKEN}",
            f"bearer {TOKEN}",
            basic("any-key", TOKEN),
            basic("", TOKEN),
        ):
            assert http.get(path, headers={"authorization": good}).status_code == 200, good
        wrong = [
            None,
            f"Bearer {TOKEN}x",
            "Bearer",
            TOKEN,
            basic(TOKEN, "wrong"),
            basic("key", TOKEN + "x"),
            "Basic not-base64!",
            f"Token {TOKEN}",
        ]
        for bad in wrong:
            headers = {} if bad is None else {"authorization": bad}
            response = http.get(path, headers=headers)
            message = error_message(response, 401)
            assert TOKEN not in message and "Bearer" in response.headers["www-authenticate"]
        # A refused write does nothing.
        post = http.post(f"{path}/versions", json={"source_version": "v3", "data": {}})
        error_message(post, 401)
        # The emulator's own endpoints need the token too (issue 19).
        assert http.get("/_emulator/requests").status_code == 401
        bearer = {"authorization": f"Bearer {TOKEN}"}
        assert http.get("/_emulator/requests", headers=bearer).status_code == 200
        live = http.get(path, headers={"authorization": f"Bearer {TOKEN}"}).json()
    assert live["version"] == "v3"
    statuses = [r["status"] for r in emulator.requests()]
    assert statuses == [200] * 4 + [401] * (len(wrong) + 1) + [200]


def test_fault_rate_answers_500_for_that_fraction_without_acting(
    emulator_factory: Any, tmp_path: Path
) -> None:
    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(1))
    emulator = emulator_factory("--fixtures", str(fixtures), "--fault-rate", "0.3")
    body = {"source_version": "v1", "data": {"name": "x"}}
    with client(emulator) as http:
        answers = [http.post(f"{VB}/voicebots/bot_000/versions", json=body) for _ in range(150)]
        answers += [http.get(f"{VB}/voicebots/bot_000") for _ in range(150)]
        history = http.get("/_emulator/voicebots/bot_000/versions").json()
    statuses = [a.status_code for a in answers]
    assert set(statuses) == {200, 500}
    failed = statuses.count(500)
    assert 45 <= failed <= 135, failed  # 0.3 of 300 is 90; this is beyond 5 standard deviations
    assert "fault" in error_message(next(a for a in answers if a.status_code == 500), 500)
    # Every write answered 200 made a version, and no faulted one did.
    assert len(history) == 1 + statuses[:150].count(200)
    assert [r["status"] for r in emulator.requests()] == statuses


def test_lost_responses_act_then_answer_500_for_that_fraction_of_writes(
    emulator_factory: Any, tmp_path: Path
) -> None:
    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(1))
    emulator = emulator_factory("--fixtures", str(fixtures), "--lost-response-rate", "0.4")
    body = {"source_version": "v1", "data": {"name": "x"}}
    with client(emulator) as http:
        writes = [http.post(f"{VB}/voicebots/bot_000/versions", json=body) for _ in range(120)]
        reads = [http.get(f"{VB}/voicebots/bot_000") for _ in range(60)]
        history = http.get("/_emulator/voicebots/bot_000/versions").json()
    lost = [w.status_code for w in writes].count(500)
    assert 20 <= lost <= 76, lost  # 0.4 of 120 is 48
    assert {w.status_code for w in writes} == {200, 500}
    assert all(r.status_code == 200 for r in reads)  # reads are never lost
    assert len(history) == 121  # every write acted, answered or not
    assert [v["version"] for v in history] == [f"v{n}" for n in range(1, 122)]


def test_the_rate_limit_option_reaches_the_server(emulator_factory: Any, tmp_path: Path) -> None:
    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(1))
    emulator = emulator_factory("--fixtures", str(fixtures), "--rate-limit", "1")
    with client(emulator) as http:
        # One read a second passes: reads in a row meet a 429 as soon as two of them fall
        # inside one second, which on any machine is within the first few.
        statuses = []
        while 429 not in statuses and len(statuses) < 20:
            statuses.append(http.get(f"{VB}/voicebots/bot_000").status_code)
    assert statuses[0] == 200 and statuses[-1] == 429 and set(statuses) == {200, 429}, statuses


def test_latency_option_reaches_the_server(emulator_factory: Any) -> None:
    emulator = emulator_factory("--demo", "--latency-ms", "150")
    with client(emulator) as http:
        started = time.monotonic()
        http.get(f"{VB}/voicebots/bot_support01")
        # A lower bound only: a busy machine makes answers slower, never faster.
        assert time.monotonic() - started >= 0.15


def test_keep_alive_answers_come_without_a_delayed_ack_stall(demo_readonly: Emulator) -> None:
    """Without TCP_NODELAY on the listening socket's connections, each answer on a kept-alive
    connection waits ~40 ms for the client's delayed ACK (DESIGN §9): 25 reads would take 1 s."""
    with client(demo_readonly) as http:
        http.get(f"{VB}/voicebots/bot_support01")
        timings = []
        for _ in range(25):
            started = time.monotonic()
            assert http.get(f"{VB}/voicebots/bot_support01").status_code == 200
            timings.append(time.monotonic() - started)
    # The stall would hold up every answer; a busy machine slows some, not all of them.
    assert min(timings) < 0.03, timings


def test_a_chunked_body_over_one_mebibyte_is_413_too(demo_readonly: Emulator) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(12):
            yield b"x" * 100_000

    with client(demo_readonly) as http:
        response = http.post(f"{VB}/voicebots/bot_support01/versions", content=chunks())
        error_message(response, 413)
        assert http.get(f"{VB}/voicebots/bot_support01").status_code == 200  # still serving
