"""The plan a reviewer saw is the plan the merge applies: the action's reviewed-plan step
(scripts/reviewed_plan.py) run against the loopback forge's pull-request, workflow-run and
artifact endpoints, then the action's apply step (scripts/action.sh) on what it found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.ci_support import find_reviewed_plan, run_step, team_repository
from tests.forge_server import TOKEN, ForgeState
from tests.hostile_server import Handler, hostile
from tests.support import Emulator

MERGE = "a1" * 20
HEAD = "b2" * 20
OWN = {"repository": {"full_name": "acme/bots"}, "head_repository": {"full_name": "acme/bots"}}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return team_repository(tmp_path)


def merged_pull_request(forge: ForgeState, *, expired: bool = False) -> None:
    """PR #3 (head HEAD) merged as MERGE; its plan runs, newest last, and one other workflow."""
    forge.commit_pulls[MERGE] = [
        {"number": 3, "merged_at": "2026-12-01T10:00:00Z", "merge_commit_sha": MERGE,
         "head": {"sha": HEAD, "repo": {"full_name": "acme/bots"}}},
    ]  # fmt: skip
    for run_id, created, conclusion in [
        (40, "2026-12-01T08:00:00Z", "success"),  # an older push to the pull request
        (41, "2026-12-01T09:00:00Z", "success"),  # the latest plan: what the comment shows
        (42, "2026-12-01T09:30:00Z", "failure"),  # a failed re-run keeps no reviewed plan
        (43, "2026-12-01T09:40:00Z", "success"),  # a run of the same workflow without the artifact
    ]:
        forge.runs.append(
            {"id": run_id, "head_sha": HEAD, "event": "pull_request", "conclusion": conclusion,
             "created_at": created, "html_url": f"https://github.test/acme/bots/actions/runs/{run_id}",
             "path": ".github/workflows/botops.yml", **OWN}
        )  # fmt: skip
        if run_id != 43:
            forge.artifacts[run_id] = [
                {"id": run_id * 10, "name": "botops-plan-default", "expired": expired},
                {"id": run_id * 10 + 1, "name": "botops-plan-prod", "expired": False},
            ]


def download(found: dict[str, str], plan_file: Path) -> Path:
    """What actions/download-artifact does with the step's outputs: the artifact's file into
    plan-dir."""
    directory = Path(found["plan-dir"])
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(plan_file, directory / plan_file.name)
    return Path(found["plan-file"])


def version_writes(emulator: Emulator) -> list[dict[str, Any]]:
    return [
        r["body"]
        for r in emulator.requests()
        if r["method"] == "POST" and r["path"].endswith("/versions")
    ]


def test_the_merge_applies_the_reviewed_plan_not_a_fresh_one(
    project: Path, emulator_factory: Any, forge: ForgeState
) -> None:
    emulator: Emulator = emulator_factory("--demo", "--generation-seconds", "0.2")
    planned, _, _ = run_step(project, emulator, forge, "plan")
    assert planned.returncode == 0, planned.stderr
    # The artifact the plan job uploads; the apply job's checkout has no plan file.
    artifact = project.parent / "artifact" / "botops-plan.json"
    artifact.parent.mkdir()
    (project / "botops-plan.json").rename(artifact)
    reviewed = json.loads(artifact.read_text())
    # The merged commit says something the reviewer never saw.
    bot = project / "bots" / "customer-support.yaml"
    bot.write_text(
        bot.read_text().replace("supported_languages: [en, hi]", "supported_languages: [ta]")
    )
    merged_pull_request(forge)
    emulator.clear_requests()
    forge.requests.clear()

    found, out = find_reviewed_plan(project, forge, MERGE)
    assert found.returncode == 0, found.stdout + found.stderr
    assert out["run-id"] == "41" and out["pull-request"] == "3"
    assert out["artifact"] == "botops-plan-default"
    assert out["plan-file"] == str(
        project.parent / "runner-temp" / "botops-reviewed-plan" / "botops-plan.json"
    )
    assert found.stdout == (
        "reviewed plan: botops-plan-default of run https://github.test/acme/bots/actions/runs/41"
        " (pull request #3, head b2b2b2b, workflow .github/workflows/botops.yml)\n"
    )
    # The newest successful run first; a run without the artifact is passed over.
    assert [(r.method, r.path, r.query) for r in forge.requests] == [
        ("GET", f"/repos/acme/bots/commits/{MERGE}/pulls", {}),
        ("GET", "/repos/acme/bots/actions/runs",
         {"head_sha": HEAD, "event": "pull_request", "status": "success", "per_page": "100"}),
        ("GET", "/repos/acme/bots/actions/runs/43/artifacts", {"name": "botops-plan-default"}),
        ("GET", "/repos/acme/bots/actions/runs/41/artifacts", {"name": "botops-plan-default"}),
    ]  # fmt: skip
    assert all(r.authorization == f"Bearer {TOKEN}" for r in forge.requests)
    assert TOKEN not in found.stdout + found.stderr

    assert download(out, artifact) == Path(out["plan-file"])
    applied, applied_out, _ = run_step(
        project, emulator, forge, "apply", event="push",
        plan_from="pull-request", reviewed_plan=out["plan-file"],
    )  # fmt: skip
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert applied_out["exitcode"] == "0"
    updates = [r["payload"] for r in reviewed["resources"] if r["action"] == "update"]
    assert updates and all(p in version_writes(emulator) for p in updates)
    assert all(w.get("supported_languages") != ["ta"] for w in version_writes(emulator))

    # The same reviewed plan again ("Re-run jobs"): what its first run wrote is already
    # applied, a success, and nothing is written twice.
    emulator.clear_requests()
    again, again_out, _ = run_step(
        project, emulator, forge, "apply", event="push",
        plan_from="pull-request", reviewed_plan=out["plan-file"],
    )  # fmt: skip
    assert (again.returncode, again_out["exitcode"]) == (0, "0"), again.stdout + again.stderr
    assert "already applied" in again.stdout
    assert "refused as stale" not in again.stdout
    assert version_writes(emulator) == []


@pytest.mark.parametrize(
    ("setup", "why"),
    [
        ("direct push", f"commit {MERGE[:7]} came from no merged pull request (a direct push?)"),
        ("expired", "the plan artifact 'botops-plan-default' of pull request #3 has expired"),
        ("no run", f"pull request #3 (head {HEAD[:7]}) has no successful run of "
                   ".github/workflows/botops.yml with the artifact 'botops-plan-default'"),
    ],
    ids=["direct-push", "expired", "no-run"],
)  # fmt: skip
def test_no_reviewed_plan_fails_and_applies_nothing(
    setup: str, why: str, project: Path, emulator: Emulator, forge: ForgeState
) -> None:
    if setup != "direct push":
        merged_pull_request(forge, expired=setup == "expired")
    if setup == "no run":
        forge.artifacts.clear()

    found, out = find_reviewed_plan(project, forge, MERGE)
    assert (found.returncode, out) == (1, {})
    assert found.stdout == (
        f"::error title=botops::no reviewed plan to apply: {why}. Nothing was applied. "
        "Re-run the pull request's plan and then this job, or set `allow-unreviewed: true` "
        "to apply a fresh plan.\n"
    )
    assert found.stderr == ""

    # Had the step been skipped, the apply step still refuses to plan afresh on its own.
    applied, applied_out, _ = run_step(
        project, emulator, forge, "apply", event="push", plan_from="pull-request"
    )
    assert (applied.returncode, applied_out) == (1, {"exitcode": "1"})
    assert applied.stdout == (
        "::error title=botops::no reviewed plan to apply (plan-from: pull-request); "
        "nothing was applied\n"
    )
    assert emulator.requests() == []


def test_allow_unreviewed_plans_afresh_and_says_so(
    project: Path, emulator_factory: Any, forge: ForgeState
) -> None:
    emulator: Emulator = emulator_factory("--demo", "--generation-seconds", "0.2")
    found, out = find_reviewed_plan(project, forge, MERGE, allow_unreviewed="true")
    assert (found.returncode, out) == (0, {})
    assert found.stdout.startswith("::warning title=botops::no reviewed plan: commit a1a1a1a")
    assert "applies a plan that no one reviewed" in found.stdout

    applied, applied_out, _ = run_step(
        project, emulator, forge, "apply", event="push",
        plan_from="pull-request", allow_unreviewed="true",
    )  # fmt: skip
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (applied_out["exitcode"], applied_out["has-changes"]) == ("0", "true")
    assert applied.stdout.startswith(
        "::warning title=botops::applying a fresh plan that no one reviewed"
        " (allow-unreviewed: true)\n"
    )


def test_an_api_refusal_fails_even_with_allow_unreviewed(project: Path, forge: ForgeState) -> None:
    merged_pull_request(forge)
    # A token the forge does not know: 401, and no fresh plan as a way around it.
    done, out = find_reviewed_plan(
        project, forge, MERGE, token="ghs_wrongTOKEN", allow_unreviewed="true"
    )

    assert (done.returncode, out) == (1, {})
    assert done.stdout == (
        "::error title=botops::cannot look up the reviewed plan: GitHub answered 401 to GET "
        f"/repos/acme/bots/commits/{MERGE}/pulls (the job needs `permissions: actions: read, "
        "pull-requests: read`); nothing was applied\n"
    )
    assert "ghs_wrongTOKEN" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "intruder",
    [
        {"path": ".github/workflows/lint.yml", **OWN},
        {"path": ".github/workflows/botops.yml@refs/pull/3/merge",
         "repository": {"full_name": "acme/bots"}, "head_repository": {"full_name": "evil/bots"}},
        {"path": ".github/workflows/botops.yml", "repository": {"full_name": "evil/bots"},
         "head_repository": {"full_name": "evil/bots"}},
        {"path": ".github/workflows/botops.yml", **OWN, "event": "pull_request_target"},
    ],
    ids=["other-workflow", "fork-head", "other-repository", "other-event"],
)  # fmt: skip
def test_only_the_botops_workflows_own_runs_hold_the_reviewed_plan(
    project: Path, forge: ForgeState, intruder: dict[str, Any]
) -> None:
    merged_pull_request(forge)
    # Newest of all: a run that uploads an artifact of the plan's name but is not botops's.
    forge.runs.append(
        {"id": 99, "head_sha": HEAD, "event": "pull_request", "conclusion": "success",
         "created_at": "2026-12-01T09:59:00Z",
         "html_url": "https://github.test/acme/bots/actions/runs/99", **intruder}
    )  # fmt: skip
    forge.artifacts[99] = [{"id": 990, "name": "botops-plan-default", "expired": False}]

    found, out = find_reviewed_plan(project, forge, MERGE)

    assert found.returncode == 0, found.stdout + found.stderr
    assert out["run-id"] == "41"
    assert "workflow .github/workflows/botops.yml" in found.stdout
    assert all(r.path != "/repos/acme/bots/actions/runs/99/artifacts" for r in forge.requests)


def test_a_pull_request_from_a_fork_has_no_reviewed_plan(project: Path, forge: ForgeState) -> None:
    merged_pull_request(forge)
    forge.commit_pulls[MERGE][0]["head"]["repo"] = {"full_name": "evil/bots"}
    found, out = find_reviewed_plan(project, forge, MERGE)
    assert (found.returncode, out) == (1, {})
    assert "comes from another repository (evil/bots)" in found.stdout


def test_without_a_workflow_path_nothing_is_taken(project: Path, forge: ForgeState) -> None:
    merged_pull_request(forge)
    found, out = find_reviewed_plan(project, forge, MERGE, workflow_ref="")
    assert (found.returncode, out) == (1, {})
    assert "no workflow path" in found.stdout
    # plan-workflow names it when the plan comes from another workflow than the apply.
    named, out = find_reviewed_plan(
        project, forge, MERGE, workflow_ref="", workflow=".github/workflows/botops.yml"
    )
    assert named.returncode == 0 and out["run-id"] == "41"


# --- answers of every shape -------------------------------------------------------------------

PULLS = f"/repos/acme/bots/commits/{MERGE}/pulls"
RUNS = "/repos/acme/bots/actions/runs"
ARTIFACTS = "/repos/acme/bots/actions/runs/41/artifacts"


def good_answers() -> dict[str, Any]:
    return {
        PULLS: [{"number": 3, "merged_at": "2026-12-01T10:00:00Z", "merge_commit_sha": MERGE,
                 "head": {"sha": HEAD, "repo": {"full_name": "acme/bots"}}}],
        RUNS: {"workflow_runs": [{"id": 41, "event": "pull_request", "created_at": "2026",
                                  "path": ".github/workflows/botops.yml", **OWN}]},
        ARTIFACTS: {"artifacts": [{"id": 410, "name": "botops-plan-default", "expired": False}]},
    }  # fmt: skip


def answering(answers: dict[str, Any]) -> Any:
    def behaviour(handler: Handler) -> None:
        body = answers.get(handler.path.split("?")[0], {"message": "Not Found"})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return behaviour


def _pull(**changes: Any) -> list[dict[str, Any]]:
    [pull] = good_answers()[PULLS]
    return [{**pull, **changes}]


def _run(**changes: Any) -> dict[str, Any]:
    [run] = good_answers()[RUNS]["workflow_runs"]
    return {"workflow_runs": [{**run, **changes}]}


SHAPES: dict[str, tuple[str, Any]] = {
    "pulls-an-object": (PULLS, {}),
    "pulls-not-json": (PULLS, b"<html>"),
    "pulls-deep": (PULLS, b"[" * 100_000 + b"]" * 100_000),
    "pull-without-head": (PULLS, [{"number": 3, "merged_at": "x", "merge_commit_sha": MERGE}]),
    "pull-head-a-list": (PULLS, _pull(head=[])),
    "pull-head-sha-a-number": (PULLS, _pull(head={"sha": 5, "repo": OWN["repository"]})),
    "pull-head-sha-not-hex": (PULLS, _pull(head={"sha": "z" * 40, "repo": OWN["repository"]})),
    "pull-head-repo-a-list": (PULLS, _pull(head={"sha": HEAD, "repo": ["acme/bots"]})),
    "pull-number-a-string": (PULLS, _pull(number="3")),
    "runs-empty-object": (RUNS, {}),
    "runs-a-list": (RUNS, []),
    "runs-not-a-list": (RUNS, {"workflow_runs": {"id": 41}}),
    "run-id-a-string": (RUNS, _run(id="41")),
    "run-repository-a-string": (RUNS, _run(repository="acme/bots")),
    "runs-deep": (RUNS, b'{"workflow_runs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "artifacts-empty-object": (ARTIFACTS, {}),
    "artifacts-null": (ARTIFACTS, {"artifacts": None}),
    "artifacts-not-json": (ARTIFACTS, b"nope"),
}  # fmt: skip


def test_the_good_answers_find_the_plan(project: Path) -> None:
    """The answers the shapes below break, whole: the lookup finds run 41's plan."""
    with hostile(answering(good_answers())) as server:
        done, out = find_reviewed_plan(project, server, MERGE)  # type: ignore[arg-type]
    assert done.returncode == 0, done.stdout + done.stderr
    assert out["run-id"] == "41"


@pytest.mark.parametrize("shape", SHAPES)
def test_an_answer_of_any_shape_is_one_error_line_and_nothing_taken(
    project: Path, shape: str
) -> None:
    path, body = SHAPES[shape]
    with hostile(answering({**good_answers(), path: body})) as server:
        done, out = find_reviewed_plan(project, server, MERGE)  # type: ignore[arg-type]
    assert (done.returncode, out) == (1, {}), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith("::error title=botops::") and "nothing was applied" in line.lower()
