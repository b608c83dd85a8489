"""Helpers for the emulator's tests: paths, an HTTP client, the error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Emulator

VB = "/voicebot/api/v2/accounts/Exotel"
AS = "/api/v2/accounts/Exotel"


def client(emulator: Emulator, **options: Any) -> httpx.Client:
    return httpx.Client(base_url=emulator.url, timeout=10, **options)


def error_message(response: httpx.Response, status: int) -> str:
    """The message of an error answer, after checking its status and exact shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"], body
    assert body["error"]["status"] == status
    assert set(body["error"]) == {"status", "message"}
    message: str = body["error"]["message"]
    assert message
    return message


def write_fixtures(path: Path, **sections: Any) -> Path:
    path.write_text(json.dumps(sections), encoding="utf-8")
    return path


def fleet_bots(count: int, *, start_day: int = 1) -> list[dict[str, Any]]:
    """`count` bots at v1, one created each day from 2026-03-`start_day`."""
    return [
        {
            "bot_id": f"bot_{i:03d}",
            "name": f"Fleet {i:03d}",
            "version": "v1",
            "enable_greeting_interruption": False,
            "supported_languages": ["en"],
            "date_created": f"2026-03-{start_day + i:02d}T10:00:00Z",
        }
        for i in range(count)
    ]
