"""Plain data shared by every layer: desired resources, the project, and the plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# The name of a kind registered in `botops.kinds` (`KindSpec.name`).
Kind = str
Action = Literal["no-op", "update", "create"]
Outcome = Literal["applied", "already applied", "stale", "failed", "unknown", "conflict", "skipped"]

# 2: the plan says where it comes from (created_at, botops_version, commit, environment).
PLAN_FORMAT_VERSION = 2


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
    overridden: frozenset[str] = frozenset()
    """Fields (`name`, `llm_config.temperature`) whose values come from `overrides.<env>`."""

    @property
    def name(self) -> str | None:
        value = self.desired.get("name")
        return value if isinstance(value, str) else None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class TestSettings:
    """`tests:` of botops.yaml (DESIGN §15): where test files are, the model endpoint, model
    names, and how many model calls may be in flight at once."""

    __test__ = False  # not a pytest class

    paths: tuple[Path, ...] | None = None  # None: `tests` beside botops.yaml
    endpoint: str | None = None
    models: Mapping[str, str] = field(default_factory=dict)
    judge: str | None = None
    caller: str | None = None
    concurrency: int = 4
    timeout: float = 120.0  # seconds one model call may take, retries included


@dataclass(frozen=True)
class Environment:
    """One environment of `botops.yaml` (read by `botops.project.environments`); None where it
    leaves the top-level setting."""

    name: str
    account_id: str | None = None
    base_url: str | None = None
    paths: tuple[Path, ...] | None = None
    guards: Mapping[str, Any] = field(default_factory=dict)
    # Where assistants live on this environment's server, when pinned (DESIGN §16).
    assistants_path: str | None = None


@dataclass(frozen=True)
class Project:
    """Settings from `botops.yaml` (or defaults), before command-line and environment overrides."""

    account_id: str | None = None
    base_url: str | None = None
    paths: tuple[Path, ...] = ()
    root: Path = Path(".")
    file: Path | None = None
    environments: Mapping[str, Environment] = field(default_factory=dict)
    guards: Mapping[str, Any] = field(default_factory=dict)
    rate_limit: int | None = None  # the account's requests a second, when known
    # Where each entry of `paths` (and of an environment's `paths`) stands in botops.yaml.
    path_positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict)
    # Where assistants live (`/api/v2` or `/voicebot/api/v2`); None: found out (DESIGN §16).
    assistants_path: str | None = None
    tests: TestSettings = field(default_factory=TestSettings)

    @property
    def test_paths(self) -> tuple[Path, ...]:
        """Where test files are: `tests.paths`, else `tests/` beside botops.yaml."""
        return self.tests.paths if self.tests.paths is not None else (self.root / "tests",)


def within(path: str, fields: Iterable[str]) -> bool:
    """Whether `path` is one of `fields` or part of one: `agents` holds `agents[a].role`."""
    return any(path == f or path.startswith((f"{f}.", f"{f}[")) for f in fields)


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


@dataclass(frozen=True)
class LiveOutcome:
    """How a voicebot's live version does now (`plan --with-outcomes`): the conversations since
    it went live and their resolution rate with its 95% Wilson interval."""

    version: str
    since: str | None
    calls: int
    resolution_rate: float
    resolution_ci: tuple[float, float]


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
    overridden: tuple[str, ...] = ()
    """The paths of `changes` whose new values come from the environment's overrides."""
    notes: tuple[str, ...] = ()
    """What the plan says of the live state beside the changes ("latest v8 is not stable;
    building on v7")."""
    # Filled only by `plan --with-outcomes` (versions.attach_outcomes); never in a plan file.
    outcomes: LiveOutcome | None = None

    def from_override(self, path: str) -> bool:
        """Whether the change at `path`, or the part of one, has its value from an override."""
        return within(path, self.overridden)


@dataclass(frozen=True)
class Unmanaged:
    """A live resource that no file manages (listed by `plan --unmanaged`, never touched)."""

    address: str
    name: str | None = None


@dataclass
class Plan:
    """Resources sorted by address; `unmanaged` is filled only by `plan --unmanaged`.

    Provenance (None in plan files of format 1): `created_at` UTC ISO 8601, the
    `botops_version` that made it, the full `commit` the files were at, the `environment`."""

    base_url: str
    account_id: str
    resources: list[ResourcePlan] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    format_version: int = PLAN_FORMAT_VERSION
    created_at: str | None = None
    botops_version: str | None = None
    commit: str | None = None
    environment: str | None = None
    allow_mass_change: bool = False
    """Made with `--allow-mass-change`: shown in the plan, and `apply --plan` of it does not
    need the flag again (the reviewer saw that the plan allows it)."""

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

    applied   a new version exists with the intended values (`new_version`)
    stale     the live version moved on since the plan (or, for a create, a bot of that name
              exists now); nothing was sent
    failed    an error, told in `message`; nothing was written, unless the message names what
              was (a bot that generation created before its version failed)
    unknown   a write may or may not have happened, or happened and could not be read back
              (interrupted, the server gone); re-run plan to see
    conflict  written (`new_version`), but another writer wrote the same resource at the same
              time: the live version may lack these changes or have undone theirs
    skipped   nothing to do (no-op)
    already applied
              an earlier run of this same plan wrote it: the live version is the direct
              successor of the plan's `source_version`, carries every value the plan sends and
              (where the server lists versions) this plan's version_description; nothing sent

    `refused` marks a failure because the plan would send what its rendered form does not show:
    one such resource refuses the whole plan before any write.
    """

    address: str
    outcome: Outcome
    new_version: str | None = None
    message: str | None = None
    refused: bool = False
    created_id: str | None = None
    """The id of the resource a create made (whatever came after), for `apply --write-ids`."""
