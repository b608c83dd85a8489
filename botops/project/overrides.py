"""A resource document as one environment sees it (DESIGN §12).

A document may say where it exists (`environments: [staging, prod]`, default everywhere) and
what differs per environment (`overrides: {prod: {bot_id: ...}}`). `effective` merges
`overrides.ENV` over the rest: mappings (`llm_config`) key by key, everything else (lists,
strings, ids) replaced; `instruction` and `instruction_file` are one value written two ways, so
an override giving one replaces the other. Every value keeps the position it was written at
(the override's for an overridden one), so any later problem with it is reported there, and the
paths that came from the override are kept for the plan to mark. Nothing here knows a kind:
it works on documents.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from botops.project.environments import unknown_environment
from botops.project.guards import Guards
from botops.support.schemacheck import render_value
from botops.support.yamlpos import Document, Issue, NodePath

ENVIRONMENTS = "environments"
OVERRIDES = "overrides"
_RESERVED = (ENVIRONMENTS, OVERRIDES)
# Keys an override can't hold: they say what the resource is and where it exists, which is the
# same in every environment. Dropped from the merge so the effective document doesn't take them
# (a nested `environments:` would pass the schema there, and a `kind:` would re-check the whole
# base document as another kind); `environment_issues` reports each at its own position.
_FIXED = {
    "kind": "a resource is the same kind in every environment",
    ENVIRONMENTS: "it says where the whole resource exists; write it at the top of the document",
    OVERRIDES: "overrides don't nest",
}
# Keys that say one thing two ways: an override giving one replaces the other.
_ALTERNATIVES = {"instruction": "instruction_file", "instruction_file": "instruction"}


@dataclass(frozen=True)
class Effective:
    """`document` as `environment` sees it; `overridden` are the paths whose values came from
    `overrides.<environment>` (a replaced value's path, or each key merged into a mapping)."""

    document: Document
    environment: str | None
    overridden: frozenset[NodePath] = frozenset()

    def overridden_fields(self) -> frozenset[str]:
        """`overridden` as the plan names fields: `name`, `llm_config.temperature`."""
        return frozenset(".".join(str(p) for p in path) for path in self.overridden)


def has_environments(document: Document) -> bool:
    """Whether the document says anything per environment (most documents don't)."""
    value = document.value
    return isinstance(value, dict) and (ENVIRONMENTS in value or OVERRIDES in value)


def exists_in(document: Document, environment: str | None) -> bool:
    """Whether the resource exists in `environment` (everywhere without `environments:`)."""
    value = document.value
    listed = value.get(ENVIRONMENTS) if isinstance(value, dict) else None
    return environment is None or not isinstance(listed, list) or environment in listed


def effective(document: Document, environment: str | None) -> Effective:
    """The document with `environments` and `overrides` gone and `overrides.<environment>`
    merged over it. A document without either is returned as it is (no copy)."""
    if not has_environments(document):
        return Effective(document, environment)
    value: dict[str, Any] = document.value
    merged = _Merge(document)
    base = {k: v for k, v in value.items() if k not in _RESERVED}
    overrides = value.get(OVERRIDES)
    override = overrides.get(environment) if isinstance(overrides, dict) and environment else None
    if isinstance(override, dict):
        fields = {k: v for k, v in override.items() if k not in _FIXED}
        base = merged.mapping(base, fields, (), (OVERRIDES, str(environment)))
    result = Document(
        base, document.line, document.column, merged.values, merged.keys, list(document.issues)
    )
    return Effective(result, environment, frozenset(merged.overridden))


class _Merge:
    """Merges override mappings, moving positions along with the values."""

    def __init__(self, document: Document) -> None:
        self.values = {p: at for p, at in document.values.items() if not _reserved(p)}
        self.keys = {p: at for p, at in document.keys.items() if not _reserved(p)}
        self._source_values = document.values
        self._source_keys = document.keys
        self.overridden: set[NodePath] = set()

    def mapping(
        self, base: dict[str, Any], override: dict[str, Any], at: NodePath, origin: NodePath
    ) -> dict[str, Any]:
        result = dict(base)
        for key, new in override.items():
            path, source = (*at, key), (*origin, key)
            old = result.get(key)
            if isinstance(old, dict) and isinstance(new, dict):
                result[key] = self.mapping(old, new, path, source)
                continue
            other = _ALTERNATIVES.get(key)
            if other is not None and other in result and other not in override:
                del result[other]
                self._forget((*at, other))
            self._forget(path)
            self._move(source, path)
            result[key] = new
            self.overridden.add(path)
        return result

    def _forget(self, path: NodePath) -> None:
        for positions in (self.values, self.keys):
            for known in [p for p in positions if p[: len(path)] == path]:
                del positions[known]

    def _move(self, source: NodePath, path: NodePath) -> None:
        size = len(source)
        for positions, found in (
            (self.values, self._source_values),
            (self.keys, self._source_keys),
        ):
            for known, where in found.items():
                if known[:size] == source:
                    positions[(*path, *known[size:])] = where


def _reserved(path: NodePath) -> bool:
    return bool(path) and path[0] in _RESERVED


def environment_issues(document: Document, defined: Collection[str]) -> list[Issue]:
    """What is wrong with `environments:` and `overrides:` as written (their contents are
    checked in each environment's effective document): their shape, names botops.yaml doesn't
    define, and overrides for an environment the resource doesn't exist in."""
    value = document.value
    if not isinstance(value, dict):
        return []
    issues = _listed_issues(document, value.get(ENVIRONMENTS), defined)
    listed = value.get(ENVIRONMENTS)
    overrides = value.get(OVERRIDES)
    if OVERRIDES in value and not isinstance(overrides, dict):
        got = render_value(overrides)
        message = f"'overrides' must be a mapping of environment names to fields, got {got}"
        issues.append(Issue.at(document.where((OVERRIDES,)), message))
    kind = value.get("kind") if isinstance(value.get("kind"), str) else "resource"
    for name, fields in overrides.items() if isinstance(overrides, dict) else ():
        where = document.key_at((OVERRIDES, name))
        if name not in defined:
            issues.append(Issue.at(where, unknown_environment(name, defined)))
        elif isinstance(listed, list) and name not in listed:
            exists = ", ".join(str(n) for n in listed)
            message = (
                f"overrides for environment {name!r}, where this resource does not exist "
                f"(environments: {exists})"
            )
            issues.append(Issue.at(where, message))
        elif not isinstance(fields, dict):
            message = f"{name!r} must be a mapping of {kind} fields, got {render_value(fields)}"
            issues.append(Issue.at(document.where((OVERRIDES, name)), message))
        for key in fields if isinstance(fields, dict) else ():
            if key in _FIXED:
                message = f"{key!r} can't be set in an override: {_FIXED[key]}"
                issues.append(Issue.at(document.key_at((OVERRIDES, name, key)), message))
    return issues


def _listed_issues(document: Document, listed: Any, defined: Collection[str]) -> list[Issue]:
    if listed is None and ENVIRONMENTS not in document.value:
        return []
    if not isinstance(listed, list) or not listed:
        got = "an empty list" if listed == [] else render_value(listed)
        message = f"'environments' must be a list of environment names, got {got}"
        return [Issue.at(document.where((ENVIRONMENTS,)), message)]
    issues: list[Issue] = []
    for index, name in enumerate(listed):
        where = document.where((ENVIRONMENTS, index))
        if not isinstance(name, str):
            got = render_value(name)
            message = f"every item of 'environments' must be an environment name, got {got}"
            issues.append(Issue.at(where, message))
        elif name in listed[:index]:
            issues.append(Issue.at(where, f"'environments' names {name!r} twice"))
        elif name not in defined:
            issues.append(Issue.at(where, unknown_environment(name, defined)))
    return issues


@dataclass(frozen=True)
class Scope:
    """Which view of the files a run loads: `environment`'s (None: the files as written, where
    every environment name is undefined), the names botops.yaml defines, and the guards that
    hold there."""

    environment: str | None = None
    defined: frozenset[str] = frozenset()
    guards: Guards = field(default_factory=Guards)
    # Whether yaml-language-server modelines are checked too (`validate`: an editor's concern,
    # which never stops a plan).
    modelines: bool = False

    def issues(
        self, kind: str | None, document: Document, effective: Document, found: list[Issue]
    ) -> list[Issue]:
        """What only environments and guards can find wrong with `document` (as written) and
        `effective` (as this environment sees it). A guard is not reported where `found` (the
        other problems) already has one: a temperature out of the schema's range, say."""
        issues = environment_issues(document, self.defined)
        if kind is not None and self.guards:
            taken = {(i.line, i.column) for i in found}
            guarded = self.guards.issues(kind, effective)
            issues += [i for i in guarded if (i.line, i.column) not in taken]
        return issues
