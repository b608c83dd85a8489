"""Shared fixtures: a real emulator on a free port for each test that asks. Helpers that are not
fixtures live in tests/support.py.

Tests under tests/unit/ are pure logic (no process, no emulator); tests under tests/e2e/ go through
the real CLI, the emulator or other processes and are marked `e2e` here, so `pytest -m "not e2e"`
(`make test-quick`) is the quick loop."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.forge_server import ForgeState, serve_forge
from tests.support import ROOT, Emulator, start_emulator

E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ is marked `e2e`."""
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)


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


@pytest.fixture
def examples_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of examples/bots as a project of its own (not a git checkout), as the cwd."""
    shutil.copytree(ROOT / "examples/bots", tmp_path / "bots")
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own credentials or targets."""
    for name in list(os.environ):
        if name.startswith("BOTOPS_") or name in ("GITHUB_SHA", "CI_COMMIT_SHA"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def forge() -> Iterator[ForgeState]:
    """A loopback GitHub and GitLab (comments, notes, runs, artifacts) for one test."""
    with serve_forge() as state:
        yield state
