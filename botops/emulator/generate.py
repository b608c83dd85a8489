"""Bot generation: a bot derived from a text description, by a job that takes
`--generation-seconds` to go from pending through in_progress to completed (or failed).

The status is worked out from the time elapsed whenever a job is read; a timer also ends the job
on time so that its bot appears even if nobody polls. Either way the bot is created once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

from botops.emulator import rules
from botops.emulator.store import Job, Store

LANGUAGES = (
    ("en", ("english",)),
    ("hi", ("hindi", "हिंदी", "हिन्दी")),
    ("ta", ("tamil",)),
    ("te", ("telugu",)),
    ("kn", ("kannada",)),
    ("mr", ("marathi",)),
    ("bn", ("bengali", "bangla")),
    ("gu", ("gujarati",)),
    ("ml", ("malayalam",)),
    ("pa", ("punjabi",)),
    ("or", ("odia", "oriya")),
    ("ur", ("urdu",)),
)
# Words that say how a bot talks, not what it is for: they don't belong in its name.
FILLERS = {
    "ai", "automated", "basic", "calling", "friendly", "helpful", "inbound", "multilingual",
    "new", "outbound", "phone", "polite", "simple", "smart", "small", "voice",
    *(name for _, names in LANGUAGES for name in names),
}  # fmt: skip
PURPOSES = (
    (r"remind", r"pay|emi|bill|due|loan|instal", "Payment Reminder Bot"),
    (r"remind", r"appointment|visit|booking", "Appointment Reminder Bot"),
    (r"appointment|book", r"", "Appointment Booking Bot"),
    (r"survey|feedback", r"", "Feedback Survey Bot"),
    (r"collect|overdue", r"", "Collections Bot"),
    (r"order|return|refund|deliver", r"", "Order Support Bot"),
    (r"sale|sell|lead|offer", r"", "Sales Bot"),
    (r"support|help|complain|question", r"", "Customer Support Bot"),
)
NAMED = re.compile(
    r"\b(?:a|an|the)\s+((?:[\w-]+\s+){0,4}?)(?:voice\s*)?(?:bot|voicebot|assistant|agent)\b",
    re.IGNORECASE,
)


def derive(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The bot a description asks for, or why none can be made from it."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return None, "the description has no words"
    if len(words) < 3:
        return None, f"the description is too short ({len(words)} words, at least 3 needed)"
    # Every field as a fixture without it would have it, then what the text says.
    derived = {"name": bot_name(text), "supported_languages": languages(text)}
    return {**rules.defaults(rules.BOT_TABLE), **derived}, None


def bot_name(text: str) -> str:
    """`Create a customer support bot that ...` → `Customer Support Bot`."""
    found = NAMED.search(text)
    if found:
        kept = [w for w in found.group(1).split() if w.lower() not in FILLERS]
        if kept:
            return " ".join(w[:1].upper() + w[1:] for w in kept)[:56] + " Bot"
    lowered = text.lower()
    for first, second, name in PURPOSES:
        if re.search(first, lowered) and (not second or re.search(second, lowered)):
            return name
    return "Voice Bot"


def languages(text: str) -> list[str]:
    """Language codes in the order the text first mentions them; English when it names none."""
    lowered = text.lower()
    found = []
    for code, names in LANGUAGES:
        # Devanagari words end in vowel signs, which `\b` doesn't see as part of a word.
        patterns = [rf"\b{n}\b" if n.isascii() else n for n in names]
        places = [m.start() for p in patterns for m in re.finditer(p, lowered)]
        if places:
            found.append((min(places), code))
    return [code for _, code in sorted(found)] or ["en"]


class Generations:
    """Bot-generation jobs over a store; `duration` is `--generation-seconds`."""

    def __init__(
        self, store: Store, duration: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.duration = duration
        self.clock = clock
        self.timers: set[asyncio.TimerHandle] = set()

    def start(self, text: str, account_id: str) -> dict[str, Any]:
        job_id = self.store.create_job(text, self.clock(), self.duration)
        self._schedule(job_id, self.duration)
        return {
            "id": job_id,
            "content": {"text_content": text},
            "status": "pending",
            "account_id": account_id,
        }

    def resume(self) -> None:
        """After a restart, jobs still running end on their original schedule."""
        for job in self.store.unfinished_jobs():
            self._schedule(job.job_id, job.created_at + job.duration - self.clock())

    def view(self, job_id: str, account_id: str) -> dict[str, Any] | None:
        job = self.store.get_job(job_id)
        if job is None:
            return None
        elapsed = self.clock() - job.created_at
        if job.bot_id is None and job.reason is None and elapsed >= job.duration:
            job = self._finish(job_id) or job
        result: dict[str, Any] = {"id": job.job_id, "status": _status(job, elapsed)}
        if job.bot_id is not None:
            result["bot_id"] = job.bot_id
        if job.reason is not None:
            result["reason"] = job.reason
        result["account_id"] = account_id
        return result

    def cancel(self) -> None:
        """No job scheduled any more (a reset)."""
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()

    def _schedule(self, job_id: str, delay: float) -> None:
        def finish() -> None:
            self.timers.discard(timer)
            self._finish(job_id)

        timer = asyncio.get_running_loop().call_later(max(delay, 0.0), finish)
        self.timers.add(timer)

    def _finish(self, job_id: str) -> Job | None:
        job = self.store.get_job(job_id)
        if job is None:
            return None
        bot, reason = derive(job.text_content)
        return self.store.finish_job(job_id, bot=bot, reason=reason)


def _status(job: Job, elapsed: float) -> str:
    if job.bot_id is not None:
        return "completed"
    if job.reason is not None:
        return "failed"
    return "pending" if elapsed < job.duration / 3 else "in_progress"
