"""Bot generation: both form encodings, the job's progress over time, failure, and the bot."""

from __future__ import annotations

import time
from typing import Any

import httpx2
import pytest

from tests.support import VB, Emulator, client, error_message

TEXT = "Create a customer support bot that handles order inquiries and returns in English and Hindi"


def poll(http: httpx2.Client, job_id: str, account: str = "Exotel") -> dict[str, Any]:
    response = http.get(f"/voicebot/api/v2/accounts/{account}/bot-generation/{job_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bots(http: httpx2.Client) -> list[dict[str, Any]]:
    return list(http.get(f"{VB}/voicebots", params={"limit": 100}).json()["data"])


def test_a_job_goes_pending_in_progress_completed_and_creates_its_bot_once(
    emulator_factory: Any,
) -> None:
    emulator = emulator_factory("--generation-seconds", "1.2")
    with client(emulator) as http:
        response = http.post(
            "/voicebot/api/v2/accounts/Acme/bot-generation", files={"text_content": (None, TEXT)}
        )
        assert response.status_code == 201, response.text
        job = response.json()
        assert job == {
            "id": job["id"],
            "content": {"text_content": TEXT},
            "status": "pending",
            "account_id": "Acme",
        }
        first = poll(http, job["id"], "Acme")
        assert first == {"id": job["id"], "status": first["status"], "account_id": "Acme"}
        # The job moves on with time, never back: its exact status at a given moment (and no
        # bot before it completes) is the unit test's, on a clock of its own.
        seen = [first["status"]]
        deadline = time.monotonic() + 60
        while seen[-1] != "completed" and time.monotonic() < deadline:
            time.sleep(0.05)
            seen.append(poll(http, job["id"])["status"])
        order = ["pending", "in_progress", "completed"]
        assert seen[-1] == "completed"
        assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)
        done = poll(http, job["id"], "Other")
        assert done == {
            "id": job["id"],
            "status": "completed",
            "bot_id": done["bot_id"],
            "account_id": "Other",
        }
        assert poll(http, job["id"]) == {**done, "account_id": "Exotel"}  # the same bot again
        [listed] = bots(http)
        bot = http.get(f"{VB}/voicebots/{done['bot_id']}").json()
    assert listed["bot_id"] == done["bot_id"]
    assert {k: bot[k] for k in ("name", "version", "enable_greeting_interruption")} == {
        "name": "Customer Support Bot",
        "version": "v1",
        "enable_greeting_interruption": True,
    }
    assert bot["supported_languages"] == ["en", "hi"]


def test_each_job_gets_a_new_bot_even_for_the_same_text_and_without_polling(
    emulator_factory: Any,
) -> None:
    emulator = emulator_factory("--generation-seconds", "0.2")
    with client(emulator) as http:
        form = {"text_content": TEXT}
        ids = [http.post(f"{VB}/bot-generation", data=form).json()["id"] for _ in range(3)]
        time.sleep(0.6)
        # Nobody polled: the bots exist all the same.
        assert len(bots(http)) == 3
        bot_ids = [poll(http, job_id)["bot_id"] for job_id in ids]
        assert len(bots(http)) == 3
    assert len(set(ids)) == len(set(bot_ids)) == 3


def test_zero_seconds_means_completed_at_the_first_poll(emulator_factory: Any) -> None:
    emulator = emulator_factory("--generation-seconds", "0")
    with client(emulator) as http:
        job = http.post(f"{VB}/bot-generation", data={"text_content": TEXT}).json()
        assert job["status"] == "pending"
        assert poll(http, job["id"])["status"] == "completed"

        for text, words in (("hi", "1 words"), ("Bot please", "2 words")):
            failed_job = http.post(f"{VB}/bot-generation", data={"text_content": text}).json()
            failed = poll(http, failed_job["id"])
            assert failed["status"] == "failed" and words in failed["reason"]
            assert "bot_id" not in failed
        nothing = http.post(f"{VB}/bot-generation", data={"text_content": "12 + 34 = 46 !!"})
        failed = poll(http, nothing.json()["id"])
        assert failed["status"] == "failed" and "no words" in failed["reason"]
        assert len(bots(http)) == 1


@pytest.mark.parametrize(
    "send",
    [
        {"data": {}},
        {"data": {"text_content": ""}},
        {"data": {"text_content": "   "}},
        {"files": {"text_content": (None, "")}},
        {"files": {"other": (None, "Create a bot for orders")}},
        {"content": b"", "headers": {"content-type": "multipart/form-data; boundary=x"}},
        {"json": {"text": "Create a bot for orders"}},
        {"content": b"text_content=", "headers": {"content-type": "text/plain"}},
    ],
)
def test_missing_or_empty_text_content_is_400(
    demo_readonly: Emulator, send: dict[str, Any]
) -> None:
    with client(demo_readonly) as http:
        response = http.post(f"{VB}/bot-generation", **send)
    assert "text_content" in error_message(response, 400)


def test_unknown_job_is_404(demo_readonly: Emulator) -> None:
    with client(demo_readonly) as http:
        assert "gen_nope" in error_message(http.get(f"{VB}/bot-generation/gen_nope"), 404)
