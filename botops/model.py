"""Plain data shared by every layer: desired resources, the project, and the plan."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# The name of a kind registered in `botops.kinds` ("Voicebot", "Assistant").
Kind = str
Action = Literal["no-op", "update", "create"]
Outcome = Literal["applied", "stale", "failed", "unknown", "skipped"]

PLAN_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Resource:
    """One resource as a file declares it, with instruction files already read.

    `desired` holds only the managed API fields present in the file (for an Assistant,
    `instruction` is the text of `instruction_file` when one is given, and so for each agent).
    `file` is the path as shown to the user; `line`/`column` are where the document starts.
    """

    kind: Kind
    file: str
    line: int
    column: int
    id: str | None
    desired: dict[str, Any]
    description: str | None = None
    version_description: str | None = None
    mark_as_stable: bool | None = None

    @property
    def name(self) -> str | None:
        value = self.desired.get("name")
        return value if isinstance(value, str) else None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Project:
    """Settings from `botops.yaml` (or defaults), before command-line and environment overrides."""

    account_id: str | None = None
    base_url: str | None = None
    paths: tuple[Path, ...] = ()
    root: Path = Path(".")
    file: Path | None = None
    rate_limit: int | None = None  # the account's requests a second, when known


@dataclass(frozen=True)
class Change:
    """One changed field: `path` like `supported_languages`, `llm_config.temperature`,
    `agents[returns_handler].instruction`. `before` is None for an added value (and for
    everything in a create), `after` is None for a removed one. `field` is the managed field
    the change is in (`llm_config`), so that nothing parses paths; it is empty for a change
    read back from a plan file, where only the payload is acted on."""

    path: str
    before: Any
    after: Any
    field: str = dataclasses.field(default="", compare=False)


@dataclass
class ResourcePlan:
    address: str
    kind: Kind
    id: str | None
    file: str
    action: Action
    source_version: str | None
    changes: list[Change] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    name: str | None = None


@dataclass(frozen=True)
class Unmanaged:
    """A live resource that no file manages (listed by `plan --unmanaged`, never touched)."""

    address: str
    name: str | None = None


@dataclass
class Plan:
    """Resources sorted by address; `unmanaged` is filled only by `plan --unmanaged`."""

    base_url: str
    account_id: str
    resources: list[ResourcePlan] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    format_version: int = PLAN_FORMAT_VERSION

    def count(self, action: Action) -> int:
        return sum(1 for r in self.resources if r.action == action)

    @property
    def has_changes(self) -> bool:
        return any(r.action != "no-op" for r in self.resources)

    def summary(self) -> str:
        return (
            f"Plan: {self.count('create')} to create, {self.count('update')} to update, "
            f"{self.count('no-op')} unchanged."
        )


@dataclass
class ApplyResult:
    """What apply did to one resource.

    applied  a new version exists with the intended values (`new_version`)
    stale    the live version moved on since the plan; nothing was sent
    failed   an error, told in `message`; nothing is known to have changed
    unknown  a write may or may not have happened (interrupted); re-run plan to see
    skipped  nothing to do (no-op)
    """

    address: str
    outcome: Outcome
    new_version: str | None = None
    message: str | None = None
