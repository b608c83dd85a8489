"""Every command has help with an example and a line in the README's reference."""

from __future__ import annotations

import shlex

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


# Named once, in the paragraph above the table, for every command that calls the API.
SHARED_OPTIONS = ("--env", "--base-url", "--account", "--config")


def examples(command: click.Command) -> list[str]:
    """The lines under `Example:` or `Examples:` in the command's help, up to a blank line."""
    lines = (command.help or "").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() in ("Example:", "Examples:")]
    assert len(starts) == 1, "one Example(s): block"
    found = []
    for line in lines[starts[0] + 1 :]:
        if not line.strip():
            break
        found.append(line.strip())
    return found


def options(command: click.Command) -> set[str]:
    return {o for p in command.params for o in p.opts if o.startswith("--") and o != "--help"}


def reference_row(name: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith(f"| `botops {name} ")]
    rows += [line for line in README.splitlines() if line.startswith(f"| `botops {name}`")]
    assert len(rows) == 1, f"{name}: {len(rows)} rows in the README's command table"
    return rows[0].split("` |", 1)[0]


@pytest.mark.parametrize(("name", "command"), commands())
def test_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    summary = (command.help or "").strip().splitlines()[0]
    assert summary.endswith("."), f"{name}: the first help line is a sentence"
    shown = examples(command)
    assert shown, f"{name}: --help shows no example"
    assert shown[0].startswith(f"botops {name}"), shown
    for example in shown:
        # Each example runs this command, with options it has.
        runs = [part.strip() for part in example.replace("&&", "|").replace(">", "|").split("|")]
        mine = [part for part in runs if part.startswith(f"botops {name}")]
        assert mine, f"{name}: example {example!r} doesn't run it"
        for part in mine:
            used = {word.split("=")[0] for word in shlex.split(part) if word.startswith("--")}
            assert used <= options(command), f"{name}: {example!r} uses {used - options(command)}"


@pytest.mark.parametrize(("name", "command"), commands())
def test_command_is_in_the_readme_reference(name: str, command: click.Command) -> None:
    row = reference_row(name)
    for option in sorted(options(command) - set(SHARED_OPTIONS)):
        assert f"[{option}" in row or f"{option} " in row, f"{name}: {option} not in {row!r}"


def test_shared_options_are_named_above_the_table() -> None:
    commands_section = README.split("## Commands", 1)[1].split("| command |", 1)[0]
    for option in SHARED_OPTIONS:
        assert f"`{option}`" in commands_section, option


def test_quick_start_is_make_demo_and_make_test() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick_start.split("```sh", 1)[1].split("```", 1)[0]
    assert block.strip().splitlines() == ["make demo", "make test"]


def test_debug_may_follow_the_command() -> None:
    from botops.cli.base import hoist_debug

    assert hoist_debug(["plan", "--debug", "bots"]) == ["--debug", "plan", "bots"]
    assert hoist_debug(["--debug", "plan"]) == ["--debug", "plan"]
    assert hoist_debug(["plan", "bots"]) == ["plan", "bots"]
    assert hoist_debug(["generate", "--", "--debug"]) == ["generate", "--", "--debug"]
