"""One sticky comment per plan target: find it by its marker, edit it in place, or create it.

The comment's first line is a hidden marker `<!-- botops:plan TARGET -->`; whatever holds that
marker on the pull request is the one comment edited on every push (never a second one), so
two targets in one pull request get one comment each. A clean plan edits an existing comment to
say so and creates none (quiet when nothing changes) unless asked to.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from botops import __version__
from botops.forge.http import ForgeError, Trace
from botops.model import Plan
from botops.render.plan_markdown import render_markdown
from botops.render.tests import render_markdown as render_test_markdown

# GitHub refuses bodies over 65,536 characters; DESIGN §10 keeps the whole comment under this.
COMMENT_LIMIT = 65_000
# The conversation tests' share of it (`comment --tests`); the plan has the rest.
TESTS_LIMIT = 20_000

__all__ = ["COMMENT_LIMIT", "CommentResult", "ForgeError", "Provenance", "marker"]


@dataclass(frozen=True)
class Comment:
    id: str
    body: str
    url: str


class Forge(Protocol):
    """The comments of one pull request (GitHub) or merge request (GitLab)."""

    def comments(self) -> Iterator[Comment]:
        """Every comment, oldest first, across every page."""
        ...

    def create(self, body: str) -> Comment: ...

    def update(self, comment: Comment, body: str) -> Comment: ...


@dataclass(frozen=True)
class Provenance:
    """Where a plan comes from, for the comment's footer."""

    commit: str | None = None
    created_at: str | None = None
    run_url: str | None = None


@dataclass(frozen=True)
class CommentResult:
    outcome: Literal["created", "updated", "none"]
    url: str | None = None

    @property
    def line(self) -> str:
        """The one line `botops comment` prints."""
        if self.outcome == "none":
            return "no changes: no comment"
        return f"comment {self.outcome}: {self.url}"


def marker(plan: Plan, environment: str | None = None) -> str:
    """`<!-- botops:plan account_id@host[/ENV] -->`: the same target gives the same marker."""
    host = urllib.parse.urlsplit(plan.base_url).netloc
    target = f"{plan.account_id}@{host}" + (f"/{environment}" if environment else "")
    # `--` would end the HTML comment early and show the rest of the marker.
    target = target.replace("--", "-\u2010")
    return f"<!-- botops:plan {target} -->"


def comment_body(
    plan: Plan,
    provenance: Provenance,
    *,
    environment: str | None = None,
    tests: dict[str, Any] | None = None,
) -> str:
    """The whole comment: marker, the Markdown plan (shortened to fit), the conversation
    tests' section when there are results (`botops comment --tests`), footer; under
    `COMMENT_LIMIT` characters."""
    head = marker(plan, environment)
    foot = footer(provenance)
    section = "" if tests is None else "\n\n" + render_test_markdown(tests, limit=TESTS_LIMIT)
    room = COMMENT_LIMIT - 1 - len(head) - len(foot) - len(section) - len("\n\n\n\n")
    return f"{head}\n{render_markdown(plan, limit=room)}{section}\n\n---\n{foot}"


def footer(provenance: Provenance) -> str:
    parts = []
    if provenance.commit:
        parts.append(f"Plan of commit `{provenance.commit[:7]}`")
    else:
        parts.append("Plan (commit unknown)")
    if provenance.created_at:
        parts[-1] += f" made {_readable_time(provenance.created_at)}"
    if provenance.run_url:
        parts.append(f"[CI run]({provenance.run_url})")
    parts.append(f"botops {__version__}")
    return "<sub>" + " · ".join(parts) + "</sub>"


def _readable_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:40]
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def sticky_comment(
    forge: Forge,
    plan: Plan,
    *,
    provenance: Provenance,
    always: bool = False,
    environment: str | None = None,
    tests: dict[str, Any] | None = None,
) -> CommentResult:
    wanted = marker(plan, environment)
    existing = next((c for c in forge.comments() if _first_line(c.body) == wanted), None)
    failing = tests is not None and bool(tests["failed"] or tests["errors"])
    if existing is None and not plan.has_changes and not always and not failing:
        return CommentResult("none")
    body = comment_body(plan, provenance, environment=environment, tests=tests)
    if existing is not None:
        return CommentResult("updated", forge.update(existing, body).url)
    return CommentResult("created", forge.create(body).url)


def _first_line(body: str) -> str:
    return body.lstrip("\ufeff").split("\n", 1)[0].strip()


# ----------------------------------------------------------------------------- the use case


def comment_on_pull_request(
    plan: Plan,
    *,
    pr: int | None = None,
    always: bool = False,
    environ: Mapping[str, str] | None = None,
    trace: Trace | None = None,
    tests: dict[str, Any] | None = None,
) -> CommentResult:
    """Create or edit the plan's comment on the pull request (GitHub Actions) or merge request
    (GitLab CI) this job runs for; `pr` overrides the number CI gives. The footer's commit and
    time are the plan's own: a plan without a commit (format 1, or made outside git) says
    "commit unknown" rather than name this job's, and one without a time gets now."""
    from botops.forge import github, gitlab

    env = os.environ if environ is None else environ
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


def event_number(path: str) -> int | None:
    """`pull_request.number`, else `issue.number`, of a GitHub event file; None without one."""
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ForgeError(f"can't read the GitHub event file {path} (GITHUB_EVENT_PATH)") from None
    for key in ("pull_request", "issue"):
        item = event.get(key) if isinstance(event, dict) else None
        number = item.get("number") if isinstance(item, dict) else None
        if isinstance(number, int) and not isinstance(number, bool) and number > 0:
            return number
    return None
