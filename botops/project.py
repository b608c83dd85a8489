"""The project file `botops.yaml` and the target it resolves to (DESIGN §2).

Precedence: command-line option > environment variable > `botops.yaml` > default.
Credentials come only from the environment (see `client.Credentials.from_env`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from botops.errors import ConfigError, Problem, UsageError
from botops.model import Project

DEFAULT_BASE_URL = "https://voicebot.in.exotel.com"
PROJECT_FILE = "botops.yaml"


@dataclass(frozen=True)
class Target:
    """Where API calls go."""

    base_url: str
    account_id: str


def load_project(path: Path | None = None) -> Project:
    """Read `path`, or `./botops.yaml` when it exists; an empty Project when there is none."""
    if path is None:
        candidate = Path(PROJECT_FILE)
        if not candidate.is_file():
            return Project(root=Path("."))
        path = candidate
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: project file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: can't read project file ({error})") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError([Problem(str(path), line, column, problem)]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(str(path), 1, 1, "the project file must be a mapping")])
    root = path.parent
    paths = data.get("paths") or []
    return Project(
        account_id=data.get("account_id"),
        base_url=data.get("base_url"),
        paths=tuple(root / p for p in paths),
        root=root,
        file=path,
    )


def resolve_target(
    project: Project,
    *,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    env = os.environ if environ is None else environ
    url = base_url or env.get("BOTOPS_BASE_URL") or project.base_url or DEFAULT_BASE_URL
    account = account_id or env.get("BOTOPS_ACCOUNT_ID") or project.account_id
    if not account:
        raise UsageError(
            "no account id: pass --account, set BOTOPS_ACCOUNT_ID, or set account_id in botops.yaml"
        )
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"base URL must start with http:// or https://, got {url!r}")
    return Target(base_url=url.rstrip("/"), account_id=str(account))


def resource_paths(project: Project, arguments: tuple[Path, ...]) -> list[Path]:
    """Positional PATH arguments replace `paths`; with neither, the working directory."""
    if arguments:
        return list(arguments)
    if project.paths:
        return list(project.paths)
    return [Path(".")]


def configured_target(
    project: Project,
    *,
    base_url: str | None,
    account_id: str | None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str | None, str | None]:
    """The base URL and account the configuration names explicitly (no defaults), for checking
    a saved plan's target against."""
    env = os.environ if environ is None else environ
    url = base_url or env.get("BOTOPS_BASE_URL") or project.base_url
    account = account_id or env.get("BOTOPS_ACCOUNT_ID") or project.account_id
    return (url.rstrip("/") if url else None, str(account) if account else None)
