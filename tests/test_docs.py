"""Every command has help with an example and a line in the README's reference."""

from __future__ import annotations

import click
import pytest

from botops.cli import cli
from tests.support import ROOT

README = (ROOT / "README.md").read_text()


def commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return sorted(found, key=lambda item: item[0])


def test_the_contracted_commands_exist() -> None:
    names = [name for name, _ in commands()]
    for expected in (
        "validate",
        "plan",
        "apply",
        "import",
        "generate",
        "conversations list",
        "conversations get",
        "conversations export",
        "analytics",
        "emulator",
    ):
        assert expected in names


@pytest.mark.parametrize(("name", "command"), commands())
def test_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help and len(command.help.strip()) > 20, name
    assert f"botops {name}" in command.help, f"{name}: --help shows no example"


@pytest.mark.parametrize(("name", "command"), commands())
def test_command_is_in_the_readme_reference(name: str, command: click.Command) -> None:
    assert f"`botops {name}" in README, name


def test_quick_start_is_make_demo_and_make_test() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick_start.split("```sh", 1)[1].split("```", 1)[0]
    assert block.strip().splitlines() == ["make demo", "make test"]


def test_debug_may_follow_the_command() -> None:
    from botops.cli import hoist_debug

    assert hoist_debug(["plan", "--debug", "bots"]) == ["--debug", "plan", "bots"]
    assert hoist_debug(["--debug", "plan"]) == ["--debug", "plan"]
    assert hoist_debug(["plan", "bots"]) == ["plan", "bots"]
    assert hoist_debug(["generate", "--", "--debug"]) == ["generate", "--", "--debug"]
