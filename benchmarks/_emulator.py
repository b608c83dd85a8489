"""What every benchmark needs: a `botops emulator` on a free port, and an environment for the
CLI that points at it (no BOTOPS_* settings of the person running the benchmark), with botops'
bytecode compiled as an installed botops has it (pip compiles what it installs): where
PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile the package anew, 0.1-0.2 s
that no user pays."""

from __future__ import annotations

import compileall
import functools
import os
import subprocess
import sys
from pathlib import Path

READY = "botops emulator listening on "


def start_emulator(
    *options: str, env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[subprocess.Popen[str], str]:
    """Start `botops emulator --port 0 OPTIONS...` (in `env` and `cwd`, default this
    process's); returns the process and its base URL."""
    compiled_botops()
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


@functools.cache
def compiled_botops() -> None:
    import botops

    compileall.compile_dir(Path(botops.__file__).parent, quiet=1)


def cli_environment(url: str) -> dict[str, str]:
    compiled_botops()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_BASE_URL=url, BOTOPS_ACCOUNT_ID="Exotel")
    return env
