"""SIGTERM (a cancelled CI job, `timeout`, `kill`), once or in a burst, ends a command cleanly
wherever it is blocked:
one line, exit 143 (apply: its summary, exit 1, as after Ctrl-C), never a traceback nor an
"Exception ignored". The real CLI as its own process against a hostile loopback server that
holds every request; the signal goes only once the server has the request, so nothing here
depends on timing. Every command meets every server once; `comment`, the command this failed
for before the fix (it died by the signal), meets each several times, as the defect this guards
against (an interrupt raised inside whatever code ran, a finalizer included) may show only now
and then. SIGTERM_ROUNDS=N runs every case N times."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile_server import Handler, hostile
from tests.support import cli_environment, empty_plan_file, github_pull_request

ROUNDS = int(os.environ.get("SIGTERM_ROUNDS", "1"))
FAILED_BEFORE = {"comment": 5}  # command: rounds at least
GUARD = 60.0  # seconds: the test's own bound on the child, never reached by a passing run


def holding(release: threading.Event) -> Callable[[Handler], None]:
    """Answer nothing until `release` (the request is in `seen` already)."""

    def behaviour(handler: Handler) -> None:
        release.wait(GUARD)
        handler.close_connection = True

    return behaviour


def dripping(handler: Handler) -> None:
    handler.drip()


def endless_list(handler: Handler) -> None:
    """Full pages of bots never seen before, for ever, as fast as they are read: the command
    is busy (parsing, collecting garbage) when the signal comes, not waiting."""
    if "/voicebots/bot_line" in handler.path or "/assistants" in handler.path:
        handler.json({"bot_id": "bot_line", "name": "Support Line", "version": "v1",
                      "supported_languages": ["en"], "data": []})  # fmt: skip
        return
    start = len(handler.seen) * 100
    bots = [{"bot_id": f"bot_{start + i}", "name": f"Bot {start + i}", "version": "v1",
             "prompt": "x" * 200} for i in range(100)]  # fmt: skip
    handler.json({"data": bots})


def start(cwd: Path, args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "botops", *args],
        cwd=cwd,
        env=cli_environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def project(directory: Path) -> Path:
    (directory / "bots").mkdir(parents=True, exist_ok=True)
    (directory / "bots/line.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_line\nname: Support Line\nsupported_languages: [en]\n"
    )
    return directory


COMMANDS = {
    "plan-unmanaged": ["plan", "bots", "--unmanaged"],
    "import": ["import", "--all", "--dir", "imported"],
    "apply": ["apply", "bots", "--auto-approve"],
    "comment": ["comment", "plan.json"],
}


@pytest.mark.parametrize("server", ["holding", "dripping", "busy"])
@pytest.mark.parametrize("command", COMMANDS)
def test_sigterm_while_blocked_on_the_network_ends_cleanly(
    tmp_path: Path, command: str, server: str
) -> None:
    if server == "busy" and command not in ("plan-unmanaged", "import"):
        pytest.skip("only a list of every bot keeps a command busy reading")
    release = threading.Event()
    behaviour = {"holding": holding(release), "dripping": dripping, "busy": endless_list}[server]
    # A busy command is signalled once it has read a few pages.
    wanted = 5 if server == "busy" else 1
    with hostile(behaviour) as hostile_server:
        for round_ in range(max(ROUNDS, FAILED_BEFORE.get(command, 1))):
            cwd = project(tmp_path / str(round_))
            if command == "comment":
                empty_plan_file(cwd)
                env = github_pull_request(cwd, hostile_server.url)
            else:
                env = {"BOTOPS_BASE_URL": hostile_server.url, "BOTOPS_TOKEN": "tok_" + "s" * 20}
            hostile_server.requests.clear()
            process = start(cwd, COMMANDS[command], env)
            try:
                deadline = time.monotonic() + GUARD
                while len(hostile_server.requests) < wanted:
                    assert process.poll() is None, process.communicate()
                    assert time.monotonic() < deadline, "no request in time"
                    time.sleep(0.01)
                # `timeout` signals the child and its process group: SIGTERM comes twice, the
                # second while the first is being handled. A third for good measure.
                for _ in range(3):
                    process.send_signal(signal.SIGTERM)
                stdout, stderr = process.communicate(timeout=GUARD)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.communicate()
            assert "Traceback" not in stderr, stderr
            assert "Exception ignored" not in stderr, stderr
            # Nothing was being written: every command stops (apply too, still reading).
            assert process.returncode == 128 + signal.SIGTERM, stdout + stderr
            assert stderr.strip().splitlines()[-1] == "Terminated.", stderr
        release.set()
