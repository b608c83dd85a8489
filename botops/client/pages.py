"""Pagination: one `Page` of a list, and reading every page with a few fetched ahead.

The API pages with `limit`/`offset` and says the list's size in `metadata.total` (DESIGN §5).
With a total, up to `prefetch` pages are in flight at once and yielded in order, so memory is
bounded by `prefetch` pages however long the list; without one, only a short page ends the
list, so pages are read one after another.

A server that ignores `offset` (or sends a page it sent before, in any order) would have a full
page forever: a page that brings nothing new, no item not read before, ends the read with one
line saying the server repeats itself. `NewItems` is that rule, for the forges' comment pages
too. It remembers the digests of the last `REMEMBERED` items read (a few MB), not every item:
an export of tens of millions of conversations stays in constant memory (DESIGN §13). A server
that repeats a page, or shuffles a set of up to that many items, is caught; one that cycles
through more is stopped by the page bound below.

A server that invents new items forever (or a total that grows with every page) would still
never end a list: no list is read past `MAX_PAGES` pages, which no real account comes near
(2,000,000 bots or versions at the API's 100 a page); the conversations' list, which an account
fills by the tens of millions (DESIGN §13), past `CONVERSATION_PAGES`.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import json
from collections.abc import AsyncGenerator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from botops.errors import ApiError, UsageError

MAX_PAGE_SIZE = 100  # the reference's maximum `limit`
MAX_PAGES = 20_000  # pages of one list: the bound of a read that would otherwise never end
CONVERSATION_PAGES = 1_000_000  # the conversations' list: 100,000,000 at 100 a page


@dataclass
class Page:
    """One page of a list: `items` and the list's `total` (None when the server didn't say)."""

    items: list[dict[str, Any]]
    total: int | None
    offset: int
    limit: int


Fetch = Callable[..., Coroutine[Any, Any, Page]]


async def paginate(
    fetch: Fetch,
    page_size: int,
    prefetch: int,
    on_total: Callable[[int | None], None] | None = None,
    *,
    max_pages: int = MAX_PAGES,
) -> AsyncGenerator[dict[str, Any], None]:
    """Every item of the list `fetch(limit=, offset=)` reads, in order; past `max_pages` pages,
    an error."""
    if not 1 <= page_size <= MAX_PAGE_SIZE or prefetch < 1:
        # A server caps larger pages at its maximum, which would read as a short last page.
        raise UsageError(f"page_size must be 1 to {MAX_PAGE_SIZE}, prefetch at least 1")
    first = await fetch(limit=page_size, offset=0)
    seen = _Seen(max_pages)
    seen.check(first)
    if on_total is not None:
        on_total(first.total)
    for item in first.items:
        yield item
    if first.total is None:
        # Without a total only a short page ends the list, so we can't read ahead.
        page = first
        while len(page.items) >= page_size:
            page = await fetch(limit=page_size, offset=page.offset + page_size)
            seen.check(page)
            for item in page.items:
                yield item
        return
    total = first.total
    if len(first.items) < page_size:
        return
    pending: collections.deque[asyncio.Task[Page]] = collections.deque()
    next_offset = page_size
    try:
        while True:
            while len(pending) < prefetch and next_offset < total:
                pending.append(asyncio.create_task(fetch(limit=page_size, offset=next_offset)))
                next_offset += page_size
            if not pending:
                return
            page = await pending.popleft()
            seen.check(page)
            for item in page.items:
                yield item
            if len(page.items) < page_size:
                return
            if page.total is not None:
                total = page.total
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class _Seen:
    """The items read so far: a full page of none but them means the server repeats itself."""

    def __init__(self, max_pages: int) -> None:
        self.items = NewItems()
        self.max_pages = max_pages

    def check(self, page: Page) -> None:
        if page.items and not self.items.brings_new(page.items):
            raise ApiError(
                f"the server repeats itself: the page at offset {page.offset:,} brings none but "
                f"items it sent before ({len(page.items):,} of them), so the list would never "
                "end; botops stopped reading it"
            )
        if self.items.pages > self.max_pages:
            raise ApiError(
                f"the server's list goes on past {self.max_pages:,} pages "
                f"(offset {page.offset:,}), more than any account holds, so it would never end; "
                "botops stopped reading it"
            )


# What names one item of a list, whatever else in it changes from one answer to the next.
IDENTITY_KEYS = ("id", "bot_id", "assistant_id", "conversation_id", "version", "version_id")


# Items whose digests a list read keeps (about 100 bytes each: 10 MB at most).
REMEMBERED = 100_000


class NewItems:
    """The last `remembered` items of one paginated list read so far, by identity: the values
    of its `IDENTITY_KEYS` (an item without any: all of it). A page whose every item is among
    them brings nothing new, whatever its order; reading on would repeat it forever."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._seen: set[int] = set()
        # In the order read: when full, the item read longest ago is forgotten first.
        self._order: collections.deque[int] = collections.deque()
        self._remembered = remembered
        self.pages = 0  # pages read so far: `brings_new` is asked once a page

    def brings_new(self, items: Sequence[Any]) -> bool:
        """Whether `items` hold one item not among those remembered (all are remembered)."""
        self.pages += 1
        new = False
        for item in items:
            digest = _digest(item)
            if digest not in self._seen:
                self._seen.add(digest)
                self._order.append(digest)
                new = True
                if len(self._order) > self._remembered:
                    self._seen.discard(self._order.popleft())
        return new


def _digest(item: Any) -> int:
    if isinstance(item, dict):
        named = [(k, item[k]) for k in IDENTITY_KEYS if k in item]
        identity: Any = named or item
    else:
        identity = item
    text = json.dumps(identity, sort_keys=True, default=str, ensure_ascii=True)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
