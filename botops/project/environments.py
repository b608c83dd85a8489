"""Environments (DESIGN §12): one set of files, several accounts.

`botops.yaml` may name environments (staging, prod, one per region); `--env NAME` or
`BOTOPS_ENV` picks one, and its `account_id`, `base_url` and `paths` replace the top-level
ones. With environments defined, a command that calls the API must be told which one: there is
no silent default target.

Credentials are per environment too: `BOTOPS_TOKEN_<ENV>`, or `BOTOPS_API_KEY_<ENV>` and
`BOTOPS_API_TOKEN_<ENV>` (ENV upper-cased, other characters `_`), before the plain variables,
so one CI job can hold staging and prod credentials. An environment's own credentials are only
ever sent to that environment's own base URL.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from botops.client.urls import clean_base_url
from botops.errors import Problem, UsageError
from botops.model import Environment
from botops.support.schemacheck import did_you_mean
from botops.support.yamlpos import Document, Issue

ENV_VARIABLE = "BOTOPS_ENV"
PLAIN_CREDENTIALS = ("BOTOPS_TOKEN", "BOTOPS_API_KEY", "BOTOPS_API_TOKEN")


def environments_from(settings: Mapping[str, Any], root: Path) -> dict[str, Environment]:
    """The environments of a checked project mapping (`paths` relative to `root`)."""
    found: dict[str, Environment] = {}
    declared = settings.get("environments")
    for name, value in (declared if isinstance(declared, dict) else {}).items():
        entry = value if isinstance(value, dict) else {}
        account = entry.get("account_id")
        paths = entry.get("paths")
        found[name] = Environment(
            name=name,
            account_id=None if account is None else str(account),
            base_url=entry.get("base_url"),
            paths=None if paths is None else tuple(root / p for p in paths),
            guards=entry.get("guards") or {},
            assistants_path=entry.get("assistants_path"),
        )
    return found


def variable_suffix(name: str) -> str:
    """`eu-west` -> `EU_WEST`: how an environment's name ends its credential variables."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def project_issues(document: Document) -> list[Issue]:
    """What the schema can't say about `environments` in botops.yaml: two names that would
    read the same credential variables (`eu-west` and `eu_west`), at the second."""
    declared = document.value.get("environments") if isinstance(document.value, dict) else None
    issues: list[Issue] = []
    first: dict[str, str] = {}
    for name in declared if isinstance(declared, dict) else {}:
        suffix = variable_suffix(name)
        if suffix in first:
            issues.append(
                Issue.at(
                    document.key_at(("environments", name)),
                    f"environments {first[suffix]!r} and {name!r} would both use the "
                    f"credentials BOTOPS_TOKEN_{suffix}; rename one of them",
                )
            )
        else:
            first[suffix] = name
    return issues


def unknown_environment(name: str, defined: Collection[str]) -> str:
    """The message for a name botops.yaml doesn't define, on the command line or in a file."""
    if not defined:
        return f"environment {name!r} is not defined: botops.yaml defines no environments"
    known = sorted(defined)
    hint = did_you_mean(name, known)
    return f"unknown environment {name!r}{hint}; botops.yaml defines {', '.join(known)}"


def named_environment(option: str | None, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """The environment name `--env` (else `BOTOPS_ENV`) gives, without surrounding spaces, and
    which of the two gave it (`--env` or `BOTOPS_ENV`); None when neither names one. CI systems
    often define unset variables as empty strings: those are absent."""
    name = (option or "").strip()
    if name:
        return name, "--env"
    return environ.get(ENV_VARIABLE, "").strip() or None, ENV_VARIABLE


def select_environment(
    environments: Mapping[str, Environment],
    option: str | None,
    environ: Mapping[str, str],
    *,
    required: bool,
) -> Environment | None:
    """The environment `--env` (else `BOTOPS_ENV`) names.

    None when none is named and either none is defined or the command doesn't need one
    (`required=False`: `validate` then checks every environment). A name botops.yaml doesn't
    define is a `UsageError` with a "did you mean"."""
    name, given = named_environment(option, environ)
    if name is None:
        if environments and required:
            raise UsageError(
                f"botops.yaml defines environments ({', '.join(sorted(environments))}): "
                f"choose one with --env NAME or {ENV_VARIABLE}"
            )
        return None
    if name not in environments:
        raise UsageError(f"{given}: {unknown_environment(name, environments)}")
    return environments[name]


def credential_variables(
    environment: str | None, environ: Mapping[str, str]
) -> tuple[dict[str, str], str | None]:
    """The credential variables a client for `environment` reads, under their plain names
    (`BOTOPS_TOKEN`, ...), and the variables they came from (None for the plain ones).

    The environment's own variables win as soon as one of them is set; half a Basic pair of
    them is refused rather than completed from the plain variables."""
    plain = {name: environ[name] for name in PLAIN_CREDENTIALS if name in environ}
    if environment is None:
        return plain, None
    suffix = variable_suffix(environment)
    own = {name: environ.get(f"{name}_{suffix}", "").strip() for name in PLAIN_CREDENTIALS}
    token, api_key, api_token = (own[name] for name in PLAIN_CREDENTIALS)
    if token:
        return {"BOTOPS_TOKEN": token}, f"BOTOPS_TOKEN_{suffix}"
    if api_key or api_token:
        if not api_token:
            raise UsageError(
                f"BOTOPS_API_KEY_{suffix} is set but BOTOPS_API_TOKEN_{suffix} is missing"
            )
        if not api_key:
            raise UsageError(
                f"BOTOPS_API_TOKEN_{suffix} is set but BOTOPS_API_KEY_{suffix} is missing"
            )
        pair = f"BOTOPS_API_KEY_{suffix} and BOTOPS_API_TOKEN_{suffix}"
        return {"BOTOPS_API_KEY": api_key, "BOTOPS_API_TOKEN": api_token}, pair
    return plain, None


def check_credentials_target(environment: str, source: str, own_url: str, url: str) -> None:
    """Refuse to send `environment`'s own credentials (from the variables `source`) anywhere
    but its own base URL: say a stray BOTOPS_BASE_URL, or --base-url, points elsewhere."""
    own, there = clean_base_url(own_url), clean_base_url(url)
    if own != there:
        raise UsageError(
            f"the credentials in {source} belong to environment {environment!r} ({own}); "
            f"refusing to send them to {there}"
        )


def across_environments(found: Mapping[str, Iterable[Problem]]) -> list[Problem]:
    """The problems of every environment's effective documents, each once. One that arises
    in only some of them says in which: `... (in environment 'prod')`."""
    where: dict[Problem, list[str]] = {}
    for name, problems in found.items():
        for problem in problems:
            names = where.setdefault(problem, [])
            if name not in names:
                names.append(name)
    result = []
    for problem, names in where.items():
        if len(names) < len(found):
            listed = ", ".join(repr(n) for n in sorted(names))
            noun = "environment" if len(names) == 1 else "environments"
            problem = replace(problem, message=f"{problem.message} (in {noun} {listed})")
        result.append(problem)
    return sorted(result)
