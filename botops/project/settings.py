"""The project file `botops.yaml` and the target it resolves to (DESIGN §2, §12).

Precedence: command-line option > environment variable > the chosen environment's keys >
`botops.yaml` > default. Credentials come only from the environment (see
`client.Credentials.from_env` and `environments.credential_variables`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from botops.client.urls import clean_base_url
from botops.errors import ConfigError, Problem, UsageError
from botops.model import Environment, Project, Resource, TestSettings
from botops.project.environments import (
    across_environments,
    environments_from,
    project_issues,
)
from botops.project.guards import Guards
from botops.project.loader import (
    PROJECT_FILE,
    PROJECT_SCHEMA,
    clashes_with_the_rest,
    load_resources,
    parse_file,
    problems_in,
    shown,
)
from botops.project.overrides import Scope
from botops.support.files import read_regular_file
from botops.support.schemacheck import render_value, schema_issues
from botops.support.yamlpos import Document, Issue, NodePath

DEFAULT_BASE_URL = "https://voicebot.in.exotel.com"
# The API reference gives base URLs with these prefixes; the client adds them itself.


@dataclass(frozen=True)
class Target:
    """Where API calls go."""

    base_url: str
    account_id: str


def load_project(path: Path | None = None) -> Project:
    """Read `path`, or the `botops.yaml` found from here upwards (see `find_project_file`);
    an empty Project when there is none.

    The file is checked against `schemas/botops.schema.json`; every problem is reported at its
    line and column (`ConfigError`)."""
    if path is None:
        found = find_project_file(Path.cwd())
        if found is None:
            return Project(root=Path("."))
        path = found
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: project file not found") from None
    except OSError as error:
        raise UsageError(f"{path}: can't read project file ({error.strerror})") from None
    settings, positions = _project_settings(path, data)
    root = path.parent
    account = settings.get("account_id")
    return Project(
        account_id=None if account is None else str(account),
        base_url=settings.get("base_url"),
        paths=tuple(root / p for p in settings.get("paths") or []),
        root=root,
        file=path,
        environments=environments_from(settings, root),
        guards=settings.get("guards") or {},
        rate_limit=settings.get("rate_limit"),
        path_positions={root / entry: at for entry, at in positions.items()},
        assistants_path=settings.get("assistants_path"),
        tests=_test_settings(settings.get("tests"), root),
    )


def _test_settings(value: Any, root: Path) -> TestSettings:
    """`tests:` of a checked project mapping (paths relative to `root`)."""
    if not isinstance(value, dict):
        return TestSettings()
    paths = value.get("paths")
    defaults = TestSettings()
    return TestSettings(
        paths=None if paths is None else tuple(root / p for p in paths),
        endpoint=value.get("endpoint"),
        models=dict(value.get("models") or {}),
        judge=value.get("judge"),
        caller=value.get("caller"),
        concurrency=value.get("concurrency", defaults.concurrency),
        timeout=float(value.get("timeout", defaults.timeout)),
    )


def find_project_file(start: Path) -> Path | None:
    """`botops.yaml` in `start` or the nearest directory above it, as git finds `.git`: the
    search stops at the repository's top (a directory holding `.git`) or the filesystem's root.
    Returned relative to `start` (`../botops.yaml`), so that paths in messages stay short."""
    for directory in [start, *start.parents]:
        candidate = directory / PROJECT_FILE
        if candidate.is_file():
            return Path(os.path.relpath(candidate, start))
        if (directory / ".git").exists():
            return None
    return None


def _project_settings(path: Path, data: bytes) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """The checked mapping of the project file (empty for an empty file), and where each entry
    of a `paths` list stands."""
    documents, issues = parse_file(data)
    positions: dict[str, tuple[int, int]] = {}
    if len(documents) > 1:
        second = documents[1]
        issues.append(Issue(second.line, second.column, "the project file holds one document"))
    settings: dict[str, Any] = {}
    if documents:
        document = documents[0]
        issues.extend(document.issues)
        if isinstance(document.value, dict):
            settings = document.value
            issues.extend(schema_issues(document, PROJECT_SCHEMA))
            issues.extend(project_issues(document))
            positions = _path_positions(document)
        else:
            got = render_value(document.value)
            message = f"the project file must be a mapping of settings, got {got}"
            issues.append(Issue(document.line, document.column, message))
    if issues:
        raise ConfigError(list(problems_in(shown(path), issues)))
    return settings, positions


def _path_positions(document: Document) -> dict[str, tuple[int, int]]:
    lists: list[tuple[NodePath, Any]] = [(("paths",), document.value.get("paths"))]
    environments = document.value.get("environments")
    if isinstance(environments, dict):
        for name, entry in environments.items():
            if isinstance(entry, dict):
                lists.append((("environments", name, "paths"), entry.get("paths")))
    positions: dict[str, tuple[int, int]] = {}
    for at, entries in lists:
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, str):
                positions.setdefault(entry, document.where((*at, index)))
    return positions


def resolve_target(
    project: Project,
    *,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None = None,
    environment: Environment | None = None,
) -> Target:
    """The configured target, the default base URL filling in; an error without an account."""
    url, account = _named(project, base_url, account_id, environ, environment)
    if not account:
        raise UsageError(
            "no account id: pass --account, set BOTOPS_ACCOUNT_ID, or set account_id in botops.yaml"
        )
    return Target(base_url=clean_base_url(url or DEFAULT_BASE_URL), account_id=account)


def resource_paths(
    project: Project, arguments: tuple[Path, ...], environment: Environment | None = None
) -> list[Path]:
    """Positional PATH arguments replace `paths` (the environment's, else botops.yaml's); with
    none of them, the working directory."""
    if arguments:
        return list(arguments)
    if environment is not None and environment.paths is not None:
        return list(environment.paths)
    if project.paths:
        return list(project.paths)
    return [Path(".")]


def _existing(project: Project, paths: list[Path]) -> list[Path]:
    """`paths` of botops.yaml, each missing one reported where botops.yaml names it (not as a
    file of its own, which would point at a line of a file that isn't there). Import, which
    makes them, doesn't ask."""
    missing = [p for p in paths if not p.exists() and p in project.path_positions]
    if missing and project.file is not None:
        where = shown(project.file)
        raise ConfigError(
            [
                Problem(where, *project.path_positions[p], f"paths: {shown(p)} does not exist")
                for p in missing
            ]
        )
    return list(paths)


def declared_resources(
    project: Project,
    arguments: tuple[Path, ...],
    environment: Environment | None = None,
    *,
    modelines: bool = False,
) -> list[Resource]:
    """Every resource the project's files (or the PATH arguments) declare, as `environment`
    sees them, checked (their modelines too, with `modelines`); all problems at once
    (`ConfigError`)."""
    paths = resource_paths(project, arguments, environment)
    return load_resources(
        paths if arguments else _existing(project, paths),
        root=project.root if project.file else None,
        project_file=project.file,
        scope=replace(scope_of(project, environment), modelines=modelines),
        tests=project.test_paths if project.file else (),
    )


def declared_everywhere(
    project: Project,
    arguments: tuple[Path, ...],
    environment: Environment | None,
    *,
    modelines: bool = False,
) -> list[Resource]:
    """`declared_resources` of `environment`, or of every environment botops.yaml defines when
    none is chosen: `validate`'s view. A problem of some environments only says in which."""
    if environment is not None or not project.environments:
        return declared_resources(project, arguments, environment, modelines=modelines)
    found: dict[str, list[Problem]] = {}
    resources: dict[tuple[str, int, int], Resource] = {}
    for name in sorted(project.environments):
        try:
            loaded = declared_resources(
                project, arguments, project.environments[name], modelines=modelines
            )
        except ConfigError as error:
            found[name] = error.problems
            continue
        found[name] = []
        for resource in loaded:
            resources.setdefault((resource.file, resource.line, resource.column), resource)
    problems = across_environments(found)
    if problems:
        raise ConfigError(problems)
    return list(resources.values())


def clashes_everywhere(
    project: Project, named: tuple[Path, ...], environment: Environment | None
) -> list[Problem]:
    """What the files `named` (as a pre-commit hook names them) declare that another resource
    file of the project declares too, for `environment` or every environment botops.yaml
    defines (a problem of some only says in which). Only where botops.yaml says which files
    are resource files (`paths`): without them any YAML under the working directory might be
    one, and nothing is checked."""
    if project.file is None or not named:
        return []
    scopes: list[Environment | None] = (
        [environment]
        if environment is not None or not project.environments
        else [project.environments[name] for name in sorted(project.environments)]
    )
    found: dict[str, list[Problem]] = {}
    for scope in scopes:
        configured = scope.paths if scope is not None and scope.paths is not None else None
        configured = project.paths if configured is None else configured
        rest = [p for p in configured if p.exists()]
        found["" if scope is None else scope.name] = (
            clashes_with_the_rest(
                list(named), rest, root=project.root, scope=scope_of(project, scope)
            )
            if rest
            else []
        )
    return across_environments(found) if len(found) > 1 else next(iter(found.values()))


def scope_of(project: Project, environment: Environment | None) -> Scope:
    """The view of the files a run in `environment` loads: its overrides, and the top-level
    guards with its own."""
    name = None if environment is None else environment.name
    own = None if environment is None else environment.guards
    return Scope(name, frozenset(project.environments), Guards.of(project.guards, name, own))


def configured_target(
    project: Project,
    *,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None = None,
    environment: Environment | None = None,
) -> tuple[str | None, str | None]:
    """The base URL and account the configuration names explicitly (no defaults), for checking
    a saved plan's target against."""
    url, account = _named(project, base_url, account_id, environ, environment)
    return (clean_base_url(url) if url else None, account)


def _named(
    project: Project,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None,
    environment: Environment | None = None,
) -> tuple[str | None, str | None]:
    """The one precedence: option > environment variable > the environment's keys >
    botops.yaml (no defaults)."""
    env = os.environ if environ is None else environ
    own_url, own_account = own_target(project, environment)
    url = base_url or env.get("BOTOPS_BASE_URL") or own_url
    account = account_id or env.get("BOTOPS_ACCOUNT_ID") or own_account
    return url, (str(account) if account else None)


def own_target(project: Project, environment: Environment | None) -> tuple[str | None, str | None]:
    """What botops.yaml alone names: the environment's keys replace the top-level ones."""
    if environment is None:
        return project.base_url, project.account_id
    return (
        environment.base_url or project.base_url,
        environment.account_id or project.account_id,
    )
