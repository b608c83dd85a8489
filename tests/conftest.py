"""Shared fixtures: a real emulator on a free port for each test that asks. Helpers that are not
fixtures live in tests/support.py.

Tests under tests/unit/ are pure logic (no process, no emulator); tests under tests/e2e/ go through
the real CLI, the emulator or other processes and are marked `e2e` here, so `pytest -m "not e2e"`
(`make test-quick`) is the quick loop."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.forge_server import ForgeState, serve_forge
from tests.support import ROOT, Emulator, start_emulator, start_emulators

E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ is marked `e2e`."""
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)


# Emulator options that say which data it starts with, or how it answers for its whole life (a
# token, the envelope, the dialect, an LLM script): an emulator started with them alone can serve
# test after test, reset in between (`POST /_emulator/reset`: its data, generation jobs, request
# log, rate-limit window and the script's `replies` as they were at its start). Any other option
# (faults, latency, a rate limit, --db) gets an emulator of its own.
DATA_OPTIONS = {
    "--demo": 0,
    "--fixtures": 1,
    "--synthetic-conversations": 1,
    "--generation-seconds": 1,
    "--token": 1,
    "--envelope": 0,
    "--dialect": 1,
    "--llm-script": 1,
}
POOL_SIZE = 8


def _data_key(args: tuple[str, ...]) -> tuple[str, ...] | None:
    """What makes two emulators' start the same (a fixtures file by its content), or None."""
    key: list[str] = []
    rest = list(args)
    while rest:
        option = rest.pop(0)
        if option not in DATA_OPTIONS or len(rest) < DATA_OPTIONS[option]:
            return None
        values = [rest.pop(0) for _ in range(DATA_OPTIONS[option])]
        if option in ("--fixtures", "--llm-script"):
            path = Path(values[0])
            values = [path.suffix, hashlib.sha256(path.read_bytes()).hexdigest()]
        key.append(" ".join([option, *values]))
    return tuple(sorted(key))


class EmulatorPool:
    """Running emulators by the data they start with, the least recently used stopped first."""

    def __init__(self) -> None:
        self.running: OrderedDict[tuple[str, ...], Emulator] = OrderedDict()
        self.stopping: list[Emulator] = []

    def retire(self, emulators: list[Emulator]) -> None:
        """Stop these without waiting for them to exit (the test goes on meanwhile); reap
        those that have."""
        for emulator in emulators:
            emulator.terminate()
        self.stopping += emulators
        for emulator in [e for e in self.stopping if e.process.poll() is not None]:
            emulator.stop()
            self.stopping.remove(emulator)

    def get(self, key: tuple[str, ...], args: tuple[str, ...]) -> Emulator:
        [emulator] = self.get_many([(key, args)])
        return emulator

    def get_many(self, wanted: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> list[Emulator]:
        """One emulator per (key, args), each reset; those not running are started at once."""
        found: dict[tuple[str, ...], Emulator] = {}
        taken: list[Emulator] = []
        try:
            for key, _ in wanted:
                emulator = self.running.pop(key, None)
                if emulator is not None:
                    taken.append(emulator)
                    if emulator.process.poll() is None:
                        emulator.reset()
                        found[key] = emulator
            missing = [(key, args) for key, args in wanted if key not in found]
            started = start_emulators(*(list(args) for _, args in missing))
        except BaseException:
            # A reset or a start failed: those taken from the pool are stopped, not left running
            # after the session.
            self.retire(taken)
            raise
        for (key, _), emulator in zip(missing, started, strict=True):
            _drain(emulator)
            found[key] = emulator
        for key, _ in wanted:
            self.running[key] = found[key]
        while len(self.running) > POOL_SIZE:
            self.retire([self.running.popitem(last=False)[1]])
        return [found[key] for key, _ in wanted]

    def close(self) -> None:
        self.retire(list(self.running.values()))
        for emulator in self.stopping:
            emulator.stop()


def _drain(emulator: Emulator) -> None:
    """Read a long-lived emulator's stderr as it comes, so that a full pipe never stalls it."""
    stream = emulator.process.stderr
    if stream is not None:
        threading.Thread(target=stream.read, daemon=True).start()


@pytest.fixture(scope="session")
def emulator_pool() -> Iterator[EmulatorPool]:
    pool = EmulatorPool()
    yield pool
    pool.close()


@pytest.fixture
def emulator_factory(request: pytest.FixtureRequest, emulator_pool: EmulatorPool) -> Iterator[Any]:
    """Call with emulator options. An emulator started with data options alone is shared: it
    comes reset to that data (mark a test `fresh_emulator` to get one of its own anyway); any
    other is this test's own and is stopped after it. `.together(args, args, ...)` starts
    several of the test's own at once."""
    started: list[Emulator] = []
    handed: set[tuple[str, ...]] = set()
    fresh = request.node.get_closest_marker("fresh_emulator") is not None

    def factory(*args: str) -> Emulator:
        key = None if fresh else _data_key(args)
        if key is not None and key not in handed:
            handed.add(key)
            return emulator_pool.get(key, args)
        emulator = start_emulator(*args)
        started.append(emulator)
        return emulator

    def together(*arg_lists: list[str]) -> list[Emulator]:
        """Several emulators at once: shared ones as `factory` gives them, the others this
        test's own; those that have to start start at the same time."""
        keys = [None if fresh else _data_key(tuple(args)) for args in arg_lists]
        shared = [
            (key, tuple(args))
            for key, args in zip(keys, arg_lists, strict=True)
            if key is not None and key not in handed and keys.count(key) == 1
        ]
        handed.update(key for key, _ in shared)
        pooled = dict(zip([key for key, _ in shared], emulator_pool.get_many(shared), strict=True))
        own = [args for key, args in zip(keys, arg_lists, strict=True) if key not in pooled]
        own_started = iter(start_emulators(*own))
        emulators = [pooled[key] if key in pooled else next(own_started) for key in keys]
        started.extend(e for e in emulators if e not in pooled.values())
        return emulators

    factory.together = together  # type: ignore[attr-defined]
    yield factory
    emulator_pool.retire(started)


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


# What CI sets that botops reads for a commit: the suite may itself run in CI.
CI_VARIABLES = (
    "GITHUB_SHA",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "CI_COMMIT_SHA",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own credentials or targets."""
    for name in list(os.environ):
        if name.startswith("BOTOPS_") or name in CI_VARIABLES:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def forge() -> Iterator[ForgeState]:
    """A loopback GitHub and GitLab (comments, notes, runs, artifacts) for one test."""
    with serve_forge() as state:
        yield state
