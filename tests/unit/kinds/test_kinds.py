"""A kind is one spec: a trial kind, and a trial field on Voicebot, go through load, plan, plan
file, apply, import (also with --env) and history with nothing but a spec and a schema written
here (tests/e2e/test_trial_field.py takes the field through the real CLI and emulator).

The client of the trial kind is a small in-memory server (versions, reads, lists, histories),
not a mock: the planner, applier, importer and history drive it as they drive the API.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from botops.analytics.by_version import history_json
from botops.analytics.history import resource_history
from botops.errors import ConfigError, NotFoundError, UsageError
from botops.kinds import (
    ASSISTANT,
    KINDS,
    VOICEBOT,
    Field,
    KindSpec,
    LiveObject,
    Payload,
    SettingsField,
    Voicebot,
)
from botops.model import ApplyResult, Change, Resource
from botops.project.loader import load_resources
from botops.project.overrides import Scope
from botops.support.schemacheck import SCHEMAS_DIR
from botops.sync.applier import apply_plan
from botops.sync.env_layout import candidates_in, import_into
from botops.sync.importer import read_live, write_files
from botops.sync.planfile import read_plan, write_plan
from botops.sync.planner import make_plan

VOICEBOT_SCHEMA = json.loads((SCHEMAS_DIR / VOICEBOT.schema_file).read_text())


class Greeters:
    """An in-memory server of greeters: each write makes a new version of the whole object."""

    concurrency = 4

    def __init__(self, *greeters: dict[str, Any]) -> None:
        self.store = {g["greeter_id"]: {**g, "version": "v1"} for g in greeters}
        self.writes: list[tuple[str, Payload]] = []
        self.versions = {g["greeter_id"]: [self._version(1)] for g in greeters}

    @staticmethod
    def _version(number: int) -> dict[str, Any]:
        return {"version": f"v{number}", "date_created": f"2026-01-0{number}T00:00:00Z"}

    async def get_greeter(self, greeter_id: str) -> LiveObject:
        if greeter_id not in self.store:
            raise NotFoundError(404, "not found", method="GET", path=f"greeters/{greeter_id}")
        return dict(self.store[greeter_id])

    async def iter_greeters(self) -> AsyncIterator[LiveObject]:
        for greeter in list(self.store.values()):
            yield dict(greeter)

    async def post_greeter_version(self, greeter_id: str, payload: Payload) -> LiveObject:
        self.writes.append((greeter_id, payload))
        current = self.store[greeter_id]
        number = int(current["version"][1:]) + 1
        fields = {k: v for k, v in payload.items() if k != "source_version"}
        self.store[greeter_id] = {**current, **fields, "version": f"v{number}"}
        self.versions[greeter_id].append(self._version(number))
        return dict(self.store[greeter_id])

    async def iter_greeter_versions(self, greeter_id: str) -> AsyncIterator[dict[str, Any]]:
        for version in self.versions[greeter_id]:
            yield dict(version)


class Greeter(KindSpec):
    name = "Greeter"
    prefix = "greeter"
    noun = "greeter"
    id_key = "greeter_id"
    schema_file = ""  # set per test: the schema is written to a temporary directory
    fields = (Field("greeting"), SettingsField("voice", ("speed", "pitch")))
    missing_hint = "; check greeter_id"

    # The client calls, each one line (the client here is `Greeters`, not the API's).
    async def fetch(self, client: Any, resource_id: str) -> LiveObject:
        return await client.get_greeter(resource_id)  # type: ignore[no-any-return]

    def listing(self, client: Any) -> Any:
        return client.iter_greeters()

    async def post_version(self, client: Any, resource_id: str, payload: Payload) -> LiveObject:
        return await client.post_greeter_version(resource_id, payload)  # type: ignore[no-any-return]

    def version_items(self, client: Any, resource_id: str) -> Any:
        return client.iter_greeter_versions(resource_id)


GREETER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "greeter_id"],
    "properties": {
        "kind": {"const": "Greeter"},
        "greeter_id": {"type": "string"},
        "greeting": {"type": "string"},
        "voice": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"speed": {"type": "number"}, "pitch": {"type": "number"}},
        },
    },
}


@pytest.fixture
def greeter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Greeter]:
    schema = tmp_path / "greeter.schema.json"
    schema.write_text(json.dumps(GREETER_SCHEMA))
    spec = Greeter()
    monkeypatch.setattr(Greeter, "schema_file", str(schema))  # absolute: not in schemas/
    # Alone in the registry: `--unmanaged` lists every kind, and this client serves greeters.
    # The registry is put back as it was, in its order (messages list kinds in that order).
    saved = dict(KINDS)
    KINDS.clear()
    KINDS["Greeter"] = spec
    try:
        yield spec
    finally:
        KINDS.clear()
        KINDS.update(saved)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def files(tmp_path: Path, text: str) -> list[Path]:
    (tmp_path / "res").mkdir()
    (tmp_path / "res/greeter.yaml").write_text(text)
    return [tmp_path / "res"]


def test_a_trial_kind_loads_with_its_schema_and_says_what_is_wrong(
    greeter: Greeter, tmp_path: Path
) -> None:
    paths = files(tmp_path, "kind: Greeter\ngreeter_id: g1\ngreting: Hi\n")
    with pytest.raises(ConfigError) as caught:
        load_resources(paths, root=tmp_path)
    assert [p.message for p in caught.value.problems] == [
        "unknown key 'greting' (did you mean 'greeting'?)"
    ]


def test_a_trial_kind_plans_applies_round_trips_and_imports(
    greeter: Greeter, tmp_path: Path
) -> None:
    client = Greeters(
        {"greeter_id": "g1", "greeting": "Hello", "voice": {"speed": 1, "pitch": 2, "tone": "x"}},
        {"greeter_id": "g2", "greeting": "Unmanaged"},
    )
    paths = files(tmp_path, "kind: Greeter\ngreeter_id: g1\ngreeting: Hi\nvoice: {speed: 1.0}\n")
    (resource,) = load_resources(paths, root=tmp_path)
    assert resource == Resource(
        kind="Greeter",
        file=resource.file,
        line=1,
        column=1,
        id="g1",
        desired={"greeting": "Hi", "voice": {"speed": 1.0}},
    )

    plan = run(make_plan([resource], client, base_url="mem:", account_id="a", unmanaged=True))
    (planned,) = plan.resources
    assert (planned.address, planned.action) == ("greeter/g1", "update")
    assert planned.source_version == "v1"
    assert planned.changes == [Change("greeting", "Hello", "Hi")]  # speed 1 == 1.0
    assert planned.changes[0].field == "greeting"
    assert planned.payload == {"source_version": "v1", "greeting": "Hi"}
    assert [u.address for u in plan.unmanaged] == ["greeter/g2"]

    write_plan(plan, tmp_path / "plan.json")
    reread = read_plan(tmp_path / "plan.json")
    assert reread.resources[0].payload == planned.payload
    assert reread.resources[0].kind == "Greeter"

    results: list[ApplyResult] = []
    run(apply_plan(reread, client, on_result=results.append))
    assert results == [ApplyResult("greeter/g1", "applied", new_version="v2")]
    assert client.writes == [("g1", {"source_version": "v1", "greeting": "Hi"})]

    again = run(make_plan([resource], client, base_url="mem:", account_id="a"))
    assert [r.action for r in again.resources] == ["no-op"]

    live = run(greeter.read(client, "g1"))
    assert greeter.document(live, "g1") == {
        "kind": "Greeter",
        "greeter_id": "g1",
        "greeting": "Hi",
        "voice": {"speed": 1, "pitch": 2},  # only the keys the spec manages
    }


def test_a_missing_trial_resource_is_a_plan_error_in_the_specs_words(
    greeter: Greeter, tmp_path: Path
) -> None:
    from botops.errors import PlanError

    paths = files(tmp_path, "kind: Greeter\ngreeter_id: nope\n")
    resources = load_resources(paths, root=tmp_path)
    with pytest.raises(PlanError) as caught:
        run(make_plan(resources, Greeters(), base_url="mem:", account_id="a"))
    assert str(caught.value).endswith(": greeter 'nope' does not exist live; check greeter_id")


def test_a_trial_kind_imports_into_an_environment_and_has_a_history(
    greeter: Greeter, tmp_path: Path
) -> None:
    client = Greeters({"greeter_id": "g1", "greeting": "Hello", "voice": {"speed": 1}})
    run(client.post_greeter_version("g1", {"source_version": "v1", "greeting": "Hi"}))
    live = run(read_live(client, [], everything=True))
    assert [r.address for r in live] == ["greeter/g1"]

    # import --env prod: a kind not matched by name gets a file of its own, only in prod.
    bots = tmp_path / "bots"
    bots.mkdir()
    environments = ["prod", "staging"]

    def place() -> Any:
        return import_into(
            live,
            candidates_in([bots], root=tmp_path),
            environment="prod",
            environments=environments,
            directory=bots,
            schemas_dir=tmp_path / "schemas",
            root=tmp_path,
        )

    placed = place()
    assert [(f.path, f.is_prompt) for f in placed.files] == [(bots / "g1.yaml", False)]
    write_files(placed.files, force=False)
    assert (bots / "g1.yaml").read_text().partition("\n")[2] == (
        "kind: Greeter\ngreeter_id: g1\ngreeting: Hi\nvoice:\n  speed: 1\nenvironments: [prod]\n"
    )
    # What was imported plans as no change in prod, and does not exist in staging.
    scope = Scope(environment="prod", defined=frozenset(environments))
    resources = load_resources([bots], root=tmp_path, scope=scope)
    plan = run(make_plan(resources, client, base_url="mem:", account_id="a"))
    assert [(r.address, r.action) for r in plan.resources] == [("greeter/g1", "no-op")]
    staging = Scope(environment="staging", defined=frozenset(environments))
    assert load_resources([bots], root=tmp_path, scope=staging) == []
    # Imported again, it is found by the spec's own id key (`greeter_id`), and kept.
    again = place()
    assert (again.files, again.edits) == ([], [])
    assert [address for address, _ in again.declared] == ["greeter/g1"]

    # history: the versions through the spec's call, the kind as the spec's prefix.
    history = run(resource_history(client, "g1"))
    assert (history.kind, [v.version for v in history.versions]) == ("greeter", ["v1", "v2"])
    assert history_json(history)["kind"] == "greeter"
    with pytest.raises(UsageError, match=r"^no greeter has the id 'nope'$"):
        run(resource_history(client, "nope"))


class InMemoryBots:
    """Voicebots in memory, as the Voicebot spec calls them."""

    concurrency = 4

    def __init__(self) -> None:
        self.bot = {"bot_id": "b1", "name": "Support", "version": "v1", "greeting_message": "Hi"}
        self.posts: list[Payload] = []

    async def get_voicebot(self, bot_id: str) -> LiveObject:
        return dict(self.bot)

    async def create_voicebot_version(self, bot_id: str, payload: Payload) -> LiveObject:
        self.posts.append(payload)
        self.bot = {**self.bot, **payload["data"], "version": "v2"}
        return dict(self.bot)


@pytest.fixture
def greeting_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A trial field, `greeting_message` on Voicebot: the spec with one more field and the
    schema with one more property, and nothing else in botops."""
    schema = json.loads(json.dumps(VOICEBOT_SCHEMA))
    schema["properties"]["greeting_message"] = {"type": "string"}
    written = tmp_path / "voicebot.schema.json"
    written.write_text(json.dumps(schema))

    class VoicebotWithGreeting(Voicebot):
        schema_file = str(written)
        fields = (*VOICEBOT.fields, Field("greeting_message"))

    monkeypatch.setitem(KINDS, "Voicebot", VoicebotWithGreeting())  # keeps its place
    return written


def test_a_field_added_to_a_kind_touches_its_spec_and_schema_only(
    greeting_message: Path, tmp_path: Path
) -> None:
    """The trial field loads, plans and applies."""
    paths = files(tmp_path, "kind: Voicebot\nbot_id: b1\nname: Support\ngreeting_message: Hello\n")
    resources = load_resources(paths, root=tmp_path)
    assert resources[0].desired == {"name": "Support", "greeting_message": "Hello"}

    client = InMemoryBots()
    plan = run(make_plan(resources, client, base_url="mem:", account_id="a"))
    (planned,) = plan.resources
    assert planned.changes == [Change("greeting_message", "Hi", "Hello")]
    assert planned.payload is not None and planned.payload["data"] == {"greeting_message": "Hello"}

    results: list[ApplyResult] = []
    run(apply_plan(plan, client, on_result=results.append))
    assert [r.outcome for r in results] == ["applied"]
    assert [p["data"] for p in client.posts] == [{"greeting_message": "Hello"}]


def test_the_registry_lists_voicebot_then_assistant() -> None:
    # Messages and import order follow it; a test that swaps kinds must put it back as it was.
    assert list(KINDS) == ["Voicebot", "Assistant"]


@pytest.mark.parametrize(
    ("spec", "values", "payload", "rebased"),
    [
        (
            VOICEBOT,
            {"name": "A"},
            {"source_version": "v1", "data": {"name": "A"}, "version_description": "d"},
            {"source_version": "v2", "data": {"x": 1}, "version_description": "d"},
        ),
        (
            ASSISTANT,
            {"instruction": "A"},
            {"source_version": "v1", "mark_as_stable": True, "instruction": "A"},
            {"source_version": "v2", "mark_as_stable": True, "x": 1},
        ),
    ],
)
def test_a_payload_is_built_decoded_and_rebased_by_its_spec(
    spec: KindSpec, values: dict[str, Any], payload: Payload, rebased: Payload
) -> None:
    assert spec.payload("v1", values, description="d", mark_as_stable=True) == payload
    assert spec.sent(payload) == values
    assert spec.rebased(payload, "v2", {"x": 1}) == rebased
    assert spec.sent(rebased) == {"x": 1}
