"""Helpers shared by the client's tests (and only by them): a scripted `httpx2.MockTransport`,
a clock that moves only when the client sleeps, and tiny real servers for what only real
sockets show."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Self

import httpx2
import pytest

from botops.client import Client, Pacer
from botops.errors import (
    BotopsError,
)
from botops.kinds import wire_booleans

BASE = "http://api.test"


VB = "/voicebot/api/v2/accounts/Exotel"


AS = "/api/v2/accounts/Exotel"


TOKEN = "tok-SECRET-9f8e7d"


BOT = {"bot_id": "bot_1", "name": "Support", "version": "v2"}


AsyncHandler = Callable[[httpx2.Request], Coroutine[None, None, httpx2.Response]]


Handler = Callable[[httpx2.Request], httpx2.Response] | AsyncHandler


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


class FakeTime:
    """A clock that only moves when the client sleeps, so backoff costs no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(handler: Handler, time: FakeTime | None = None, **options: Any) -> Client:
    fake = time or FakeTime()
    settings: dict[str, Any] = {
        "base_url": BASE,
        "account_id": "Exotel",
        "transport": httpx2.MockTransport(handler),
        "sleep": fake.sleep,
        "clock": fake.clock,
        "booleans": wire_booleans(),  # as a session's client has them
    }
    settings.update(options)
    return Client(**settings)


def json_response(status: int, body: Any, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers=headers)


def scripted(*responses: httpx2.Response | Exception) -> tuple[Handler, list[httpx2.Request]]:
    """A handler answering with `responses` in turn (the last one repeats); records requests."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


async def call(client: Client, method: Callable[[Client], Awaitable[Any]]) -> Any:
    async with client:
        return await method(client)


def outcome(client: Client, method: Callable[[Client], Awaitable[Any]]) -> BaseException:
    with pytest.raises(BotopsError) as info:
        run(call(client, method))
    return info.value


def live_client(url: str, **options: Any) -> Client:
    options.setdefault("booleans", wire_booleans())
    return Client(base_url=url, account_id="Exotel", deadline=10, **options)


class LocalServer:
    """A TCP server on a free loopback port that counts the connections it accepts; a subclass
    says in `_handle` what it does with each. Use as `async with`."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        await self._handle(reader, writer)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class TinyServer(LocalServer):
    """A keep-alive HTTP/1.1 server answering BOT to every request (`mode`: "ok"; "silent"
    never answers; "drop" closes the connection once the request is read)."""

    def __init__(
        self, mode: str = "ok", delay: float = 0.0, tls: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(tls)
        self.mode = mode
        self.delay = delay
        self.requests = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                self.requests += 1
                if self.mode == "silent":
                    await asyncio.sleep(10)
                if self.mode == "drop":
                    break
                await asyncio.sleep(self.delay)
                body = json.dumps(BOT).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


class CountingProxy(LocalServer):
    """Forwards TCP to a port and counts the connections clients open through it."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.target = port

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self._writers.append(up_writer)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


# The pacer in virtual time, for its unit tests and the emulator-backed ones.


def virtual_time() -> FakeTime:
    """A clock that only moves when the pacer sleeps: its waits take no real time."""
    time = FakeTime()
    time.now = 100.0
    return time


class Traffic:
    """Requests with given latencies through one pacer, in virtual time: a request in flight
    ends (`pacer.ended`) at its own moment, also while another waits for its turn."""

    def __init__(self, pacer: Pacer, time: FakeTime) -> None:
        self.pacer, self.time = pacer, time
        self.in_flight: list[tuple[float, Any, float]] = []  # (end, turn, start)
        self.spans: list[tuple[float, float]] = []
        self.in_flight_counts: list[int] = []  # when each request started

    def _end_until(self, moment: float) -> None:
        while self.in_flight and min(self.in_flight)[0] <= moment:
            end, turn, start = min(self.in_flight)
            self.in_flight.remove((end, turn, start))
            self.time.now = max(self.time.now, end)
            self.spans.append((start, end))
            self.pacer.ended(turn, answered=True, throttled=False)

    async def sleep(self, seconds: float) -> None:
        target = self.time.now + seconds
        self._end_until(target)
        self.time.now = target

    async def send(self, latencies: list[float], concurrency: int) -> None:
        for latency in latencies:
            self._end_until(self.time.now)
            while len(self.in_flight) >= concurrency:
                self._end_until(min(self.in_flight)[0])
            waiting = asyncio.ensure_future(self.pacer.turn(self.sleep))
            await asyncio.sleep(0)
            while not waiting.done():  # it waits for a request in flight to end
                self._end_until(min(self.in_flight)[0])
                await asyncio.sleep(0)
            turn = waiting.result()
            self.in_flight.append((self.time.now + latency, turn, self.time.now))
            self.in_flight_counts.append(len(self.in_flight))
        self._end_until(float("inf"))
