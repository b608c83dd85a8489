"""Assistants in both dialects (DESIGN §16), end to end: the real CLI against a real emulator
serving the reference's dialect or Exotel's (`--dialect exotel`), parametrised by the `dialect`
fixture. What differs between the two is said once, in `Dialect`; every test runs against both
unless it is about one of them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml

from tests.support import Emulator, botops, write_fixtures

SHA = "0123456789abcdef0123456789abcdef01234567"
COMMIT = SHA[:7]

AGENTS = [
    {
        "role": "order_handler",
        "instruction": "Handle order-related queries.",
        "llm_config": {"model": "gpt-4o", "temperature": 0.3, "seed": 7},
        "mcp_tools": [{"server": "orders", "tools": ["lookup_order", "track"]}],
        "intent_detection_config": {"threshold": 0.8},
    },
    {
        "role": "returns_handler",
        "instruction": "Process return and refund requests.",
        "llm_config": {"model": "gpt-4o-mini", "temperature": 0.5},
        "mcp_tools": [{"server": "returns", "tools": ["open_return"]}],
    },
]
ASSISTANT = {
    "assistant_id": "asst_tools",
    "version": "v2",
    "stable_version": "v2",
    "instruction": "You are Acme's support line.",
    "llm_config": {"model": "gpt-4", "temperature": 0.7, "max_tokens": 512},
    "agents": AGENTS,
}


@dataclass(frozen=True)
class Dialect:
    """What a test expects of one dialect: where assistants are, how a write looks."""

    name: str
    prefix: str  # where the emulator serves assistants

    @property
    def exotel(self) -> bool:
        return self.name == "exotel"

    def assistants(self, emulator: Emulator) -> str:
        return f"{emulator.url}{self.prefix}/accounts/Exotel/assistants"

    def values(self, body: dict[str, Any]) -> dict[str, Any]:
        """The field values a version write sends."""
        if self.exotel:
            assert set(body) == {"source_version", "mark_as_stable", "version_description", "data"}
            values: dict[str, Any] = body["data"]
            return values
        return {k: v for k, v in body.items() if k not in ("source_version", "mark_as_stable")}

    def stable_mark(self, stable: bool) -> Any:
        """`mark_as_stable` as this dialect writes it."""
        return ("true" if stable else "false") if self.exotel else stable

    def write(self, emulator: Emulator, source: str, values: dict[str, Any], stable: bool) -> str:
        """Another writer's version, in this dialect; its version."""
        body: dict[str, Any] = {
            "source_version": source,
            "mark_as_stable": self.stable_mark(stable),
        }
        if self.exotel:
            body |= {"version_description": "by hand", "data": values}
        else:
            body |= values
        answer = httpx2.post(
            f"{self.assistants(emulator)}/asst_tools/versions", json=body, timeout=10
        )
        assert answer.status_code == 200, answer.text
        found = answer.json()
        version: str = (found["response"]["data"] if self.exotel else found)["version"]
        return version


DIALECTS = {
    "reference": Dialect("reference", "/api/v2"),
    "exotel": Dialect("exotel", "/voicebot/api/v2"),
}


@pytest.fixture(params=sorted(DIALECTS))
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return DIALECTS[request.param]


@pytest.fixture
def live(dialect: Dialect, emulator_factory: Any, tmp_path: Path) -> Emulator:
    """An emulator in `dialect` holding one assistant whose two agents carry MCP tools."""
    fixtures = write_fixtures(tmp_path / "fixtures.json", assistants=[ASSISTANT])
    emulator: Emulator = emulator_factory("--fixtures", str(fixtures), "--dialect", dialect.name)
    return emulator


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "bots").mkdir(parents=True)
    (root / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    monkeypatch.chdir(root)
    return root


def run(emulator: Emulator, *args: str, code: int = 0) -> str:
    result = botops(emulator, *args, GITHUB_SHA=SHA)
    assert result.exit_code == code, result.output
    return result.output


def posts(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["method"] == "POST"]


def imported(emulator: Emulator, project: Path) -> Path:
    run(emulator, "import", "asst_tools")
    (path,) = (project / "bots").glob("*.yaml")
    return path


def edit_one_agent(path: Path) -> None:
    """The returns handler's instruction and temperature, nothing else."""
    document = yaml.safe_load(path.read_text())
    agent = next(a for a in document["agents"] if a["role"] == "returns_handler")
    agent["instruction"] = "Process returns; refunds above 2,000 rupees go to a supervisor."
    agent["llm_config"]["temperature"] = 0.2
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def versions(emulator: Emulator) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx2.get(
        f"{emulator.url}/_emulator/assistants/asst_tools/versions", timeout=10
    ).json()
    return found


# The "done when", in both dialects


def test_import_plan_edit_apply_plan_history(
    dialect: Dialect, live: Emulator, project: Path
) -> None:
    path = imported(live, project)
    document = yaml.safe_load(path.read_text())
    # Agents' own model settings are managed; their tools and intent settings are not.
    assert document["agents"][0] == {
        "role": "order_handler",
        "instruction": "Handle order-related queries.",
        "llm_config": {"model": "gpt-4o", "temperature": 0.3},
    }
    assert document["mark_as_stable"] is True
    assert "No changes" in run(live, "plan")

    edit_one_agent(path)
    live.clear_requests()
    run(live, "apply", "--auto-approve")
    (post,) = posts(live)
    body = post["body"]
    assert post["path"] == f"{dialect.prefix}/accounts/Exotel/assistants/asst_tools/versions"
    assert body["source_version"] == "v2"
    assert body["mark_as_stable"] == dialect.stable_mark(True)
    values = dialect.values(body)
    assert list(values) == ["agents"]
    order, returns = values["agents"]
    # Every agent goes back with what botops does not manage, exactly as it was.
    assert order == AGENTS[0]
    assert returns == {
        **AGENTS[1],
        "instruction": "Process returns; refunds above 2,000 rupees go to a supervisor.",
        "llm_config": {"model": "gpt-4o-mini", "temperature": 0.2},
    }
    if dialect.exotel:
        assert COMMIT in body["version_description"]
    else:  # the reference's body has no description
        assert "version_description" not in body

    assert "No changes" in run(live, "plan")
    history = run(live, "history", "asst_tools")
    assert "v3" in history
    assert (COMMIT in history) is dialect.exotel
    listed = json.loads(run(live, "history", "asst_tools", "--format", "json"))
    newest = listed["versions"][0] if isinstance(listed, dict) else listed[0]
    assert newest["version"] == "v3"
    assert newest["commit"] == (COMMIT if dialect.exotel else None)


def test_a_saved_plan_is_applied_as_saved(dialect: Dialect, live: Emulator, project: Path) -> None:
    edit_one_agent(imported(live, project))
    run(live, "plan", "--out", "plan.json", "--detailed-exitcode", code=2)
    plan = json.loads((project / "plan.json").read_text())
    (resource,) = plan["resources"]
    assert resource["source_version"] == "v2"
    assert [c["path"] for c in resource["changes"]] == [
        "agents[returns_handler].instruction",
        "agents[returns_handler].llm_config.temperature",
    ]
    live.clear_requests()
    run(live, "apply", "--plan", "plan.json", "--auto-approve")
    (post,) = posts(live)
    assert post["body"] == resource["payload"]
    assert "No changes" in run(live, "plan")


def test_a_saved_plan_is_refused_as_stale_once_another_stable_version_exists(
    dialect: Dialect, live: Emulator, project: Path
) -> None:
    edit_one_agent(imported(live, project))
    run(live, "plan", "--out", "plan.json")
    dialect.write(live, "v2", {"instruction": "Changed by hand."}, stable=True)
    live.clear_requests()
    output = run(live, "apply", "--plan", "plan.json", "--auto-approve", code=1)
    assert "stale" in output
    assert posts(live) == []


def test_a_plan_builds_on_the_stable_version_where_the_server_reads_it(
    dialect: Dialect, live: Emulator, project: Path
) -> None:
    """Another writer's version that is not stable: Exotel's service serves callers the stable
    one, so botops diffs and builds on it and says so; the reference's read is the latest."""
    path = imported(live, project)
    dialect.write(live, "v2", {"instruction": "A draft nobody marked stable."}, stable=False)
    edit_one_agent(path)
    text = run(live, "plan", "--detailed-exitcode", code=2)
    markdown = run(live, "plan", "--format", "markdown", code=0)
    (resource,) = json.loads(run(live, "plan", "--format", "json"))["resources"]
    if dialect.exotel:
        note = "latest v3 is not stable; building on v2"
        assert note in text and note in markdown
        assert resource["notes"] == [note]
        assert resource["source_version"] == "v2"
        # The draft's instruction is not what callers get, so it is no change of this plan.
        assert "instruction" not in [c["path"] for c in resource["changes"]]
    else:
        assert "not stable" not in text
        assert "notes" not in resource
        assert resource["source_version"] == "v3"
    live.clear_requests()
    run(live, "apply", "--auto-approve")
    (post,) = posts(live)
    assert post["body"]["source_version"] == resource["source_version"]
    newest = versions(live)[-1]
    assert newest["version"] == "v4"
    assert "No changes" in run(live, "plan")


def test_a_version_written_but_not_marked_stable_is_read_back(
    dialect: Dialect, live: Emulator, project: Path
) -> None:
    path = imported(live, project)
    document = yaml.safe_load(path.read_text())
    document["mark_as_stable"] = False
    document["instruction"] = "A new opening line."
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    live.clear_requests()
    output = run(live, "apply", "--auto-approve")
    assert "v3" in output
    (post,) = posts(live)
    assert post["body"]["mark_as_stable"] == dialect.stable_mark(False)
    assert versions(live)[-1]["instruction"] == "A new opening line."


# Where assistants live


def assistant_reads(emulator: Emulator) -> list[tuple[str, int]]:
    return [
        (r["path"], r["status"])
        for r in emulator.requests()
        if r["method"] == "GET" and "/assistants" in r["path"]
    ]


def test_the_other_path_is_asked_once_and_kept_for_the_run(
    dialect: Dialect, emulator_factory: Any, tmp_path: Path, project: Path
) -> None:
    trio = [{**ASSISTANT, "assistant_id": f"asst_{n}"} for n in range(3)]
    fixtures = write_fixtures(tmp_path / "trio.json", assistants=trio)
    emulator: Emulator = emulator_factory("--fixtures", str(fixtures), "--dialect", dialect.name)
    for n in range(3):
        (project / "bots" / f"a{n}.yaml").write_text(
            f"kind: Assistant\nassistant_id: asst_{n}\ninstruction: x\n"
        )
    result = botops(emulator, "--debug", "plan")
    assert result.exit_code == 0, result.output
    reads = assistant_reads(emulator)
    wrong = [path for path, status in reads if not path.startswith(dialect.prefix)]
    # The reference's path is asked first; on Exotel's dialect, once, and then never again.
    assert reads[0][0].startswith("/api/v2/")
    assert len(wrong) == (1 if dialect.exotel else 0)
    assert len(reads) == 3 + len(wrong)
    said = "assistants answer under /voicebot/api/v2 here"
    assert (said in result.output) is dialect.exotel


def test_an_assistant_missing_on_both_paths_is_missing(
    dialect: Dialect, live: Emulator, project: Path
) -> None:
    """Missing on both paths says nothing of where the others are: read in the same run, in
    whichever order, the assistant that exists is found and planned."""
    path = imported(live, project)
    edit_one_agent(path)
    (project / "bots" / "gone.yaml").write_text(
        "kind: Assistant\nassistant_id: asst_gone\ninstruction: x\n"
    )
    live.clear_requests()
    result = botops(live, "plan")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "assistant 'asst_gone' does not exist live" in line
    reads = assistant_reads(live)
    assert [p for p, _ in reads if "asst_tools" in p][-1].startswith(dialect.prefix)
    assert len(reads) <= 4 if dialect.exotel else len(reads) <= 3
    assert result.output.count("asst_tools") == 0


def test_a_pinned_path_is_never_guessed(dialect: Dialect, live: Emulator, project: Path) -> None:
    imported(live, project)
    (project / "botops.yaml").write_text(
        f"account_id: Exotel\npaths: [bots]\nassistants_path: {dialect.prefix}\n"
    )
    live.clear_requests()
    assert "No changes" in run(live, "plan")
    assert [path for path, _ in assistant_reads(live)] == [
        f"{dialect.prefix}/accounts/Exotel/assistants/asst_tools"
    ]


def test_the_path_can_be_pinned_per_environment(
    dialect: Dialect, live: Emulator, project: Path
) -> None:
    (project / "botops.yaml").write_text(
        "paths: [bots]\nenvironments:\n"
        "  prod: {account_id: Exotel, assistants_path: /voicebot/api/v2}\n"
    )
    result = botops(live, "import", "asst_tools", "--env", "prod")
    assert result.exit_code == (0 if dialect.exotel else 1), result.output
    paths = [path for path, _ in assistant_reads(live)]
    assert paths and all(path.startswith("/voicebot/api/v2/") for path in paths)


def test_a_wrong_assistants_path_is_a_validation_problem(project: Path) -> None:
    (project / "botops.yaml").write_text("account_id: Exotel\nassistants_path: /api/v3\n")
    result = botops(None, "plan")
    assert result.exit_code == 1
    assert "botops.yaml:2:18: " in result.output
    assert "/voicebot/api/v2" in result.output


def test_import_all_reads_lists_without_a_total(
    dialect: Dialect, emulator_factory: Any, tmp_path: Path, project: Path
) -> None:
    many = [
        {**ASSISTANT, "assistant_id": f"asst_{n:03d}", "agents": AGENTS[:1]} for n in range(105)
    ]
    fixtures = write_fixtures(tmp_path / "many.json", assistants=many)
    emulator: Emulator = emulator_factory("--fixtures", str(fixtures), "--dialect", dialect.name)
    run(emulator, "import", "--all")
    assert len(list((project / "bots").rglob("*.yaml"))) == 105
    assert "No changes" in run(emulator, "plan")


def test_errors_name_the_servers_request_id(dialect: Dialect, live: Emulator) -> None:
    result = botops(live, "conversations", "get", "nope")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert ("(request_id " in line) is dialect.exotel


def test_guards_hold_for_an_agents_own_llm_config(project: Path) -> None:
    (project / "botops.yaml").write_text(
        "account_id: Exotel\npaths: [bots]\nguards:\n  temperature: {max: 1.0}\n"
    )
    (project / "bots" / "a.yaml").write_text(
        "kind: Assistant\nassistant_id: asst_tools\nagents:\n"
        "  - role: order_handler\n    llm_config: {temperature: 1.5}\n"
    )
    result = botops(None, "validate")
    assert result.exit_code == 1
    assert "bots/a.yaml:5:31: temperature 1.5 is above the maximum 1.0" in result.output


def test_outcomes_per_version_for_an_assistant_that_conversations_name(
    dialect: Dialect, emulator_factory: Any, tmp_path: Path, project: Path
) -> None:
    conversations = [
        {
            "conversation_id": f"c{n}",
            "bot_id": "asst_tools",
            "call_metadata": {"duration_seconds": 60},
            "insights": {"outcome": "resolved" if n % 2 else "escalated", "sentiment": "neutral"},
            "start_time": "2026-03-02T10:00:00Z",
        }
        for n in range(10)
    ]
    dated = {**ASSISTANT, "date_created": "2026-03-01T00:00:00Z"}
    fixtures = write_fixtures(
        tmp_path / "calls.json", assistants=[dated], conversations=conversations
    )
    emulator: Emulator = emulator_factory("--fixtures", str(fixtures), "--dialect", dialect.name)
    edit_one_agent(imported(emulator, project))
    text = run(emulator, "plan", "--with-outcomes")
    assert "live v2 since 2026-03-01 00:00: 10 calls, 50.0% resolved" in text
    run(emulator, "apply", "--auto-approve")
    report = json.loads(
        run(emulator, "analytics", "--by", "version", "--bot", "asst_tools", "--format", "json")
    )
    rows = report["bots"]["asst_tools"]["versions"]
    assert rows[-1]["version"] == "v3"
    assert rows[-1]["commit"] == (COMMIT if dialect.exotel else None)
    assert next(row for row in rows if row["version"] == "v2")["total"] == 10
