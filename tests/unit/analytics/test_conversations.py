"""Flat fields of a conversation: what counts as a duration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botops.analytics.export import seconds_text
from botops.analytics.fields import duration_seconds


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("number", "seconds"),
    [("1e400", None), ("-1e400", None), ("1" + "0" * 400, None), ("NaN", None), ("-5", None),
     ("true", None), ('"Infinity"', None), ('"12.5"', 12.5), ("0", 0.0), ("1e308", 1e308),
     ('"-0"', 0.0)],
)  # fmt: skip
def test_duration_is_a_finite_non_negative_number(number: str, seconds: float | None) -> None:
    # What a server's JSON can say that the emulator can't serve (1e400 reads as infinity).
    conversation = json.loads('{"call_metadata": {"duration_seconds": ' + number + "}}")
    found = duration_seconds(conversation)
    assert found == seconds and (found is None or seconds_text(found)[0] != "-")
