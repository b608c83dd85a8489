"""Flow control: how many requests are in flight, when the next may start, how long to back off.

Three parts work together on every request (`Client._call`):

1. **Concurrency** (`AdaptiveLimiter`, one per client). A request first takes a slot; the
   number of slots halves on a 429 and grows by one after as many successes as there are slots
   (AIMD). It bounds the connections and memory in use.
2. **Pacing** (`Pacer`, shared by every client of one run). Then it takes a permit: a rate
   limit of N requests a second is N permits, each given back one second after its request
   ended, so that no second, as the server counts, ever holds more than N (DESIGN §14). The
   limit is `rate_limit` of botops.yaml when the account's is known, never exceeded; otherwise
   none until the first 429, and from then on what the server was accepting. A 429's
   Retry-After also holds back *every* request until it has passed, not only the refused one;
   a request that queued for its slot while a 429 came waits the pause out before it is sent.
3. **Backoff** (`retry_delay`). A refused request is retried after the server's Retry-After
   (capped, with a little jitter so that the throttled requests don't all return at once), or
   else, and for a Retry-After of 0 or less, exponential backoff with full jitter.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import random
import statistics
from collections.abc import Awaitable, Callable

from botops.errors import ApiError, RateLimitedError, UsageError

Sleep = Callable[[float], Awaitable[None]]
Turn = tuple[int, float]  # the pacer's epoch when a request took its permit, and when

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
    """When the next request may start, so as to stay under a server's rate limit.

    A limit of N requests a second is kept as N permits: a request takes one when it starts
    and gives it back one second after it ended (its answer, or its failure, came). As the
    server counted the request at some moment between the two, no second as the server sees
    it ever holds more than N of them, while N requests may still go at once, as a server's
    window lets them. The limit is `rate_limit` when the account's is known (then never
    exceeded); otherwise there is none until a 429, and then it is what the server was
    accepting: the answers of the last second. Every 429's Retry-After holds back every request
    until it has passed, not only the refused one.

    A learned limit may be low (another client's requests were in the server's window). After
    `PROBE_AFTER` seconds without a 429, while requests are waiting for permits, it grows by
    20%; a probe that draws a 429 goes back, and the next probe waits twice as long. A probe
    costs a pause, so they are rare: at the server's limit, lost time stays small.

    The first 429 of a run tells a limit only after `TRUSTED` answers in the second before it:
    after fewer, the server's window may hold another client's requests, or a previous run's
    (a `plan` just before this `apply`), or it is one request's retries, and a limit learned
    from it would be near nothing. It only pauses then; the next 429 tells.
    """

    WINDOW = 1.0
    PROBE_AFTER = 10.0
    GROWTH = 1.2
    TRUSTED = 10  # answers before a first 429 that make it tell a limit

    def __init__(self, clock: Callable[[], float], *, rate_limit: int | None = None) -> None:
        self._clock = clock
        self.ceiling = rate_limit
        self.limit = rate_limit  # permits; None: no limit known
        self.epoch = 0  # changes with the limit: a 429 of an older epoch teaches nothing
        self._resume_at = 0.0
        self._in_flight = 0
        self._ended: collections.deque[float] = collections.deque()
        self._answered: collections.deque[float] = collections.deque()
        self._waiters: list[asyncio.Future[None]] = []
        self._changed_at = clock()
        self._probe_after = self.PROBE_AFTER
        self._before_probe: int | None = None
        self._waited_at = -1e9
        self._throttled_before = False
        self._durations: collections.deque[float] = collections.deque(maxlen=32)

    def paused(self) -> bool:
        """A 429's Retry-After has not passed yet."""
        return self._clock() < self._resume_at

    async def turn(self, sleep: Sleep) -> Turn:
        """Wait until a request may start, and take its permit; returns the turn to hand back
        to `ended`."""
        while True:
            now = self._clock()
            wait = self._wait(now)
            if wait == 0:
                self._in_flight += 1
                return self.epoch, now
            self._waited_at = now
            if wait is None:
                await self._next_end()
            else:
                await sleep(wait)

    def _wait(self, now: float) -> float | None:
        """Seconds until a permit is free: 0 now, None when every permit is in flight."""
        if now < self._resume_at:
            return self._resume_at - now
        if self.limit is None:
            return 0
        self._grow(now)
        self._forget(now)
        if self._in_flight >= self._spread():
            return None
        taken = self._in_flight + len(self._ended)
        if taken < self.limit:
            return 0
        if self._in_flight >= self.limit:
            return None
        # The permits of the oldest ends come back first; enough of them for one to be free.
        return max(0.0, self._ended[taken - self.limit] + self.WINDOW - now)

    def _spread(self) -> int:
        """Requests in flight at once under a limit: what its rate needs at the usual latency
        (Little's law), twice over and at least two. More only queue at the server, and every
        permit comes back that much later: a window of permits sent all at once to a server
        that answers one at a time made every second ~3% longer here."""
        assert self.limit is not None
        if not self._durations:
            return self.limit
        needed = self.limit * statistics.median(self._durations) / self.WINDOW
        return max(2, math.ceil(2 * needed) + 1)

    async def _next_end(self) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def ended(
        self, turn: Turn, *, answered: bool, throttled: bool, retry_after: float | None = None
    ) -> None:
        """The request of `turn` ended: `answered` by anything but a 429, `throttled` by a 429
        (with its Retry-After), or neither (no answer)."""
        now = self._clock()
        epoch, started = turn
        self._durations.append(now - started)
        self._in_flight -= 1
        self._forget(now)
        self._ended.append(now)
        if answered:
            self._answered.append(now)
        if throttled:
            self._throttled(epoch, retry_after, now)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _throttled(self, epoch: int, retry_after: float | None, now: float) -> None:
        if retry_after is not None:
            self._resume_at = max(self._resume_at, now + min(retry_after, MAX_RETRY_AFTER))
        if epoch != self.epoch:
            return  # sent under an older limit, which has been revised already
        first, self._throttled_before = not self._throttled_before, True
        if self._before_probe is not None and now - self._changed_at < self.PROBE_AFTER:
            limit = self._before_probe
            self._probe_after *= 2
        else:
            self._forget(now)
            if first and len(self._answered) < self.TRUSTED and self.limit is None:
                self.epoch += 1  # the rest of this burst's 429s tell no more than this one
                return
            limit = max(1, len(self._answered))
            if self.limit is not None:
                # Under our own limit, a 429 means the server's is lower (or it is shared):
                # lower, but by half at most at a time, as other clients come and go.
                limit = max(min(limit, self.limit - 1), self.limit // 2, 1)
        self._set(limit, now)
        self._before_probe = None

    def _grow(self, now: float) -> None:
        assert self.limit is not None
        if self.ceiling is not None and self.limit >= self.ceiling:
            return
        if now - self._changed_at < self._probe_after or now - self._waited_at > self.WINDOW:
            return
        before = self.limit
        grown = max(before + 1, round(before * self.GROWTH))
        self._set(min(grown, self.ceiling) if self.ceiling is not None else grown, now)
        self._before_probe = before

    def _set(self, limit: int, now: float) -> None:
        self.limit = limit
        self.epoch += 1
        self._changed_at = now

    def _forget(self, now: float) -> None:
        for times in (self._ended, self._answered):
            while times and times[0] <= now - self.WINDOW:
                times.popleft()


async def take_slot(pacer: Pacer, limiter: AdaptiveLimiter, sleep: Sleep) -> tuple[int, Turn]:
    """A concurrency slot, then the pace's permit (after any 429's pause); returns the
    limiter's epoch and the pacer's, to hand back to `limiter.release` and `pacer.ended`."""
    epoch = await limiter.acquire()
    try:
        return epoch, await pacer.turn(sleep)
    except BaseException:
        limiter.release(epoch)
        raise


def retry_delay(failures: int, error: ApiError) -> float:
    """Seconds before the next attempt: Retry-After when a 429 gave a positive one, else
    backoff (a server that keeps saying "retry now" would otherwise get a retry storm)."""
    retry_after = error.retry_after if isinstance(error, RateLimitedError) else None
    return backoff(failures, retry_after)


def backoff(failures: int, retry_after: float | None) -> float:
    """`retry_delay` for any HTTP client of botops (the model endpoint's too): the server's
    positive Retry-After, capped, with a little jitter; else exponential backoff, full jitter."""
    if retry_after:
        # A little jitter so that every throttled request doesn't return at the same instant.
        return min(retry_after, MAX_RETRY_AFTER) + random.uniform(0, BACKOFF_BASE)
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1)))
