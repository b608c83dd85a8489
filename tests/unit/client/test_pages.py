"""botops.client.pages: one page, every page, and reading ahead without gaps, duplicates or
leftover requests."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx2
import pytest

from botops.client import Client
from botops.client.pages import MAX_PAGES, NewItems, Page, paginate
from botops.errors import (
    ApiError,
    NotFoundError,
    UsageError,
)
from tests.unit.client.support import (
    AsyncHandler,
    call,
    json_response,
    make_client,
    outcome,
    run,
)


def pages_handler(
    total: int | None, count: int | None = None, delay: bool = False
) -> tuple[AsyncHandler, list[tuple[int, int]]]:
    """Lists of `count` items (default `total`); records (offset, limit) of each request.
    `delay`: answers come back out of order."""
    asked: list[tuple[int, int]] = []
    available = total if count is None else count
    assert available is not None

    async def handler(request: httpx2.Request) -> httpx2.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        asked.append((offset, limit))
        if delay:
            # Pages answer out of order, by a seeded number of loop turns rather than a timer.
            for _ in range(random.randrange(4)):
                await asyncio.sleep(0)
        ids = range(offset, min(offset + limit, available))
        body: dict[str, Any] = {"data": [{"bot_id": f"b{i}", "n": i} for i in ids]}
        if total is not None:
            body["metadata"] = {"total": total, "count": len(ids), "offset": offset}
        return json_response(200, body)

    return handler, asked


async def collect(iterator: Any) -> list[dict[str, Any]]:
    return [item async for item in iterator]


def test_list_returns_one_page() -> None:
    handler, asked = pages_handler(45)
    page = run(call(make_client(handler), lambda c: c.list_voicebots(limit=20, offset=40)))
    assert [b["n"] for b in page.items] == [40, 41, 42, 43, 44]
    assert (page.total, page.offset, page.limit) == (45, 40, 20)
    assert asked == [(40, 20)]


def test_iteration_reads_every_page_until_total() -> None:
    handler, asked = pages_handler(250)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots())))
    assert [b["n"] for b in items] == list(range(250))
    assert sorted(asked) == [(0, 100), (100, 100), (200, 100)]


def test_iteration_stops_at_total_without_an_extra_request() -> None:
    handler, asked = pages_handler(200)
    items = run(call(make_client(handler), lambda c: collect(c.iter_assistants())))
    assert len(items) == 200
    assert len(asked) == 2


def test_iteration_stops_on_a_short_page_when_total_is_unknown() -> None:
    handler, asked = pages_handler(None, count=230)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots())))
    assert [b["n"] for b in items] == list(range(230))
    assert asked == [(0, 100), (100, 100), (200, 100)]


def test_iteration_stops_on_an_empty_page_when_total_is_unknown() -> None:
    handler, asked = pages_handler(None, count=200)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots())))
    assert len(items) == 200
    assert asked == [(0, 100), (100, 100), (200, 100)]


def test_iteration_stops_on_a_short_page_before_total() -> None:
    handler, asked = pages_handler(1000, count=150)
    items = run(call(make_client(handler), lambda c: collect(c.iter_voicebots(prefetch=1))))
    assert len(items) == 150
    assert asked == [(0, 100), (100, 100)]


def test_pages_larger_than_the_api_allows_are_refused() -> None:
    handler, asked = pages_handler(500)
    for page_size, prefetch in ((101, 4), (0, 4), (100, 0)):

        async def read(client: Client, size: int = page_size, ahead: int = prefetch) -> Any:
            return await collect(client.iter_conversations(page_size=size, prefetch=ahead))

        assert isinstance(outcome(make_client(handler), read), UsageError)
    assert asked == []


def test_prefetching_conversations_yields_in_order_without_gaps_or_duplicates() -> None:
    random.seed(3)
    handler, asked = pages_handler(1003, delay=True)
    in_flight = 0
    peak = 0

    async def counting(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    client = make_client(counting)
    items = run(call(client, lambda c: collect(c.iter_conversations(page_size=10, prefetch=4))))
    assert [item["n"] for item in items] == list(range(1003))
    assert len(asked) == 101
    assert 1 < peak <= 4


def test_prefetching_stops_cleanly_when_the_reader_stops_early() -> None:
    handler, asked = pages_handler(1000, delay=True)

    async def first_fifteen(client: Client) -> list[int]:
        got = []
        iterator = client.iter_conversations(page_size=10, prefetch=3)
        async for item in iterator:
            got.append(item["n"])
            if len(got) == 15:
                break
        await iterator.aclose()  # type: ignore[attr-defined]
        return got

    got = run(call(make_client(handler), first_fifteen))
    assert got == list(range(15))
    assert len(asked) <= 5


def test_a_failing_page_fails_the_iteration_after_the_pages_before_it() -> None:
    good, _ = pages_handler(500)

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.params["offset"] == "300":
            return json_response(404, {"error": {"message": "gone"}})
        return await good(request)

    got: list[int] = []

    async def read(client: Client) -> None:
        async for item in client.iter_conversations(page_size=100):
            got.append(item["n"])

    error = outcome(make_client(handler), read)
    assert isinstance(error, NotFoundError)
    assert got == list(range(300))


def test_conversation_fields_are_sent_on_every_page() -> None:
    handler, _ = pages_handler(150)
    seen: list[str] = []

    async def recording(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.params["fields"])
        return await handler(request)

    client = make_client(recording)
    run(call(client, lambda c: collect(c.iter_conversations(fields=["transcript", "insights"]))))
    assert seen == ["transcript,insights"] * 2


def inventing(total: int | None) -> Any:
    """A list that invents new items for every page asked, saying `total` (None: no total).
    It ends 10 pages past the bound, so that a read without the bound fails the test rather
    than hanging it."""
    asked: list[int] = []

    async def fetch(*, limit: int, offset: int) -> Page:
        asked.append(offset)
        count = limit if offset < (MAX_PAGES + 10) * limit else 0
        items = [{"bot_id": f"invented_{offset + i}"} for i in range(count)]
        return Page(items=items, total=total, offset=offset, limit=limit)

    return fetch, asked


def test_a_list_that_invents_items_forever_stops_at_the_page_bound() -> None:
    fetch, asked = inventing(total=None)
    read: list[dict[str, Any]] = []

    async def go() -> None:
        async for item in paginate(fetch, page_size=1, prefetch=1):
            read.append(item)

    with pytest.raises(ApiError) as info:
        run(go())
    error = info.value
    assert f"goes on past {MAX_PAGES:,} pages" in str(error)
    assert "botops stopped reading it" in str(error)
    # Every page up to the bound is read (and yielded), none after it.
    assert len(asked) == MAX_PAGES + 1
    assert len(read) == MAX_PAGES


def test_a_list_whose_total_never_ends_stops_at_the_page_bound() -> None:
    fetch, asked = inventing(total=10**12)
    with pytest.raises(ApiError) as info:
        run(collect(paginate(fetch, page_size=1, prefetch=4)))
    error = info.value
    assert f"goes on past {MAX_PAGES:,} pages" in str(error)
    # Read ahead by at most `prefetch` pages past the bound, then cancelled.
    assert MAX_PAGES + 1 <= len(asked) <= MAX_PAGES + 5


def test_a_long_real_list_is_read_whole() -> None:
    """The bound is far from any account: 2,000 pages of a list that ends are all read."""
    handler, asked = pages_handler(total=2000)
    client = make_client(handler)
    items = run(collect(client.iter_voicebots(page_size=1, prefetch=4)))
    assert len(items) == 2000 == len(asked)


def test_conversations_are_read_past_the_bound_of_other_lists() -> None:
    """An account holds tens of millions of conversations (DESIGN §13: `conversations export`
    goes past one machine's comfort), far past the 2,000,000 items of `MAX_PAGES` full pages:
    the conversations' list has a bound of its own. Shown at one item a page."""
    pages = MAX_PAGES + 10
    client = make_client(pages_handler(0)[0])

    async def list_conversations(*, fields: Any = None, limit: int, offset: int) -> Page:
        items = [{"conversation_id": f"c{offset}"}] if offset < pages else []
        return Page(items=items, total=pages, offset=offset, limit=limit)

    client.list_conversations = list_conversations  # type: ignore[method-assign]
    read = run(collect(client.iter_conversations(page_size=1, prefetch=4)))
    assert len(read) == pages
    assert read[-1] == {"conversation_id": f"c{pages - 1}"}


def test_a_list_with_a_bound_of_its_own_stops_there() -> None:
    fetch, asked = inventing(total=None)
    with pytest.raises(ApiError) as info:
        run(collect(paginate(fetch, page_size=1, prefetch=1, max_pages=50)))
    assert "goes on past 50 pages" in str(info.value)
    assert len(asked) == 51


def test_repeats_are_caught_among_the_items_remembered() -> None:
    items = NewItems(remembered=300)
    assert items.brings_new([{"id": i} for i in range(100)])
    shuffled = [{"id": i, "served": "again"} for i in range(100)]
    random.shuffle(shuffled)
    assert not items.brings_new(shuffled)  # the same 100 in another order: nothing new


def test_memory_stays_bounded_however_long_the_list() -> None:
    """An export of tens of millions of conversations keeps its memory: only the last
    `remembered` digests are kept, so an item read longer ago than that counts as new again
    (a server cycling through more than that is stopped by the page bound instead)."""
    items = NewItems(remembered=1000)
    for page in range(50):
        assert items.brings_new([{"id": page * 100 + i} for i in range(100)])
    assert items.brings_new([{"id": i} for i in range(100)])  # forgotten: read 4,900 items ago
    assert not items.brings_new([{"id": 4999 - i} for i in range(100)])  # still remembered
