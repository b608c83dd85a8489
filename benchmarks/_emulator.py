"""What every benchmark needs: a `botops emulator` on a free port, and an environment for the
CLI that points at it (no BOTOPS_* settings of the person running the benchmark)."""

from __future__ import annotations

import os
import subprocess
import sys

READY = "botops emulator listening on "


def start_emulator(
    *options: str, env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[subprocess.Popen[str], str]:
    """Start `botops emulator --port 0 OPTIONS...` (in `env` and `cwd`, default this
    process's); returns the process and its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "botops", "emulator", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(READY):
        process.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    return process, line[len(READY) :].strip()


def cli_environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_BASE_URL=url, BOTOPS_ACCOUNT_ID="Exotel")
    return env
