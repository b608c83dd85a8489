"""The action's step before `apply` with `plan-from: pull-request` (action.yml): find the plan a
reviewer saw, so apply sends exactly that.

The pushed commit ($GITHUB_SHA) -> the merged pull request it came from
(GET /repos/{repo}/commits/{sha}/pulls), which must come from a branch of this repository ->
that pull request's head commit -> its latest successful `pull_request` run of the botops
workflow itself ($BOTOPS_ACTION_WORKFLOW: its path, else the runner's GITHUB_WORKFLOW_REF), in this
repository with its head here too, holding the plan artifact ($BOTOPS_ACTION_ARTIFACT), via
GET /repos/{repo}/actions/runs?head_sha=...&event=pull_request&status=success and
GET /repos/{repo}/actions/runs/{id}/artifacts?name=....

Found: `run-id`, `artifact`, `pull-request`, `plan-dir`, `plan-file` go to $GITHUB_OUTPUT and
actions/download-artifact fetches the file. None found (a direct push, the artifact expired):
exit 1 with one line saying why, unless BOTOPS_ACTION_ALLOW_UNREVIEWED=true, then a warning
and no outputs (the apply step then plans afresh, and says so). Stdlib only: it runs before
anything but Python is known to be there. The token goes in a header only, never in output.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class NotFound(Exception):
    """No reviewed plan: the message says why."""


class Refused(Exception):
    """The API said no: never a reason to apply an unreviewed plan instead."""


class Unexpected(Refused):
    """The API answered something of a shape it never answers: nothing is taken from it."""


def get(path: str, query: dict[str, str] | None = None) -> Any:
    base = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    request = urllib.request.Request(
        url,
        headers={
            "Authorization": f"Bearer {os.environ.get('GITHUB_TOKEN', '')}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(_bounded(answer, path))
    except urllib.error.HTTPError as error:
        hint = ""
        if error.code in (401, 403, 404):
            hint = " (the job needs `permissions: actions: read, pull-requests: read`)"
        raise Refused(f"GitHub answered {error.code} to GET {path}{hint}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise Refused(f"could not read GET {path}: {type(error).__name__}") from None
    except (ValueError, RecursionError):
        raise Unexpected(f"GET {path} answered something that is not JSON") from None


def _field(value: Any, key: str, kind: type, path: str) -> Any:
    """`value[key]` when `value` is an object and that is a `kind` (a bool is no int); anything
    else is `Unexpected`, naming the request and the field."""
    found = value.get(key) if isinstance(value, dict) else None
    if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
        what = "an object" if isinstance(value, dict) else f"{type(value).__name__}, not an object"
        raise Unexpected(
            f"GET {path} answered without `{key}` as {kind.__name__} (the answer is {what})"
        )
    return found


def _objects(value: Any, path: str) -> list[dict[str, Any]]:
    """The objects of a list answer; anything but a list is `Unexpected`."""
    if not isinstance(value, list):
        raise Unexpected(f"GET {path} answered {type(value).__name__}, not a list")
    return [item for item in value if isinstance(item, dict)]


# Every answer is read whole within these bounds: a server that drips bytes or answers without
# end can't hold the merge job.
MAX_BODY = 8 * 1024 * 1024
DEADLINE = 60.0


def _bounded(answer: Any, path: str) -> bytes:
    started = time.monotonic()
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = answer.read1(65536) if hasattr(answer, "read1") else answer.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(f"GET {path} answered more than {MAX_BODY // 1024 // 1024} MB")
        if time.monotonic() - started > DEADLINE:
            raise Refused(f"GET {path} did not answer whole within {DEADLINE:.0f} s")
        chunks.append(chunk)


def find(
    repo: str, sha: str, artifact: str, workflow: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The merged pull request of `sha` and the latest successful run of `workflow` (its path in
    the repository) with the artifact, on a pull request from this repository."""
    path = f"/repos/{repo}/commits/{sha}/pulls"
    pulls = [p for p in _objects(get(path), path) if p.get("merged_at")]
    if not pulls:
        raise NotFound(f"commit {sha[:7]} came from no merged pull request (a direct push?)")
    # A merge commit names its pull request; a squash or rebase can only be associated.
    pull = next((p for p in pulls if p.get("merge_commit_sha") == sha), pulls[0])
    number = _field(pull, "number", int, path)
    head = _field(_field(pull, "head", dict, path), "sha", str, path)
    if len(head) != 40 or any(c not in "0123456789abcdef" for c in head.lower()):
        raise Unexpected(f"GET {path} answered a head sha that is not a commit hash")
    head_repo = _dig(pull, "head", "repo", "full_name")
    if head_repo != repo:
        # A fork's pull request runs whatever workflows the fork adds: none of its artifacts
        # is a plan anyone reviewed for this repository.
        raise NotFound(
            f"pull request #{number} comes from another repository ({_shown(head_repo)}); "
            "only a pull request from a branch of this repository has a reviewed plan"
        )
    path = f"/repos/{repo}/actions/runs"
    answer = get(
        path, {"head_sha": head, "event": "pull_request", "status": "success", "per_page": "100"}
    )
    runs = _objects(_field(answer, "workflow_runs", list, path), path)
    own = [r for r in runs if _ours(r, repo, workflow)]
    for run in own:
        _field(run, "id", int, path)
    for run in sorted(own, key=lambda r: (str(r.get("created_at") or ""), r["id"]), reverse=True):
        path = f"/repos/{repo}/actions/runs/{run['id']}/artifacts"
        listed = get(path, {"name": artifact})
        artifacts = _objects(_field(listed, "artifacts", list, path), path)
        named = [a for a in artifacts if a.get("name") == artifact]
        if not named:
            continue
        if all(a.get("expired") for a in named):
            raise NotFound(f"the plan artifact {artifact!r} of pull request #{number} has expired")
        return pull, run
    raise NotFound(
        f"pull request #{number} (head {head[:7]}) has no successful run of "
        f"{workflow} with the artifact {artifact!r}"
    )


def _dig(value: Any, *keys: str) -> Any:
    """`value[k1][k2]...`, None where any step is not an object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _shown(value: Any) -> str:
    """A value from an answer as one line may show it: printable ASCII, at most 100 characters
    (a line break would start a workflow command of its own)."""
    text = "".join(c if " " <= c <= "~" else "?" for c in str(value))
    return text if len(text) <= 100 else text[:97] + "..."


def workflow_path(reference: str, repo: str) -> str:
    """`.github/workflows/botops.yml` from `github.workflow_ref`
    (`acme/bots/.github/workflows/botops.yml@refs/heads/main`) or a plain path."""
    path = reference.strip().split("@", 1)[0]
    return path.removeprefix(f"{repo}/")


def _ours(run: dict[str, Any], repo: str, workflow: str) -> bool:
    """A run of the botops workflow itself, on this repository's own pull_request event: never
    another workflow (a pull request can add one that uploads an artifact of the same name),
    never one whose head is in another repository."""
    return (
        run.get("event") == "pull_request"
        and workflow_path(str(run.get("path") or ""), repo) == workflow
        and _dig(run, "repository", "full_name") == repo
        and _dig(run, "head_repository", "full_name") == repo
    )


def output(values: dict[str, str]) -> None:
    with open(os.environ.get("GITHUB_OUTPUT", os.devnull), "a", encoding="utf-8") as file:
        for key, value in values.items():
            file.write(f"{key}={value}\n")


def main() -> int:
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    sha = os.environ.get("GITHUB_SHA", "")
    artifact = os.environ.get("BOTOPS_ACTION_ARTIFACT", "botops-plan-default")
    plan_file = os.environ.get("BOTOPS_ACTION_PLAN_FILE", "botops-plan.json")
    allow_unreviewed = os.environ.get("BOTOPS_ACTION_ALLOW_UNREVIEWED", "false") == "true"
    workflow = workflow_path(
        os.environ.get("BOTOPS_ACTION_WORKFLOW") or os.environ.get("GITHUB_WORKFLOW_REF", ""), repo
    )
    if not (repo and sha and os.environ.get("GITHUB_TOKEN")):
        print("::error title=botops::GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_TOKEN must be set")
        return 1
    if not workflow:
        print(
            "::error title=botops::no workflow path (plan-workflow, or the runner's "
            "GITHUB_WORKFLOW_REF); nothing was applied"
        )
        return 1
    try:
        pull, run = find(repo, sha, artifact, workflow)
    except Refused as error:
        print(
            f"::error title=botops::cannot look up the reviewed plan: {error}; nothing was applied"
        )
        return 1
    except NotFound as error:
        if allow_unreviewed:
            print(
                f"::warning title=botops::no reviewed plan: {error}; allow-unreviewed is true, "
                "so apply plans afresh and applies a plan that no one reviewed"
            )
            return 0
        print(
            f"::error title=botops::no reviewed plan to apply: {error}. Nothing was applied. "
            "Re-run the pull request's plan and then this job, or set `allow-unreviewed: true` "
            "to apply a fresh plan."
        )
        return 1
    plan_dir = os.path.join(os.environ.get("RUNNER_TEMP") or "/tmp", "botops-reviewed-plan")
    output(
        {
            "pull-request": str(pull["number"]),
            "run-id": str(run["id"]),
            "artifact": artifact,
            "plan-dir": plan_dir,
            "plan-file": os.path.join(plan_dir, os.path.basename(plan_file)),
        }
    )
    print(
        f"reviewed plan: {artifact} of run {_shown(run.get('html_url') or run['id'])} "
        f"(pull request #{pull['number']}, head {pull['head']['sha'][:7]}, workflow {workflow})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
