"""The pacer (DESIGN §14) against the emulator's own rate limit, and `rate_limit` in botops.yaml
through the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from botops.client import Pacer
from tests.support import botops, fleet
from tests.unit.client.support import Traffic, run, virtual_time


def test_a_known_limit_is_never_exceeded_as_the_server_counts() -> None:
    """With `rate_limit: 5`, a request starts only one second after the request whose permit
    it takes ended: wherever in its span the server counted each, no second holds six."""
    time = virtual_time()
    pacer = Pacer(time.clock, rate_limit=5)
    traffic = Traffic(pacer, time)
    run(traffic.send([0.01 * (i % 7) for i in range(60)], concurrency=16))

    spans = traffic.spans
    assert len(spans) == 60
    for start, _ in spans:
        # Requests the server may have counted within the second before `start`.
        counted = sum(1 for s, e in spans if s <= start and e > start - pacer.WINDOW)
        assert counted <= 5
    # And no slower than that needs: the first five at once, then five a second, each
    # permit back a second after its request ended (latency 0 to 0.06 s).
    assert max(e for _, e in spans) - 100.0 == pytest.approx(11.0, abs=0.7)


def test_rate_limit_in_botops_yaml_draws_no_429(
    tmp_path: Path, emulator_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = emulator_factory("--fixtures", str(fleet(tmp_path, 12)), "--rate-limit", "5")
    (tmp_path / "botops.yaml").write_text("paths: [bots]\nrate_limit: 5\n")
    monkeypatch.chdir(tmp_path)
    result = botops(emulator, "plan")
    assert result.exit_code == 0, result.output
    statuses = [r["status"] for r in emulator.requests()]
    assert statuses == [200] * 12


@pytest.mark.parametrize(("value", "shown"), [("0", "0"), ("fast", "'fast'"), ("2.5", "2.5")])
def test_rate_limit_must_be_a_positive_whole_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, shown: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "botops.yaml").write_text(f"rate_limit: {value}\n")
    result = botops(None, "validate")
    assert result.exit_code == 1
    assert result.stderr == (
        f"botops.yaml:1:13: 'rate_limit' must be a whole number of requests a second, "
        f"at least 1, got {shown}\n"
    )
