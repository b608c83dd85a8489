"""Secrets go only where this run's own configuration says (issue 19, items 8 to 11): a plan
file never chooses where the token goes, a prompt file never reads git's credentials, a forge
token is checked before use and never quoted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import Emulator, botops

SECRET = "s3cr3t-token-never-shown"


@pytest.fixture
def demo(examples_project: Path, emulator_factory: Any) -> Emulator:
    emulator: Emulator = emulator_factory("--demo")
    return emulator


def test_a_plan_file_cannot_choose_where_the_token_goes(
    demo: Emulator, examples_project: Path
) -> None:
    # The plan names the loopback server; this run's configuration names no base URL, so its
    # target is the default one: the token must not go to the plan's server.
    planned = botops(demo, "plan", "bots", "--out", "plan.json")
    assert planned.exit_code == 0, planned.output
    assert json.loads((examples_project / "plan.json").read_text())["base_url"] == demo.url
    demo.clear_requests()

    result = botops(None, "apply", "--plan", "plan.json", "--auto-approve", BOTOPS_TOKEN=SECRET)

    assert result.exit_code == 1
    assert demo.requests() == []
    assert result.stderr.splitlines()[-1] == (
        f"Error: the plan was made for base URL {demo.url!r} but the configuration uses the "
        "default 'https://voicebot.in.exotel.com'; refusing to apply it elsewhere (nothing was "
        "sent)"
    )
    assert SECRET not in result.output


def test_apply_names_its_target_before_writing(demo: Emulator, examples_project: Path) -> None:
    assert botops(demo, "plan", "bots", "--out", "plan.json").exit_code == 0
    result = botops(demo, "apply", "--plan", "plan.json", "--auto-approve", BOTOPS_TOKEN=SECRET)
    assert result.exit_code == 0, result.output
    assert f"Target: account Exotel at {demo.url}." in result.stderr.splitlines()
    assert SECRET not in result.output


def git(directory: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True)


@pytest.mark.parametrize(
    "reference",
    ["../.git/config", "../.github/token.md", "../secrets/.env", "../build/prompt.md"],
)
def test_instruction_files_git_keeps_out_are_never_read(
    demo: Emulator, examples_project: Path, reference: str
) -> None:
    # In CI actions/checkout leaves its token in .git/config; `build/` is ignored here.
    git(examples_project, "init", "-q")
    (examples_project / ".gitignore").write_text("build/\n")
    for name in (".git/config", ".github/token.md", "secrets/.env", "build/prompt.md"):
        target = examples_project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name != ".git/config":
            target.write_text(f"extraheader = AUTHORIZATION: basic {SECRET}\n")
    with (examples_project / ".git/config").open("a") as config:
        config.write(f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: {SECRET}\n')
    assistant = examples_project / "bots/acme-assistant.yaml"
    assistant.write_text(
        assistant.read_text().replace(
            "instruction_file: prompts/acme-support.md", f"instruction_file: {reference}"
        )
    )
    demo.clear_requests()

    for command in (("validate", "bots"), ("plan", "bots", "--out", "plan.json")):
        result = botops(demo, *command)
        assert result.exit_code != 0, result.output
        assert SECRET not in result.output
        assert reference in result.output
        assert "Traceback" not in result.output
    assert not (examples_project / "plan.json").exists()
    assert demo.requests() == []


def test_an_instruction_file_in_a_symlink_loop_is_one_line(
    demo: Emulator, examples_project: Path
) -> None:
    (examples_project / "bots/prompts/loop.md").symlink_to("loop.md")
    assistant = examples_project / "bots/acme-assistant.yaml"
    assistant.write_text(
        assistant.read_text().replace("prompts/acme-support.md", "prompts/loop.md")
    )
    result = botops(demo, "validate", "bots")
    assert result.exit_code == 1
    assert "prompts/loop.md" in result.output and "Traceback" not in result.output
