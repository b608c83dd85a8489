"""One run's way to the API: the project, the target it names, and the clients that reach it.

The command line builds one `Session` per command from its options; everything that talks to the
API takes the session (or a client it made), never click's context. Nothing here prints: a
`trace` callable, when given, receives the client's debug lines.
"""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from botops.client import Client, Credentials, Pacer
from botops.client.urls import clean_base_url
from botops.errors import UsageError
from botops.kinds import wire_booleans
from botops.model import Environment, Plan, Project
from botops.project.environments import (
    check_credentials_target,
    credential_variables,
    named_environment,
    select_environment,
)
from botops.project.guards import Guards
from botops.project.settings import (
    DEFAULT_BASE_URL,
    Target,
    configured_target,
    own_target,
    resolve_target,
    scope_of,
)
from botops.support.text import printable
from botops.sync.planfile import refuse_other_environment

T = TypeVar("T")
DEFAULT_RETRY_DEADLINE = 120.0


class Session:
    """The project, the target (option > environment > botops.yaml > default), one pacer for
    every client of the run, and the retry deadline from `BOTOPS_RETRY_DEADLINE`."""

    def __init__(
        self,
        *,
        project: Project,
        base_url: str | None = None,
        account_id: str | None = None,
        trace: Callable[[str], None] | None = None,
        environ: Mapping[str, str] | None = None,
        environment: str | None = None,
    ) -> None:
        self.project = project
        self.base_url_option = base_url
        self.account_option = account_id
        self.environment_option = environment
        self.trace = trace
        self.environ = os.environ if environ is None else environ

    @functools.cached_property
    def environment(self) -> Environment | None:
        """`--env`, else BOTOPS_ENV; an error when botops.yaml defines environments and none
        is named (no silent default target), or names one it doesn't define."""
        return select_environment(
            self.project.environments, self.environment_option, self.environ, required=True
        )

    @property
    def environment_name(self) -> str | None:
        return None if self.environment is None else self.environment.name

    @functools.cached_property
    def guards(self) -> Guards:
        """The guards that hold in this run's environment."""
        return scope_of(self.project, self.environment).guards

    @functools.cached_property
    def target(self) -> Target:
        """Where calls go; a UsageError when no account is named anywhere."""
        return resolve_target(
            self.project,
            base_url=self.base_url_option,
            account_id=self.account_option,
            environ=self.environ,
            environment=self.environment,
        )

    @functools.cached_property
    def retry_deadline(self) -> float:
        """How long reads may be retried in all (`BOTOPS_RETRY_DEADLINE` seconds, default 120)."""
        value = self.environ.get("BOTOPS_RETRY_DEADLINE")
        if value is None:
            return DEFAULT_RETRY_DEADLINE
        try:
            deadline = float(value)
        except ValueError:
            raise UsageError(
                f"BOTOPS_RETRY_DEADLINE must be a number of seconds, got {value!r}"
            ) from None
        if deadline <= 0:
            raise UsageError(f"BOTOPS_RETRY_DEADLINE must be positive, got {value!r}")
        return deadline

    @functools.cached_property
    def pacer(self) -> Pacer:
        """One pace for every client of this run: what plan learned of a rate limit, apply
        keeps (the server's window still holds plan's requests when apply starts); the
        account's `rate_limit` of botops.yaml, when given, is never exceeded."""
        return Pacer(time.monotonic, rate_limit=self.project.rate_limit)

    @property
    def assistants_path(self) -> str | None:
        """Where assistants live when botops.yaml pins it (the environment's first); None:
        the client finds out (DESIGN §16)."""
        own = self.environment.assistants_path if self.environment is not None else None
        return own or self.project.assistants_path

    def client(self, *, concurrency: int = 16, target: Target | None = None) -> Client:
        """A client for `target` (default: the session's), credentials from the environment:
        the chosen environment's own first, and those only for its own base URL."""
        where = target or self.target
        variables, source = credential_variables(self.environment_name, self.environ)
        if self.environment is not None and source is not None:
            own = own_target(self.project, self.environment)[0] or DEFAULT_BASE_URL
            check_credentials_target(self.environment.name, source, own, where.base_url)
        return Client(
            base_url=where.base_url,
            account_id=where.account_id,
            credentials=Credentials.from_env(variables, source=source),
            concurrency=concurrency,
            deadline=self.retry_deadline,
            trace=self.trace,
            pacer=self.pacer,
            assistants_path=self.assistants_path,
            booleans=wire_booleans(),
        )

    def run(
        self,
        use: Callable[[Client], Awaitable[T]],
        *,
        concurrency: int = 16,
        target: Target | None = None,
    ) -> T:
        """Open a client, await `use(client)`, close it: where a synchronous caller enters
        asyncio (apply alone needs its own loop, for Ctrl-C)."""

        async def go() -> T:
            async with self.client(concurrency=concurrency, target=target) as client:
                return await use(client)

        return asyncio.run(go())

    def saved_plan_target(self, plan: Plan) -> Target:
        """A saved plan goes to its own target and environment; a different configured
        target, or another environment than `--env` names, is refused."""
        given = named_environment(self.environment_option, self.environ)[1]
        refuse_other_environment(plan, self.environment_name, doing="apply", given=given)
        base_url, account_id = configured_target(
            self.project,
            base_url=self.base_url_option,
            account_id=self.account_option,
            environ=self.environ,
            environment=self.environment,
        )
        planned = Target(base_url=clean_base_url(plan.base_url), account_id=plan.account_id)
        # A plan file never chooses where credentials go: the base URL is the one this run
        # would use anyway, the default included when nothing names one.
        effective = base_url or clean_base_url(DEFAULT_BASE_URL)
        for label, now, then in (
            ("base URL", effective, planned.base_url),
            ("account", account_id, planned.account_id),
        ):
            if now is not None and now != then:
                named = "names" if label != "base URL" or base_url else "uses the default"
                raise UsageError(
                    printable(
                        f"the plan was made for {label} {then!r} but the configuration {named} "
                        f"{now!r}; refusing to apply it elsewhere (nothing was sent)"
                    )
                )
        return planned
