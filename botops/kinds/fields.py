"""The managed fields of a kind: how each is compared, sent, imported and rebuilt.

`Field` is one value compared whole; `SettingsField` a mapping managed key by key
(`llm_config`); `AgentsField` a list of mappings keyed by `role` (`agents`). A kind's spec lists
its fields (`KindSpec.fields`); a field added to a kind is one more entry there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from botops.kinds.compare import differs
from botops.model import Change
from botops.support.yamlpos import Document, Issue


class Field:
    """A managed field compared, sent and imported as one value."""

    # Items of this field (a list of mappings) may name an `instruction_file` of their own.
    file_items: ClassVar[bool] = False

    def __init__(self, name: str, *, boolean: bool = False) -> None:
        self.name = name
        # A boolean the API may answer as the text "true" or "false" (read as a boolean).
        self.boolean = boolean

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

    def __init__(self, name: str, settings: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(name)
        # An agent's own mappings compared key by key (`llm_config`), with the keys import
        # writes; an agent's keys the file leaves out (`mcp_tools`, ...) are kept as live.
        self.settings = {key: tuple(keys) for key, keys in (settings or {}).items()}

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
                if key in self.settings and isinstance(before, dict) and isinstance(after, dict):
                    changes += [
                        self._change(f"[{role}].{key}.{name}", before.get(name), value)
                        for name, value in after.items()
                        if differs(before.get(name), value)
                    ]
                elif differs(before, after):
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
            for key, names in self.settings.items():
                value = item.get(key)
                if isinstance(value, dict):
                    kept = {k: value[k] for k in names if value.get(k) is not None}
                    if kept:
                        item[key] = kept
                    else:
                        del item[key]
            agents.append(item)
        return agents

    def rebuilt(self, live: Any, changes: Sequence[Change], sent: Any) -> Any:
        if any(change.path == self.name for change in changes):
            return _whole(self.name, changes)
        current = self._by_role(live)
        wanted, order = self._changed(current, changes)
        kept = order if order is not None else [role for role in current if role in wanted]
        return [wanted[role] for role in self._placed(current, wanted, kept, sent)]

    def _changed(
        self, current: Mapping[str, dict[str, Any]], changes: Sequence[Change]
    ) -> tuple[dict[str, dict[str, Any]], list[str] | None]:
        """The agents by role once `changes` are made to `current`, and the order of the kept
        roles when a change sets it (None: they keep their live order)."""
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
            else:  # `[role].key` or `[role].key.name`; keys never hold "].", roles might
                role, _, key = suffix[1:].rpartition("].")
                agent = wanted.setdefault(role, {self.KEY: role})
                key, dot, name = key.partition(".")
                if dot and key in self.settings:
                    settings = dict(agent.get(key) or {})
                    if change.after is None:
                        settings.pop(name, None)
                    else:
                        settings[name] = change.after
                    agent[key] = settings
                else:
                    agent[key + dot + name] = change.after
        return wanted, order

    def _placed(
        self,
        current: Mapping[str, dict[str, Any]],
        wanted: Mapping[str, dict[str, Any]],
        kept: list[str],
        sent: Any,
    ) -> list[str]:
        """The roles in the order a write sends them. Where an added agent goes among the
        others is not a change the plan shows: it is taken from `sent`, as long as `sent` holds
        exactly these agents, kept ones in order; else added agents go last."""
        roles = (
            [str(a.get(self.KEY)) for a in sent if isinstance(a, dict)]
            if isinstance(sent, list)
            else []
        )
        if sorted(roles) != sorted(wanted) or [r for r in roles if r in current] != kept:
            roles = kept + [role for role in wanted if role not in current]
        return roles

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
            before = live.get(role, {})
            merged[role] = {**before, **agent}
            for key in self.settings:
                # Keys of an agent's settings the file leaves out are kept as live.
                if isinstance(agent.get(key), dict) and isinstance(before.get(key), dict):
                    merged[role][key] = {**before[key], **agent[key]}
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
