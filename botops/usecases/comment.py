"""`botops comment`: the plan as the one sticky comment of its target on the pull request
(GitHub Actions) or merge request (GitLab CI) this job runs for (DESIGN §10)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botops.forge import github, gitlab
from botops.forge.http import ForgeError, Trace
from botops.forge.sticky import CommentResult, Provenance, sticky_comment
from botops.model import Plan
from botops.project.environments import named_environment
from botops.sync.planfile import refuse_other_environment


def comment_on_pull_request(
    plan: Plan,
    *,
    pr: int | None = None,
    always: bool = False,
    environment: str | None = None,
    environ: Mapping[str, str] | None = None,
    trace: Trace | None = None,
    tests: dict[str, Any] | None = None,
) -> CommentResult:
    """Create or edit the plan's comment on the pull request (GitHub Actions) or merge request
    (GitLab CI) this job runs for; `pr` overrides the number CI gives. The footer's commit and
    time are the plan's own: a plan without a commit (format 1, or made outside git) says
    "commit unknown" rather than name this job's, and one without a time gets now.

    The environment `--env` (`environment`), else `BOTOPS_ENV`, names, read as every command
    reads it, must be the plan's own; naming none comments any plan. `tests` (the results of
    `botops test`, `behaviour.results.read_results`) go under the plan in the same comment."""
    env = os.environ if environ is None else environ
    named, given = named_environment(environment, env)
    if named is not None:
        refuse_other_environment(plan, named, doing="comment", given=given)
    if env.get("GITHUB_ACTIONS") == "true":
        forge: github.GitHub | gitlab.GitLab = github.from_environment(env, pr=pr, trace=trace)
        run_url = github.run_url(env)
    elif env.get("GITLAB_CI") == "true":
        forge = gitlab.from_environment(env, pr=pr, trace=trace)
        run_url = env.get("CI_JOB_URL") or None
    else:
        raise ForgeError(
            "no pull request to comment on: not running in GitHub Actions (GITHUB_ACTIONS=true) "
            "or GitLab CI (GITLAB_CI=true)"
        )
    with forge:
        provenance = Provenance(
            # The plan's own commit only: the job's may be another (a later push, a merge ref).
            commit=plan.commit,
            created_at=plan.created_at or datetime.now(UTC).isoformat(timespec="seconds"),
            run_url=run_url,
        )
        return sticky_comment(
            forge,
            plan,
            provenance=provenance,
            always=always,
            environment=plan.environment,
            tests=tests,
        )
