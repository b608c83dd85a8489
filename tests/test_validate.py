"""`botops validate` and the loader behind it: every bad file gets an exact, readable error.

Scenario files live in `tests/validation/`, each named after the failure it provokes, with the
lines a user must read in leading `# expect: {file}:LINE:COL: message` comments (`{file}` is the
scenario file's own path). A directory there is one scenario spread over several files; one
with a `botops.yaml` is validated with it (`--config`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from botops.cli import cli
from botops.errors import ConfigError, Problem
from botops.project.loader import load_resources
from botops.project.settings import load_project
from botops.support import yamlpos

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).resolve().parent / "validation"
EXAMPLES = ROOT / "examples" / "bots"
SCHEMAS = ROOT / "botops" / "schemas"
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


def test_every_scenario_file_holds_the_expectations_for_its_own_lines() -> None:
    """Guards the corpus: an `# expect:` line names the file it is written in."""
    for case in _scenarios():
        for file in [case] if case.is_file() else sorted(case.rglob("*.y*ml")):
            text = file.read_bytes().decode("utf-8", errors="replace")
            for line in text.splitlines():
                if line.startswith(EXPECT):
                    assert line.startswith(EXPECT + "{file}:"), (file, line)


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
    assert (result.exit_code, result.stdout) == (0, "Valid: 3 resources in 3 files.\n")


def test_a_missing_path_is_a_problem(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = validate("bots", "bot.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bot.yaml:1:1: no such file or directory",
        "bots:1:1: no such file or directory",
    ]


def test_examples_load_to_what_the_api_should_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    resources = load_resources([Path("examples/bots")], root=Path("."))
    prompts = EXAMPLES / "prompts"
    assistant, support, reminders = resources

    assert (assistant.kind, assistant.file, assistant.where) == (
        "Assistant",
        "examples/bots/acme-assistant.yaml",
        "examples/bots/acme-assistant.yaml:3:1",
    )
    assert assistant.id == "asst_acme01"
    assert assistant.mark_as_stable is True
    acme = (prompts / "acme-support.md").read_text(encoding="utf-8")
    returns = (prompts / "returns.md").read_text(encoding="utf-8")
    assert acme.endswith("\n") and not acme.endswith("\n\n")
    assert assistant.desired == {
        "instruction": acme[:-1],
        "llm_config": {"model": "gpt-4o", "temperature": 0.3, "max_tokens": 1024},
        "agents": [
            {
                "role": "order_handler",
                "instruction": "Handle order-related queries: look the order up by its number, "
                "read back its status and expected delivery date, and offer to send tracking "
                "details by SMS.",
            },
            {"role": "returns_handler", "instruction": returns[:-1]},
        ],
    }

    assert (support.kind, support.id, support.line, support.column) == (
        "Voicebot",
        "bot_support01",
        3,
        1,
    )
    assert support.desired == {
        "name": "Acme Customer Support",
        "enable_greeting_interruption": True,
        "supported_languages": ["en", "hi"],
    }
    assert support.version_description == "Let callers interrupt the greeting; add Hindi"
    assert support.description is None and support.mark_as_stable is None

    # Every example has its id: a live rename can never make the next apply create a bot.
    assert (reminders.id, reminders.name, reminders.line) == (
        "bot_payrem01",
        "Payment Reminder Bot",
        6,
    )
    assert reminders.description is None
    assert list(reminders.desired) == [
        "name",
        "enable_greeting_interruption",
        "supported_languages",
    ]


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_only_managed_fields_present_in_the_file_are_desired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "bots" / "one.yaml", "kind: Voicebot\nname: Support\n")
    _write(
        tmp_path / "bots" / "two.yml",
        "kind: Assistant\nassistant_id: asst_1\nllm_config: {temperature: 0}\n",
    )
    bot, assistant = load_resources([Path("bots")], root=tmp_path)
    assert (bot.file, bot.desired) == ("bots/one.yaml", {"name": "Support"})
    assert (assistant.file, assistant.desired) == (
        "bots/two.yml",
        {"llm_config": {"temperature": 0}},
    )
    assert assistant.mark_as_stable is None


def test_one_trailing_newline_of_an_instruction_file_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "prompts" / "two.md", b"Line one\r\nLine two\n\n")
    _write(tmp_path / "prompts" / "none.md", "No newline at all")
    _write(
        tmp_path / "assistant.yaml",
        "kind: Assistant\nassistant_id: asst_1\ninstruction_file: prompts/two.md\n"
        "agents:\n  - instruction_file: ./prompts/none.md\n    role: a\n",
    )
    (assistant,) = load_resources([Path("assistant.yaml")], root=tmp_path)
    assert assistant.desired == {
        "instruction": "Line one\nLine two\n",
        "agents": [{"instruction": "No newline at all", "role": "a"}],
    }


def test_empty_documents_are_ignored_and_yaml_1_1_words_stay_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path / "bots.yaml",
        "# nothing here\n---\n---\nkind: Voicebot\nname: Norway\nsupported_languages: [no, en]\n"
        "description: 2024-01-01\n---\n# the end\n",
    )
    (bot,) = load_resources([Path("bots.yaml")], root=tmp_path)
    assert bot.desired == {"name": "Norway", "supported_languages": ["no", "en"]}
    assert bot.description == "2024-01-01"
    assert (bot.line, bot.column) == (4, 1)


def test_a_comment_only_file_holds_no_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "empty.yaml", "# to do\n")
    assert load_resources([Path("empty.yaml")], root=tmp_path) == []
    assert validate("empty.yaml").stdout == "Valid: 0 resources in 0 files.\n"


def test_all_problems_of_a_run_come_together_sorted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(SCENARIOS)
    with pytest.raises(ConfigError) as caught:
        load_resources(
            [Path("unknown_kind.yaml"), Path("many_problems"), Path("duplicate_key.yaml")],
            root=Path("."),
        )
    problems = caught.value.problems
    assert problems == sorted(problems)
    assert [p.file for p in problems] == [
        "duplicate_key.yaml",
        "many_problems/a.yaml",
        "many_problems/a.yaml",
        "many_problems/b.yaml",
        "many_problems/b.yaml",
        "many_problems/b.yaml",
        "unknown_kind.yaml",
    ]
    assert problems[-1] == Problem(
        "unknown_kind.yaml", 2, 7, "unknown kind 'VoiceBot' (did you mean 'Voicebot'?)"
    )


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


def test_the_project_file_gives_the_project(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "botops.yaml",
        "account_id: 12345\nbase_url: http://127.0.0.1:8080\npaths: [bots, more/bots]\n",
    )
    project = load_project(path)
    assert project.account_id == "12345"
    assert project.base_url == "http://127.0.0.1:8080"
    assert project.paths == (tmp_path / "bots", tmp_path / "more" / "bots")
    assert (project.root, project.file) == (tmp_path, path)
    empty = load_project(_write(tmp_path / "empty.yaml", "# nothing yet\n"))
    assert (empty.account_id, empty.paths) == (None, ())


# ---------------------------------------------------------------------------------- schemas


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize("name", ["voicebot", "assistant", "botops"])
def test_schemas_are_valid_strict_2020_12_schemas(name: str) -> None:
    schema = _schema(f"{name}.schema.json")
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    for key, prop in schema["properties"].items():
        assert prop.get("description"), f"{name}: {key} has no description for editors"


def test_the_schemas_are_reachable_from_the_repository_root() -> None:
    assert (ROOT / "schemas" / "voicebot.schema.json").read_bytes() == (
        SCHEMAS / "voicebot.schema.json"
    ).read_bytes()


def test_the_examples_validate_against_the_schemas_their_modeline_names() -> None:
    """What an editor with yaml-language-server sees: plain jsonschema, no botops."""
    files = sorted(EXAMPLES.glob("*.yaml")) + [ROOT / "botops.yaml"]
    for file in files:
        text = file.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix), file
        schema_path = (file.parent / first[len(prefix) :]).resolve()
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        for document in yaml.safe_load_all(text):
            errors = list(Draft202012Validator(schema).iter_errors(document))
            assert errors == [], (file, [e.message for e in errors])


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ({"kind": "Assistant", "assistant_id": "a", "instruction": "x"}, True),
        (
            {"kind": "Assistant", "assistant_id": "a", "instruction": "x", "instruction_file": "y"},
            False,
        ),
        ({"kind": "Assistant", "assistant_id": "a", "agents": [{"instruction": "x"}]}, False),
        ({"kind": "Assistant", "assistant_id": "a", "llm_config": {"top_p": 1.5}}, False),
        ({"kind": "Assistant", "assistant_id": "-a"}, False),
        ({"kind": "Voicebot", "name": "n", "supported_languages": ["en-IN", "hi"]}, True),
        ({"kind": "Voicebot", "name": "n", "supported_languages": ["EN"]}, False),
        ({"kind": "Voicebot", "name": "n", "enable_greeting_interruption": "true"}, False),
    ],
)
def test_editors_see_the_same_rules(document: dict[str, Any], valid: bool) -> None:
    name = "assistant" if document["kind"] == "Assistant" else "voicebot"
    assert Draft202012Validator(_schema(f"{name}.schema.json")).is_valid(document) is valid


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


def test_an_alias_is_built_once_and_shared() -> None:
    (document,), issues = yamlpos.parse("a: &a {b: [1, 2]}\nc: *a\nd: *a\n")
    assert issues == [] and document.issues == []
    assert document.value == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": {"b": [1, 2]}}
    assert document.value["c"] is document.value["a"]
    assert document.where(("d", "b", 0)) == (1, 4)


def test_aliases_count_towards_the_node_limit_of_the_whole_file() -> None:
    """Two documents each under the limit, together over it."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4)]
    half = "\n".join(lines) + "\nall: [*a3, *a3, *a3, *a3]\n"
    documents, _ = yamlpos.parse(half + "---\n" + half)
    assert documents[0].issues == []
    assert documents[1].issues == [
        yamlpos.Issue(10, 5, "aliases expand to more than 100000 nodes (a YAML alias bomb?)")
    ]


@pytest.mark.parametrize("loader", ["libyaml", "pure-python"])
def test_numbers_follow_yaml_1_2(
    loader: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As editors read them: no octal `017`, no base-60 `1:30`; `0o17`, `1e3` are numbers."""
    if loader == "pure-python":
        monkeypatch.setattr(yamlpos, "_Loader", yaml.SafeLoader)
    (document,), _ = yamlpos.parse(
        "[017, 0o17, 0x1F, -12, +3, 1:30, 1_000, 0b11, 1e3, 2., .5, -1.5E-1, '017', !!int '12']"
    )
    assert document.value == [
        17,
        15,
        31,
        -12,
        3,
        "1:30",
        "1_000",
        "0b11",
        1000.0,
        2.0,
        0.5,
        -0.15,
        "017",
        12,
    ]
    assert [type(v) for v in document.value[:5]] == [int] * 5
    _write(
        tmp_path / "assistant.yaml",
        "kind: Assistant\nassistant_id: asst_1\nllm_config: {max_tokens: 017, temperature: 1e0}\n",
    )
    (assistant,) = load_resources([tmp_path / "assistant.yaml"], root=tmp_path)
    assert assistant.desired == {"llm_config": {"max_tokens": 17, "temperature": 1.0}}


# ---------------------------------------------------------------------------------- roots


def test_a_project_file_named_otherwise_is_not_a_resource_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`botops --config ci.yaml` scanning the directory ci.yaml is in."""
    _write(tmp_path / "ci.yaml", "account_id: Exotel\n")
    _write(tmp_path / "bot.yaml", "kind: Voicebot\nname: Support\n")
    monkeypatch.chdir(tmp_path)
    (bot,) = load_resources([Path(".")], root=tmp_path, project_file=Path("ci.yaml"))
    assert bot.file == "bot.yaml"
    with pytest.raises(ConfigError) as caught:
        load_resources([Path(".")], root=tmp_path)
    assert caught.value.problems == [
        Problem("ci.yaml", 1, 1, "missing required key 'kind' (Voicebot or Assistant)")
    ]


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
