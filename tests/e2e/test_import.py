"""`botops import`: live bots and assistants into files that plan as no changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner

from botops.cli import cli
from botops.errors import UsageError
from botops.kinds import LLM_CONFIG_KEYS
from botops.model import Resource
from botops.project.loader import load_resources
from botops.support.yamlwrite import needs_escapes
from botops.sync.importer import write_files
from botops.sync.layout import LiveResource, lay_out
from tests.support import ROOT, Emulator, botops

FIXTURES = ROOT / "tests/fixtures/import.yaml"
VOICEBOTS = "/voicebot/api/v2/accounts/Exotel/voicebots"
ASSISTANTS = "/api/v2/accounts/Exotel/assistants"


def live(emulator: Emulator, resource: Resource) -> dict[str, Any]:
    path = VOICEBOTS if resource.kind == "Voicebot" else ASSISTANTS
    body: dict[str, Any] = httpx2.get(f"{emulator.url}{path}/{resource.id}", timeout=10).json()
    return body


def expected_desired(resource: Resource, found: dict[str, Any]) -> dict[str, Any]:
    """What a file must declare for `found` to plan as no changes, built from the live object."""
    if resource.kind == "Voicebot":
        return {
            k: found[k] for k in ("name", "enable_greeting_interruption", "supported_languages")
        }
    config = {k: found["llm_config"][k] for k in LLM_CONFIG_KEYS if k in found["llm_config"]}
    desired = {"instruction": found["instruction"], "llm_config": config}
    if found.get("agents") is not None:  # an empty list is the whole list too
        desired["agents"] = [
            {"role": a["role"], "instruction": a["instruction"]} for a in found["agents"]
        ]
    return desired


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project: botops.yaml naming bots/, and schemas/ at its root."""
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    (tmp_path / "bots").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def fixtures(emulator_factory: Any) -> Emulator:
    result: Emulator = emulator_factory("--fixtures", str(FIXTURES))
    return result


def test_import_all_writes_one_file_per_resource(project: Path, fixtures: Emulator) -> None:
    result = botops(fixtures, "import", "--all")
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(project / "bots")) for p in (project / "bots").rglob("*.*"))
    assert written == [
        "asst_long.yaml",
        "asst_short.yaml",
        "bot_hindi.yaml",  # a name without Latin letters: the id
        "order-desk.yaml",
        "prompts/asst_long-returns-handler.md",
        "prompts/asst_long.md",
        "sales-line-bot_sales1.yaml",  # two names, one slug: both get their id
        "sales-line-bot_sales2.yaml",
    ]
    assert "Wrote bots/order-desk.yaml  (voicebot/bot_orders v3)" in result.stdout

    assert (project / "bots/order-desk.yaml").read_text() == (
        "# yaml-language-server: $schema=../schemas/voicebot.schema.json\n"
        "kind: Voicebot\n"
        "bot_id: bot_orders\n"
        "name: Order Desk\n"
        "enable_greeting_interruption: true\n"
        "supported_languages: [en, hi]\n"
    )
    assert "name: भुगतान सहायक\n" in (project / "bots/bot_hindi.yaml").read_text()
    assert (project / "bots/asst_long.yaml").read_text() == (
        "# yaml-language-server: $schema=../schemas/assistant.schema.json\n"
        "kind: Assistant\n"
        "assistant_id: asst_long\n"
        "mark_as_stable: true\n"
        "instruction_file: prompts/asst_long.md\n"
        "llm_config:\n"
        "  model: gpt-4o\n"
        "  provider: openai\n"
        "  temperature: 0.2\n"
        "  top_p: 0.9\n"
        "  max_tokens: 512\n"
        "agents:\n"
        "  - role: order_handler\n"
        "    instruction: Handle order-related queries\n"
        "  - role: returns_handler\n"
        "    instruction_file: prompts/asst_long-returns-handler.md\n"
    )
    short = (project / "bots/asst_short.yaml").read_text()
    assert "mark_as_stable" not in short  # its latest version is not the stable one
    assert "instruction: Be brief and polite.\n" in short
    # Markdown prompts hold the instruction verbatim plus one newline.
    prompt = (project / "bots/prompts/asst_long.md").read_text(encoding="utf-8")
    assert prompt == live_assistant(fixtures, "asst_long")["instruction"] + "\n"
    returns = (project / "bots/prompts/asst_long-returns-handler.md").read_text()
    assert returns.endswith("2. Offer a pickup slot.\n\n")  # the live text ends with a newline


def live_assistant(emulator: Emulator, assistant_id: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx2.get(f"{emulator.url}{ASSISTANTS}/{assistant_id}").json()
    return body


def test_imported_files_load_to_exactly_the_live_values(project: Path, fixtures: Emulator) -> None:
    assert botops(fixtures, "import", "--all").exit_code == 0
    resources = load_resources([project / "bots"], root=project)
    assert len(resources) == 6
    for resource in resources:
        found = live(fixtures, resource)
        assert resource.desired == expected_desired(resource, found), resource.where
    stable = {r.id: r.mark_as_stable for r in resources if r.kind == "Assistant"}
    assert stable == {"asst_long": True, "asst_short": None}


def test_plan_after_import_shows_no_changes(project: Path, fixtures: Emulator) -> None:
    assert botops(fixtures, "import", "--all").exit_code == 0
    validate = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert validate.exit_code == 0, validate.output
    plan = botops(fixtures, "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert plan.stdout.rstrip().endswith("Plan: 0 to create, 0 to update, 6 unchanged.")


def test_import_by_id_from_the_demo_then_plan(project: Path, emulator_factory: Any) -> None:
    demo = emulator_factory("--demo")
    result = botops(demo, "import", "bot_support01", "asst_acme01")
    assert result.exit_code == 0, result.output
    assert (project / "bots/asst_acme01.yaml").is_file()
    assert (project / "bots/prompts/asst_acme01.md").is_file()
    plan = botops(demo, "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_unknown_id_is_an_error_and_writes_nothing(project: Path, fixtures: Emulator) -> None:
    result = botops(fixtures, "import", "bot_orders", "nope")
    assert result.exit_code == 1
    assert result.stderr == "Error: no voicebot or assistant has the id 'nope'\n"
    assert list((project / "bots").iterdir()) == []


def test_nothing_named_is_an_error(project: Path, fixtures: Emulator) -> None:
    result = botops(fixtures, "import")
    assert result.exit_code == 1
    assert "--all" in result.stderr


def test_existing_files_need_force(project: Path, fixtures: Emulator) -> None:
    assert botops(fixtures, "import", "--all").exit_code == 0
    order_desk = project / "bots/order-desk.yaml"
    original = order_desk.read_text()
    order_desk.write_text(original.replace("Order Desk", "Edited Locally"))
    (project / "bots/asst_short.yaml").unlink()

    refused = botops(fixtures, "import", "--all")
    assert refused.exit_code == 1
    assert "bots/order-desk.yaml" in refused.stderr and "--force" in refused.stderr
    assert "nothing was written" in refused.stderr
    # Checked before writing anything: the missing file was not written either.
    assert not (project / "bots/asst_short.yaml").exists()
    assert "Edited Locally" in order_desk.read_text()

    forced = botops(fixtures, "import", "--all", "--force")
    assert forced.exit_code == 0, forced.output
    assert order_desk.read_text() == original
    assert (project / "bots/asst_short.yaml").is_file()


def test_dir_option_and_a_resource_declared_elsewhere(project: Path, emulator_factory: Any) -> None:
    demo = emulator_factory("--demo")
    for path in (ROOT / "examples/bots").rglob("*.*"):
        target = project / "bots" / path.relative_to(ROOT / "examples/bots")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())

    # Already declared alone in bots/customer-support.yaml: that file is the target.
    refused = botops(demo, "import", "bot_support01")
    assert refused.exit_code == 1
    assert "customer-support.yaml already exists" in refused.stderr
    forced = botops(demo, "import", "bot_support01", "--force")
    assert forced.exit_code == 0, forced.output
    assert "bot_id: bot_support01" in (project / "bots/customer-support.yaml").read_text()
    assert not (project / "bots/acme-customer-support.yaml").exists()

    elsewhere = botops(demo, "import", "bot_support01", "--dir", "../other")
    assert elsewhere.exit_code == 0, elsewhere.output
    assert (
        (project.parent / "other/acme-customer-support.yaml")
        .read_text()
        .startswith(
            f"# yaml-language-server: $schema=../{project.name}/schemas/voicebot.schema.json\n"
        )
    )


def test_dir_under_a_plain_file_is_a_one_line_error(project: Path, fixtures: Emulator) -> None:
    (project / "afile2").write_text("a file, not a directory\n")
    result = botops(fixtures, "import", "--all", "--dir", "afile2/bots")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: afile2/bots/asst_long.yaml: can't write: afile2 is not a directory\n"
    )
    assert list((project / "bots").iterdir()) == []


def test_an_id_named_and_listed_is_read_once(project: Path, fixtures: Emulator) -> None:
    fixtures.clear_requests()
    result = botops(fixtures, "import", "bot_orders", "asst_short", "--all")
    assert result.exit_code == 0, result.output
    reads = [r["path"] for r in fixtures.requests() if r["method"] == "GET"]
    assert reads.count(f"{VOICEBOTS}/bot_orders") == 1
    assert reads.count(f"{ASSISTANTS}/asst_short") == 1
    assert f"{VOICEBOTS}/asst_short" not in reads  # listed as an assistant: not tried as a bot


AWKWARD_TEXTS = {
    "nul": "First line.\nThen a NUL: \0, and more.",
    "byte-order mark first": "\ufeffStarts with a byte-order mark.\nSecond line.",
    "byte-order mark inside": "A mark \ufeff inside.\nSecond line.",
    "nel": "a\x85b",
    "nel, long": "x" * 250 + "\x85" + "y" * 10,
    "line separator": "a\u2028b\nc",
    "paragraph separator": "a\u2029b",
    "carriage returns": "one\r\ntwo\rthree\n",
    "escape and delete": "colour \x1b[1m bold \x7f\nnext",
    "vertical tab and form feed": "a\x0bb\x0cc\nd",
    "tabs stay in the file": "\tindented\n\tlines\n",
    "quotes and backslashes": "say \"hi\" \\ 'there'\nline: two # not a comment",
    "a YAML 1.2 octal number": "0o17",
    "a YAML 1.2 float without a dot": "1e3",
}


@pytest.mark.parametrize("text", AWKWARD_TEXTS.values(), ids=AWKWARD_TEXTS.keys())
def test_any_instruction_reads_back_exactly(tmp_path: Path, text: str) -> None:
    live = LiveResource(
        "Assistant",
        "asst_x",
        {
            "assistant_id": "asst_x",
            "instruction": text,
            "llm_config": {"model": "gpt-4o"},
            "agents": [{"role": "helper", "instruction": text}],
        },
    )
    write_files(lay_out([live], tmp_path / "bots", schemas_dir=ROOT / "schemas"), force=False)
    (resource,) = load_resources([tmp_path / "bots"], root=tmp_path)
    assert resource.desired["instruction"] == text
    assert resource.desired["agents"][0]["instruction"] == text
    prompts = tmp_path / "bots/prompts"
    if needs_escapes(text):  # inline, in double quotes with escapes
        assert not prompts.exists()
        assert '\ninstruction: "' in (tmp_path / "bots/asst_x.yaml").read_text(encoding="utf-8")
    elif "\n" in text:
        assert prompts.is_dir()


def test_a_lone_surrogate_is_refused_before_writing(tmp_path: Path) -> None:
    live = LiveResource("Voicebot", "bot_x", {"bot_id": "bot_x", "name": "Bad \ud800 name"})
    with pytest.raises(UsageError) as caught:
        lay_out([live], tmp_path, schemas_dir=ROOT / "schemas")
    assert str(caught.value).startswith("voicebot/bot_x: name holds a lone UTF-16 surrogate")


SHARED = """\
kind: Voicebot
bot_id: bot_orders
name: Order Desk
---
kind: Voicebot
bot_id: bot_other
name: Other
"""


def test_import_refuses_a_second_declaration_beside_an_invalid_file(
    project: Path, fixtures: Emulator
) -> None:
    (project / "bots/shared.yaml").write_text(SHARED)
    (project / "bots/broken.yaml").write_text("kind: Voicebot\nnmae: typo\n")
    result = botops(fixtures, "import", "bot_orders")
    assert result.exit_code == 1
    assert "voicebot/bot_orders is already declared at bots/shared.yaml:1:1" in result.stderr
    assert sorted(p.name for p in (project / "bots").iterdir()) == ["broken.yaml", "shared.yaml"]
