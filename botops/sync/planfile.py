"""Saving a plan for `apply --plan`, and reading it back exactly.

A plan file is written whole or not at all (temp file in the same directory, fsync, rename), so
an interrupted `plan --out` never leaves half a plan for apply to act on. Reading checks every
field apply relies on, and that what apply would send agrees with what the plan shows (address,
kind, id, `source_version`), and says which one is wrong, in one line naming the file. Only the
keys DESIGN §4 lists are required: `kind` follows from the address, `name` and `unmanaged` may be
absent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, cast

from botops import __version__
from botops.errors import UsageError
from botops.kinds import KINDS, KindSpec, by_prefix, either
from botops.model import (
    PLAN_FORMAT_VERSION,
    Action,
    Change,
    Plan,
    ResourcePlan,
    Unmanaged,
)
from botops.support.files import write_atomically
from botops.support.text import printable
from botops.sync.disclosed import created_name, refusal
from botops.sync.plan_json import render_json

_ACTIONS: tuple[Action, ...] = ("create", "no-op", "update")
# Plans of format 1 (before provenance) are still read: one may be waiting to be applied.
OLDEST_FORMAT_VERSION = 1


def stamp(plan: Plan, *, commit: str | None, environment: str | None = None) -> Plan:
    """`plan` with where it comes from: now (UTC), this botops, the commit its files are at
    (`support.git.head_commit`: CI's first, `+dirty` kept) and the environment."""
    plan.created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    plan.botops_version = __version__
    plan.commit = commit
    plan.environment = environment
    return plan


def refuse_other_environment(
    plan: Plan, chosen: str | None, *, doing: str, given: str = "--env"
) -> None:
    """A saved plan is for the environment it names: `--env` (or `BOTOPS_ENV`, as `given`
    says) naming another (or none, for a plan that names one) is refused, so no plan reaches
    or speaks for the wrong account."""
    if plan.environment == chosen:
        return
    made = "no environment" if plan.environment is None else f"environment {plan.environment!r}"
    named = "no environment is named" if chosen is None else f"{given} names {chosen!r}"
    raise UsageError(f"the plan was made for {made} but {named}; refusing to {doing} it elsewhere")


def write_plan(plan: Plan, path: Path) -> None:
    """Write `plan` to `path` atomically (mode 0600); an existing file is replaced whole.
    Missing directories are made, as for every file botops writes."""
    write_atomically(path, render_json(plan), private=True)


def read_plan(path: Path) -> Plan:
    """The plan saved in `path`; any problem is a `UsageError` naming the file."""
    return _Reader(path).plan(_load(path))


def _load(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such plan file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: not a plan file: it is a directory") from None
    except OSError as error:
        raise UsageError(f"{path}: can't read the plan file: {error.strerror}") from None
    try:
        # Some editors on Windows save UTF-8 with a byte order mark; it is not part of the JSON.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a plan file: not UTF-8 text") from None
    try:
        return json.loads(
            text,
            parse_int=_integer,
            parse_float=_number,
            parse_constant=_not_json,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{path}: not a plan file: invalid JSON at line {error.lineno} column {error.colno}"
        ) from None
    except _NotPlanJSON as error:
        raise UsageError(f"{path}: not a plan file: {error}") from None
    except RecursionError:
        raise UsageError(f"{path}: not a plan file: JSON nested too deeply") from None


class _NotPlanJSON(Exception):
    """Text `json` would read but a plan file never holds."""


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # longer than Python's int digit limit (4,300 by default)
        raise _NotPlanJSON(f"a number of {len(text.lstrip('-')):,} digits is too long") from None


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotPlanJSON(f"{text} is too large a number")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object; a key given twice is refused (`json` would keep the last one silently, so
    a reviewer and apply could read two different plans in one file)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotPlanJSON(f"the key {json.dumps(key)} appears twice in one object")
        result[key] = value
    return result


def _not_json(text: str) -> NoReturn:
    # Python's json reads NaN and Infinity; no API value is either, and JSON has neither.
    raise _NotPlanJSON(f"{text} is not valid JSON")


class _Reader:
    """Turns the parsed JSON into a `Plan`, failing on the first wrong field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str) -> NoReturn:
        raise UsageError(f"{self.path}: {message}")

    def plan(self, data: Any) -> Plan:
        if not isinstance(data, dict):
            self.fail("not a plan file: expected a JSON object")
        version = self.format_version(data)
        resources = self.array(data, "resources", "")
        unmanaged = self.array(data, "unmanaged", "", required=False)
        # Format 1 predates provenance: such a plan says nothing of where it comes from.
        told = version >= 2
        plan = Plan(
            base_url=self.string(data, "base_url", ""),
            account_id=self.string(data, "account_id", ""),
            resources=[self.resource(r, f"resources[{i}]") for i, r in enumerate(resources)],
            unmanaged=[self.unmanaged(u, f"unmanaged[{i}]") for i, u in enumerate(unmanaged)],
            format_version=version,
            created_at=self.optional_string(data, "created_at", "") if told else None,
            botops_version=self.optional_string(data, "botops_version", "") if told else None,
            commit=self.optional_string(data, "commit", "") if told else None,
            environment=self.optional_string(data, "environment", "", required=told),
            allow_mass_change=self.flag(data, "allow_mass_change"),
        )
        seen: dict[str, int] = {}
        for index, resource in enumerate(plan.resources):
            first = seen.setdefault(resource.address, index)
            if first != index:
                self.fail(
                    f"resources[{index}].address {_shown(resource.address)} repeats "
                    f"resources[{first}]; make the plan again"
                )
        return plan

    def flag(self, data: Mapping[str, Any], key: str) -> bool:
        """An optional `true`/`false` (absent: false)."""
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{key} must be true or false, got {_shown(value)}")
        return value

    def format_version(self, data: Mapping[str, Any]) -> int:
        if "format_version" not in data:
            self.fail("not a plan file: no format_version")
        version = data["format_version"]
        if not isinstance(version, int) or isinstance(version, bool):
            self.fail(f"not a plan file: format_version must be an integer, got {_shown(version)}")
        if version > PLAN_FORMAT_VERSION:
            self.fail(
                f"plan format_version {version} was made by a newer botops (this one reads "
                f"{PLAN_FORMAT_VERSION}); upgrade botops, or make the plan again with this one"
            )
        if version < OLDEST_FORMAT_VERSION:
            self.fail(
                f"unsupported plan format_version {version} (this botops reads "
                f"{OLDEST_FORMAT_VERSION} to {PLAN_FORMAT_VERSION}); make the plan again"
            )
        return version

    def resource(self, data: Any, where: str) -> ResourcePlan:
        self.require_object(data, where)
        action = self.choice(data, "action", where, _ACTIONS)
        address = self.string(data, "address", where)
        # The kind of a resource is the first part of its address; `kind` in the file is an extra.
        spec = self.address_kind(address, where)
        kind = spec.name
        kinds = tuple(sorted(KINDS))
        if data.get("kind") is not None and self.choice(data, "kind", where, kinds) != kind:
            self.fail(
                f"{where}.kind {_shown(data['kind'])} does not match address {_shown(address)}; "
                "make the plan again"
            )
        resource = ResourcePlan(
            address=address,
            kind=kind,
            id=self.optional_string(data, "id", where),
            file=self.string(data, "file", where),
            action=action,
            source_version=self.optional_string(data, "source_version", where),
            changes=[
                self.change(c, f"{where}.changes[{i}]")
                for i, c in enumerate(self.array(data, "changes", where))
            ],
            payload=self.payload(data, where, action, spec),
            name=self.optional_string(data, "name", where, required=False),
            overridden=tuple(self.strings(data, "overridden", where)),
            notes=tuple(self.strings(data, "notes", where)),
        )
        self.consistent(resource, spec, where)
        return resource

    def address_kind(self, address: str, where: str) -> KindSpec:
        spec = by_prefix(address.split("/", 1)[0])
        if spec is None or "/" not in address:
            prefixes = either(f"{spec.prefix}/" for spec in KINDS.values())
            self.fail(f"{where}.address must start with {prefixes}, got {_shown(address)}")
        return spec

    def consistent(self, resource: ResourcePlan, spec: KindSpec, where: str) -> None:
        """What apply acts on (id, kind, payload) must be what the plan shows (address,
        source_version): a hand-edited plan must not send something other than it says."""
        if resource.action == "create":
            if not spec.matched_by_name:
                creatable = either(s.prefix for s in KINDS.values() if s.matched_by_name)
                self.fail(f"{where}: only a {creatable} can be created")
            if resource.id is not None:
                self.fail(f"{where}.id must be null for action 'create', got {_shown(resource.id)}")
            # A create that does not name what it creates would skip the check that no bot
            # of that name exists yet: applied twice it would clone the bot.
            problem = refusal(resource, None)
            if problem is not None:
                self.fail(f"{where}: {printable(problem)}; make the plan again")
            resource.name = created_name(resource)
            return
        if resource.action == "update" and resource.id is None:
            self.fail(f"{where}.id must be a string for action 'update', got null")
        if resource.id is not None and resource.address != spec.address(resource.id):
            self.fail(
                f"{where}.id {_shown(resource.id)} does not match address "
                f"{_shown(resource.address)}; make the plan again"
            )
        if resource.action == "update" and resource.payload is not None:
            sent = self.optional_string(resource.payload, "source_version", f"{where}.payload")
            if sent != resource.source_version:
                self.fail(
                    f"{where}: payload.source_version {sent!r} differs from source_version "
                    f"{resource.source_version!r}; make the plan again"
                )

    def payload(
        self, data: Mapping[str, Any], where: str, action: Action, spec: KindSpec
    ) -> dict[str, Any] | None:
        if "payload" not in data:
            self.fail(f"{where}: missing field 'payload'")
        payload = data["payload"]
        if payload is None and action == "no-op":
            return None
        self.require_object(payload, f"{where}.payload", f" for action {action!r}")
        if action == "create":
            generation = payload.get("generation")
            self.require_object(generation, f"{where}.payload.generation")
            self.string(generation, "text_content", f"{where}.payload.generation")
            version = payload.get("version")
            self.require_object(version, f"{where}.payload.version")
            if spec.values_key is not None:
                key = spec.values_key
                self.require_object(version.get(key), f"{where}.payload.version.{key}")
        elif action == "update" and spec.values_key is not None:
            key = spec.values_key
            self.require_object(payload.get(key), f"{where}.payload.{key}")
        return cast(dict[str, Any], payload)

    def change(self, data: Any, where: str) -> Change:
        self.require_object(data, where)
        for key in ("before", "after"):
            if key not in data:
                self.fail(f"{where}: missing field {key!r}")
        return Change(self.string(data, "path", where), data["before"], data["after"])

    def unmanaged(self, data: Any, where: str) -> Unmanaged:
        self.require_object(data, where)
        return Unmanaged(
            address=self.string(data, "address", where),
            name=self.optional_string(data, "name", where, required=False),
        )

    # --- single fields ---

    def field(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data:
            self.fail(f"{where + ': ' if where else ''}missing field {key!r}")
        return data[key]

    def string(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.field(data, key, where)
        if not isinstance(value, str):
            self.fail(f"{_dotted(where, key)} must be a string, got {_shown(value)}")
        return value

    def optional_string(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True
    ) -> str | None:
        value = self.field(data, key, where) if required else data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(f"{_dotted(where, key)} must be a string or null, got {_shown(value)}")
        return value

    def array(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True
    ) -> list[Any]:
        value = self.field(data, key, where) if required else data.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{_dotted(where, key)} must be a list, got {_shown(value)}")
        return value

    def strings(self, data: Mapping[str, Any], key: str, where: str) -> list[str]:
        """An optional list of strings (empty when absent)."""
        values = self.array(data, key, where, required=False)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"{_dotted(where, key)}[{index}] must be a string, got {_shown(value)}")
        return values

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, allowed: tuple[Any, ...]
    ) -> Any:
        value = self.field(data, key, where)
        if value not in allowed:
            self.fail(
                f"{_dotted(where, key)} must be one of {', '.join(allowed)}, got {_shown(value)}"
            )
        return value

    def require_object(self, value: Any, where: str, context: str = "") -> None:
        if not isinstance(value, dict):
            self.fail(f"{where} must be an object{context}, got {_shown(value)}")


def _dotted(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _shown(value: Any) -> str:
    """A wrong value as the user wrote it, kept short."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = printable(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 40 else text[:37] + "..."
