"""Plan provenance (DESIGN §10): a plan file says which commit and time it is from, and
`apply --plan` says so before it writes."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from botops import __version__
from botops.sync.planner import current_commit
from tests.support import Emulator, botops

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def project(examples_project: Path) -> Path:
    return examples_project


def saved(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((project / "plan.json").read_text())
    return loaded


def test_plan_file_names_its_commit_time_and_version_and_apply_says_so(
    project: Path, emulator_factory: Any
) -> None:
    demo: Emulator = emulator_factory("--demo")
    botops(demo, "plan", "--out", "plan.json")
    outside_git = saved(project)["commit"]
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q"], check=True)
    (project / ".gitignore").write_text("plan.json\n")
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    botops(demo, "plan", "--out", "plan.json", CI_COMMIT_SHA="")
    in_git = saved(project)["commit"]
    before = datetime.now(UTC).replace(microsecond=0)
    result = botops(demo, "plan", "--out", "plan.json", GITHUB_SHA=SHA)
    after = datetime.now(UTC)
    plan = saved(project)
    applied = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")

    # CI's commit first, else the work tree's HEAD, else none.
    assert (outside_git, in_git) == (None, head) and len(head) == 40
    assert result.exit_code == 0, result.output
    assert plan["format_version"] == 2
    assert (plan["commit"], plan["botops_version"], plan["environment"]) == (
        SHA,
        __version__,
        None,
    )
    assert plan["created_at"].endswith("Z")
    assert before <= datetime.fromisoformat(plan["created_at"]) <= after
    assert applied.exit_code == 0, applied.output
    assert applied.stderr.splitlines()[0] == (
        f"Applying plan.json: the plan of commit 0123456, made {plan['created_at']} "
        f"by botops {__version__}."
    )


def test_a_plan_of_format_1_still_applies_and_says_it_has_no_provenance(
    project: Path, emulator_factory: Any
) -> None:
    demo: Emulator = emulator_factory("--demo")
    botops(demo, "plan", "--out", "plan.json")
    plan = saved(project)
    for key in ("environment", "commit", "created_at", "botops_version"):
        del plan[key]
    (project / "plan.json").write_text(json.dumps({**plan, "format_version": 1}))
    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "Applying plan.json: a plan of format 1, which does not say its commit or time."
    )
    assert "applied" in result.stdout


def git_project(project: Path) -> str:
    """The project committed as one commit (plan files ignored); its full hash."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q"], check=True)
    (project / ".gitignore").write_text("plan.json\n")
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_pull_request_plan_is_stamped_with_its_head_not_the_merge_commit(
    project: Path, emulator_factory: Any, tmp_path: Path
) -> None:
    demo: Emulator = emulator_factory("--demo")
    head = "fedcba9876543210fedcba9876543210fedcba98"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": head}}}))
    github = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    result = botops(demo, "plan", "--out", "plan.json", GITHUB_SHA=SHA, **github)
    assert result.exit_code == 0, result.output
    assert saved(project)["commit"] == head
    # After the merge (a push), the pushed commit; GitLab's merged results, the MR's head.
    botops(demo, "plan", "--out", "plan.json", GITHUB_SHA=SHA, GITHUB_EVENT_NAME="push")
    assert saved(project)["commit"] == SHA
    botops(
        demo,
        "plan",
        "--out",
        "plan.json",
        CI_COMMIT_SHA=SHA,
        CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=head,
    )
    assert saved(project)["commit"] == head
    # An event payload that is not what it claims is never trusted for a commit.
    event.write_text(json.dumps({"pull_request": {"head": {"sha": "not-a-sha; rm -rf /"}}}))
    botops(demo, "plan", "--out", "plan.json", GITHUB_SHA=SHA, **github)
    assert saved(project)["commit"] == SHA


def test_uncommitted_changes_stamp_plus_dirty_with_a_warning(
    project: Path, emulator_factory: Any
) -> None:
    demo: Emulator = emulator_factory("--demo")
    head = git_project(project)
    clean = botops(demo, "plan", "--out", "plan.json")
    assert (clean.exit_code, saved(project)["commit"]) == (0, head)
    assert "Warning" not in clean.stderr
    bot = project / "bots" / "customer-support.yaml"
    bot.write_text(bot.read_text() + "# edited, not committed\n")
    dirty = botops(demo, "plan", "--out", "plan.json")
    assert dirty.exit_code == 0, dirty.output
    assert saved(project)["commit"] == head + "+dirty"
    assert dirty.stderr.splitlines()[0] == (
        f"Warning: files under the project differ from their commit; this plan is stamped "
        f"{head[:7]}+dirty: commit them so that the stamp names what is applied"
    )
    applied = botops(demo, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    descriptions = [
        r["body"].get("version_description")
        for r in demo.requests()
        if r["method"] == "POST" and isinstance(r.get("body"), dict)
    ]
    assert descriptions and all(
        d is None or d.endswith(f"(commit {head[:7]}+dirty)") for d in descriptions
    )
    assert any(d is not None for d in descriptions)


def test_untracked_files_beside_the_project_are_no_change_those_beside_its_files_are(
    project: Path, emulator_factory: Any
) -> None:
    demo: Emulator = emulator_factory("--demo")
    head = git_project(project)
    # What botops and its users leave in the project's root: no change to what is planned.
    (project / "plan.json").write_text("{}")
    (project / "report.html").write_text("<html></html>")
    (project / "schemas").mkdir(exist_ok=True)
    (project / "schemas" / "extra.json").write_text("{}")
    clean = botops(demo, "plan", "--out", "plan.json")
    assert (clean.exit_code, saved(project)["commit"]) == (0, head), clean.output
    assert "Warning" not in clean.stderr
    # A new, uncommitted file where the resource files are may be what is planned.
    (project / "bots" / "prompts").mkdir(exist_ok=True)
    (project / "bots" / "prompts" / "new.md").write_text("Be brief.\n")
    dirty = botops(demo, "plan", "--out", "plan.json")
    assert dirty.exit_code == 0, dirty.output
    assert saved(project)["commit"] == head + "+dirty"


def test_commit_comes_from_ci_variables_then_git(tmp_path: Path) -> None:
    assert current_commit(tmp_path, {"CI_COMMIT_SHA": "ABCDEF0123456"}) == "ABCDEF0"
    assert current_commit(tmp_path, {}) is None  # not a git checkout
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q"]
        + ["--allow-empty", "-m", "x"],
        cwd=tmp_path,
        check=True,
    )
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert current_commit(tmp_path, {}) == head[:7]
