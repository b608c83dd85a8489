"""`validate` reports a `# yaml-language-server: $schema=...` modeline that leads nowhere
(issue 18, item 16): a file moved to another folder, a typo, a schema of another kind, a file
that is no schema; each at its line, with the modeline to write instead. URLs are not fetched
and not reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from botops.project.schemafiles import write_schemas
from tests.support import Emulator, botops, write_file

VOICEBOT = "kind: Voicebot\nbot_id: bot_line\nname: Support Line\n"
ASSISTANT = "kind: Assistant\nassistant_id: asst_a\ninstruction: Help.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_file(tmp_path / "botops.yaml", "paths: [bots]\naccount_id: Exotel\n")
    write_schemas(tmp_path / "schemas")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def modeline(target: str) -> str:
    return f"# yaml-language-server: $schema={target}\n"


def validate_lines() -> list[str]:
    result = botops(None, "validate")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return list(result.stderr.splitlines())


def test_a_file_moved_one_folder_down_is_told_the_path_that_resolves(project: Path) -> None:
    write_file(
        project / "bots/support/line.yaml", modeline("../schemas/voicebot.schema.json") + VOICEBOT
    )

    assert validate_lines() == [
        "bots/support/line.yaml:1:25: $schema=../schemas/voicebot.schema.json leads to no file "
        "from here; write `# yaml-language-server: $schema=../../schemas/voicebot.schema.json`"
    ]


@pytest.mark.parametrize(
    ("target", "wrong"),
    [
        ("../schemas/voicebot.schema.json", "is not the schema of kind: Assistant "
         "(assistant.schema.json or resource.schema.json)"),
        ("../botops.yaml", "is not the schema of kind: Assistant "
         "(assistant.schema.json or resource.schema.json)"),
        ("../schemas/assistant.schema.jsn", "leads to no file from here"),
        ("", "names no schema"),
    ],
    ids=["other-kind", "not-a-schema", "typo", "empty"],
)  # fmt: skip
def test_a_modeline_that_is_not_the_documents_schema_is_reported(
    project: Path, target: str, wrong: str
) -> None:
    write_file(project / "bots/a.yaml", "\n" + modeline(target) + ASSISTANT)

    assert validate_lines() == [
        f"bots/a.yaml:2:25: $schema={target} {wrong}; "
        "write `# yaml-language-server: $schema=../schemas/assistant.schema.json`"
    ]


def test_each_document_of_a_file_is_checked_against_its_own_kind(project: Path) -> None:
    text = (
        modeline("../schemas/voicebot.schema.json") + VOICEBOT + "---\n"
        + modeline("../schemas/voicebot.schema.json") + ASSISTANT + "---\n"
        + modeline("../schemas/resource.schema.json") + ASSISTANT.replace("asst_a", "asst_b")
    )  # fmt: skip
    write_file(project / "bots/mixed.yaml", text)

    assert validate_lines() == [
        "bots/mixed.yaml:6:25: $schema=../schemas/voicebot.schema.json is not the schema of "
        "kind: Assistant (assistant.schema.json or resource.schema.json); "
        "write `# yaml-language-server: $schema=../schemas/assistant.schema.json`"
    ]


def test_without_the_schemas_it_says_how_to_write_them(project: Path) -> None:
    for schema in (project / "schemas").iterdir():
        schema.unlink()
    write_file(project / "bots/line.yaml", modeline("../schemas/voicebot.schema.json") + VOICEBOT)

    assert validate_lines() == [
        "bots/line.yaml:1:25: $schema=../schemas/voicebot.schema.json leads to no file from "
        "here; write `# yaml-language-server: $schema=../schemas/voicebot.schema.json` "
        "(`botops schema` writes schemas/)"
    ]


@pytest.mark.parametrize(
    "target",
    [
        "../schemas/voicebot.schema.json",
        "../schemas/resource.schema.json",
        "https://example.com/nowhere/voicebot.schema.json",
    ],
)
def test_a_modeline_that_resolves_or_is_a_url_passes(project: Path, target: str) -> None:
    write_file(project / "bots/line.yaml", modeline(target) + VOICEBOT)

    result = botops(None, "validate")

    assert result.exit_code == 0, result.output


def test_the_files_import_writes_pass(project: Path, emulator_factory: Any) -> None:
    emulator: Emulator = emulator_factory("--demo")
    imported = botops(emulator, "import", "--all", "--dir", "bots/imported")
    assert imported.exit_code == 0, imported.output
    assert all(p.read_text().startswith("# yaml-language-server: $schema=../../schemas/")
               for p in Path("bots/imported").rglob("*.yaml"))  # fmt: skip

    result = botops(None, "validate")

    assert result.exit_code == 0, result.output
