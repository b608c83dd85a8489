"""Bounds on every read from a server: a body cap and an overall deadline.

A per-read timeout does not bound a request: a server that drips one byte a second never trips
it, and one that answers 400 MB takes memory with it. Every HTTP client of botops (the Voicebot
client, the forges, the model endpoint of conversation tests) reads answers through these, over
whichever HTTP library it uses: they take the body as chunks and the request as a callable, and
import none.

- `read_capped` / `read_capped_sync`: the body, or `BodyTooLarge` past `limit` bytes.
- `within` (async) / `call_within` (sync, on a worker thread): the whole request (connect,
  headers, body) done within `seconds`, or `DeadlineExceeded`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# An object or a page of a list is far below this; a conversations page with transcripts too.
MAX_BODY = 8 * 1024 * 1024
# One request, start to end (the per-read timeout stays as it is).
REQUEST_DEADLINE = 60.0


class BodyTooLarge(Exception):
    """The answer went past the cap; what was read is dropped."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {megabytes(limit)}; botops reads no more")
        self.limit = limit


class DeadlineExceeded(Exception):
    """The request took longer than its overall deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


async def read_capped(chunks: AsyncIterable[bytes], limit: int = MAX_BODY) -> bytes:
    """The whole body from `chunks`, or `BodyTooLarge` as soon as it passes `limit` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        parts.append(chunk)
    return b"".join(parts)


def read_capped_sync(chunks: Iterable[bytes], limit: int = MAX_BODY) -> bytes:
    """`read_capped` for a synchronous body."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        parts.append(chunk)
    return b"".join(parts)


async def within(seconds: float, request: Awaitable[T]) -> T:
    """`request`, awaited whole within `seconds`, else `DeadlineExceeded` (it is cancelled)."""
    try:
        async with asyncio.timeout(seconds):
            return await request
    except TimeoutError:
        raise DeadlineExceeded(seconds) from None


def call_within(seconds: float, request: Callable[[], T]) -> T:
    """`request()` run on a worker thread and done within `seconds`, else `DeadlineExceeded`.
    A synchronous socket can't be interrupted from outside: a request still running at the
    deadline is left to its daemon thread (its answer dropped) and ends with the process or its
    own read timeout."""
    done = threading.Event()
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(request())
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=run, daemon=True, name="botops-request").start()
    if not done.wait(seconds):
        raise DeadlineExceeded(seconds)
    if failure:
        raise failure[0]
    return result[0]
