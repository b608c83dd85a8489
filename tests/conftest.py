"""Shared fixtures: a real emulator on a free port, and the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Emulator:
    """A running `botops emulator` subprocess."""

    url: str
    process: subprocess.Popen[str]
    args: list[str] = field(default_factory=list)

    def _call(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def requests(self) -> list[dict[str, Any]]:
        """What the emulator has received, oldest first (`GET /_emulator/requests`)."""
        result: list[dict[str, Any]] = self._call("GET", "/_emulator/requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/_emulator/requests")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


def start_emulator(*args: str) -> Emulator:
    """Start `botops emulator --port 0 ARGS...` and wait for its ready line."""
    command = [sys.executable, "-m", "botops", "emulator", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = "botops emulator listening on "
    if not line.startswith(prefix):
        process.kill()
        _, err = process.communicate(timeout=10)
        raise RuntimeError(f"emulator did not start: {line!r} {err}")
    return Emulator(url=line[len(prefix) :].strip(), process=process, args=list(args))


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


def botops(emulator: Emulator | None, *args: str, **env: str) -> Result:
    """The real CLI, in this process, pointed at `emulator` through the environment as CI
    would point it (`env` adds to or overrides that)."""
    from botops.cli import cli

    environment = {"BOTOPS_ACCOUNT_ID": "Exotel", **env}
    if emulator is not None:
        environment.setdefault("BOTOPS_BASE_URL", emulator.url)
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)
