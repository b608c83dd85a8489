"""What a hostile new user tried (issue 10): every bad input is one readable line with the
right exit code, no traceback, nothing sent; what the API says never drives the terminal or a
spreadsheet; signals end a run as Ctrl-C does."""

from __future__ import annotations

import http.server
import json
import os
import pty
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from botops.cli import cli
from tests.support import Emulator, botops, fleet, live_bots, start_emulator

BOT = "kind: Voicebot\nbot_id: bot_support01\nname: Customer Support\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project (botops.yaml naming bots/) with one valid bot, as the working directory."""
    root = tmp_path / "project"
    (root / "bots").mkdir(parents=True)
    (root / "botops.yaml").write_text("paths: [bots]\n")
    (root / "bots/support.yaml").write_text(BOT)
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="module")
def demo() -> Iterator[Emulator]:
    """One `--demo` emulator for the tests that only read (or are refused before writing)."""
    emulator = start_emulator("--demo")
    yield emulator
    emulator.stop()


def cli_process(
    *args: str,
    cwd: Path,
    url: str = "http://127.0.0.1:9",
    ignore_sigint: bool = False,
    **popen: Any,
) -> subprocess.Popen[str]:
    """The real `python -m botops`, as a user runs it (memory capped: a bug must not be able
    to read /dev/zero until the machine gives out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_ACCOUNT_ID="Exotel", BOTOPS_BASE_URL=url)

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
        # Chosen, not inherited: a suite a shell started in the background passes it ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN if ignore_sigint else signal.SIG_DFL)

    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(
        [sys.executable, "-m", "botops", *args],
        cwd=cwd,
        env=env,
        text=True,
        preexec_fn=cap_memory,
        **popen,
    )


def finished(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("botops hung") from None
    return process.returncode, stdout, stderr


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


class _Answer(http.server.BaseHTTPRequestHandler):
    """A misbehaving server: every request gets `status`, `headers` and `body`."""

    status: ClassVar[int] = 200
    headers_out: ClassVar[dict[str, str]] = {}
    body: ClassVar[bytes] = b"{}"
    seen: ClassVar[list[str]]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(self.status)
        for name, value in {"Content-Type": "application/json", **self.headers_out}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def odd_server() -> Iterator[Any]:
    """Call with (status, headers, body): a real HTTP server on a free port answering every
    GET so; returns its URL and the list of paths it was asked for."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(status: int, headers: dict[str, str], body: bytes) -> tuple[str, list[str]]:
        seen: list[str] = []
        handler = type(
            "Handler", (_Answer,), {"status": status, "headers_out": headers, "body": body}
        )
        handler.seen = seen
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ 6: files leaving the project


def test_a_resource_file_linking_outside_the_project_is_refused_unread(
    project: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "elsewhere" / "ci-secrets.yaml"
    secret.parent.mkdir()
    secret.write_text("DEPLOY_KEY=sk-live-4f9a8b7c6d5e4f3a2b1c\n")
    (project / "bots/leak.yaml").symlink_to(secret)

    result = botops(None, "validate")

    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith("bots/leak.yaml:1:1: ")
    assert "outside the project root" in line
    assert "sk-live" not in result.output


def test_a_message_quotes_only_an_excerpt_of_a_value(project: Path) -> None:
    secret = "sk-live-" + "4f9a8b7c6d5e" * 20
    (project / "bots/pasted.yaml").write_text(f"{secret}\n")
    (project / "bots/kind.yaml").write_text(f"kind: {secret}\nname: x\n")

    result = botops(None, "validate")

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["bots/kind.yaml", "bots/pasted.yaml"]
    for line in lines:
        assert secret not in line and "sk-live-4f9a" in line
        assert len(line) < 200, line


# ------------------------------------------------------------------ 8: not a regular file


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_fifo_named_yaml_is_not_a_regular_file_and_does_not_hang(
    project: Path, command: str
) -> None:
    os.mkfifo(project / "bots/pipe.yaml")
    code, stdout, stderr = finished(cli_process(command, cwd=project), timeout=30)
    assert code == 1
    assert one_error_line(stderr) == "bots/pipe.yaml:1:1: can't read file: not a regular file"
    assert stdout == ""


def test_a_link_to_dev_zero_named_yaml_is_not_read(project: Path) -> None:
    (project / "bots/zero.yaml").symlink_to("/dev/zero")
    code, _, stderr = finished(cli_process("validate", "bots/zero.yaml", cwd=project), timeout=30)
    assert code == 1
    line = one_error_line(stderr)
    assert line.startswith("bots/zero.yaml:1:1: ")
    assert "not a regular file" in line or "outside the project root" in line


# ------------------------------------------------------------------ 9: no tracebacks


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:-1",
        "http://127.0.0.1:8x",
        "http://999.999.999.999",
        "http://1.2.3",
    ],
)
def test_a_base_url_with_a_bad_port_or_address_is_one_line(project: Path, url: str) -> None:
    result = botops(None, "plan", "--base-url", url)
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"Error: base URL '{url}'")


def test_botops_yaml_base_url_with_a_port_out_of_range_is_refused_at_its_line(
    project: Path,
) -> None:
    (project / "botops.yaml").write_text("paths: [bots]\nbase_url: http://127.0.0.1:99999\n")
    result = botops(None, "validate")
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == (
        "botops.yaml:2:11: 'base_url' must be an http:// or https:// URL, "
        "got 'http://127.0.0.1:99999'"
    )


def test_a_plan_file_with_a_bad_base_url_sends_nothing(project: Path, demo: Emulator) -> None:
    emulator = demo
    (project / "bots/support.yaml").write_text(BOT + "supported_languages: [en, hi, ta]\n")
    assert botops(emulator, "plan", "--out", "plan.json").exit_code == 0
    saved = json.loads((project / "plan.json").read_text())
    saved["base_url"] = "http://127.0.0.1:99999"
    (project / "plan.json").write_text(json.dumps(saved))
    emulator.clear_requests()

    result = botops(None, "apply", "--plan", "plan.json", "--auto-approve")

    assert result.exit_code == 1
    assert "127.0.0.1:99999" in one_error_line(result.stderr)
    assert emulator.requests() == []


def test_json_nested_100000_deep_is_one_line(project: Path, odd_server: Any) -> None:
    url, seen = odd_server(200, {}, b"[" * 100_000 + b"]" * 100_000)
    result = botops(None, "plan", BOTOPS_BASE_URL=url)
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith("Error: GET /voicebot/api/v2/accounts/Exotel/voicebots/bot_support01")
    assert seen  # it was asked


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_emulator_port_out_of_range_is_a_usage_error(port: str) -> None:
    result = botops(None, "emulator", "--port", port)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "--port" in result.stderr and "65535" in result.stderr


# ------------------------------------------------------------------ 11: usage errors exit 1


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--bogus"],
        ["plan", "--detailed-exitcode", "--concurrency", "0"],
        ["plan", "--detailed-exitcode", "--format", "yaml"],
        ["apply", "--plan"],
        ["no-such-command"],
        ["--bogus", "plan"],
    ],
)
def test_every_usage_error_exits_1_never_2(project: Path, args: list[str]) -> None:
    result = botops(None, *args)
    assert result.exit_code == 1, result.output
    assert "Error: " in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_usage_error_exits_1_from_the_real_entry_point(project: Path) -> None:
    code, stdout, stderr = finished(cli_process("plan", "--detailed-exitcode", "--no", cwd=project))
    assert code == 1
    assert stdout == "" and "Error: No such option '--no'" in stderr


# ------------------------------------------------------------------ 14: smaller things


@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
def test_an_empty_path_is_an_error_not_the_whole_directory(project: Path, command: str) -> None:
    result = botops(None, command, "")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '[PATHS]...': an empty path names no file"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('kind: Voicebot\nname: "   "\n', "bots/blank.yaml:2:7: 'name'"),
        ('kind: Voicebot\nname: "\\t\\n"\n', "bots/blank.yaml:2:7: 'name'"),
        (
            'kind: Assistant\nassistant_id: asst_1\nagents:\n  - role: "  "\n',
            "bots/blank.yaml:4:11: 'role'",
        ),
    ],
)
def test_whitespace_only_names_fail_validate(project: Path, text: str, where: str) -> None:
    (project / "bots/blank.yaml").write_text(text)
    result = botops(None, "validate")
    assert result.exit_code == 1
    assert one_error_line(result.stderr).startswith(where)


def test_the_apply_prompt_goes_to_the_terminal_side_not_stdout(
    project: Path, demo: Emulator
) -> None:
    emulator = demo
    (project / "bots/support.yaml").write_text(BOT + "supported_languages: [en, hi, ta]\n")
    controller, terminal = pty.openpty()
    try:
        process = cli_process("apply", cwd=project, url=emulator.url, stdin=terminal)
        os.write(controller, b"no\n")
        code, stdout, stderr = finished(process)
    finally:
        os.close(controller)
        os.close(terminal)
    assert code == 1
    assert "Apply these changes?" not in stdout
    assert "Apply these changes?" in stderr
    assert "Apply cancelled; nothing was sent." in stderr
    assert "1 to update" in stdout  # the plan itself is output
    assert not any(r["method"] == "POST" for r in emulator.requests())


def test_a_negative_retry_after_does_not_make_a_retry_storm(project: Path, odd_server: Any) -> None:
    url, seen = odd_server(429, {"Retry-After": "-5"}, b'{"error": "slow down"}')
    result = botops(None, "plan", BOTOPS_BASE_URL=url, BOTOPS_RETRY_DEADLINE="2")
    assert result.exit_code == 1
    assert "429" in one_error_line(result.stderr)
    # Backing off from 0.2 s doubling, two seconds hold about six tries; the storm was 20+.
    assert 2 <= len(seen) <= 12, len(seen)


def _wait_for(condition: Any, what: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None, f"botops ended before {what}"
        assert time.monotonic() < deadline, f"no {what} in time"
        time.sleep(0.02)


def test_sigterm_during_apply_prints_the_summary_as_ctrl_c_does(
    tmp_path: Path, emulator_factory: Any
) -> None:
    count = 12
    emulator = emulator_factory("--fixtures", str(fleet(tmp_path, count)), "--latency-ms", "150")
    process = cli_process(
        "apply", "bots", "--auto-approve", "--concurrency", "2", cwd=tmp_path, url=emulator.url
    )
    _wait_for(lambda: any(r["method"] == "POST" for r in emulator.requests()), "write", process)
    process.send_signal(signal.SIGTERM)
    code, stdout, stderr = finished(process)

    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert "finishing the writes in flight" in stderr
    applied = {line.split(":")[0] for line in stdout.splitlines() if ": applied" in line}
    interrupted = {
        line.split(":")[0] for line in stdout.splitlines() if "interrupted before anything" in line
    }
    assert applied and interrupted, stdout
    assert len(applied) + len(interrupted) == count
    moved = {f"voicebot/{b['bot_id']}" for b in live_bots(emulator) if b["version"] != "v1"}
    assert moved == applied


@pytest.mark.parametrize("sigint", ["default", "ignored"])
def test_sigterm_during_export_leaves_no_temporary_file(
    tmp_path: Path, emulator_factory: Any, sigint: str
) -> None:
    """Also when SIGINT is ignored, as for a job a shell started in the background."""
    slow = emulator_factory("--synthetic-conversations", "3000", "--latency-ms", "40")
    process = cli_process(
        "conversations",
        "export",
        "--out",
        "calls.jsonl",
        cwd=tmp_path,
        url=slow.url,
        ignore_sigint=sigint == "ignored",
    )
    _wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()), "export", process)
    process.send_signal(signal.SIGTERM)
    code, _, stderr = finished(process)
    assert code == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_export_and_plan_out_both_make_a_missing_directory(project: Path, demo: Emulator) -> None:
    emulator = demo
    exported = botops(emulator, "conversations", "export", "--out", "new/calls.jsonl")
    planned = botops(emulator, "plan", "--out", "new/plan.json")
    assert (exported.exit_code, planned.exit_code) == (0, 0), exported.output + planned.output
    assert sorted(p.name for p in (project / "new").iterdir()) == ["calls.jsonl", "plan.json"]


BIDI = "Support \u202eelif.exe\u202c \u2066x\u2069"


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_bidi_overrides_are_shown_escaped_in_plans(
    project: Path, demo: Emulator, output_format: str
) -> None:
    emulator = demo
    (project / "bots/support.yaml").write_text(
        f"kind: Voicebot\nbot_id: bot_support01\nname: {json.dumps(BIDI)}\n"
    )
    result = botops(emulator, "plan", "--format", output_format)
    assert result.exit_code == 0, result.output
    assert not any(ch in result.stdout for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069")
    assert "\\u202eelif.exe\\u202c" in result.stdout
    assert "\\u2066x\\u2069" in result.stdout


ESCAPE = "\x1b]0;owned\x07\x1b[2J\x1b[31mred"


@pytest.fixture(scope="module")
def hostile_conversations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    conversation = {
        "conversation_id": "c_evil",
        "bot_id": "bot_alpha",
        "start_time": "2026-04-07T09:00:00Z",
        "call_metadata": {
            "from": "+919800000001",
            "to": '=HYPERLINK("http://x.example","call me")',
            "duration_seconds": 60,
            "recording_url": "@SUM(A1:A9)",
        },
        "insights": {"sentiment": "positive", "intent": f"-2+3{ESCAPE}", "outcome": "resolved"},
        "transcript": [
            {"speaker": "user", "timestamp": "00:00:01", "text": f"hello {ESCAPE} \u202eworld"}
        ],
    }
    fixtures = tmp_path_factory.mktemp("hostile") / "hostile.json"
    bots = [{"bot_id": "bot_alpha", "name": f"Alpha {ESCAPE}", "version": "v1"}]
    fixtures.write_text(json.dumps({"bots": bots, "conversations": [conversation]}))
    emulator = start_emulator("--fixtures", str(fixtures))
    yield emulator
    emulator.stop()


@pytest.mark.parametrize(
    "args",
    [
        ["conversations", "get", "c_evil"],
        ["conversations", "list", "--fields", "insights"],
        ["analytics"],
    ],
)
def test_terminal_escapes_from_the_api_are_shown_not_obeyed(
    hostile_conversations: Emulator, args: list[str], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    result = botops(hostile_conversations, *args)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "\\x1b" in result.stdout


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    hostile_conversations: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    result = botops(
        hostile_conversations,
        "conversations",
        "export",
        "--out",
        "calls.csv",
        "--fields",
        "insights",
    )
    assert result.exit_code == 0, result.output
    import csv

    with (tmp_path / "calls.csv").open(newline="", encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["to"] == '\'=HYPERLINK("http://x.example","call me")'
    assert row["recording_url"] == "'@SUM(A1:A9)"
    # A CSV is read on a terminal too: what would drive one is escaped.
    assert row["intent"] == "'-2+3" + ESCAPE.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    assert row["from"] == "+919800000001"  # a phone number runs nothing: kept as it is
    assert row["conversation_id"] == "c_evil"


def test_the_cli_refuses_a_secret_in_the_base_url_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bot.yaml").write_text("kind: Voicebot\nname: Support\n")
    result = CliRunner().invoke(
        cli,
        ["plan", "--account", "Exotel", "--base-url", "http://h/?token=SECRET", "bot.yaml"],
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: base URL must not carry credentials, a query or a fragment: http://h/…; "
        "credentials go in BOTOPS_TOKEN or BOTOPS_API_KEY and BOTOPS_API_TOKEN"
    ]
    assert "SECRET" not in result.output
