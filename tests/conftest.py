"""Shared fixtures: a real emulator on a free port for each test that asks. Helpers that are not
fixtures live in tests/support.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import Emulator, start_emulator


@pytest.fixture
def emulator_factory() -> Iterator[Any]:
    """Call with emulator options; every emulator started is stopped after the test."""
    started: list[Emulator] = []

    def factory(*args: str) -> Emulator:
        emulator = start_emulator(*args)
        started.append(emulator)
        return emulator

    yield factory
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(emulator_factory: Any) -> Emulator:
    """An empty emulator with default options."""
    result: Emulator = emulator_factory()
    return result


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own credentials or targets."""
    for name in list(os.environ):
        if name.startswith("BOTOPS_") or name in ("GITHUB_SHA", "CI_COMMIT_SHA"):
            monkeypatch.delenv(name, raising=False)
