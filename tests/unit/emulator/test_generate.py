"""Bot generation's derivation from text: name, languages, determinism."""

from __future__ import annotations

import asyncio

import pytest

from botops.emulator.generate import Generations, bot_name, derive, languages
from botops.emulator.store import VOICEBOT, Store

TEXT = "Create a customer support bot that handles order inquiries and returns in English and Hindi"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Create a customer support bot that handles order inquiries", "Customer Support Bot"),
        (
            "Create an outbound bot that reminds customers of an upcoming EMI payment",
            "Payment Reminder Bot",
        ),
        ("Build a multilingual voice bot to book clinic appointments", "Appointment Booking Bot"),
        ("I need an EMI collections assistant for overdue loans", "EMI Collections Bot"),
        ("Something that answers the phone for us", "Voice Bot"),
    ],
)
def test_the_name_comes_from_the_text(text: str, name: str) -> None:
    assert bot_name(text) == name


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("A support bot for orders", ["en"]),
        ("A bot in Hindi and English", ["hi", "en"]),
        ("Reminders in English, Hindi and Tamil", ["en", "hi", "ta"]),
        ("Speaks telugu, Kannada, MARATHI, Bengali and Gujarati", ["te", "kn", "mr", "bn", "gu"]),
        ("एक हिंदी बोलने वाला बॉट, also in English", ["hi", "en"]),
        ("An English-only bot; no Englishman needed", ["en"]),
    ],
)
def test_the_languages_are_those_the_text_mentions(text: str, codes: list[str]) -> None:
    assert languages(text) == codes


def test_derive_is_deterministic_and_refuses_unusable_text() -> None:
    assert derive(TEXT) == derive(TEXT)
    assert derive(TEXT)[0] == {
        "name": "Customer Support Bot",
        "enable_greeting_interruption": True,
        "supported_languages": ["en", "hi"],
    }
    assert derive("two words")[0] is None
    assert derive("!!! ???")[1] == "the description has no words"


def test_a_job_is_pending_then_in_progress_then_completed_on_its_clock_and_makes_one_bot() -> None:
    now = [1000.0]
    store = Store(None)
    generator = Generations(store, 1.2, clock=lambda: now[0])

    async def run() -> list[tuple[str, int]]:
        job = generator.start("Create a customer support bot for order returns", "Acme")
        seen: list[tuple[str, int]] = []
        for at in (0.0, 0.39, 0.41, 1.19, 1.2, 5.0):
            now[0] = 1000.0 + at
            view = generator.view(job["id"], "Acme")
            assert view is not None
            seen.append((view["status"], store.list_page(VOICEBOT, 10, 0)[0]))
        generator.cancel()
        return seen

    assert asyncio.run(run()) == [
        ("pending", 0),
        ("pending", 0),
        ("in_progress", 0),
        ("in_progress", 0),
        ("completed", 1),
        ("completed", 1),
    ]
