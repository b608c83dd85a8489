"""The GitHub Action (action.yml): its step runs scripts/action.sh with its inputs and carries the
reviewed plan under one name."""

from __future__ import annotations

import yaml

from tests.support import ROOT


def test_the_action_runs_this_script_with_its_inputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "botops"]

    assert action["runs"]["using"] == "composite"
    assert step["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/action.sh"'
    assert set(action["inputs"]) == {
        "command",
        "paths",
        "environment",
        "working-directory",
        "plan-file",
        "tests-file",
        "junit-file",
        "comment",
        "plan-from",
        "allow-unreviewed",
        "allow-mass-change",
        "plan-workflow",
        "python-version",
    }
    assert {k.removeprefix("BOTOPS_ACTION_").lower().replace("_", "-") for k in step["env"]} == (
        set(action["inputs"]) - {"working-directory", "python-version", "plan-workflow"}
        | {"reviewed-plan"}
    )
    assert {"exitcode", "has-changes", "plan-file", "comment-url"} <= set(action["outputs"])
    assert action["inputs"]["plan-file"]["default"] == "botops-plan.json"
    install = action["runs"]["steps"][1]["run"]
    assert '"$GITHUB_ACTION_PATH"' in install


def test_the_action_carries_the_plan_under_one_name() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = {s.get("name"): s for s in action["runs"]["steps"]}
    upload = steps["Keep the plan for the merge"]
    find = steps["Find the reviewed plan"]
    fetch = steps["Download the reviewed plan"]

    assert upload["uses"] == "actions/upload-artifact@v4"
    assert fetch["uses"] == "actions/download-artifact@v4"
    assert upload["with"]["name"] == find["env"]["BOTOPS_ACTION_ARTIFACT"]
    assert "inputs.environment" in upload["with"]["name"]
    assert "pull_request" in upload["if"] and "inputs.command == 'plan'" in upload["if"]
    assert find["run"] == 'python "$GITHUB_ACTION_PATH/scripts/reviewed_plan.py"'
    assert fetch["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    assert fetch["with"]["path"] == "${{ steps.reviewed.outputs.plan-dir }}"
    defaults = {k: action["inputs"][k]["default"] for k in ("plan-from", "allow-unreviewed")}
    assert defaults == {"plan-from": "file", "allow-unreviewed": "false"}
