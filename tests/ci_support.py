"""Running the GitHub Action's step (scripts/action.sh) as a workflow runs it, for the tests of
the action and of the ready workflows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.forge_server import TOKEN, ForgeState
from tests.support import ROOT, Emulator

SCRIPT = ROOT / "scripts" / "action.sh"


def team_repository(tmp_path: Path) -> Path:
    """The examples as a team's repository would hold them."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "bots", root / "bots")
    (root / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    return root


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def run_step(
    project: Path,
    emulator: Emulator,
    forge: ForgeState,
    command: str,
    *,
    event: str = "pull_request",
    environ: dict[str, str] | None = None,
    **inputs: str,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run the action's step once; its result, its outputs and what it added to the summary.
    `environ` adds variables (a model endpoint and its key, for `test`)."""
    home = project.parent
    output, summary = home / "output", home / "summary"
    for file in (output, summary):
        file.write_text("")
    event_file = home / "event.json"
    event_file.write_text(json.dumps({"pull_request": {"number": 3}}))
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "BOTOPS_BASE_URL": emulator.url,
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_REPOSITORY": "acme/bots",
        "GITHUB_API_URL": forge.url,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "9",
        "GITHUB_SHA": "feedface" * 5,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "BOTOPS_ACTION_COMMAND": command,
        **{f"BOTOPS_ACTION_{k.upper()}": v for k, v in inputs.items()},
        **(environ or {}),
    }
    done = subprocess.run(
        ["bash", str(SCRIPT)], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    return done, outputs(output), summary.read_text()


FINDER = ROOT / "scripts" / "reviewed_plan.py"


def find_reviewed_plan(
    project: Path,
    forge: ForgeState,
    sha: str,
    *,
    token: str = TOKEN,
    workflow_ref: str = "acme/bots/.github/workflows/botops.yml@refs/heads/main",
    **inputs: str,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the action's reviewed-plan step on a push of `sha`, as action.yml runs it."""
    home = project.parent
    output = home / "output"
    output.write_text("")
    (home / "runner-temp").mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_REPOSITORY": "acme/bots",
        "GITHUB_API_URL": forge.url,
        "GITHUB_SHA": sha,
        "GITHUB_TOKEN": token,
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(home / "runner-temp"),
        "BOTOPS_ACTION_ARTIFACT": "botops-plan-default",
        "BOTOPS_ACTION_PLAN_FILE": "botops-plan.json",
        # What the runner sets: the running workflow's path and ref.
        "GITHUB_WORKFLOW_REF": workflow_ref,
        **{f"BOTOPS_ACTION_{k.upper()}": v for k, v in inputs.items()},
    }
    done = subprocess.run(
        [sys.executable, str(FINDER)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, outputs(output)
