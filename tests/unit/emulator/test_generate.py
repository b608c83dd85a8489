"""Bot generation's derivation from text: name, languages, determinism."""

from __future__ import annotations

import pytest

from botops.emulator.generate import bot_name, derive, languages

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
