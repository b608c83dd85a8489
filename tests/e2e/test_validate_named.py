"""Named files (as a pre-commit hook passes the changed ones) are checked against the whole
project: a new file that duplicates what an unchanged, unnamed file declares is refused at the
new file's place."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.support import ROOT

EXISTING = "kind: Voicebot\nbot_id: bot_support01\nname: Support\n"
EXTRA = "# copied from support.yaml\nkind: Voicebot\nbot_id: bot_support01\nname: Support copy\n"
DUPLICATE = "bots/extra.yaml:3:9: bot_id 'bot_support01' is also declared at bots/support.yaml:2:9"


def validate(*args: str) -> Result:
    from botops.cli import cli

    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bots").mkdir()
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    (tmp_path / "bots/support.yaml").write_text(EXISTING)
    (tmp_path / "bots/extra.yaml").write_text(EXTRA)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_named_file_duplicating_an_unnamed_one_is_refused_at_its_place(project: Path) -> None:
    result = validate("bots/extra.yaml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == DUPLICATE + "\n"


def test_a_name_without_id_clashes_too_and_the_other_file_is_not_reported(
    project: Path,
) -> None:
    (project / "bots/other.yaml").write_text("kind: Voicebot\nname: Sales\nnmae: typo\n")
    (project / "bots/extra.yaml").write_text("kind: Voicebot\nname: Sales\n")
    result = validate("bots/extra.yaml")
    assert result.exit_code == 1
    # other.yaml's own typo is not this commit's: only the clash, at the named file.
    assert result.stderr.splitlines() == [
        "bots/extra.yaml:2:7: voicebot 'Sales' without bot_id is also declared at "
        "bots/other.yaml:2:7; bots without bot_id are matched by name: give each a "
        "bot_id or its own name"
    ]


def test_in_one_environment_only_it_says_which(project: Path) -> None:
    (project / "botops.yaml").write_text(
        "paths: [bots]\nenvironments:\n  staging: {account_id: s}\n  prod: {account_id: p}\n"
    )
    (project / "bots/extra.yaml").write_text(
        "kind: Voicebot\nname: Copy\noverrides:\n  prod: {bot_id: bot_support01}\n"
    )
    result = validate("bots/extra.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "bots/extra.yaml:4:18: bot_id 'bot_support01' is also declared at "
        "bots/support.yaml:2:9 (in environment 'prod')\n"
    )


def test_no_clash_is_valid(project: Path) -> None:
    (project / "bots/extra.yaml").write_text(EXTRA.replace("bot_support01", "bot_support02"))
    result = validate("bots/extra.yaml")
    assert (result.exit_code, result.stderr) == (0, "")


def test_through_pre_commit_with_the_shipped_hook(project: Path) -> None:
    """Real pre-commit runs the shipped hook's definition (its files, types and exclude), with
    `botops` from this environment, on a commit that adds extra.yaml only."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = {
        **hook,
        "language": "system",
        "entry": f"{Path(sys.executable).parent}/botops validate",
    }
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOTOPS_", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(project.parent / "pre-commit-home")

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=120
        )

    git = ("git", "-c", "user.name=t", "-c", "user.email=t@example.com")
    run("git", "init", "-q")
    run(*git, "add", "botops.yaml", "bots/support.yaml", ".pre-commit-config.yaml")
    assert run(*git, "commit", "-qm", "support").returncode == 0
    run(*git, "add", "bots/extra.yaml")
    done = run(str(Path(sys.executable).parent / "pre-commit"), "run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert DUPLICATE in done.stdout
    (project / "bots/extra.yaml").write_text(EXTRA.replace("bot_support01", "bot_support02"))
    run(*git, "add", "bots/extra.yaml")
    done = run(str(Path(sys.executable).parent / "pre-commit"), "run")
    assert done.returncode == 0, done.stdout + done.stderr
