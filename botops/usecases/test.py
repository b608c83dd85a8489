"""`botops test` as a use case (DESIGN §15): the tests of one environment's files, filtered
(`--name`, `--plan`), run against the model endpoint with the reply cache, as data.

The resources are the environment's effective view of the resource files (section 12), so a
pull request is tested with exactly its own prompts, fragments and settings, before anything is
applied. Nothing is sent when no test is left to run (a plan that changes no tested assistant
needs no endpoint and no key). Nothing here prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botops.behaviour.cache import CACHE_DIR, ReplyCache
from botops.behaviour.results import report_data
from botops.behaviour.runner import Models, Report, Runner, TestResult, scaled_pass_at
from botops.errors import UsageError
from botops.llm.endpoint import Endpoint, endpoint_of
from botops.model import Project
from botops.project.environments import select_environment
from botops.project.settings import declared_resources, load_project
from botops.project.testfiles import TestCase, load_tests
from botops.support.files import write_atomically
from botops.sync.planfile import read_plan, refuse_other_environment

if TYPE_CHECKING:  # httpx2 loads only when a reply is not in the cache
    from botops.llm.client import ModelClient


@dataclass
class Selection:
    """The tests a run will run, and what was left out and why."""

    project: Project
    environment: str | None
    tests: list[TestCase]
    declared: int  # tests the files declare for this environment
    by_plan: int | None = None  # tests of assistants the plan changes (with --plan)
    changed: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What a run gives back: the report, its data (the JSON shape every output renders), and
    the endpoint it went to (None when nothing was run)."""

    selection: Selection
    report: Report
    endpoint: Endpoint | None

    @property
    def data(self) -> dict[str, Any]:
        return report_data(self.report)


def select_tests(
    paths: Sequence[Path],
    *,
    config_path: Path | None = None,
    environment: str | None = None,
    names: Sequence[str] = (),
    plan_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Selection:
    """The tests to run: loaded and resolved (a `ConfigError` with every problem), then only
    those whose name contains one of `names`, and only those of the assistants `plan_file`
    changes."""
    env = os.environ if environ is None else environ
    project = load_project(config_path)
    chosen = select_environment(project.environments, environment, env, required=True)
    name = None if chosen is None else chosen.name
    resources = declared_resources(project, (), chosen)
    tests = load_tests(project, paths, resources=resources, environment=name)
    selection = Selection(project, name, tests, declared=len(tests))
    if names:
        wanted = [n.casefold() for n in names]
        selection.tests = [t for t in tests if any(w in t.name.casefold() for w in wanted)]
    if plan_file is not None:
        plan = read_plan(plan_file)
        refuse_other_environment(plan, name, doing="test")
        changed = sorted(
            r.address
            for r in plan.resources
            if r.action != "no-op" and r.address.startswith("assistant/")
        )
        selection.changed = changed
        selection.tests = [t for t in selection.tests if t.assistant in set(changed)]
        selection.by_plan = len(selection.tests)
    return selection


def runs_of(selection: Selection, repeat: int | None) -> int:
    return sum(scaled_pass_at(t, repeat)[0] for t in selection.tests)


def run_tests(
    selection: Selection,
    *,
    repeat: int | None = None,
    use_cache: bool = True,
    trace: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    on_result: Callable[[TestResult], None] | None = None,
    on_start: Callable[[Endpoint], None] | None = None,
) -> Outcome:
    """Run the selected tests; no endpoint is needed (nor asked for) when there are none."""
    if repeat is not None and repeat < 1:
        raise UsageError(f"--repeat must be at least 1, got {repeat}")
    if not selection.tests:
        return Outcome(selection, Report([]), None)
    env = os.environ if environ is None else environ
    settings = selection.project.tests
    endpoint = endpoint_of(settings.endpoint, selection.environment, env)
    cache = ReplyCache(_cache_directory(selection.project) if use_cache else None)
    if on_start is not None:
        on_start(endpoint)

    def open_client() -> ModelClient:
        from botops.llm.client import ModelClient

        return ModelClient(
            endpoint, concurrency=settings.concurrency, deadline=settings.timeout, trace=trace
        )

    async def go() -> Report:
        runner = Runner(
            endpoint,
            open_client,
            cache,
            models=Models(judge=settings.judge, caller=settings.caller),
            concurrency=settings.concurrency,
            on_result=on_result,
        )
        try:
            return await runner.run(selection.tests, repeat=repeat)
        finally:
            await runner.aclose()

    return Outcome(selection, asyncio.run(go()), endpoint)


def _cache_directory(project: Project) -> Path:
    """`.botops/cache/` beside botops.yaml; `.botops/` ignores itself in git, so that a
    project whose .gitignore lacks the line still never commits it."""
    directory = project.root / CACHE_DIR
    ignore = project.root / ".botops" / ".gitignore"
    if not ignore.exists():
        # An unwritable project: the cache is passed over too.
        with contextlib.suppress(UsageError):
            write_atomically(ignore, "# botops's local cache: never committed\n*\n")
    return directory
