"""Progress on stderr while a long command runs: a redrawn line on a terminal (a spinner), else
only the plain event lines, so that logs and pipes get no control characters."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

from botops.client.generation import COMPLETED, FAILED, job_status
from botops.support.text import printable

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
REDRAW_EVERY = 0.1  # seconds: ten redraws a second look live and cost nothing


class StatusLine:
    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.started = time.monotonic()
        self._last = 0.0
        self._frame = 0
        self._shown = False

    def event(self, text: str) -> None:
        """A line that stays (status changes): above the live line on a terminal."""
        self.clear()
        _write(text + "\n")

    def update(self, text: str, *, force: bool = False) -> None:
        """Redraw the live line (terminal only), at most ten times a second."""
        now = time.monotonic()
        if not self.live or (not force and now - self._last < REDRAW_EVERY):
            return
        self._last, self._frame = now, self._frame + 1
        _write(f"\r\033[2K{FRAMES[self._frame % len(FRAMES)]} {text}")
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            _write("\r\033[2K")
            self._shown = False

    def counting(self, label: str) -> Callable[[int], None]:
        """A progress callback that shows `label: N` (N things read so far)."""
        return lambda count: self.update(f"{label}: {count:,}")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    async def spin(self, text: Callable[[], str]) -> None:
        """Keep the live line turning until cancelled (terminal only), then clear it."""
        if not self.live:
            return
        try:
            while True:
                self.update(text())
                await asyncio.sleep(REDRAW_EVERY)
        finally:
            self.clear()


class GenerationProgress:
    """Bot-generation jobs (`botops generate`; each create of `botops apply`): a line per status
    change of a job, never more, and on a terminal the live line with the latest status while
    a job runs."""

    def __init__(self) -> None:
        self.status = StatusLine()
        self._shown = "starting"
        self._started: dict[str, float] = {}  # per job: when its first status came
        self._running: dict[str, str] = {}  # per resource whose job runs: its live text
        self._spinner: asyncio.Task[None] | None = None

    def on_status(self, job: dict[str, Any], address: str | None = None) -> None:
        state = job_status(job) or "unknown"
        job_id = printable(str(job.get("id")))
        started = self._started.setdefault(f"{address} {job_id}", time.monotonic())
        who = f"{printable(address)}: " if address else ""
        self._shown = f"{who}{state}, job {job_id}"
        elapsed = time.monotonic() - started
        self.status.event(f"{who}Job {job_id}: {state} ({elapsed:.0f} s)")

    async def spin(self) -> None:
        await self.status.spin(lambda: f"Generating: {self._shown} · {self.status.elapsed:.0f} s")

    def on_create(self, address: str, job: dict[str, Any]) -> None:
        """`apply`: a create's job changed status. Its line, and on a terminal the live line
        turns while any create's job runs (started here, inside the apply's event loop)."""
        self.on_status(job, address)
        if job_status(job) == COMPLETED or job_status(job) in FAILED:
            self._running.pop(address, None)
        else:
            self._running[address] = self._shown
        if self.status.live and self._running and self._spinner is None:
            self._spinner = asyncio.get_running_loop().create_task(self._spin_while_running())

    async def _spin_while_running(self) -> None:
        try:
            while self._running:
                latest = list(self._running.values())[-1]
                more = f" (+{len(self._running) - 1} more)" if len(self._running) > 1 else ""
                self.status.update(f"Generating: {latest}{more} · {self.status.elapsed:.0f} s")
                await asyncio.sleep(REDRAW_EVERY)
        finally:
            self.status.clear()
            self._spinner = None


def _write(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class ExportProgress:
    """`botops conversations export`: how many were read (and matched the bot) so far."""

    def __init__(self, bot_id: str | None) -> None:
        self.status = StatusLine()
        self.bot_id = bot_id

    def on_progress(self, written: int, read: int, total: int | None) -> None:
        of = f" of {total:,}" if total is not None else ""
        matched = f", {written:,} of bot {self.bot_id}" if self.bot_id else ""
        self.status.update(f"Exporting: {read:,}{of} read{matched}")
