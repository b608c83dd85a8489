"""The project file `botops.yaml` and the target it resolves to (DESIGN §2).

Precedence: command-line option > environment variable > `botops.yaml` > default.
Credentials come only from the environment (see `client.Credentials.from_env`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botops.config import (
    PROJECT_FILE,
    PROJECT_SCHEMA,
    load_resources,
    parse_file,
    problems_in,
    shown,
)
from botops.errors import ConfigError, UsageError
from botops.files import read_regular_file
from botops.model import Project, Resource
from botops.urls import clean_base_url
from botops.validation import render_value, schema_issues
from botops.yamlpos import Issue

DEFAULT_BASE_URL = "https://voicebot.in.exotel.com"
# The API reference gives base URLs with these prefixes; the client adds them itself.


@dataclass(frozen=True)
class Target:
    """Where API calls go."""

    base_url: str
    account_id: str


def load_project(path: Path | None = None) -> Project:
    """Read `path`, or `./botops.yaml` when it exists; an empty Project when there is none.

    The file is checked against `schemas/botops.schema.json`; every problem is reported at its
    line and column (`ConfigError`)."""
    if path is None:
        candidate = Path(PROJECT_FILE)
        if not candidate.is_file():
            return Project(root=Path("."))
        path = candidate
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: project file not found") from None
    except OSError as error:
        raise UsageError(f"{path}: can't read project file ({error.strerror})") from None
    settings = _project_settings(path, data)
    root = path.parent
    account = settings.get("account_id")
    return Project(
        account_id=None if account is None else str(account),
        base_url=settings.get("base_url"),
        paths=tuple(root / p for p in settings.get("paths") or []),
        root=root,
        file=path,
        rate_limit=settings.get("rate_limit"),
    )


def _project_settings(path: Path, data: bytes) -> dict[str, Any]:
    """The checked mapping of the project file (empty for an empty file)."""
    documents, issues = parse_file(data)
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
        else:
            got = render_value(document.value)
            message = f"the project file must be a mapping of settings, got {got}"
            issues.append(Issue(document.line, document.column, message))
    if issues:
        raise ConfigError(list(problems_in(shown(path), issues)))
    return settings


def resolve_target(
    project: Project,
    *,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """The configured target, the default base URL filling in; an error without an account."""
    url, account = _named(project, base_url, account_id, environ)
    if not account:
        raise UsageError(
            "no account id: pass --account, set BOTOPS_ACCOUNT_ID, or set account_id in botops.yaml"
        )
    return Target(base_url=clean_base_url(url or DEFAULT_BASE_URL), account_id=account)


def resource_paths(project: Project, arguments: tuple[Path, ...]) -> list[Path]:
    """Positional PATH arguments replace `paths`; with neither, the working directory."""
    if arguments:
        return list(arguments)
    if project.paths:
        return list(project.paths)
    return [Path(".")]


def declared_resources(project: Project, arguments: tuple[Path, ...]) -> list[Resource]:
    """Every resource the project's files (or the PATH arguments) declare, checked; all problems
    at once (`ConfigError`)."""
    return load_resources(
        resource_paths(project, arguments),
        root=project.root if project.file else None,
        project_file=project.file,
    )


def configured_target(
    project: Project,
    *,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str | None, str | None]:
    """The base URL and account the configuration names explicitly (no defaults), for checking
    a saved plan's target against."""
    url, account = _named(project, base_url, account_id, environ)
    return (clean_base_url(url) if url else None, account)


def _named(
    project: Project,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None,
) -> tuple[str | None, str | None]:
    """The one precedence: option > environment variable > botops.yaml (no defaults)."""
    env = os.environ if environ is None else environ
    url = base_url or env.get("BOTOPS_BASE_URL") or project.base_url
    account = account_id or env.get("BOTOPS_ACCOUNT_ID") or project.account_id
    return url, (str(account) if account else None)
