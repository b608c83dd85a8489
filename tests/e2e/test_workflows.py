"""The ready workflows of examples/ci: their shell steps run against the
emulator and a loopback forge (GitHub's drift issue, GitLab's merge request jobs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci_support import run_step, team_repository
from tests.forge_server import GITLAB_TOKEN, TOKEN, ForgeState
from tests.support import ROOT, Emulator

GITHUB = ROOT / "examples" / "ci" / "github"
GITLAB = ROOT / "examples" / "ci" / "gitlab" / ".gitlab-ci.yml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return team_repository(tmp_path)


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((GITHUB / name).read_text())
    return loaded


def test_drift_opens_one_issue_updates_it_and_closes_it_when_clean(
    project: Path,
    emulator_factory: Any,
    forge: ForgeState,
    tmp_path: Path,
) -> None:
    document = workflow("drift.yml")
    assert "schedule" in document[True]
    plan_step, issue_step = document["jobs"]["drift"]["steps"][1:]
    assert plan_step["with"] == {"command": "plan", "comment": "false"}
    emulator: Emulator = emulator_factory("--demo")

    def drift_run() -> str:
        _, out, _ = run_step(project, emulator, forge, "plan", event="schedule", comment="false")
        env = {
            "PATH": os.environ["PATH"],
            "GITHUB_API_URL": forge.url,
            "GITHUB_REPOSITORY": "acme/bots",
            "GITHUB_SERVER_URL": "https://github.test",
            "GITHUB_RUN_ID": "5",
            "GITHUB_TOKEN": TOKEN,
            "HAS_CHANGES": out["has-changes"],
            "PLAN_MARKDOWN": out.get("markdown-file", ""),
        }
        done = subprocess.run(
            ["bash", "-e", "-c", issue_step["run"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert drift_run() == "drift issue opened: https://github.test/acme/bots/issues/1\n"
    assert drift_run() == "drift issue updated: https://github.test/acme/bots/issues/1\n"
    (issue,) = forge.issues.values()
    assert issue["labels"] == ["botops-drift"] and issue["state"] == "open"
    assert (
        "### botops plan" in issue["body"]
        and "[run](https://github.test/acme/bots/actions/runs/5)" in issue["body"]
    )

    applied = subprocess.run(
        [Path(sys.executable).parent / "botops", "apply", "--auto-approve"],
        cwd=project,
        env={**os.environ, "BOTOPS_BASE_URL": emulator.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert applied.returncode == 0, applied.stderr
    assert drift_run() == "drift issue closed: https://github.test/acme/bots/issues/1\n"
    assert issue["state"] == "closed"
    assert drift_run() == "no drift\n"
    assert len(forge.issues) == 1


# --- GitLab -------------------------------------------------------------------------------


def gitlab_job(
    name: str, project: Path, emulator: Emulator, forge: ForgeState
) -> subprocess.CompletedProcess[str]:
    """One job's `script`, as GitLab's bash runner runs it (`set -eo pipefail`, the file's
    variables); its `before_script` installs botops, which the test's PATH already has."""
    document = yaml.safe_load(GITLAB.read_text())
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(project.parent),
        **{k: str(v) for k, v in document["variables"].items()},
        "BOTOPS_BASE_URL": emulator.url,
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_API_V4_URL": f"{forge.url}/api/v4",
        "CI_PROJECT_ID": "12",
        "CI_PROJECT_URL": "https://gitlab.test/acme/bots",
        "CI_MERGE_REQUEST_IID": "4",
        "CI_JOB_URL": "https://gitlab.test/acme/bots/-/jobs/1",
        "CI_COMMIT_SHA": "c0ffee" * 6 + "abcd",
        "BOTOPS_GITLAB_TOKEN": GITLAB_TOKEN,
    }
    script = "\n".join(["set -eo pipefail", *document[name]["script"]])
    return subprocess.run(
        ["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def test_gitlab_merge_request_then_default_branch(
    project: Path,
    emulator_factory: Any,
    forge: ForgeState,
) -> None:
    emulator: Emulator = emulator_factory("--demo")
    (project / "bots" / "typo.yaml").write_text("kind: Voicebot\nname: X\nnmae: Y\n")
    invalid = gitlab_job("botops:validate", project, emulator, forge)
    (project / "bots" / "typo.yaml").unlink()
    valid = gitlab_job("botops:validate", project, emulator, forge)
    report = json.loads((project / "botops-codequality.json").read_text())
    plans = [gitlab_job("botops:plan", project, emulator, forge) for _ in range(2)]
    applied = gitlab_job("botops:apply", project, emulator, forge)
    clean = gitlab_job("botops:plan", project, emulator, forge)

    assert invalid.returncode == 1
    assert (valid.returncode, report) == (0, [])
    for done in (*plans, applied, clean):
        assert done.returncode == 0, done.stderr
    notes = forge.comments("gitlab", "12!4")
    assert len(notes) == 1
    assert plans[0].stdout.splitlines()[-1].startswith("comment created: https://gitlab.test/")
    assert plans[1].stdout.splitlines()[-1].startswith("comment updated: ")
    assert "No changes." in notes[0]["body"]
    assert [w.method for w in forge.writes()] == ["POST", "PUT", "PUT"]
    assert (project / "botops-plan.md").read_text().startswith("### botops plan")


def test_gitlab_code_quality_report_of_a_typo(
    project: Path,
    emulator: Emulator,
    forge: ForgeState,
) -> None:
    (project / "bots" / "typo.yaml").write_text("kind: Voicebot\nname: X\nnmae: Y\n")
    done = gitlab_job("botops:validate", project, emulator, forge)

    assert done.returncode == 1
    (item,) = json.loads((project / "botops-codequality.json").read_text())
    assert item["location"] == {"path": "bots/typo.yaml", "lines": {"begin": 3}}


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-actions", ["action.yml"]),
        (
            "vendor.github-workflows",
            ["examples/ci/github/botops.yml", "examples/ci/github/drift.yml"],
        ),
        ("vendor.gitlab-ci", ["examples/ci/gitlab/.gitlab-ci.yml"]),
    ],
)
def test_ci_files_pass_their_forges_schemas(schema: str, files: list[str], tmp_path: Path) -> None:
    """GitLab's own CI schema, SchemaStore's for actions and workflows (as check-jsonschema
    ships them); and a misspelt key in a copy fails, so the check can fail."""
    check = Path(sys.executable).parent / "check-jsonschema"
    good = subprocess.run(
        [check, "--builtin-schema", schema, *files], cwd=ROOT, capture_output=True, text=True
    )
    broken = tmp_path / Path(files[0]).name
    text = (ROOT / files[0]).read_text()
    broken.write_text(
        text.replace("runs-on:", "runs-onn:")
        .replace("using:", "usin:")
        .replace("resource_group:", "resource_grup:")
    )
    bad = subprocess.run(
        [check, "--builtin-schema", schema, broken], capture_output=True, text=True
    )

    assert good.returncode == 0, good.stdout + good.stderr
    assert bad.returncode == 1, bad.stdout
