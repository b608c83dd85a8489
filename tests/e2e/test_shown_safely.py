"""What botops shows from outside, and where it writes (issue 19, items 6, 7, 17, 19): through
the real CLI, the loopback forge and the emulator."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.forge_server import TOKEN, ForgeState
from tests.hostile_server import Handler, hostile
from tests.support import ROOT, Emulator, botops, github_pull_request


def comment(forge: ForgeState, tmp_path: Path, plan: Path, **extra: str) -> Result:
    from botops.cli import cli

    env = github_pull_request(tmp_path, forge.url, TOKEN) | extra
    return CliRunner().invoke(cli, ["comment", str(plan)], env=env)


def update(index: int, name: str, before: str, after: str) -> dict[str, Any]:
    return {
        "address": f"voicebot/bot_{index}",
        "id": f"bot_{index}",
        "file": f"bots/{index}.yaml",
        "action": "update",
        "source_version": "v1",
        "name": name,
        "changes": [{"path": "name", "before": before, "after": after}],
        "payload": {"source_version": "v1", "data": {"name": after}},
    }


def test_long_names_and_lines_mentions_and_html_stay_in_their_place(
    forge: ForgeState, tmp_path: Path
) -> None:
    huge = "Bot " + "x" * 100_000
    plan = {
        "format_version": 2,
        "base_url": "https://voicebot.in.exotel.com",
        "account_id": "Exotel",
        "environment": None,
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "created_at": "2026-12-01T10:00:00Z\x1b]52;c;aGk=\x07",
        "botops_version": "0.1.0",
        "resources": [
            update(1, huge, "Old one", huge),
            update(2, "ping @alice and @acme/security <img src=x onerror=alert(1)>", "a", "b"),
            update(3, "Three", "line\n" + "y" * 200_000 + "\nend", "line\nnew\nend"),
            update(4, "Four", "before four", "after four"),
        ],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))

    result = comment(forge, tmp_path, path)

    assert result.exit_code == 0, result.output
    [posted] = forge.comments("github", "acme/bots#7")
    body: str = posted["body"]
    # Every resource keeps its diff: one long name or line crowds out nothing.
    assert body.count("```diff") == 4
    assert '+ name: "after four"' in body and "+   new" in body
    # No mention pings anyone outside a code block, no HTML from data.
    outside = body.split("```")[::2]
    assert not any("@alice" in part or "@acme" in part for part in outside)
    assert "<img" not in body
    # The footer shows the plan file's time escaped.
    assert "\x1b" not in body and "\x07" not in body


def test_analytics_markdown_emits_no_html_from_api_data(
    emulator_factory: Any, tmp_path: Path
) -> None:
    fixtures = yaml.safe_load((ROOT / "tests/fixtures/analytics.yaml").read_text())
    fixtures["bots"][0]["name"] = "<img src=x onerror=alert(1)> @alice | [x](javascript:1)"
    for conversation in fixtures["conversations"]:
        conversation.setdefault("insights", {})["intent"] = "<script>alert(1)</script>"
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    emulator: Emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.json"))
    result = botops(emulator, "analytics", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "<img" not in result.stdout and "<script" not in result.stdout
    assert "@alice" not in result.stdout


def test_server_messages_are_escaped_in_error_lines(tmp_path: Path) -> None:
    def refuse(handler: Handler) -> None:
        body = json.dumps({"error": {"status": 400, "message": "bad \x1b]52;c;aGk=\x07 \u202e"}})
        data = body.encode()
        handler.send_response(400)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/line.yaml").write_text("kind: Voicebot\nbot_id: bot_line\nname: L\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    with hostile(refuse) as server:
        env.update(BOTOPS_ACCOUNT_ID="Exotel", BOTOPS_BASE_URL=server.url, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-m", "botops", "plan", "bots"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr and "\u202e" not in done.stderr
    assert "\\x1b]52" in done.stderr


# --- where --out and import write ------------------------------------------------------------


@pytest.fixture
def one_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any) -> Emulator:
    fixtures = {"bots": [{"bot_id": "bot_x", "name": "Botops", "version": "v1",
                          "supported_languages": ["en"]}]}  # fmt: skip
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    monkeypatch.chdir(tmp_path)
    emulator: Emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.json"))
    return emulator


def test_out_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(
    one_bot: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/x.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_x\nname: Botops\nsupported_languages: [en, hi]\n"
    )
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = botops(one_bot, "plan", "bots", "--out", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["resources"][0]["address"] == "voicebot/bot_x"
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    again = botops(one_bot, "plan", "bots", "--out", str(link))
    assert again.exit_code == 0, again.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and link.is_symlink()


def test_import_force_never_writes_over_the_project_file(one_bot: Emulator, tmp_path: Path) -> None:
    project = "account_id: Exotel\npaths: [.]\n"
    (tmp_path / "botops.yaml").write_text(project)
    (tmp_path / "notes.yaml").write_text("just: notes\n")
    result = botops(one_bot, "import", "--all", "--force")
    assert result.exit_code == 1
    assert "botops.yaml" in result.output and "nothing was written" in result.output
    assert (tmp_path / "botops.yaml").read_text() == project


# --- the sticky comment is botops's own -------------------------------------------------------


def test_a_strangers_comment_with_the_marker_is_never_edited(
    forge: ForgeState, tmp_path: Path
) -> None:
    marker = "<!-- botops:plan Exotel@voicebot.in.exotel.com -->"
    stranger = forge.add("github", "acme/bots#7", f"{marker}\nfake plan", author="mallory")
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {"format_version": 1, "base_url": "https://voicebot.in.exotel.com",
             "account_id": "Exotel", "resources": [update(1, "One", "a", "b")]}
        )
    )  # fmt: skip

    first = comment(forge, tmp_path, plan)
    second = comment(forge, tmp_path, plan)

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert stranger["body"] == f"{marker}\nfake plan"
    assert [w.method for w in forge.writes()] == ["POST", "PATCH"]
    assert forge.writes("PATCH")[0].path.endswith(
        f"/{forge.comments('github', 'acme/bots#7')[1]['id']}"
    )


def test_an_account_id_with_a_line_break_keeps_the_marker_one_line(
    forge: ForgeState, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {"format_version": 1, "base_url": "https://voicebot.in.exotel.com",
             "account_id": "Exo\ntel -->", "resources": [update(1, "One", "a", "b")]}
        )
    )  # fmt: skip
    result = comment(forge, tmp_path, plan)
    assert result.exit_code == 0, result.output
    [posted] = forge.comments("github", "acme/bots#7")
    first = posted["body"].splitlines()[0]
    assert first.startswith("<!-- botops:plan Exo tel") and first.endswith(" -->")
    assert first.count("-->") == 1


@pytest.mark.parametrize("url", ["http://xn--a.example", "https://xn--zz-zzzz.example/"])
def test_an_invalid_punycode_host_is_one_line(tmp_path: Path, url: str) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/line.yaml").write_text("kind: Voicebot\nbot_id: bot_line\nname: L\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_ACCOUNT_ID="Exotel", BOTOPS_BASE_URL=url, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "botops", "plan", "bots"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"Error: base URL {url!r} names no valid host"]


HOSTILE = "gpt\u200b-4o \x1b]52;c;aGk=\x07 \x1b[31m\u202eevil\u202c \x9b2J \U000e0041 क्\u200dष"


def test_machine_formats_escape_what_would_hide_or_drive_the_terminal(
    emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON (plan, history, conversations, analytics) escapes every hidden or driving
    character as `\\u` (the same JSON to a program); a CSV cell escapes what drives a terminal
    or reorders a line and keeps the joiners of Indic scripts."""
    from botops.support.text import HIDDEN

    fixtures = yaml.safe_load((ROOT / "tests/fixtures/analytics.yaml").read_text())
    bot = fixtures["bots"][0]
    bot["name"] = HOSTILE
    for conversation in fixtures["conversations"]:
        conversation.setdefault("insights", {})["intent"] = HOSTILE
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    emulator: Emulator = emulator_factory("--fixtures", str(tmp_path / "fixtures.json"))
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/one.yaml").write_text(
        f"kind: Voicebot\nbot_id: {bot['bot_id']}\nname: Plain name\n"
    )
    monkeypatch.chdir(tmp_path)

    outputs = {
        "plan": botops(emulator, "plan", "bots", "--format", "json"),
        "history": botops(emulator, "history", bot["bot_id"], "--format", "json"),
        "list": botops(
            emulator, "conversations", "list", "--fields", "insights", "--format", "json"
        ),
        "jsonl": botops(
            emulator, "conversations", "list", "--fields", "insights", "--format", "jsonl"
        ),
        "analytics": botops(emulator, "analytics", "--format", "json"),
    }
    for what, result in outputs.items():
        assert result.exit_code == 0, (what, result.output)
        assert HIDDEN.search(result.stdout) is None, what
    plan = json.loads(outputs["plan"].stdout)
    assert plan["resources"][0]["changes"][0]["before"] == HOSTILE
    listed = json.loads(outputs["list"].stdout)
    assert listed[0]["insights"]["intent"] == HOSTILE
    assert json.loads(outputs["jsonl"].stdout.splitlines()[0])["insights"]["intent"] == HOSTILE

    csv_out = botops(emulator, "conversations", "list", "--fields", "insights", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    assert not any(c in csv_out.stdout for c in "\x1b\x07\x9b\u202e\u202c")
    assert "\\x1b]52;c;aGk=\\x07" in csv_out.stdout
    assert "क्\u200dष" in csv_out.stdout
