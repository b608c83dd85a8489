"""The apply use case: a plan (saved, or made now by `usecases.plan`) applied with Ctrl-C
handled.

Ctrl-C during apply: the first one lets the writes in flight finish and starts no new one (those
resources fail with nothing sent); a second one abandons the writes in flight, reported as
`unknown`. Either way every changed resource gets a result, so the report says which is which.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from botops.errors import UsageError
from botops.kinds import spec_of
from botops.model import ApplyResult, Plan, ResourcePlan
from botops.project.loader import find_files
from botops.project.settings import Target, resource_paths
from botops.support.files import sync_folders
from botops.sync.applier import STOPPED_MESSAGE, OnGeneration, apply_plan, id_hint
from botops.sync.planfile import read_plan
from botops.usecases.plan import plan_project
from botops.usecases.session import Session

INTERRUPT_NOTICE = (
    "\nInterrupted: finishing the writes in flight, starting no new one "
    "(Ctrl-C again to abandon them)."
)
INTERRUPTED_ADVICE = (
    "Apply was interrupted: resources reported unknown may or may not have been written. "
    "Run `botops plan` to see the live state, then `botops apply` again."
)


def plan_to_apply(
    session: Session,
    paths: tuple[Path, ...],
    *,
    plan_file: Path | None,
    message: str | None,
    concurrency: int,
) -> tuple[Plan, Target]:
    """A saved plan (for its own target only) or a fresh one, with where to apply it."""
    if plan_file is None:
        fresh = plan_project(session, paths, concurrency=concurrency, message=message)
        return fresh, session.target
    if paths:
        raise UsageError("give either PATHs or --plan, not both")
    if message:
        raise UsageError("--message can't change a saved plan; pass it to `botops plan`")
    saved = read_plan(plan_file)
    return saved, session.saved_plan_target(saved)


@dataclass(frozen=True)
class Applied:
    """Every changed resource's result, sorted by address; `interrupted` when Ctrl-C came."""

    results: list[ApplyResult]
    interrupted: bool

    @property
    def ok(self) -> bool:
        return all(r.outcome in ("applied", "already applied", "skipped") for r in self.results)


def apply_interruptibly(
    session: Session,
    plan: Plan,
    *,
    target: Target,
    concurrency: int,
    on_interrupt: Callable[[], None],
    on_generation: OnGeneration | None = None,
) -> Applied:
    """Apply `plan` to `target`; `on_interrupt` is called at the first Ctrl-C (to say so),
    `on_generation` with each status of a create's bot-generation job."""
    results: list[ApplyResult] = []
    stop = asyncio.Event()

    async def go() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def interrupted() -> None:
            if not stop.is_set():
                stop.set()
                on_interrupt()
            elif task is not None:
                task.cancel()

        # Not on the main thread, or no signal support: Ctrl-C stays a KeyboardInterrupt.
        # SIGTERM comes here too: `botops.cli.commands.main` turns it into a Ctrl-C.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, interrupted)
        try:
            async with session.client(concurrency=concurrency, target=target) as client:
                await apply_plan(
                    plan,
                    client,
                    on_result=results.append,
                    stop=stop,
                    on_generation=on_generation,
                )
        except asyncio.CancelledError:
            pass
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(go())
    done = {r.address for r in results}
    results.extend(
        ApplyResult(r.address, "failed", message=STOPPED_MESSAGE)
        for r in plan.resources
        if r.action != "no-op" and r.address not in done
    )
    return Applied(sorted(results, key=lambda r: r.address), interrupted=stop.is_set())


def write_created_ids(
    session: Session, plan: Plan, applied: Applied, paths: tuple[Path, ...]
) -> tuple[Applied, list[str]]:
    """`apply --write-ids`: each created resource's id written into its file (only a resource
    file of this project: `paths`, else the project's paths). Returns the results, whose
    messages now say what was written, and one line per id that could not be written."""

    project = session.project
    files = find_files(
        resource_paths(project, paths, session.environment),
        skipped={project.file.resolve()} if project.file else set(),
        problems=[],
    )
    root = project.root.resolve() if project.file else None
    allowed = {
        real for real in (f.resolve() for f in files) if root is None or real.is_relative_to(root)
    }
    by_address = {r.address: r for r in plan.resources}
    results: list[ApplyResult] = []
    failures: list[str] = []
    synced: set[Path] = set()  # each folder synced once, after the last file written in it
    try:
        _write_ids(applied, by_address, allowed, plan, synced, results, failures)
    finally:
        sync_folders(synced)
    return Applied(results, interrupted=applied.interrupted), failures


def _write_ids(
    applied: Applied,
    by_address: dict[str, ResourcePlan],
    allowed: set[Path],
    plan: Plan,
    synced: set[Path],
    results: list[ApplyResult],
    failures: list[str],
) -> None:
    from botops.sync.write_ids import write_created_id

    for result in applied.results:
        resource = by_address.get(result.address)
        if result.created_id is None or resource is None or resource.action != "create":
            results.append(result)
            continue
        spec = spec_of(resource.kind)
        hint = id_hint(spec.id_key, result.created_id, resource.file)
        try:
            write_created_id(
                resource,
                result.created_id,
                resource_files=allowed,
                environment=plan.environment,
                synced=synced,
            )
        except UsageError as error:
            failures.append(f"--write-ids: {error}; nothing was written: {hint} by hand")
            results.append(result)
            continue
        written = f"wrote `{spec.id_key}: {result.created_id}` into {resource.file}"
        message = result.message or ""
        message = message.replace(hint, written) if hint in message else f"{message}; {written}"
        results.append(replace(result, message=message.removeprefix("; ")))
