"""What botops knows of a kind (`KindSpec`), the registry of kinds (`register`), and lookup.

A spec says everything that differs between kinds, so that loading, planning, applying, plan
files, import, history and `init` are written once over specs: its name and address prefix,
the key of its id, its JSON Schema, its managed fields (each a `Field` of `botops.kinds.fields`
that knows how it is compared, sent and imported), the typed client calls that read, list,
write it and list its versions, how a version payload is laid out, how a new one is created,
and its example for `botops init`. A new kind is one new `KindSpec` subclass passed to
`register` (`botops.kinds.voicebot`, `botops.kinds.assistant`); a field added to a kind is one
more entry in its `fields` and one more property in its schema.

`LiveObject` is one resource as the API returns it (the latest version, with `version`);
`Payload` is the body of one version write.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from botops.errors import ApiError
from botops.kinds.compare import differs
from botops.kinds.fields import Field
from botops.model import Change, Kind
from botops.support.schemacheck import schema as schema_of_file
from botops.support.text import text_or_none
from botops.support.yamlpos import Document, Issue

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient


LiveObject = dict[str, Any]
Payload = dict[str, Any]

# Keys of a payload that say how to write, not what: never among the values sent.
PAYLOAD_CONTROLS = ("source_version", "mark_as_stable")


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
    # Conversations belong to resources of this kind (analytics, history's fleet, outcomes).
    has_conversations: ClassVar[bool] = False
    # A new one is created through bot generation (`botops generate`, a file without an id
    # that has a `description`).
    created_by_generation: ClassVar[bool] = False
    # `botops init`'s example: (file name under `bots/`, template in `botops/templates/`),
    # then other files it refers to (path under `bots/`, template); None: no example.
    example: ClassVar[tuple[str, str] | None] = None
    example_extras: ClassVar[tuple[tuple[str, str], ...]] = ()

    # The client calls, typed (mypy checks them against `ApiClient`): each kind says which of
    # the client's operations read one, list all, write a version and list its versions.

    async def fetch(self, client: ApiClient, resource_id: str) -> LiveObject:
        """The API's answer to reading one (unchecked: `read` checks it)."""
        raise NotImplementedError

    def listing(self, client: ApiClient) -> AsyncGenerator[LiveObject, None]:
        """Every live one, as the API lists them (unchecked: `iterate` checks them)."""
        raise NotImplementedError

    async def fetch_version(self, client: ApiClient, resource_id: str, version: str) -> LiveObject:
        """The API's answer to reading one version (a kind whose read can't name one: the
        read)."""
        return await self.fetch(client, resource_id)

    async def post_version(
        self, client: ApiClient, resource_id: str, payload: Payload
    ) -> LiveObject:
        """The API's answer to writing a version."""
        raise NotImplementedError

    def version_items(
        self, client: ApiClient, resource_id: str
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Its versions as the API lists them, oldest first (an assumed extension)."""
        raise NotImplementedError

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def wire_booleans(self) -> frozenset[str]:
        """The keys of a live object that are booleans, also when the API answers "true"."""
        marks = {"mark_as_stable"} if self.marks_stable else set()
        return frozenset({f.name for f in self.fields if f.boolean} | marks)

    @property
    def schema(self) -> dict[str, Any]:
        """The kind's JSON Schema, as validation loaded it."""
        return schema_of_file(self.schema_file)

    def address(self, resource_id: str) -> str:
        return f"{self.prefix}/{resource_id}"

    # The client calls, checked.

    async def read(
        self, client: ApiClient, resource_id: str, *, version: str | None = None
    ) -> LiveObject:
        """The live version writes build on (or `version`, where the kind's read can name one).
        An answer without a version is no live object (a 200 with an empty body, `{}`):
        planning or writing on it would send `source_version: null`."""
        live = await (
            self.fetch(client, resource_id)
            if version is None
            else self.fetch_version(client, resource_id, version)
        )
        if not version_of(live):
            raise ApiError(
                f"the server answered {self.prefix} {resource_id!r} without a version, so "
                "botops can't tell what is live"
            )
        return live

    async def iterate(self, client: ApiClient) -> AsyncIterator[LiveObject]:
        """Every live one, as listed; an item without an id can't be told apart, so it is an
        error rather than skipped (it might be the one a file names)."""
        pages = self.listing(client)
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
            await pages.aclose()

    async def write(self, client: ApiClient, resource_id: str, payload: Payload) -> LiveObject:
        return await self.post_version(client, resource_id, payload)

    # Payloads.

    def payload(
        self,
        source_version: str | None,
        values: dict[str, Any],
        *,
        description: str,
        mark_as_stable: bool | None = None,
        live: Mapping[str, Any] | None = None,
    ) -> Payload:
        """The body of a version write sending `values` on top of `source_version`, in the
        dialect of the server that answered `live` (a kind with one dialect ignores it)."""
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

    # Dialects (DESIGN §16): what a live object says about how to build on it.

    def notes(self, live: Mapping[str, Any]) -> list[str]:
        """What a plan says about this resource's live state beside its changes."""
        return []

    def head(self, live: Mapping[str, Any]) -> str | None:
        """The newest version: the one the next write's version follows."""
        return version_of(live)

    @staticmethod
    def marks_stable_in(payload: Mapping[str, Any]) -> bool:
        """Whether `payload` asks for its version to become the stable one (`true`, or the
        string `"true"` of Exotel's dialect)."""
        return payload.get("mark_as_stable") in (True, "true")

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


# ---------------------------------------------------------------------------------- registry

# Every kind, in the order messages list them and import writes them.
KINDS: dict[Kind, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    KINDS[spec.name] = spec
    return spec


def spec_of(kind: Kind) -> KindSpec:
    return KINDS[kind]


def by_prefix(prefix: str) -> KindSpec | None:
    return next((spec for spec in KINDS.values() if spec.prefix == prefix), None)


def conversing() -> KindSpec:
    """The kind whose resources hold the conversations (a conversation's `bot_id` is one of
    their ids): the one analytics, history's fleet and `plan --with-outcomes` are about."""
    return next(spec for spec in KINDS.values() if spec.has_conversations)


def generated() -> KindSpec:
    """The kind `botops generate` creates (through bot generation)."""
    return next(spec for spec in KINDS.values() if spec.created_by_generation)


def wire_booleans() -> frozenset[str]:
    """Every field of every kind that is a boolean on the wire (`Client(booleans=...)`)."""
    return frozenset(name for spec in KINDS.values() for name in spec.wire_booleans)


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
