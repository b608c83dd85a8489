"""`botops validate` and the loader behind it: every bad file gets an exact, readable error.

Scenario files live in `tests/validation/`, each named after the failure it provokes, with the
lines a user must read in leading `# expect: {file}:LINE:COL: message` comments (`{file}` is the
scenario file's own path). A directory there is one scenario spread over several files; one
with a `botops.yaml` is validated with it (`--config`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from botops.cli import cli
from botops.errors import ConfigError
from botops.project.loader import load_resources
from botops.support import yamlpos
from tests.support import ROOT
from tests.support import write_file as _write

SCENARIOS = ROOT / "tests/validation"
EXAMPLES = ROOT / "examples" / "bots"
EXPECT = "# expect: "


def _is_yaml(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml")


def _scenarios() -> list[Path]:
    return sorted(
        p
        for p in SCENARIOS.iterdir()
        if (p.is_file() and _is_yaml(p) and p.name != "botops.yaml")
        or (p.is_dir() and any(p.rglob("*.yaml")))
    )


def _expected(case: Path) -> list[str]:
    files = sorted(case.rglob("*")) if case.is_dir() else [case]
    lines: list[str] = []
    for file in files:
        if not file.is_file() or not _is_yaml(file):
            continue
        shown = str(file.relative_to(SCENARIOS))
        text = file.read_bytes().decode("utf-8", errors="replace")
        lines += [
            line[len(EXPECT) :].replace("{file}", shown)
            for line in text.splitlines()
            if line.startswith(EXPECT)
        ]
    return sorted(lines, key=_position)


def _position(line: str) -> tuple[str, int, int]:
    file, row, column, _ = line.split(":", 3)
    return file, int(row), int(column)


def validate(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args])


@pytest.mark.parametrize("loader", ["libyaml", "pure-python"])
@pytest.mark.parametrize("case", _scenarios(), ids=lambda p: p.name)
def test_scenario_reports_exactly_its_problems(
    case: Path, loader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also without libyaml (PyYAML built without it): the same lines, to the column."""
    if loader == "pure-python":
        monkeypatch.setattr(yamlpos, "_Loader", yaml.SafeLoader)
    expected = _expected(case)
    assert expected, f"{case.name} has no '# expect:' line"
    monkeypatch.chdir(SCENARIOS)
    # A scenario that needs a project file (environments, guards) holds its own botops.yaml.
    project = case / "botops.yaml"
    config = ["--config", str(project.relative_to(SCENARIOS))] if project.is_file() else []
    result = validate(*config, case.name)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == expected
    assert result.stdout == ""


def test_the_examples_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = validate("examples/bots")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "Valid: 3 resources in 3 files.\n"


def test_without_paths_the_project_file_paths_are_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    result = validate()
    assert (result.exit_code, result.stdout) == (
        0,
        "Valid: 3 resources in 3 files, 2 tests in 1 file.\n",
    )


def test_a_missing_path_is_a_problem(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = validate("bots", "bot.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bot.yaml:1:1: no such file or directory",
        "bots:1:1: no such file or directory",
    ]


def test_a_comment_only_file_holds_no_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "empty.yaml", "# to do\n")
    assert load_resources([Path("empty.yaml")], root=tmp_path) == []
    assert validate("empty.yaml").stdout == "Valid: 0 resources in 0 files.\n"


def test_a_file_given_twice_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SCENARIOS)
    result = validate("valid_beside_invalid", "valid_beside_invalid/good.yaml")
    assert result.stderr.splitlines() == _expected(SCENARIOS / "valid_beside_invalid")


def test_an_absolute_path_under_the_working_directory_is_shown_relative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(SCENARIOS)
    result = validate(str(SCENARIOS / "duplicate_key.yaml"))
    assert result.stderr.splitlines() == _expected(SCENARIOS / "duplicate_key.yaml")


def test_an_instruction_file_symlinked_out_of_the_project_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = _write(tmp_path / "outside" / "secret.md", "not for bots\n")
    project = tmp_path / "project"
    _write(project / "prompts" / "placeholder.md", "fine\n")
    (project / "prompts" / "link.md").symlink_to(outside)
    _write(
        project / "assistant.yaml",
        "kind: Assistant\nassistant_id: asst_1\ninstruction_file: prompts/link.md\n",
    )
    monkeypatch.chdir(project)
    result = validate("assistant.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "assistant.yaml:3:19: instruction_file 'prompts/link.md' is outside the project root; "
        "keep instruction files inside the repository"
    ]


def test_the_project_root_decides_what_is_inside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "prompts" / "shared.md", "Shared prompt\n")
    _write(
        tmp_path / "bots" / "assistant.yaml",
        "kind: Assistant\nassistant_id: asst_1\ninstruction_file: ../prompts/shared.md\n",
    )
    _write(tmp_path / "botops.yaml", "account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(tmp_path)
    result = validate()
    assert (result.exit_code, result.stdout) == (0, "Valid: 1 resource in 1 file.\n")
    monkeypatch.chdir(tmp_path / "bots")
    result = validate("assistant.yaml")  # botops.yaml is found above, as git finds .git
    assert (result.exit_code, result.stdout) == (0, "Valid: 1 resource in 1 file.\n")
    (tmp_path / "bots" / ".git").mkdir()  # bots/ a repository of its own: the search stops
    result = validate("assistant.yaml")
    assert result.exit_code == 1
    assert "is outside the project root" in result.stderr


def test_botops_yaml_is_found_from_a_subdirectory_and_its_guards_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        tmp_path / "botops.yaml",
        "account_id: Exotel\npaths: [bots]\nguards:\n  models: [gpt-4o]\n",
    )
    _write(
        tmp_path / "bots" / "deep" / "assistant.yaml",
        "kind: Assistant\nassistant_id: asst_1\ninstruction: Hi\nllm_config:\n  model: gpt-3\n",
    )
    monkeypatch.chdir(tmp_path / "bots" / "deep")
    result = validate()
    assert result.exit_code == 1
    assert result.stderr.startswith("../assistant.yaml:") or "assistant.yaml:5:" in result.stderr
    assert "gpt-3" in result.stderr


def test_a_missing_entry_of_paths_is_reported_where_botops_yaml_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "botops.yaml", "account_id: Exotel\npaths:\n  - bots\n  - bot\n")
    _write(tmp_path / "bots" / "bot.yaml", "kind: Voicebot\nname: Support\n")
    monkeypatch.chdir(tmp_path)
    result = validate()
    assert (result.exit_code, result.stderr) == (1, "botops.yaml:4:5: paths: bot does not exist\n")


def test_the_project_file_is_not_a_resource_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "botops.yaml", "account_id: Exotel\n")
    _write(tmp_path / "bot.yaml", "kind: Voicebot\nname: Support\n")
    monkeypatch.chdir(tmp_path)
    result = validate(".")
    assert (result.exit_code, result.stdout) == (0, "Valid: 1 resource in 1 file.\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "acount_id: Exotel\n",
            ["botops.yaml:1:1: unknown key 'acount_id' (did you mean 'account_id'?)"],
        ),
        (
            "# settings\nbase_url: ftp://example.com\npaths: bots\n",
            [
                "botops.yaml:2:11: 'base_url' must be an http:// or https:// URL, "
                "got 'ftp://example.com'",
                "botops.yaml:3:8: 'paths' must be a list of paths, got 'bots'",
            ],
        ),
        (
            "paths: [bots]\npaths: [more]\n",
            ["botops.yaml:2:1: duplicate key 'paths' (first at line 1)"],
        ),
        (
            "- bots\n",
            ["botops.yaml:1:1: the project file must be a mapping of settings, got a list"],
        ),
        (
            "paths: [bots\n",
            [
                "botops.yaml:2:1: invalid YAML: did not find expected ',' or ']' "
                "(while parsing a flow sequence at line 1)"
            ],
        ),
        (
            b"account_id: Exot\xe9l\n",
            ["botops.yaml:1:17: not UTF-8 text (byte 0xe9); save as UTF-8"],
        ),
    ],
    ids=["unknown_key", "wrong_types", "duplicate_key", "not_a_mapping", "syntax", "non_utf8"],
)
def test_project_file_problems_are_reported_with_their_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | bytes, expected: list[str]
) -> None:
    _write(tmp_path / "botops.yaml", content)
    monkeypatch.chdir(tmp_path)
    result = validate()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected


def test_nothing_a_file_holds_causes_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = [
        b"\xff\xfe\x00k\x00i\x00n\x00d",
        b"kind: [",
        b"{{{",
        b"kind: Voicebot\nname: &a [*a]\n",
        b"? [a, b]\n: c\n",
        b"kind: Assistant\nassistant_id: a\nagents: {role: x}\n",
        b"kind: Assistant\nassistant_id: a\nagents: [null, 3]\n",
        b"kind: Assistant\nassistant_id: a\ninstruction_file: [x]\n",
        b"kind: !!binary aGVsbG8=\n",
        b"kind: Voicebot\nname: x\n123: y\nnull: z\n",
        b"\x1b[31mkind: Voicebot\n",
        b"kind: Voicebot\nname: x\n...\n--- |\n  text\n",
    ]
    for index, content in enumerate(junk):
        _write(tmp_path / f"junk{index:02}.yaml", content)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "."], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert {line.split(":")[0] for line in lines} == {f"junk{i:02}.yaml" for i in range(len(junk))}
    assert all(line.split(":")[1].isdigit() for line in lines), lines
    assert "Traceback" not in result.output


def test_a_file_without_read_permission_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = _write(tmp_path / "bot.yaml", "kind: Voicebot\nname: x\n")
    path.chmod(0)
    monkeypatch.chdir(tmp_path)
    result = validate("bot.yaml")
    assert result.stderr.splitlines() == ["bot.yaml:1:1: can't read file: Permission denied"]


# ---------------------------------------------------------------------------------- hostile YAML


def test_nesting_too_deep_for_the_pure_python_parser_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML's own composer recurses once per level: far past the limit, it can't even
    build the nodes the limit is checked on."""
    monkeypatch.setattr(yamlpos, "_Loader", yaml.SafeLoader)
    _write(tmp_path / "deep.yaml", "kind: Voicebot\nname: " + "[" * 2000 + "]" * 2000 + "\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "deep.yaml"], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "deep.yaml:1:1: invalid YAML: nested deeper than 100 levels"
    ]


def test_in_a_git_work_tree_instruction_files_may_be_anywhere_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("no git")
    _write(tmp_path / "repo" / "prompts" / "shared.md", "Shared\n")
    _write(
        tmp_path / "repo" / "bots" / "assistant.yaml",
        "kind: Assistant\nassistant_id: asst_1\ninstruction_file: ../prompts/shared.md\n",
    )
    bots = tmp_path / "repo" / "bots"
    monkeypatch.chdir(tmp_path)
    # Not a work tree: `bots` is the root, even run from a git hook of another repository.
    monkeypatch.setenv("GIT_DIR", str(ROOT / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path))
    with pytest.raises(ConfigError) as caught:
        load_resources([bots])
    assert "is outside the project root" in caught.value.problems[0].message
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    subprocess.run([git, "init", "-q", str(tmp_path / "repo")], check=True)
    (assistant,) = load_resources([bots])
    assert assistant.desired == {"instruction": "Shared"}
    (assistant,) = load_resources([bots / "assistant.yaml"])
    assert assistant.desired == {"instruction": "Shared"}
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # no git at all: the path is the root
    with pytest.raises(ConfigError):
        load_resources([bots])


def test_without_a_project_root_the_repository_of_each_path_is_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`botops validate /abs/path/examples/bots` from anywhere, with no botops.yaml."""
    monkeypatch.chdir(tmp_path)
    resources = load_resources([EXAMPLES.resolve()])
    assert [r.id for r in resources] == ["asst_acme01", "bot_support01", "bot_payrem01"]
    escapes = SCENARIOS / "instruction_file_escapes.yaml"
    with pytest.raises(ConfigError) as caught:
        load_resources([escapes])
    assert [p.message for p in caught.value.problems] == [
        "instruction_file '../../../README.md' is outside the project root; "
        "keep instruction files inside the repository"
    ]
