"""The kinds of resource botops manages: one spec each, registered once.

A spec says everything that differs between kinds, so that loading (`config`), planning,
applying, plan files and import are written once over specs: its name and address prefix, the
key of its id, its JSON Schema, its managed fields (each a `Field` that knows how it is
compared, sent and imported), the client calls that read, list and write it, and how a version
payload is laid out. A new kind is one new `KindSpec` subclass passed to `register`; a field
added to a kind is one more entry in its `fields` and one more property in its schema.

`LiveObject` is one resource as the API returns it (the latest version, with `version`);
`Payload` is the body of one version write.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from botops.errors import ApiError
from botops.kinds.compare import differs
from botops.model import Change, Kind
from botops.support.schemacheck import validator
from botops.support.text import text_or_none
from botops.support.yamlpos import Document, Issue

if TYPE_CHECKING:  # httpx loads only when a command calls the API
    from botops.client import ApiClient


LiveObject = dict[str, Any]
Payload = dict[str, Any]

# Keys of a payload that say how to write, not what: never among the values sent.
PAYLOAD_CONTROLS = ("source_version", "mark_as_stable")


# ---------------------------------------------------------------------------------- fields


class Field:
    """A managed field compared, sent and imported as one value."""

    # Items of this field (a list of mappings) may name an `instruction_file` of their own.
    file_items: ClassVar[bool] = False

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def changes(self, desired: Any, live: Any) -> list[Change]:
        """How the desired value differs from the live one, as the plan shows it."""
        return [Change(self.name, live, desired, field=self.name)] if differs(live, desired) else []

    def sent(self, desired: Any, live: Any) -> Any:
        """What a version write sends for this field when it changed."""
        return desired

    def imported(self, live: Any, schema: Mapping[str, Any]) -> Any:
        """The live value as a resource file declares it; None leaves the field out."""
        return live

    def rebuilt(self, live: Any, changes: Sequence[Change], sent: Any) -> Any:
        """What a write must send for this field when `changes` (all in this field) are made
        to `live`: the inverse of `changes` followed by `sent`. `sent` is what a plan file
        says is sent; only what the changes leave open is taken from it (never a value)."""
        return _whole(self.name, changes)

    def issues(self, document: Document) -> list[Issue]:
        """What is wrong with this field in `document` that its schema can't say."""
        return []


class SettingsField(Field):
    """A mapping whose keys are managed one by one (`llm_config`): keys the file leaves out
    are unmanaged, compared never, sent as they are live, and imported only when in `keys`."""

    def __init__(self, name: str, keys: Sequence[str]) -> None:
        super().__init__(name)
        self.keys = tuple(keys)

    def changes(self, desired: Any, live: Any) -> list[Change]:
        if not isinstance(desired, dict):
            return super().changes(desired, live)
        current = live if isinstance(live, dict) else {}
        return [
            Change(f"{self.name}.{key}", current.get(key), value, field=self.name)
            for key, value in desired.items()
            if differs(current.get(key), value)
        ]

    def sent(self, desired: Any, live: Any) -> Any:
        if not isinstance(desired, dict):
            return desired
        return {**(live if isinstance(live, dict) else {}), **desired}

    def imported(self, live: Any, schema: Mapping[str, Any]) -> Any:
        if not isinstance(live, dict):
            return live
        return {k: live[k] for k in self.keys if live.get(k) is not None} or None

    def rebuilt(self, live: Any, changes: Sequence[Change], sent: Any) -> Any:
        if any(change.path == self.name for change in changes):
            return _whole(self.name, changes)
        settings = dict(live) if isinstance(live, dict) else {}
        for change in changes:
            settings[change.path.removeprefix(f"{self.name}.")] = change.after
        return settings


class AgentsField(Field):
    """A list of mappings keyed by `role` (`agents`): each desired agent is the live agent of
    its role with the file's keys over it (keys an agent omits are unmanaged). Agents are
    compared role by role, then their order among the roles both sides have."""

    file_items = True
    KEY = "role"

    def changes(self, desired: Any, live: Any) -> list[Change]:
        if not isinstance(desired, list):
            return super().changes(desired, live)
        current = self._by_role(live)
        wanted = self._merged(desired, current)
        changes: list[Change] = []
        for role, agent in wanted.items():
            if role not in current:
                changes.append(self._change(f"[{role}]", None, agent))
                continue
            for key in sorted(set(agent) | set(current[role])):
                before, after = current[role].get(key), agent.get(key)
                if differs(before, after):
                    changes.append(self._change(f"[{role}].{key}", before, after))
        changes += [
            self._change(f"[{role}]", agent, None)
            for role, agent in current.items()
            if role not in wanted
        ]
        kept = [role for role in current if role in wanted]
        order = [role for role in wanted if role in current]
        if kept != order:
            changes.append(self._change(".order", kept, order))
        return changes

    def sent(self, desired: Any, live: Any) -> Any:
        if not isinstance(desired, list):
            return desired
        merged = self._merged(desired, self._by_role(live))
        return [merged[str(agent.get(self.KEY))] for agent in desired]

    def imported(self, live: Any, schema: Mapping[str, Any]) -> Any:
        if not isinstance(live, list):
            return live
        allowed = _item_keys(schema, self.name)
        agents = []
        for agent in live:
            if not isinstance(agent, dict):
                agents.append(agent)
                continue
            item = {self.KEY: agent[self.KEY]} if self.KEY in agent else {}
            item.update(
                {k: v for k, v in agent.items() if k in allowed and k != self.KEY and v is not None}
            )
            agents.append(item)
        return agents

    def rebuilt(self, live: Any, changes: Sequence[Change], sent: Any) -> Any:
        if any(change.path == self.name for change in changes):
            return _whole(self.name, changes)
        current = self._by_role(live)
        wanted = {role: dict(agent) for role, agent in current.items()}
        order: list[str] | None = None
        for change in changes:
            suffix = change.path.removeprefix(self.name)
            if suffix == ".order":
                order = [str(role) for role in change.after or []]
            elif suffix.endswith("]"):  # `[role]`: a whole agent added or removed
                role = suffix[1:-1]
                if change.after is None:
                    wanted.pop(role, None)
                else:
                    wanted[role] = dict(change.after)
            else:  # `[role].key`; keys never hold "].", roles might
                role, _, key = suffix[1:].rpartition("].")
                wanted.setdefault(role, {self.KEY: role})[key] = change.after
        kept = order if order is not None else [role for role in current if role in wanted]
        # Where an added agent goes among the others is not a change the plan shows: it is
        # taken from `sent`, as long as `sent` holds exactly these agents, kept ones in order.
        roles = (
            [str(a.get(self.KEY)) for a in sent if isinstance(a, dict)]
            if isinstance(sent, list)
            else []
        )
        if sorted(roles) != sorted(wanted) or [r for r in roles if r in current] != kept:
            roles = kept + [role for role in wanted if role not in current]
        return [wanted[role] for role in roles]

    def issues(self, document: Document) -> list[Issue]:
        """A role given twice, at the second."""
        agents = document.value.get(self.name)
        issues: list[Issue] = []
        first: dict[str, int] = {}
        for index, agent in enumerate(agents if isinstance(agents, list) else []):
            role = agent.get(self.KEY) if isinstance(agent, dict) else None
            if not isinstance(role, str):
                continue
            line, column = document.where((self.name, index, self.KEY))
            if role in first:
                message = f"duplicate agent role {role!r} (first at line {first[role]})"
                issues.append(Issue(line, column, message))
            else:
                first[role] = line
        return issues

    def _change(self, suffix: str, before: Any, after: Any) -> Change:
        return Change(f"{self.name}{suffix}", before, after, field=self.name)

    def _by_role(self, agents: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(agents, list):
            return {}
        return {str(a.get(self.KEY)): dict(a) for a in agents if isinstance(a, dict)}

    def _merged(
        self, desired: list[Any], live: Mapping[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = {}
        for agent in desired:
            role = str(agent.get(self.KEY))
            merged[role] = {**live.get(role, {}), **agent}
        return merged


def _whole(name: str, changes: Sequence[Change]) -> Any:
    """The value a change of the whole field `name` sets (the last one, if several)."""
    whole = [change for change in changes if change.path == name]
    return whole[-1].after if whole else None


def _item_keys(schema: Mapping[str, Any], name: str) -> frozenset[str]:
    """The keys the schema allows in an item of the list `name`, as the API holds them (an
    `instruction_file` is botops's own: the API has the `instruction`)."""
    items = schema["properties"][name]["items"]
    while "$ref" in items:
        node: Any = schema
        for part in items["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        items = node
    return frozenset({"role", "instruction", *items.get("properties", {})} - {"instruction_file"})


# ---------------------------------------------------------------------------------- kinds


class KindSpec:
    """What botops knows of one kind. Subclasses set the class attributes; everything else
    is derived."""

    name: ClassVar[Kind]
    prefix: ClassVar[str]  # addresses are `<prefix>/<id>`; messages call a resource this
    noun: ClassVar[str]  # how messages speak of one without naming it ("bot")
    id_key: ClassVar[str]
    schema_file: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    # A payload nests the values it sends under this key (None: they sit at its top level).
    values_key: ClassVar[str | None] = None
    # The payload carries the version's description / `mark_as_stable`.
    sends_description: ClassVar[bool] = False
    marks_stable: ClassVar[bool] = False
    # A file without an id manages the live resource of its `name`; a file with neither
    # creates one (bot generation, given a `description`).
    matched_by_name: ClassVar[bool] = False
    # Some servers don't offer this kind's calls: listing it may fail without failing a run.
    optional: ClassVar[bool] = False
    # Said after "<prefix> '<id>' does not exist live" in a plan.
    missing_hint: ClassVar[str] = ""
    # The names of the client's calls that read one, list all, and write a version (names, so
    # that a spec stays data; the client types the calls themselves).
    read_call: ClassVar[str]
    list_call: ClassVar[str]
    write_call: ClassVar[str]

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def schema(self) -> dict[str, Any]:
        """The kind's JSON Schema, as validation loaded it."""
        schema: dict[str, Any] = validator(self.schema_file).schema
        return schema

    def address(self, resource_id: str) -> str:
        return f"{self.prefix}/{resource_id}"

    # The client calls.

    async def read(self, client: ApiClient, resource_id: str) -> LiveObject:
        """The live latest version. An answer without a version is no live object (a 200
        with an empty body, `{}`): planning or writing on it would send `source_version: null`."""
        live: LiveObject = await getattr(client, self.read_call)(resource_id)
        if not version_of(live):
            raise ApiError(
                f"the server answered {self.prefix} {resource_id!r} without a version, so "
                "botops can't tell what is live"
            )
        return live

    async def iterate(self, client: ApiClient) -> AsyncIterator[LiveObject]:
        """Every live one, as listed; an item without an id can't be told apart, so it is an
        error rather than skipped (it might be the one a file names)."""
        pages = getattr(client, self.list_call)()
        try:
            async for live in pages:
                if not text_or_none(live.get(self.id_key)):
                    raise ApiError(
                        f"the server listed a {self.prefix} without {self.id_key} (named "
                        f"{live.get('name')!r}); botops can't tell which {self.noun} it is"
                    )
                yield live
        finally:
            # Pages read ahead stop now, not when the garbage collector finds them.
            closing = getattr(pages, "aclose", None)
            if closing is not None:
                await closing()

    async def write(self, client: ApiClient, resource_id: str, payload: Payload) -> LiveObject:
        answer: LiveObject = await getattr(client, self.write_call)(resource_id, payload)
        return answer

    # Payloads.

    def payload(
        self,
        source_version: str | None,
        values: dict[str, Any],
        *,
        description: str,
        mark_as_stable: bool | None = None,
    ) -> Payload:
        """The body of a version write sending `values` on top of `source_version`."""
        payload: Payload = {"source_version": source_version}
        if self.marks_stable and mark_as_stable is not None:
            payload["mark_as_stable"] = mark_as_stable
        if self.values_key is None:
            payload.update(values)
        else:
            payload[self.values_key] = values
        if self.sends_description:
            payload["version_description"] = description
        return payload

    def sent(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The field values `payload` sends (what the read-back checks)."""
        if self.values_key is not None:
            values: dict[str, Any] = payload[self.values_key]
            return values
        return {k: v for k, v in payload.items() if k not in PAYLOAD_CONTROLS}

    def rebased(
        self, payload: Mapping[str, Any], source_version: str | None, values: dict[str, Any]
    ) -> Payload:
        """`payload` sending `values` on top of `source_version` instead, the rest kept."""
        if self.values_key is not None:
            return {**payload, "source_version": source_version, self.values_key: values}
        controls = {k: v for k, v in payload.items() if k in PAYLOAD_CONTROLS}
        return {**controls, "source_version": source_version, **values}

    def field_of(self, path: str) -> Field | None:
        """The managed field a change path (`llm_config.model`, `agents[x].instruction`) is in."""
        for field in self.fields:
            if path == field.name or path.startswith((f"{field.name}.", f"{field.name}[")):
                return field
        return None

    def unexplained(
        self, payload: Mapping[str, Any], live: Mapping[str, Any], changes: Sequence[Change]
    ) -> str | None:
        """What in `payload` does not follow from `changes` made to `live` (None: all of it
        does). A saved plan is applied only when its payload is exactly what its changes, the
        part a reviewer reads, say: rebuilt from them here and compared, field by field."""
        by_field: dict[str, list[Change]] = {}
        for change in changes:
            field = self.field_of(change.path)
            if field is None:
                return f"the change {change.path!r} is not in a field of a {self.prefix}"
            by_field.setdefault(field.name, []).append(change)
        sent = (
            self.sent(payload)
            if self.values_key is None or isinstance(payload.get(self.values_key), dict)
            else {}
        )
        controls = {"source_version", *([self.values_key] if self.values_key else [])}
        if self.sends_description:
            controls.add("version_description")
        if self.marks_stable:
            controls.add("mark_as_stable")
        extra = [key for key in payload if key not in controls and self.values_key is not None]
        extra += [key for key in sent if key not in by_field]
        if extra:
            return f"it sends {', '.join(sorted(extra))}, which no change shows"
        for field in self.fields:
            if field.name not in by_field:
                continue
            if field.name not in sent:
                return f"it does not send {field.name}, which the changes change"
            expected = field.rebuilt(live.get(field.name), by_field[field.name], sent[field.name])
            if differs(sent[field.name], expected):
                return (
                    f"it sends {_where_differs(field.name, sent[field.name], expected)} "
                    "other than the changes say"
                )
        return None

    # Import.

    def document(self, live: Mapping[str, Any], resource_id: str) -> dict[str, Any]:
        """The live resource as a resource file declares it (every instruction inline)."""
        document: dict[str, Any] = {"kind": self.name, self.id_key: resource_id}
        stable = live.get("stable_version")
        if self.marks_stable and stable is not None and stable == live.get("version"):
            document["mark_as_stable"] = True
        for field in self.fields:
            if live.get(field.name) is None:
                continue
            value = field.imported(live[field.name], self.schema)
            if value is not None:
                document[field.name] = value
        return document

    def issues(self, document: Document) -> list[Issue]:
        return [issue for field in self.fields for issue in field.issues(document)]


LLM_CONFIG_KEYS = ("model", "provider", "temperature", "top_p", "max_tokens")


class Voicebot(KindSpec):
    name = "Voicebot"
    prefix = "voicebot"
    noun = "bot"
    id_key = "bot_id"
    schema_file = "voicebot.schema.json"
    fields = (Field("name"), Field("enable_greeting_interruption"), Field("supported_languages"))
    values_key = "data"
    sends_description = True
    matched_by_name = True
    missing_hint = "; check bot_id (botops never creates a bot that has an id)"
    read_call, list_call, write_call = "get_voicebot", "iter_voicebots", "create_voicebot_version"


class Assistant(KindSpec):
    name = "Assistant"
    prefix = "assistant"
    noun = "assistant"
    id_key = "assistant_id"
    schema_file = "assistant.schema.json"
    fields = (
        Field("instruction"),
        SettingsField("llm_config", LLM_CONFIG_KEYS),
        AgentsField("agents"),
    )
    marks_stable = True
    optional = True
    missing_hint = " (the API has no call to create assistants)"
    read_call, list_call = "get_assistant", "iter_assistants"
    write_call = "create_assistant_version"


# ---------------------------------------------------------------------------------- registry

# Every kind, in the order messages list them and import writes them.
KINDS: dict[Kind, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    KINDS[spec.name] = spec
    return spec


VOICEBOT = register(Voicebot())
ASSISTANT = register(Assistant())


def spec_of(kind: Kind) -> KindSpec:
    return KINDS[kind]


def by_prefix(prefix: str) -> KindSpec | None:
    return next((spec for spec in KINDS.values() if spec.prefix == prefix), None)


def either(words: Iterable[str]) -> str:
    """`a or b`, `a, b or c`: how messages list the kinds."""
    items = list(words)
    return " or ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} or {items[-1]}"


def _where_differs(path: str, sent: Any, expected: Any) -> str:
    """The first path under `path` where `sent` and `expected` differ (`llm_config.top_p`)."""
    if isinstance(sent, dict) and isinstance(expected, dict):
        for key in sorted(set(sent) | set(expected), key=str):
            if key not in sent or key not in expected or differs(sent[key], expected[key]):
                return _where_differs(f"{path}.{key}", sent.get(key), expected.get(key))
    if isinstance(sent, list) and isinstance(expected, list) and len(sent) == len(expected):
        for index, (a, b) in enumerate(zip(sent, expected, strict=True)):
            if differs(a, b):
                return _where_differs(f"{path}[{index}]", a, b)
    return path


def next_version(version: str | None) -> str | None:
    """The version a write built on `version` makes when nobody else writes in between:
    `v3` -> `v4`. None when versions are not numbered that way (then it can't be told)."""
    if version is None:
        return None
    found = _NUMBERED.fullmatch(version)
    return f"{found.group(1)}{int(found.group(2)) + 1}" if found else None


_NUMBERED = re.compile(r"(v)([0-9]{1,18})")


def version_of(live: Mapping[str, Any]) -> str | None:
    """A live object's (or a write's answer's) version, as text."""
    return text_or_none(live.get("version"))
