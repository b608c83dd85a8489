"""`botops comment`: one sticky comment per target on a real (loopback) GitHub and GitLab."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.forge_server import GITLAB_TOKEN, TOKEN, ForgeState

SHA = "0123456789abcdef0123456789abcdef01234567"


def plan_file(
    directory: Path,
    *,
    changed: bool,
    account: str = "Exotel",
    name: str = "plan.json",
    environment: str | None = None,
) -> Path:
    """A saved plan (DESIGN §4) for one voicebot, changed or not."""
    resource: dict[str, Any] = {
        "address": "voicebot/bot_support01",
        "id": "bot_support01",
        "file": "bots/support.yaml",
        "action": "update" if changed else "no-op",
        "source_version": "v3",
        "changes": [{"path": "supported_languages", "before": ["en"], "after": ["en", "hi"]}]
        if changed
        else [],
        "payload": {"source_version": "v3", "data": {"supported_languages": ["en", "hi"]}}
        if changed
        else None,
        "name": "Support",
    }
    plan = {
        "format_version": 1,
        "base_url": "https://voicebot.in.exotel.com",
        "account_id": account,
        "resources": [resource],
    }
    if environment is not None:
        plan |= {
            "format_version": 2,
            "environment": environment,
            "commit": SHA,
            "created_at": "2026-12-01T10:00:00Z",
            "botops_version": "0.1.0",
        }
    path = directory / name
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def github_env(
    forge: ForgeState, tmp_path: Path, *, number: int = 7, **extra: str | None
) -> dict[str, str | None]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": number}}), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITLAB_CI": None,
        "GITHUB_API_URL": forge.url,
        "GITHUB_REPOSITORY": "acme/bots",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_SHA": SHA,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "4242",
        **extra,
    }


def gitlab_env(forge: ForgeState, **extra: str | None) -> dict[str, str | None]:
    return {
        "GITLAB_CI": "true",
        "GITHUB_ACTIONS": None,
        "CI_API_V4_URL": f"{forge.url}/api/v4",
        "CI_PROJECT_ID": "99",
        "CI_PROJECT_URL": "https://gitlab.test/acme/bots",
        "CI_MERGE_REQUEST_IID": "5",
        "CI_JOB_URL": "https://gitlab.test/acme/bots/-/jobs/77",
        "CI_COMMIT_SHA": SHA,
        "BOTOPS_GITLAB_TOKEN": GITLAB_TOKEN,
        **extra,
    }


def comment(env: dict[str, str | None], *args: str, debug: bool = False) -> Result:
    from botops.cli import cli

    arguments = ["--debug"] * debug + ["comment", *args]
    return CliRunner().invoke(cli, arguments, env=env, catch_exceptions=False)


def others(forge: ForgeState, kind: str, thread: str, count: int) -> None:
    """`count` comments by people before botops's, so its comment lands past the first page."""
    for index in range(count):
        forge.add(kind, thread, f"LGTM {index}")


def no_token_anywhere(*results: Result) -> None:
    for result in results:
        for text in (result.stdout, result.stderr):
            assert TOKEN not in text and GITLAB_TOKEN not in text


# --- GitHub -------------------------------------------------------------------------------


def test_three_runs_leave_one_comment_found_past_the_first_page(
    forge: ForgeState, tmp_path: Path
) -> None:
    others(forge, "github", "acme/bots#7", 120)
    env = github_env(forge, tmp_path)
    plan = plan_file(tmp_path, changed=True)
    results = [comment(env, str(plan), debug=i == 2) for i in range(3)]

    assert [r.exit_code for r in results] == [0, 0, 0]
    comments = forge.comments("github", "acme/bots#7")
    assert len(comments) == 121
    mine = comments[120]
    url = f"https://github.test/acme/bots/pull/7#issuecomment-{mine['id']}"
    assert results[0].stdout == f"comment created: {url}\n"
    assert results[1].stdout == results[2].stdout == f"comment updated: {url}\n"
    assert [w.method for w in forge.writes()] == ["POST", "PATCH", "PATCH"]
    # Every page was read, 100 at a time, with the headers GitHub asks for.
    # Each run asks who the token is (`GET /user`) before reading the comments.
    assert [r.path for r in forge.requests if r.path.endswith("/user")] == ["/user"] * 3 or [
        r.path for r in forge.requests if r.path.endswith("/user")
    ] == ["/api/v4/user"] * 3
    reads = [r for r in forge.requests if r.method == "GET" and not r.path.endswith("/user")]
    assert [r.query.get("page", "1") for r in reads] == ["1", "2"] * 3
    assert {r.query["per_page"] for r in reads} == {"100"}
    assert {r.accept for r in forge.requests} == {"application/vnd.github+json"}
    assert forge.writes("PATCH")[0].path == f"/repos/acme/bots/issues/comments/{mine['id']}"

    body = mine["body"]
    assert body.splitlines()[0] == "<!-- botops:plan Exotel@voicebot.in.exotel.com -->"
    assert "supported_languages" in body
    # A format-1 plan has no commit: the job's (GITHUB_SHA) is not claimed for it.
    assert "commit unknown" in body and "`0123456`" not in body
    assert "[CI run](https://github.test/acme/bots/actions/runs/4242)" in body
    assert "debug: GET" in results[2].stderr
    no_token_anywhere(*results)


def test_two_targets_get_a_comment_each(forge: ForgeState, tmp_path: Path) -> None:
    env = github_env(forge, tmp_path)
    staging = plan_file(tmp_path, changed=True, account="acme-staging", name="staging.json")
    prod = plan_file(tmp_path, changed=True, account="acme", name="prod.json")
    for _ in range(2):
        for plan in (staging, prod):
            assert comment(env, str(plan)).exit_code == 0

    firsts = [c["body"].splitlines()[0] for c in forge.comments("github", "acme/bots#7")]
    assert firsts == [
        "<!-- botops:plan acme-staging@voicebot.in.exotel.com -->",
        "<!-- botops:plan acme@voicebot.in.exotel.com -->",
    ]
    assert [w.method for w in forge.writes()] == ["POST", "POST", "PATCH", "PATCH"]


def test_each_environment_gets_its_own_comment(forge: ForgeState, tmp_path: Path) -> None:
    env = github_env(forge, tmp_path)
    staging = plan_file(tmp_path, changed=True, name="staging.json", environment="staging")
    prod = plan_file(tmp_path, changed=True, name="prod.json", environment="prod")
    assert comment(env, str(staging), "--env", "staging").exit_code == 0
    assert comment(env, str(prod)).exit_code == 0

    firsts = [c["body"].splitlines()[0] for c in forge.comments("github", "acme/bots#7")]
    assert firsts == [
        "<!-- botops:plan Exotel@voicebot.in.exotel.com/staging -->",
        "<!-- botops:plan Exotel@voicebot.in.exotel.com/prod -->",
    ]


def test_a_plan_of_another_environment_is_refused(forge: ForgeState, tmp_path: Path) -> None:
    staging = plan_file(tmp_path, changed=True, environment="staging")
    result = comment(github_env(forge, tmp_path), str(staging), "--env", "prod")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the plan was made for environment 'staging' but --env names 'prod'; "
        "refusing to comment it elsewhere\n"
    )
    assert forge.writes() == []


def test_botops_env_is_read_as_plan_and_apply_read_it(forge: ForgeState, tmp_path: Path) -> None:
    prod = plan_file(tmp_path, changed=True, environment="prod")
    spaced = comment(github_env(forge, tmp_path, BOTOPS_ENV=" prod "), str(prod))
    other = comment(github_env(forge, tmp_path, BOTOPS_ENV="staging"), str(prod))

    assert (spaced.exit_code, spaced.stderr) == (0, "")
    assert spaced.stdout.startswith("comment created: ")
    assert other.exit_code == 1
    assert other.stderr == (
        "Error: the plan was made for environment 'prod' but BOTOPS_ENV names 'staging'; "
        "refusing to comment it elsewhere\n"
    )
    assert len(forge.writes()) == 1


def test_a_clean_plan_creates_no_comment(forge: ForgeState, tmp_path: Path) -> None:
    result = comment(github_env(forge, tmp_path), str(plan_file(tmp_path, changed=False)))

    assert (result.exit_code, result.stdout) == (0, "no changes: no comment\n")
    assert forge.writes() == []


def test_a_clean_plan_edits_the_existing_comment_to_say_so(
    forge: ForgeState, tmp_path: Path
) -> None:
    env = github_env(forge, tmp_path)
    comment(env, str(plan_file(tmp_path, changed=True)))
    result = comment(env, str(plan_file(tmp_path, changed=False)))

    assert result.stdout.startswith("comment updated: ")
    (only,) = forge.comments("github", "acme/bots#7")
    assert "No changes." in only["body"] and "supported_languages" not in only["body"]


def test_always_comments_on_a_clean_plan(forge: ForgeState, tmp_path: Path) -> None:
    result = comment(
        github_env(forge, tmp_path), str(plan_file(tmp_path, changed=False)), "--always"
    )

    assert result.stdout.startswith("comment created: ")
    assert [w.method for w in forge.writes()] == ["POST"]


def test_pr_option_overrides_the_event(forge: ForgeState, tmp_path: Path) -> None:
    env = github_env(forge, tmp_path, GITHUB_EVENT_PATH=None)
    result = comment(env, str(plan_file(tmp_path, changed=True)), "--pr", "31")

    assert result.exit_code == 0
    assert forge.writes()[0].path == "/repos/acme/bots/issues/31/comments"


def test_a_forks_read_only_token_gets_one_line_naming_the_cause(
    forge: ForgeState, tmp_path: Path
) -> None:
    forge.read_only = True
    result = comment(github_env(forge, tmp_path), str(plan_file(tmp_path, changed=True)))

    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: GitHub refused to comment on pull request #7 (403 ")
    assert "fork" in line and "read-only GITHUB_TOKEN" in line
    no_token_anywhere(result)


def test_debug_traceback_of_a_refusal_shows_no_token(forge: ForgeState, tmp_path: Path) -> None:
    forge.read_only = True
    env = {k: v for k, v in os.environ.items() if k not in ("GITLAB_CI",)}
    env.update({k: v for k, v in github_env(forge, tmp_path).items() if v is not None})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "botops",
            "comment",
            str(plan_file(tmp_path, changed=True)),
            "--debug",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ForgeError" in done.stderr
    assert "debug: GET " in done.stderr and "-> 403" in done.stderr
    assert TOKEN not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"GITHUB_TOKEN": None}, "Error: no token to comment with: set GITHUB_TOKEN"),
        (
            {"GITHUB_EVENT_PATH": None, "GITHUB_EVENT_NAME": "push"},
            "Error: no pull request to comment on: the push event names none",
        ),
        ({"GITHUB_ACTIONS": None}, "Error: no pull request to comment on: not running in"),
        ({"GITHUB_TOKEN": "wrong"}, "Error: GitHub refused the token to find out who the token is"),
    ],
)
def test_what_stops_a_comment_is_one_line(
    forge: ForgeState, tmp_path: Path, change: dict[str, str | None], expected: str
) -> None:
    result = comment(github_env(forge, tmp_path, **change), str(plan_file(tmp_path, changed=True)))

    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(expected)
    assert forge.writes() == []


def test_the_comment_stays_under_65000_characters(forge: ForgeState, tmp_path: Path) -> None:
    plan = json.loads(plan_file(tmp_path, changed=True).read_text())
    resource = plan["resources"][0]
    resources = []
    for index in range(400):
        item = json.loads(json.dumps(resource))
        item["address"] = item["payload"]["data"]["x"] = f"voicebot/bot_{index:04d}"
        item["id"] = f"bot_{index:04d}"
        item["changes"] = [{"path": "name", "before": "a" * 300, "after": "b" * 300}]
        resources.append(item)
    plan["resources"] = resources
    (tmp_path / "big.json").write_text(json.dumps(plan))

    assert comment(github_env(forge, tmp_path), str(tmp_path / "big.json")).exit_code == 0
    (only,) = forge.comments("github", "acme/bots#7")
    assert 60_000 < len(only["body"]) < 65_000
    assert only["body"].rstrip().endswith("</sub>")


def test_the_footer_names_the_plans_own_commit_and_time(forge: ForgeState, tmp_path: Path) -> None:
    path = plan_file(tmp_path, changed=True)
    plan = json.loads(path.read_text())
    plan.update(
        format_version=2,
        environment=None,
        commit="feedbee" + "0" * 33,
        created_at="2026-11-30T08:05:00Z",
        botops_version="0.1.0",
    )
    path.write_text(json.dumps(plan))
    assert comment(github_env(forge, tmp_path), str(path)).exit_code == 0

    (only,) = forge.comments("github", "acme/bots#7")
    footer = only["body"].splitlines()[-1]
    assert "`feedbee`" in footer and "2026-11-30 08:05 UTC" in footer
    assert "`0123456`" not in only["body"]


@pytest.mark.parametrize("format_version", [1, 2])
def test_a_plan_without_a_commit_never_names_the_jobs(
    forge: ForgeState, tmp_path: Path, format_version: int
) -> None:
    """GITHUB_SHA is the job's commit, which may not be the plan's (review finding 7)."""
    path = plan_file(tmp_path, changed=True)
    plan = json.loads(path.read_text())
    if format_version == 2:
        plan.update(
            format_version=2,
            environment=None,
            commit=None,
            created_at="2026-11-30T08:05:00Z",
            botops_version="0.1.0",
        )
    path.write_text(json.dumps(plan))
    assert comment(github_env(forge, tmp_path), str(path)).exit_code == 0

    (only,) = forge.comments("github", "acme/bots#7")
    footer = only["body"].splitlines()[-1]
    assert footer.startswith("<sub>Plan (commit unknown) made ")
    assert SHA[:7] not in only["body"]


def test_no_event_name_is_not_the_this_event(forge: ForgeState, tmp_path: Path) -> None:
    env = github_env(forge, tmp_path, GITHUB_EVENT_PATH=None, GITHUB_EVENT_NAME=None)
    result = comment(env, str(plan_file(tmp_path, changed=True)))

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: no pull request to comment on: this run's event names none; "
        "run on pull_request, or pass --pr N\n"
    )


# --- GitLab -------------------------------------------------------------------------------


def test_gitlab_three_runs_leave_one_note_found_past_the_first_page(
    forge: ForgeState, tmp_path: Path
) -> None:
    others(forge, "gitlab", "99!5", 130)
    env = gitlab_env(forge)
    plan = plan_file(tmp_path, changed=True)
    results = [comment(env, str(plan), debug=i == 2) for i in range(3)]

    assert [r.exit_code for r in results] == [0, 0, 0]
    notes = forge.comments("gitlab", "99!5")
    assert len(notes) == 131
    url = f"https://gitlab.test/acme/bots/-/merge_requests/5#note_{notes[130]['id']}"
    assert results[0].stdout == f"comment created: {url}\n"
    assert results[2].stdout == f"comment updated: {url}\n"
    assert [w.method for w in forge.writes()] == ["POST", "PUT", "PUT"]
    assert {r.private_token for r in forge.requests} == {GITLAB_TOKEN}
    # Each run asks who the token is (`GET /user`) before reading the comments.
    assert [r.path for r in forge.requests if r.path.endswith("/user")] == ["/user"] * 3 or [
        r.path for r in forge.requests if r.path.endswith("/user")
    ] == ["/api/v4/user"] * 3
    reads = [r for r in forge.requests if r.method == "GET" and not r.path.endswith("/user")]
    assert [r.query["page"] for r in reads] == ["1", "2"] * 3
    assert (
        forge.writes("PUT")[0].path
        == f"/api/v4/projects/99/merge_requests/5/notes/{notes[130]['id']}"
    )
    assert "[CI run](https://gitlab.test/acme/bots/-/jobs/77)" in notes[130]["body"]
    no_token_anywhere(*results)


def test_gitlab_two_targets_and_a_clean_plan(forge: ForgeState, tmp_path: Path) -> None:
    env = gitlab_env(forge)
    assert comment(env, str(plan_file(tmp_path, changed=False))).stdout == (
        "no changes: no comment\n"
    )
    for account in ("acme-staging", "acme", "acme"):
        comment(env, str(plan_file(tmp_path, changed=True, account=account)))

    assert len(forge.comments("gitlab", "99!5")) == 2
    assert [w.method for w in forge.writes()] == ["POST", "POST", "PUT"]


def test_gitlab_refusal_and_missing_token_are_one_line(forge: ForgeState, tmp_path: Path) -> None:
    plan = str(plan_file(tmp_path, changed=True))
    forge.read_only = True
    refused = comment(gitlab_env(forge), plan)
    no_token = comment(gitlab_env(forge, BOTOPS_GITLAB_TOKEN=None), plan)
    no_mr = comment(gitlab_env(forge, CI_MERGE_REQUEST_IID=None), plan)

    assert [r.exit_code for r in (refused, no_token, no_mr)] == [1, 1, 1]
    assert refused.stderr.startswith("Error: GitLab refused to add a note to merge request !5 (403")
    assert "fork" in refused.stderr
    assert no_token.stderr.startswith("Error: no token to comment with: set BOTOPS_GITLAB_TOKEN")
    assert no_mr.stderr.startswith("Error: no merge request to comment on: CI_MERGE_REQUEST_IID")
    for result in (refused, no_token, no_mr):
        assert len(result.stderr.splitlines()) == 1
    no_token_anywhere(refused, no_token, no_mr)
