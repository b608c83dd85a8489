"""Emulators shared by the emulator's tests (each test that writes starts its own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import Emulator, fleet_bots, start_emulator, write_fixtures


@pytest.fixture(scope="session")
def demo_readonly() -> Iterator[Emulator]:
    """One `--demo` emulator for tests that only read."""
    emulator = start_emulator("--demo")
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def fleet_readonly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """25 bots created a day apart (2026-03-01 to 2026-03-25), for tests that only read."""
    path = write_fixtures(tmp_path_factory.mktemp("fleet") / "fleet.json", bots=fleet_bots(25))
    emulator = start_emulator("--fixtures", str(path))
    yield emulator
    emulator.stop()


@pytest.fixture
def demo(emulator_factory: Any) -> Emulator:
    """A `--demo` emulator of this test's own."""
    result: Emulator = emulator_factory("--demo")
    return result


@pytest.fixture
def fixtures_file(tmp_path: Path) -> Path:
    return tmp_path / "fixtures.json"
