"""The emulator's own endpoints (issue 19, items 11 and 15): with --token they need it, and the
request log keeps only the newest requests, refused ones included."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.support import VB, Emulator

TOKEN = "emu-token-42"


def test_with_a_token_the_control_endpoints_need_it(emulator_factory: Any) -> None:
    emulator: Emulator = emulator_factory("--demo", "--token", TOKEN)
    for method, path in [
        ("GET", "/_emulator/requests"),
        ("DELETE", "/_emulator/requests"),
        ("GET", "/_emulator/voicebots/bot_support01/versions"),
    ]:
        bare = httpx2.request(method, emulator.url + path, timeout=10)
        assert bare.status_code == 401, (method, path, bare.text)
        wrong = httpx2.request(
            method, emulator.url + path, headers={"Authorization": "Bearer nope"}, timeout=10
        )
        assert wrong.status_code == 401
    allowed = httpx2.get(
        emulator.url + "/_emulator/requests",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert allowed.status_code == 200


def test_the_request_log_keeps_only_the_newest(emulator_factory: Any) -> None:
    emulator: Emulator = emulator_factory("--demo", "--token", TOKEN, "--request-log-size", "5")
    with httpx2.Client(base_url=emulator.url, timeout=10) as client:
        for index in range(12):
            # Refused (no token) requests are logged too, and bounded the same way.
            client.get(f"{VB}/voicebots/bot_{index}")
    logged = emulator.requests()
    assert [r["path"] for r in logged] == [f"{VB}/voicebots/bot_{i}" for i in range(7, 12)]
    assert {r["status"] for r in logged} == {401}


def test_the_request_log_keeps_no_body_of_a_refused_caller_and_bounds_bodies_by_bytes(
    emulator_factory: Any,
) -> None:
    guarded: Emulator = emulator_factory("--demo", "--token", TOKEN)
    body = b"[" + b"{}," * 333_000 + b"{}]"  # 1 MB that parses into a million objects
    with httpx2.Client(base_url=guarded.url, timeout=30) as client:
        refused = client.post(f"{VB}/voicebots/bot_support01/versions", content=body)
        assert refused.status_code == 401
    [logged] = [r for r in guarded.requests() if r["method"] == "POST"]
    assert (logged["status"], logged["body"]) == (401, None)

    open_one: Emulator = emulator_factory("--demo")
    with httpx2.Client(base_url=open_one.url, timeout=30) as client:
        for index in range(20):
            marked = b'{"n": %d, "pad": "' % index + b"x" * 1_000_000 + b'"}'
            client.post(f"{VB}/voicebots/bot_{index}/versions", content=marked)
    posts = [r for r in open_one.requests() if r["method"] == "POST"]
    kept = [r["body"]["n"] for r in posts if r["body"] is not None]
    # 16 MiB of bodies at most: the oldest went, the newest are all there.
    assert 10 <= len(kept) <= 16
    assert kept == list(range(20 - len(kept), 20))
