"""Configuration anyone can get wrong ends in one line naming what was wrong, never a traceback
(issue 19): forge API URLs the HTTP stack can't use (issue 19, item 16's siblings), and GitHub
event files of every shape. The real CLI as its own process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import empty_plan_file, github_pull_request, run_cli

GUARD = 180  # seconds: the test's own bound, never reached by a passing run


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, timeout=GUARD, **env)


BAD_URLS = [
    "http://a..b",
    "http://" + "a" * 300 + ".example",
    "http://" + ("abcdefgh." * 40) + "example",
    "http://[::1",
    "http://exa mple.com",
    "http://xn--zz.example",
    "http://host:99999",
    "ftp://host.example",
]


@pytest.mark.parametrize("url", BAD_URLS, ids=range(len(BAD_URLS)))
@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_a_forge_api_url_the_stack_cannot_use_is_one_line(
    tmp_path: Path, forge: str, url: str
) -> None:
    if forge == "github":
        variable = "GITHUB_API_URL"
        env = github_pull_request(tmp_path, url)
    else:
        variable = "CI_API_V4_URL"
        env = {
            "GITLAB_CI": "true",
            "CI_API_V4_URL": url,
            "CI_PROJECT_ID": "99",
            "CI_MERGE_REQUEST_IID": "5",
            "BOTOPS_GITLAB_TOKEN": "glpat-" + "t" * 20,
        }
    done = run(tmp_path, "comment", str(empty_plan_file(tmp_path)), **env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert variable in line
    assert "t" * 20 not in line


@pytest.mark.parametrize("url", BAD_URLS[:6], ids=range(6))
def test_a_voicebot_base_url_with_a_bad_host_is_refused_before_sending(
    tmp_path: Path, url: str
) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/x.yaml").write_text("kind: Voicebot\nname: X\nsupported_languages: [en]\n")
    done = run(tmp_path, "plan", "bots", BOTOPS_BASE_URL=url, BOTOPS_TOKEN="tok_" + "s" * 20)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "base URL" in line and "can't reach" not in line


# --- GitHub event files of every shape ------------------------------------------------------


def event_shapes(directory: Path) -> dict[str, Path]:
    """An event file of each shape anyone who can write it may give it."""
    shapes: dict[str, bytes] = {
        "pull-request-a-list": b'{"pull_request": []}',
        "head-a-list": b'{"pull_request": {"head": [], "number": 7}}',
        "sha-a-number": b'{"pull_request": {"head": {"sha": 5}}}',
        "a-list": b"[1, 2]",
        "a-string": b'"pull_request"',
        "null": b"null",
        "not-json": b"{pull_request",
        "not-utf8": b'{"pull_request": "\xff\xfe"}',
        "deep": b"[" * 200_000 + b"]" * 200_000,
        "huge": b'{"pull_request": {"number": 7}, "pad": "' + b"x" * (9 * 1024 * 1024) + b'"}',
    }
    paths = {}
    for name, data in shapes.items():
        paths[name] = directory / f"{name}.json"
        paths[name].write_bytes(data)
    (directory / "a-directory").mkdir()
    paths["a-directory"] = directory / "a-directory"
    paths["missing"] = directory / "missing.json"
    os.mkfifo(directory / "a-fifo")
    paths["a-fifo"] = directory / "a-fifo"
    return paths


SHAPES = [
    "pull-request-a-list", "head-a-list", "sha-a-number", "a-list", "a-string", "null",
    "not-json", "not-utf8", "deep", "huge", "a-directory", "missing", "a-fifo",
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
def test_plan_takes_an_event_file_of_any_shape_as_no_pull_request_head(
    tmp_path: Path, emulator: Any, shape: str
) -> None:
    events = tmp_path / "events"
    events.mkdir()
    path = event_shapes(events)[shape]
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots/x.yaml").write_text(
        "kind: Voicebot\nname: X\ndescription: A bot for tests\nsupported_languages: [en]\n"
    )
    done = run(
        tmp_path,
        "plan",
        "bots",
        BOTOPS_BASE_URL=emulator.url,
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(path),
        GITHUB_SHA="c" * 40,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "create" in done.stdout


@pytest.mark.parametrize("shape", [s for s in SHAPES if not s.startswith(("pull", "head"))])
def test_comment_refuses_an_event_file_it_cannot_use_in_one_line(
    tmp_path: Path, shape: str
) -> None:
    events = tmp_path / "events"
    events.mkdir()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "GITHUB_REPOSITORY": "acme/bots",
        "GITHUB_EVENT_PATH": str(event_shapes(events)[shape]),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_TOKEN": "ghs_" + "t" * 36,
    }
    done = run(tmp_path, "comment", str(empty_plan_file(tmp_path)), **env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "event" in line
