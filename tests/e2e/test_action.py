"""The GitHub Action's step (scripts/action.sh, as action.yml runs it), executed with GitHub's
variables, temp files for GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, the emulator and a loopback
forge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci_support import run_step, team_repository
from tests.forge_server import ForgeState
from tests.support import Emulator


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return team_repository(tmp_path)


def test_plan_apply_plan_through_the_action(
    project: Path, emulator_factory: object, forge: ForgeState
) -> None:
    emulator = emulator_factory("--demo", "--generation-seconds", "0.2")  # type: ignore[operator]

    # Outside a pull request there is nothing to comment on.
    pushed, pushed_out, _ = run_step(project, emulator, forge, "plan", event="push")
    assert pushed.returncode == 0, pushed.stderr
    assert pushed_out["has-changes"] == "true" and "comment-url" not in pushed_out
    assert forge.requests == []

    changed, changed_out, changed_summary = run_step(project, emulator, forge, "plan")
    assert changed.returncode == 0, changed.stderr
    assert changed_out["exitcode"] == "2"
    assert changed_out["has-changes"] == "true"
    plan_file = project / "botops-plan.json"
    assert changed_out["plan-file"] == str(plan_file) and plan_file.is_file()
    assert changed_summary.lstrip().startswith("### botops plan")
    (mine,) = forge.comments("github", "acme/bots#3")
    assert changed_out["comment-url"] == mine["html_url"]
    assert "comment created: " in changed.stdout

    applied, applied_out, applied_summary = run_step(project, emulator, forge, "apply")
    assert applied.returncode == 0, applied.stderr
    assert (applied_out["exitcode"], applied_out["has-changes"]) == ("0", "true")
    assert applied_summary.startswith("### botops apply\n\n```\n")
    assert "applied" in applied_summary
    # It applied the reviewed plan file, and said which commit that plan came from.
    assert "botops-plan.json" in applied.stderr or "Plan:" in applied.stdout

    plan_file.unlink()
    clean, clean_out, _ = run_step(project, emulator, forge, "plan")
    assert clean.returncode == 0, clean.stderr
    assert (clean_out["exitcode"], clean_out["has-changes"]) == ("0", "false")
    # The clean plan edited the one comment to say so.
    (mine,) = forge.comments("github", "acme/bots#3")
    assert clean_out["comment-url"] == mine["html_url"] and "No changes." in mine["body"]
    assert [w.method for w in forge.writes()] == ["POST", "PATCH"]

    # Nothing to apply: a fresh plan inside apply, and nothing written.
    again, again_out, _ = run_step(project, emulator, forge, "apply")
    assert again.returncode == 0, again.stderr
    assert (again_out["exitcode"], again_out["has-changes"]) == ("0", "false")


def test_a_typo_fails_the_plan_with_an_annotation(
    project: Path, emulator: Emulator, forge: ForgeState
) -> None:
    (project / "bots" / "typo.yaml").write_text("kind: Voicebot\nname: X\nnmae: Y\n")
    done, out, _ = run_step(project, emulator, forge, "plan")

    assert done.returncode == 1
    assert out == {"has-changes": "false", "exitcode": "1"}
    assert done.stdout.startswith(
        "::error file=bots/typo.yaml,line=3,col=1,title=botops validate::"
    )
    assert emulator.requests() == [] and forge.requests == []


def test_the_tests_go_under_the_plan_in_the_one_comment(
    project: Path, emulator_factory: object, forge: ForgeState
) -> None:
    from tests.llm_server import KEY, serve_llm

    emulator = emulator_factory("--demo")  # type: ignore[operator]
    (project / "tests").mkdir()
    (project / "tests" / "orders.yaml").write_text(
        "kind: Test\nname: order status\nassistant: bots/acme-assistant.yaml\n"
        "agent: order_handler\nturns:\n  - user: Where is order 4411?\n"
        "    expect:\n      - contains: order\n"
    )
    planned, _, _ = run_step(project, emulator, forge, "plan")
    assert planned.returncode == 0, planned.stderr

    with serve_llm() as llm:
        llm.reply = lambda body: "Your order 4411 arrives on Monday."
        environ = {"BOTOPS_LLM_ENDPOINT": llm.url, "BOTOPS_LLM_API_KEY": KEY}
        tested, out, summary = run_step(project, emulator, forge, "test", environ=environ)
        sent = len(llm.requests)

    assert tested.returncode == 0, tested.stderr
    assert out["exitcode"] == "0"
    assert out["tests-file"] == str(project / "botops-tests.json")
    assert (project / "botops-tests.xml").read_text().startswith("<?xml")
    assert summary.startswith("### Conversation tests")
    assert sent == 1
    (mine,) = forge.comments("github", "acme/bots#3")
    assert out["comment-url"] == mine["html_url"]
    assert "### botops plan" in mine["body"] and "The test passed." in mine["body"]
    assert [w.method for w in forge.writes()] == ["POST", "PATCH"]
    assert KEY not in tested.stdout + tested.stderr + mine["body"]


def test_the_allow_mass_change_input_reaches_the_plan_file_and_nothing_else_is_taken(
    project: Path, emulator_factory: object, forge: ForgeState
) -> None:
    emulator = emulator_factory("--demo")  # type: ignore[operator]
    odd, _, _ = run_step(project, emulator, forge, "plan", allow_mass_change="yes")
    assert odd.returncode == 1
    assert "allow-mass-change must be true or false, got 'yes'" in odd.stdout
    assert not (project / "botops-plan.json").exists()

    done, _, _ = run_step(project, emulator, forge, "plan", allow_mass_change="true")
    assert done.returncode == 0, done.stderr
    assert json.loads((project / "botops-plan.json").read_text())["allow_mass_change"] is True
    (mine,) = forge.comments("github", "acme/bots#3")
    assert "Mass change allowed (--allow-mass-change)" in mine["body"]
