"""Ctrl-C during apply: writes in flight finish, nothing new starts, the report says which is
which, and a re-run finishes the rest with exactly one new version per bot."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.support import Emulator, botops_process, fleet, live_bots


def _apply(emulator: Emulator, cwd: Path, concurrency: int) -> subprocess.Popen[str]:
    command = ("apply", "bots", "--auto-approve", "--concurrency", str(concurrency))
    return botops_process(emulator, cwd, *command)


def _wait_for_first_write(emulator: Emulator, deadline: float) -> None:
    while time.monotonic() < deadline:
        if any(r["method"] == "POST" for r in emulator.requests()):
            return
        time.sleep(0.02)
    raise AssertionError("apply sent no write in time")


def test_ctrl_c_lets_writes_in_flight_finish_and_a_rerun_finishes_the_rest(
    tmp_path: Path, emulator_factory: Any
) -> None:
    # Two writes at a time, three 150 ms requests each: 24 bots take ~5 s to apply, far longer
    # than the Ctrl-C takes to follow the first write even on a busy machine.
    count = 24
    fixtures = fleet(tmp_path, count)
    emulator = emulator_factory("--fixtures", str(fixtures), "--latency-ms", "150")
    process = _apply(emulator, tmp_path, concurrency=2)
    _wait_for_first_write(emulator, time.monotonic() + 30)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "finishing the writes in flight" in stderr
    assert "botops apply" in stderr  # what to do next
    applied = {line.split(":")[0] for line in stdout.splitlines() if ": applied" in line}
    interrupted = {
        line.split(":")[0] for line in stdout.splitlines() if "interrupted before anything" in line
    }
    assert applied and interrupted, stdout
    assert len(applied) + len(interrupted) == count, stdout
    # What the report calls applied is exactly what was written, and nothing else was.
    moved = {f"voicebot/{b['bot_id']}" for b in live_bots(emulator) if b["version"] != "v1"}
    assert moved == applied

    rerun = _apply(emulator, tmp_path, concurrency=8)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, out + err
    assert all(b["version"] == "v2" for b in live_bots(emulator))
