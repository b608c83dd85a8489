"""The client against real servers it cannot run in-process: the emulator (credentials, reads,
writes, errors, connection reuse) and a TLS server whose certificate `openssl` makes."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import httpx2
import pytest

from botops.client import Client, Credentials
from botops.errors import (
    AuthError,
    BadRequestError,
    NotFoundError,
    TransportError,
)
from tests.unit.client.support import (
    BOT,
    TOKEN,
    VB,
    CountingProxy,
    TinyServer,
    call,
    live_client,
    outcome,
    run,
)

# Against the real emulator


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


# End to end against the real emulator


GENERATION_TEXT = "Create a support bot for order inquiries in English"


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


def test_emulator_sixteen_concurrent_reads_use_at_most_sixteen_connections(
    emulator_factory: Any,
) -> None:
    emulator = emulator_factory("--demo", "--latency-ms", "20")
    port = httpx2.URL(emulator.url).port
    assert port is not None

    async def scenario() -> int:
        async with CountingProxy(port) as proxy:
            async with live_client(proxy.url) as client:
                for _ in range(3):
                    await asyncio.gather(*(client.get_voicebot("bot_support01") for _ in range(16)))
            return proxy.connections

    assert run(scenario()) <= 16


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
