"""The ready workflows of examples/ci and what `botops init` writes: their shape (jobs, rules,
environments, secrets)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from botops import __version__
from tests.support import ROOT

GITHUB = ROOT / "examples" / "ci" / "github"
GITLAB = ROOT / "examples" / "ci" / "gitlab" / ".gitlab-ci.yml"


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((GITHUB / name).read_text())
    return loaded


def test_forks_get_validate_only_and_no_secrets() -> None:
    jobs = workflow("botops.yml")["jobs"]
    fork, plan = jobs["validate-fork"], jobs["plan"]

    assert "head.repo.full_name != github.repository" in fork["if"]
    assert "secrets." not in json.dumps(fork)
    assert [s.get("with", {}).get("command") for s in fork["steps"]] == [None, "validate"]
    assert "head.repo.full_name == github.repository" in plan["if"]
    assert plan["permissions"]["pull-requests"] == "write"


def test_apply_runs_in_an_environment_one_at_a_time_per_target() -> None:
    document = workflow("botops.yml")
    apply = document["jobs"]["apply"]

    assert document[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as true
    assert apply["environment"] == "production"
    assert apply["concurrency"] == {"group": "botops-apply-production", "cancel-in-progress": False}
    assert apply["steps"][-1]["with"] == {"command": "apply", "plan-from": "pull-request"}
    # What the reviewed-plan lookup reads: the commit's pull request, its run's artifact.
    assert apply["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "read",
    }
    # The plan job's action step keeps the plan file (action.yml uploads it).
    # The next step runs the conversation tests of what the plan changes, into the same comment.
    plan_steps = document["jobs"]["plan"]["steps"]
    assert [s.get("uses") for s in plan_steps] == [
        "actions/checkout@v4",
        "botops/botops@v" + __version__,
        "botops/botops@v" + __version__,
    ]
    assert plan_steps[2]["with"] == {"command": "test"}
    assert plan_steps[2]["env"]["BOTOPS_LLM_API_KEY"] == "${{ secrets.BOTOPS_LLM_API_KEY }}"


def test_init_writes_the_same_workflow() -> None:
    template = ROOT / "botops" / "templates" / "github-workflow.yml"
    pinned = template.read_text().replace("{version}", __version__)
    assert pinned == (GITHUB / "botops.yml").read_text()


def test_gitlab_jobs_have_the_rules_and_serialised_apply() -> None:
    document = yaml.safe_load(GITLAB.read_text())

    merge_request = '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert document["botops:validate"]["rules"] == [{"if": merge_request}]
    # Forks: validate only.
    assert document["botops:plan"]["rules"] == [
        {"if": f"{merge_request} && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID"}
    ]
    assert document["botops:validate"]["artifacts"]["reports"] == {
        "codequality": "botops-codequality.json"
    }
    apply = document["botops:apply"]
    assert apply["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert apply["resource_group"] == "botops-production"
    assert apply["environment"] == {"name": "production"}


def test_drift_reads_with_read_only_credentials_outside_production() -> None:
    """Drift runs every day: in the protected environment it would wait for a reviewer, and it
    needs no write access at all."""
    job = workflow("drift.yml")["jobs"]["drift"]
    assert "environment" not in job
    text = json.dumps(job)
    assert "secrets.BOTOPS_READONLY_TOKEN" in text and "secrets.BOTOPS_TOKEN" not in text
