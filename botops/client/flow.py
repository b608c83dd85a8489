"""Flow control: how many requests are in flight, when the next may start, how long to back off.

Three parts work together on every request (`Client._call`):

1. **Pacing** (`Pacer`, shared by every client of one run). Before a request is sent it waits
   for its start time. Until the first 429 every start time is "now": nothing is paced. A 429's
   Retry-After then holds back *every* request until it has passed, not only the refused one,
   and from then on requests are spaced at the rate the server was accepting (the answers of
   the last second, a little under), growing by 5% every 5 s without another 429.
2. **Concurrency** (`AdaptiveLimiter`, one per client). After its start time a request takes a
   slot; the number of slots halves on a 429 and grows by one after as many successes as there
   are slots (AIMD). Concurrency alone can't keep under a rate limit when answers are fast,
   which is why pacing exists; pacing alone can't bound the connections and memory in use,
   which is why the limiter exists.
3. **The pause wins** (`take_slot`). A request may have queued for a slot while a 429 arrived;
   once it gets the slot it checks the pause again and, if one began, gives the slot back and
   waits the pause out instead of being refused in turn.

A refused request is retried after `retry_delay`: the server's Retry-After (capped, with a
little jitter so that the throttled requests don't all return at once), or else exponential
backoff with full jitter.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
from collections.abc import Awaitable, Callable

from botops.errors import ApiError, RateLimitedError, UsageError

Sleep = Callable[[float], Awaitable[None]]

BACKOFF_BASE = 0.2
BACKOFF_CAP = 5.0
MAX_RETRY_AFTER = 30.0


class AdaptiveLimiter:
    """Bounds requests in flight, AIMD style: halve on 429, grow by one after `limit` successes.

    One burst of 429s (every request that was already in flight when the limit dropped) halves
    the limit once, not once per response: those requests were sent under the old limit, and
    for the same reason their successes don't count towards growing the new one.
    """

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise UsageError(f"concurrency must be at least 1, got {maximum}")
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self._answers = 0
        self._epoch = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> int:
        """Wait for a slot; returns the epoch to hand back to `release`."""
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return self._epoch
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # The slot was granted just as we were cancelled: pass it on.
                self.in_flight -= 1
                self._wake()
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise
        return self._epoch

    def release(self, epoch: int, *, succeeded: bool = False, throttled: bool = False) -> None:
        self.in_flight -= 1
        if throttled:
            if epoch == self._epoch:
                self.limit = max(1, self.limit // 2)
                self._epoch += 1
                self._answers = 0
        elif succeeded and epoch == self._epoch and self.limit < self.maximum:
            # Only requests sent under the current limit say whether it can grow.
            self._answers += 1
            if self._answers >= self.limit:
                self.limit += 1
                self._answers = 0
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)


class Pacer:
    """When the next request may start: free until the first 429, then paused for its
    Retry-After and paced at the rate the server was accepting (see the module docstring).
    `clock` is injected so that tests move time by hand."""

    WINDOW = 1.0
    HEADROOM = 0.95
    GROWTH = 1.05
    QUIET = 5.0  # seconds without a 429 before the pace grows: every 429 costs a pause

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._resume_at = 0.0
        self._next_start = 0.0
        self.rate: float | None = None  # requests a second; None: not limited
        self._grown_at = 0.0
        self._first_answer: float | None = None
        self._answers: collections.deque[float] = collections.deque()

    def delay(self) -> float:
        """Seconds to wait before sending; the start time is reserved for the caller."""
        now = self._clock()
        start = max(now, self._resume_at)
        if self.rate is not None:
            if now - self._grown_at >= self.QUIET:
                self.rate *= self.GROWTH
                self._grown_at = now
            start = max(start, self._next_start)
            self._next_start = start + 1 / self.rate
        return start - now

    def paused(self) -> bool:
        """A 429's Retry-After has not passed yet."""
        return self._clock() < self._resume_at

    def answered(self) -> None:
        """Any answer but a 429: the request got past the server's rate limit."""
        now = self._clock()
        if self._first_answer is None:
            self._first_answer = now
        self._answers.append(now)
        self._forget(now)

    def throttled(self, retry_after: float | None) -> None:
        now = self._clock()
        self._forget(now)
        # The answers of the last second show the server's rate only when that whole second
        # was spent sending: not when part of it was a pause or came before the first answer
        # (the server's window may hold requests from before, or from other clients). Even
        # then the pace drops by half at most at a time, as other clients may come and go.
        start = now - self.WINDOW
        if self._first_answer is not None and start >= max(self._first_answer, self._resume_at):
            rate = max(1.0, len(self._answers) / self.WINDOW * self.HEADROOM)
            if self.rate is not None:
                rate = max(rate, self.rate / 2)
            if self.rate is None or rate < self.rate:
                self.rate = rate
        self._grown_at = now
        if retry_after is not None:
            self._resume_at = max(self._resume_at, now + min(retry_after, MAX_RETRY_AFTER))

    def _forget(self, now: float) -> None:
        while self._answers and self._answers[0] <= now - self.WINDOW:
            self._answers.popleft()


async def take_slot(pacer: Pacer, limiter: AdaptiveLimiter, sleep: Sleep) -> int:
    """Wait for the pace and for a concurrency slot; returns the limiter's epoch. A 429 that
    arrives while this request was queued for its slot sends it back to wait out the pause."""
    while True:
        pause = pacer.delay()
        if pause > 0:
            await sleep(pause)
        epoch = await limiter.acquire()
        if not pacer.paused():
            return epoch
        limiter.release(epoch)


def retry_delay(failures: int, error: ApiError) -> float:
    """Seconds before the next attempt: Retry-After when a 429 gave one, else backoff."""
    if isinstance(error, RateLimitedError) and error.retry_after is not None:
        # A little jitter so that every throttled request doesn't return at the same instant.
        return min(error.retry_after, MAX_RETRY_AFTER) + random.uniform(0, BACKOFF_BASE)
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1)))
