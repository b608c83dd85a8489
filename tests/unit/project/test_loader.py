"""The loader and the schemas behind `botops validate`: what a resource file loads to, YAML 1.2
rules, aliases, and that every scenario in tests/validation/ states its expectations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from botops.errors import ConfigError, Problem
from botops.project.loader import load_resources
from botops.project.settings import load_project
from botops.support import yamlpos
from tests.support import ROOT
from tests.support import write_file as _write

SCENARIOS = ROOT / "tests/validation"
EXAMPLES = ROOT / "examples" / "bots"
SCHEMAS = ROOT / "botops" / "schemas"
EXPECT = "# expect: "


def _is_yaml(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml")


def _scenarios() -> list[Path]:
    return sorted(
        p
        for p in SCENARIOS.iterdir()
        if (p.is_file() and _is_yaml(p)) or (p.is_dir() and any(p.rglob("*.yaml")))
    )


def test_every_scenario_file_holds_the_expectations_for_its_own_lines() -> None:
    """Guards the corpus: an `# expect:` line names the file it is written in."""
    for case in _scenarios():
        for file in [case] if case.is_file() else sorted(case.rglob("*.y*ml")):
            text = file.read_bytes().decode("utf-8", errors="replace")
            for line in text.splitlines():
                if line.startswith(EXPECT):
                    assert line.startswith(EXPECT + "{file}:"), (file, line)


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
