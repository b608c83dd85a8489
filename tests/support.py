"""What tests share besides fixtures: the emulator as a subprocess, the CLI in this process,
an HTTP client for the emulator's API, and fixture data (fixtures themselves: conftest.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent


# The emulator and the CLI


@dataclass
class Emulator:
    """A running `botops emulator` subprocess."""

    url: str
    process: subprocess.Popen[str]
    args: list[str] = field(default_factory=list)

    def _call(self, method: str, path: str) -> Any:
        # With --token, the emulator's own endpoints need it too.
        token = self.args[self.args.index("--token") + 1] if "--token" in self.args else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(self.url + path, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def requests(self) -> list[dict[str, Any]]:
        """What the emulator has received, oldest first (`GET /_emulator/requests`)."""
        result: list[dict[str, Any]] = self._call("GET", "/_emulator/requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/_emulator/requests")

    def reset(self) -> None:
        """Back to the data it started with, nothing logged (`POST /_emulator/reset`)."""
        self._call("POST", "/_emulator/reset")

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM) without waiting for it: `stop()` waits."""
        if self.process.poll() is None:
            self.process.terminate()

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
    [emulator] = start_emulators([*args])
    return emulator


def start_emulators(*arg_lists: list[str]) -> list[Emulator]:
    """Start one emulator per list of arguments, all at once, then wait for each ready line
    (two emulators cost little more than one: most of a start is importing)."""
    processes = [_launch(args) for args in arg_lists]
    try:
        return [_ready(process, args) for process, args in zip(processes, arg_lists, strict=True)]
    except BaseException:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
        raise


def _launch(args: list[str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "botops", "emulator", "--port", "0", *args]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")},
    )


def _ready(process: subprocess.Popen[str], args: list[str]) -> Emulator:
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = "botops emulator listening on "
    if not line.startswith(prefix):
        process.kill()
        _, err = process.communicate(timeout=10)
        raise RuntimeError(f"emulator did not start: {line!r} {err}")
    return Emulator(url=line[len(prefix) :].strip(), process=process, args=list(args))


def botops(emulator: Emulator | None, *args: str, **env: str) -> Result:
    """The real CLI, in this process, pointed at `emulator` through the environment as CI
    would point it (`env` adds to or overrides that)."""
    from botops.cli import cli

    environment = {"BOTOPS_ACCOUNT_ID": "Exotel", **env}
    if emulator is not None:
        environment.setdefault("BOTOPS_BASE_URL", emulator.url)
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def cli_environment(**env: str) -> dict[str, str]:
    """This process's environment for a `botops` child, without the BOTOPS_, GITHUB_, GITLAB_
    and CI_ settings of whatever runs the suite, for the account Exotel, plus `env`."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOTOPS_", "GITHUB_", "GITLAB_", "CI_"))
    }
    environment.update(BOTOPS_ACCOUNT_ID="Exotel", PYTHONPATH=str(ROOT), **env)
    return environment


def run_cli(cwd: Path, *args: str, timeout: float, **env: str) -> subprocess.CompletedProcess[str]:
    """`botops ARGS` as its own process in `cwd` (`cli_environment(**env)`), at most `timeout`
    seconds: the test's own bound on a hang."""
    return subprocess.run(
        [sys.executable, "-m", "botops", *args],
        cwd=cwd,
        env=cli_environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def empty_plan_file(directory: Path) -> Path:
    """A plan file with nothing to do, for commands that only need one (`comment`)."""
    path = directory / "plan.json"
    path.write_text(
        json.dumps(
            {
                "format_version": 1,
                "base_url": "https://voicebot.in.exotel.com",
                "account_id": "Exotel",
                "resources": [],
            }
        )
    )
    return path


def github_pull_request(
    directory: Path, url: str, token: str = "ghs_" + "t" * 36
) -> dict[str, str]:
    """The environment of a GitHub Actions job on pull request #7 of acme/bots, its API at
    `url` (the event file is written into `directory`)."""
    event = directory / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": url,
        "GITHUB_REPOSITORY": "acme/bots",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_TOKEN": token,
    }


def botops_process(emulator: Emulator, cwd: Path, *args: str) -> subprocess.Popen[str]:
    """The real CLI as its own process (for Ctrl-C), pointed at `emulator` as CI would point it.

    SIGINT is set back to its default in the child: a suite started in the background by a shell
    (`make test &`, some CI runners) passes SIGINT on ignored, and Python then never raises
    KeyboardInterrupt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_ACCOUNT_ID="Exotel", BOTOPS_BASE_URL=emulator.url)
    return subprocess.Popen(
        [sys.executable, "-m", "botops", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


# The emulator's API over HTTP


VB = "/voicebot/api/v2/accounts/Exotel"
AS = "/api/v2/accounts/Exotel"


def client(emulator: Emulator, **options: Any) -> httpx2.Client:
    return httpx2.Client(base_url=emulator.url, timeout=10, **options)


def error_message(response: httpx2.Response, status: int) -> str:
    """The message of an error answer, after checking its status and exact shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"], body
    assert body["error"]["status"] == status
    assert set(body["error"]) == {"status", "message"}
    message: str = body["error"]["message"]
    assert message
    return message


def write_file(path: Path, content: str | bytes) -> Path:
    """`content` at `path`, its directories made; bytes as they are, text as UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_fixtures(path: Path, **sections: Any) -> Path:
    path.write_text(json.dumps(sections), encoding="utf-8")
    return path


def fleet_bots(count: int, *, start_day: int = 1) -> list[dict[str, Any]]:
    """`count` bots at v1, one created each day from 2026-03-`start_day`."""
    return [
        {
            "bot_id": f"bot_{i:03d}",
            "name": f"Fleet {i:03d}",
            "version": "v1",
            "enable_greeting_interruption": False,
            "supported_languages": ["en"],
            "date_created": f"2026-03-{start_day + i:02d}T10:00:00Z",
        }
        for i in range(count)
    ]


# A fleet to apply to


def fleet(directory: Path, count: int) -> Path:
    """`count` live bots at v1 (a fixtures file) and files that change each of them."""
    fixtures = {
        "bots": [
            {
                "bot_id": f"bot_{i:03d}",
                "name": f"Fleet {i:03d}",
                "version": "v1",
                "enable_greeting_interruption": False,
                "supported_languages": ["en"],
            }
            for i in range(count)
        ]
    }
    (directory / "fixtures.json").write_text(json.dumps(fixtures))
    (directory / "bots").mkdir()
    for i in range(count):
        (directory / f"bots/bot-{i:03d}.yaml").write_text(
            f"kind: Voicebot\nbot_id: bot_{i:03d}\nname: Fleet {i:03d}\n"
            "enable_greeting_interruption: true\nsupported_languages: [en, hi]\n"
        )
    return directory / "fixtures.json"


def _get_through_faults(url: str, params: dict[str, Any]) -> Any:
    """GET that retries the emulator's injected 500s and 429s (reads are safe to repeat)."""
    for _ in range(50):
        response = httpx2.get(url, params=params)
        if response.status_code == 200:
            return response.json()
        time.sleep(0.05 if response.status_code == 500 else 1.0)
    raise AssertionError(f"GET {url} kept failing: {response.status_code}")


def live_bots(emulator: Emulator) -> list[dict[str, Any]]:
    bots: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = _get_through_faults(
            f"{emulator.url}/voicebot/api/v2/accounts/Exotel/voicebots",
            {"limit": 100, "offset": offset},
        )
        bots += page["data"]
        offset += len(page["data"])
        if not page["data"] or offset >= page["metadata"]["total"]:
            return bots


# Fixture files the emulator refuses, and the words of its refusal.
BROKEN_FIXTURES = {
    "syntax.yaml": ("bots: [unclosed", "syntax.yaml:2:1: not valid YAML"),
    "syntax.json": ('{"bots": [}', "syntax.json:1:11: not valid JSON"),
    "list.yaml": ("- bot_id: a\n", "must be a mapping"),
    "section.yaml": ("voicebots: []\n", "unknown section 'voicebots'"),
    "no-id.yaml": ("bots: [{name: A}]\n", "bots[0]: bot_id"),
    "bad-name.yaml": ("bots: [{bot_id: a, name: ''}]\n", "bots[0]: name"),
    "bad-version.yaml": ("bots: [{bot_id: a, name: A, version: 3}]\n", "bots[0]: version"),
    "bad-field.yaml": ("bots: [{bot_id: a, name: A, langs: [en]}]\n", "unknown field 'langs'"),
    "twice.yaml": ("bots: [{bot_id: a, name: A}, {bot_id: a, name: B}]\n", "a is defined twice"),
    "agents.json": (
        '{"assistants": [{"assistant_id": "x", "agents": [{"instruction": "y"}]}]}',
        "assistants[0]: agents[0].role",
    ),
    "stable.yaml": (
        "assistants: [{assistant_id: x, version: v1, stable_version: v2}]\n",
        "stable_version",
    ),
    "conversation.yaml": ("conversations: [{conversation_id: c1}]\n", "conversations[0]: bot_id"),
    "transcript.yaml": (
        "conversations: [{conversation_id: c1, bot_id: b, transcript: hello}]\n",
        "transcript must be a list",
    ),
}
