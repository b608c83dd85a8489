"""`botops validate --format json|github|gitlab`, and the non-resource paths pre-commit passes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from botops.render.problems import escape_data, escape_property

TYPO = "kind: Voicebot\nname: Support\nsuported_languages: [en]\n"
GOOD = "kind: Voicebot\nname: Sales\nsupported_languages: [en]\n"


def validate(*args: str) -> Result:
    from botops.cli import cli

    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree holding a project in `infra/` (so repository paths differ from the
    paths botops shows), run from `infra/`."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project = tmp_path / "infra"
    (project / "bots" / "prompts").mkdir(parents=True)
    (project / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    (project / "bots" / "support.yaml").write_text(TYPO)
    (project / "bots" / "sales.yaml").write_text(GOOD)
    (project / "bots" / "prompts" / "tone.md").write_text("Be kind.\n")
    monkeypatch.chdir(project)
    return tmp_path


def test_github_annotations_name_the_repository_path(repo: Path) -> None:
    result = validate("--format", "github")

    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=infra/bots/support.yaml,line=3,col=1,title=botops validate::"
        "unknown key 'suported_languages' (did you mean 'supported_languages'?)\n"
    )
    # The usual lines still go to stderr, with the paths as botops shows them.
    assert result.stderr == (
        "bots/support.yaml:3:1: unknown key 'suported_languages' "
        "(did you mean 'supported_languages'?)\n"
    )


def test_github_escapes_data_and_properties(repo: Path) -> None:
    odd = repo / "infra" / "bots" / "a,b:c.yaml"
    odd.write_text("kind: Voicebot\nname: X\n'100%': 1\n")
    result = validate("--format", "github", str(odd.relative_to(repo / "infra")))

    assert result.stdout == (
        "::error file=infra/bots/a%2Cb%3Ac.yaml,line=3,col=1,title=botops validate::"
        "unknown key '100%25'\n"
    )
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_json_lists_problems_or_says_valid(repo: Path) -> None:
    invalid = validate("--format", "json")
    (repo / "infra" / "bots" / "support.yaml").write_text(GOOD.replace("Sales", "Support"))
    valid = validate("--format", "json")

    assert invalid.exit_code == 1
    assert json.loads(invalid.stdout) == {
        "valid": False,
        "problems": [
            {
                "file": "bots/support.yaml",
                "line": 3,
                "column": 1,
                "message": "unknown key 'suported_languages' (did you mean 'supported_languages'?)",
            }
        ],
    }
    assert valid.exit_code == 0
    assert json.loads(valid.stdout) == {"valid": True, "problems": []}
    assert valid.stderr == "Valid: 2 resources in 2 files.\n"


def test_gitlab_code_quality_with_stable_fingerprints(repo: Path) -> None:
    support = repo / "infra" / "bots" / "support.yaml"
    support.write_text(TYPO + "nmae: x\n")
    first = json.loads(validate("--format", "gitlab").stdout)
    # The same problems after an unrelated edit above them keep their fingerprints.
    support.write_text("# a comment\n" + TYPO + "nmae: x\n")
    second = json.loads(validate("--format", "gitlab").stdout)

    assert [item["location"] for item in first] == [
        {"path": "infra/bots/support.yaml", "lines": {"begin": 3}},
        {"path": "infra/bots/support.yaml", "lines": {"begin": 4}},
    ]
    assert first[0]["check_name"] == "botops validate" and first[0]["severity"] == "major"
    assert first[0]["description"].startswith("unknown key 'suported_languages'")
    assert set(first[0]) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert first[0]["fingerprint"] != first[1]["fingerprint"]
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]
    assert [i["location"]["lines"]["begin"] for i in second] == [4, 5]


def test_changed_file_names_as_pre_commit_passes_them(repo: Path) -> None:
    result = validate("botops.yaml", "bots/prompts/tone.md", "bots/prompts", "bots/sales.yaml")

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "Valid: 1 resource in 1 file.\n"


TEAM_YAML = (".github/workflows/ci.yml", ".pre-commit-config.yaml", "action.yml", "deploy/app.yaml")


def write_team_yaml(directory: Path) -> None:
    for name in TEAM_YAML:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text("jobs:\n  test: {script: [make]}\n")


def test_yaml_outside_the_projects_paths_is_skipped_and_said(repo: Path) -> None:
    """A commit touching workflows or pre-commit files passes the hook (review finding 2)."""
    write_team_yaml(repo / "infra")
    result = validate(*TEAM_YAML, "bots/sales.yaml")

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{name}: skipped: outside the project's paths, not a resource file" for name in TEAM_YAML
    ]
    assert result.stdout == "Valid: 1 resource in 1 file.\n"


def test_resource_files_inside_the_paths_are_still_checked_beside_skipped_ones(
    repo: Path,
) -> None:
    write_team_yaml(repo / "infra")
    result = validate("--format", "json", "action.yml", "bots/support.yaml")

    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["file"], problem["line"]) == ("bots/support.yaml", 3)
    assert result.stderr.splitlines()[0] == (
        "action.yml: skipped: outside the project's paths, not a resource file"
    )


def test_an_environments_own_paths_count_as_the_projects(repo: Path) -> None:
    (repo / "infra" / "botops.yaml").write_text(
        "environments:\n  prod: {account_id: acme, paths: [bots]}\n"
        "  staging: {account_id: acme-staging, paths: [staging]}\n"
    )
    (repo / "infra" / "staging").mkdir()
    (repo / "infra" / "staging" / "bot.yaml").write_text(TYPO)
    result = validate("staging/bot.yaml")
    assert result.exit_code == 1
    assert "staging/bot.yaml:3:1: unknown key 'suported_languages'" in result.stderr
    only_prod = validate("--env", "prod", "staging/bot.yaml")
    assert (only_prod.exit_code, only_prod.stderr) == (
        0,
        "staging/bot.yaml: skipped: outside the project's paths, not a resource file\n",
    )


def test_without_paths_in_botops_yaml_every_named_yaml_is_checked(repo: Path) -> None:
    (repo / "infra" / "botops.yaml").write_text("account_id: Exotel\n")
    write_team_yaml(repo / "infra")
    result = validate("action.yml")

    assert result.exit_code == 1
    assert result.stderr == "action.yml:1:1: missing required key 'kind' (Voicebot or Assistant)\n"


def test_project_file_named_explicitly_is_checked_against_its_schema(repo: Path) -> None:
    nested = repo / "infra" / "other"
    nested.mkdir()
    (nested / "botops.yaml").write_text("acount_id: Exotel\n")
    result = validate("--format", "json", "other/botops.yaml", "bots/prompts/tone.md")

    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == "other/botops.yaml"
    assert (problem["line"], problem["column"]) == (1, 1)
    assert problem["message"].startswith("unknown key 'acount_id'")


def test_a_broken_project_file_is_reported_in_the_format_asked(repo: Path) -> None:
    (repo / "infra" / "botops.yaml").write_text("account_id: Exotel\npaths: bots\n")
    result = validate("--format", "github")

    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=infra/botops.yaml,line=2,col=8,")
