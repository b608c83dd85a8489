"""The plan use case: resource files planned against the live target (`botops plan`; apply
plans the same way when given no saved plan). Nothing here writes, so nothing of apply is
imported: a plan's start-up is part of its time (DESIGN §14)."""

from __future__ import annotations

from pathlib import Path

from botops.client import ApiClient
from botops.model import Plan
from botops.project.settings import declared_resources
from botops.support.git import head_commit, short
from botops.sync.planfile import stamp
from botops.sync.planner import make_plan
from botops.usecases.session import Session


def plan_project(
    session: Session,
    paths: tuple[Path, ...],
    *,
    concurrency: int,
    message: str | None,
    unmanaged: bool = False,
    with_outcomes: bool = False,
) -> Plan:
    """Load the declared resources as the session's environment sees them (all problems at
    once), then read the live state; with `with_outcomes`, also how each changed voicebot's live
    version does now."""
    resources = declared_resources(session.project, paths, session.environment)
    target = session.target
    # Once: the full hash for the plan file, its short form for version descriptions.
    full = head_commit(session.project.root, read=[Path(r.file) for r in resources])
    commit = short(full) if full else None

    async def planned(client: ApiClient) -> Plan:
        result = await make_plan(
            resources,
            client,
            base_url=target.base_url,
            account_id=target.account_id,
            message=message,
            commit=commit,
            unmanaged=unmanaged,
            environment=session.environment_name,
        )
        if with_outcomes:
            from botops.analytics.history import attach_outcomes  # only when asked for

            await attach_outcomes(client, result)
        return result

    made = session.run(planned, concurrency=concurrency)
    return stamp(made, commit=full, environment=session.environment_name)


def check_mass_change(session: Session, plan: Plan, *, allowed: bool) -> None:
    """The `max_changed_share` guard (a `PlanError`) for a plan about to be saved or applied."""
    changed = sum(1 for r in plan.resources if r.action != "no-op")
    session.guards.check_share(changed, len(plan.resources), allowed=allowed)
