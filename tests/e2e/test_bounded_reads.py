"""Every read is bounded in time, size and pages (issue 19, items 10, 12, 13, 14): the real CLI,
as its own process, against a hostile loopback server (tests/hostile_server.py) standing in for
the Voicebot API or GitHub. Before these bounds each of these runs held the command forever (the
subprocess timeout is only the test's own guard)."""

from __future__ import annotations

import random
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.hostile_server import Handler, hostile
from tests.support import empty_plan_file, github_pull_request, run_cli

GUARD = 180  # seconds: a run still going then is a hang


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, timeout=GUARD, **env)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()[-1:]
    return line


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/line.yaml").write_text(
        "kind: Voicebot\nbot_id: bot_line\nname: Support Line\nsupported_languages: [en, hi]\n"
    )
    (tmp_path / "bots/named.yaml").write_text(
        "kind: Voicebot\nname: Found By Name\nsupported_languages: [en]\n"
    )
    return tmp_path


def test_a_dripping_answer_ends_plan_within_the_retry_deadline(project: Path) -> None:
    with hostile(Handler.drip) as server:
        done = run(project, "plan", "bots", BOTOPS_BASE_URL=server.url, BOTOPS_RETRY_DEADLINE="2")
    line = one_line_error(done)
    assert "no complete answer" in line and "within 2 s" in line


def test_an_endless_answer_is_refused_past_the_cap(project: Path) -> None:
    with hostile(Handler.endless) as server:
        done = run(project, "plan", "bots", BOTOPS_BASE_URL=server.url)
    line = one_line_error(done)
    assert "larger than 8 MB" in line


def repeating_list(handler: Handler) -> None:
    """A list that ignores `offset`: the same full page, whatever is asked."""
    if "/voicebots/bot_line" in handler.path:
        handler.json({"bot_id": "bot_line", "name": "Support Line", "version": "v1",
                      "supported_languages": ["en"]})  # fmt: skip
        return
    bots = [{"bot_id": f"bot_{i}", "name": f"Bot {i}", "version": "v1"} for i in range(100)]
    handler.json({"data": bots, "metadata": {}})


@pytest.mark.parametrize(
    "command", [("plan", "bots"), ("import", "--all", "--dir", "imported")], ids=["plan", "import"]
)
def test_a_list_that_repeats_itself_ends_in_one_line(
    project: Path, command: tuple[str, ...]
) -> None:
    with hostile(repeating_list) as server:
        done = run(project, *command, BOTOPS_BASE_URL=server.url)
    line = one_line_error(done)
    assert "the server repeats itself" in line
    assert not (project / "imported").exists()


def shuffled_list(handler: Handler) -> None:
    """A list that ignores `offset` and says no total: the same 100 bots, each time in another
    order (and with a field that changes), so no two pages are alike."""
    if "/voicebots/bot_line" in handler.path:
        handler.json({"bot_id": "bot_line", "name": "Support Line", "version": "v1",
                      "supported_languages": ["en"]})  # fmt: skip
        return
    bots = [{"bot_id": f"bot_{i}", "name": f"Bot {i}", "version": "v1",
             "served_at": time.monotonic_ns()} for i in range(100)]  # fmt: skip
    random.shuffle(bots)
    handler.json({"data": bots})


@pytest.mark.parametrize(
    "command",
    [("plan", "bots", "--unmanaged"), ("import", "--all", "--dir", "imported")],
    ids=["plan-unmanaged", "import"],
)
def test_a_list_that_repeats_itself_shuffled_ends_in_one_line(
    project: Path, command: tuple[str, ...]
) -> None:
    with hostile(shuffled_list) as server:
        done = run(project, *command, BOTOPS_BASE_URL=server.url)
    line = one_line_error(done)
    assert "the server repeats itself" in line
    assert not (project / "imported").exists()
    assert len([p for _, p in server.requests if "/voicebots?" in p]) == 2


# --- the forge ----------------------------------------------------------------------------


def comments_linking_to_themselves(handler: Handler) -> None:
    if handler.path.startswith("/user"):
        handler.json({"login": "botops-bot", "id": 1})
        return
    here = handler.path.split("?")[0]
    link = f'<http://{handler.headers["Host"]}{here}?per_page=100&page=2>; rel="next"'
    handler.json([{"id": 1, "body": "LGTM", "user": {"login": "someone"}}], headers={"Link": link})


def test_comment_pages_that_link_to_themselves_end_in_one_line(tmp_path: Path) -> None:
    with hostile(comments_linking_to_themselves) as server:
        done = run(
            tmp_path,
            "comment",
            str(empty_plan_file(tmp_path)),
            **github_pull_request(tmp_path, server.url),
        )
    line = one_line_error(done)
    assert "GitHub repeats itself" in line
    assert all(method == "GET" for method, _ in server.requests)


def shuffled_comments(handler: Handler) -> None:
    """The same 30 comments on every page, shuffled, each linking to the page after it."""
    if handler.path.startswith("/user"):
        handler.json({"login": "botops-bot", "id": 1})
        return
    here, _, query = handler.path.partition("?")
    page = int(dict(urllib.parse.parse_qsl(query)).get("page", "1"))
    link = f'<http://{handler.headers["Host"]}{here}?per_page=100&page={page + 1}>; rel="next"'
    comments = [{"id": i, "body": "LGTM", "user": {"login": "someone"}} for i in range(30)]
    random.shuffle(comments)
    handler.json(comments, headers={"Link": link})


def test_comment_pages_that_repeat_shuffled_end_in_one_line(tmp_path: Path) -> None:
    with hostile(shuffled_comments) as server:
        done = run(
            tmp_path,
            "comment",
            str(empty_plan_file(tmp_path)),
            **github_pull_request(tmp_path, server.url),
        )
    line = one_line_error(done)
    assert "GitHub repeats itself" in line
    assert all(method == "GET" for method, _ in server.requests)
    assert len([p for _, p in server.requests if "/comments" in p]) == 2


def test_a_dripping_forge_ends_within_the_deadline(tmp_path: Path) -> None:
    with hostile(Handler.drip) as server:
        env = github_pull_request(tmp_path, server.url) | {"BOTOPS_RETRY_DEADLINE": "2"}
        done = run(tmp_path, "comment", str(empty_plan_file(tmp_path)), **env)
    line = one_line_error(done)
    assert "gave no complete answer within 2 s" in line


def test_an_endless_forge_answer_is_refused_past_the_cap(tmp_path: Path) -> None:
    with hostile(Handler.endless) as server:
        done = run(
            tmp_path,
            "comment",
            str(empty_plan_file(tmp_path)),
            **github_pull_request(tmp_path, server.url),
        )
    line = one_line_error(done)
    assert "more than 8 MB" in line


@pytest.mark.parametrize(
    "token", ["ghs_first\nghs_second", "ghs_tökén", "ghs_\x1b]52;c;aGk=\x07"], ids=str
)
def test_a_forge_token_that_cannot_be_a_header_is_refused_unquoted(
    tmp_path: Path, token: str
) -> None:
    with hostile(comments_linking_to_themselves) as server:
        done = run(
            tmp_path,
            "comment",
            str(empty_plan_file(tmp_path)),
            **github_pull_request(tmp_path, server.url, token),
        )
        assert server.requests == []
    line = one_line_error(done)
    assert "GITHUB_TOKEN" in line
    for part in token.split("\n"):
        assert part[4:] not in done.stdout + done.stderr
