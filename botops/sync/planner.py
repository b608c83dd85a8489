"""Desired (files) against live (API): the plan. No write ever happens here.

`make_plan` is one short template: read live state concurrently, diff each resource, decide its
action, build the exact payload apply will send. Everything a kind decides (its fields, how each
is compared and sent, the payload's layout, its client calls) is its spec's (`botops.kinds`);
values compare as `botops.kinds.compare` says. Unmanaged fields (absent from the file) and unmanaged
`llm_config` keys are never looked at.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botops.errors import (
    BotopsError,
    MethodNotAllowedError,
    NotFoundError,
    PlanError,
)
from botops.kinds import KINDS, Field, KindSpec, LiveObject, spec_of, version_of
from botops.model import Change, Kind, Plan, Resource, ResourcePlan, Unmanaged, within
from botops.support.git import head_commit, short
from botops.support.text import text_or_none

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

# From this many declared ids up, none of them live is reported as one line about the target.
NONE_LIVE_AT = 3


class _Missing(PlanError):
    """A declared id the server doesn't know."""


# Live objects of each kind matched by name, by name (read only where a plan needs them).
ByName = dict[Kind, dict[str, list[LiveObject]]]


async def make_plan(
    resources: Sequence[Resource],
    client: ApiClient,
    *,
    base_url: str,
    account_id: str,
    message: str | None = None,
    commit: str | None = None,
    unmanaged: bool = False,
    environment: str | None = None,
) -> Plan:
    """Read the live latest version of each resource and return what apply would do.
    `environment` names the environment whose overrides the resources hold."""
    by_name = await _live_by_name(resources, client, unmanaged=unmanaged)
    # Which live resource each file manages is settled for all of them before any is read:
    # two files managing one live resource would write two conflicting versions every apply.
    ids = _resolve(resources, by_name)
    problems: list[str] = []
    missing: list[str] = []
    plans = await asyncio.gather(
        *(
            _plan_one(r, resource_id, client, message, commit, problems, missing)
            for r, resource_id in zip(resources, ids, strict=True)
        )
    )
    read = sum(resource_id is not None for resource_id in ids)
    if read >= NONE_LIVE_AT and len(missing) == read and len(problems) == read:
        # Not N bots gone at once, far likelier the wrong server or account: say that once.
        raise PlanError(
            f"none of the {read} declared ids exists at {base_url} for account "
            f"{account_id!r}; check base_url and account_id (botops.yaml, --base-url and "
            "--account, BOTOPS_BASE_URL and BOTOPS_ACCOUNT_ID)"
        )
    if problems:
        raise PlanError("\n".join(sorted(problems)))
    for resource, planned in zip(resources, plans, strict=True):
        if planned is not None and resource.overridden:
            # What the plan marks `(prod override)`: changes to values an override gave.
            planned.overridden = tuple(
                c.path for c in planned.changes if within(c.path, resource.overridden)
            )
    plan = Plan(
        base_url=base_url,
        account_id=account_id,
        resources=sorted((p for p in plans if p is not None), key=lambda p: p.address),
        environment=environment,
    )
    if unmanaged:
        plan.unmanaged = await _unmanaged(plan, client, by_name)
    return plan


async def _live_by_name(
    resources: Sequence[Resource], client: ApiClient, *, unmanaged: bool
) -> ByName:
    """List pages are read only where a resource is matched by name (or `--unmanaged` asks)."""
    by_name: ByName = {}
    for spec in KINDS.values():
        if not spec.matched_by_name:
            continue
        if not unmanaged and not any(r.kind == spec.name and r.id is None for r in resources):
            continue
        named = by_name.setdefault(spec.name, {})
        async for live in spec.iterate(client):
            named.setdefault(str(live.get("name")), []).append(live)
    return by_name


def _resolve(resources: Sequence[Resource], by_name: ByName) -> list[str | None]:
    """The live id each resource manages (None: a create), matched by id or by name; a live
    resource managed by two files, or a name several live ones have, fails the plan here."""
    ids: list[str | None] = []
    problems: list[str] = []
    managed: dict[tuple[Kind, str], list[Resource]] = {}
    for resource in resources:
        spec = spec_of(resource.kind)
        resource_id = resource.id
        if resource_id is None:
            matches = by_name.get(spec.name, {}).get(resource.name or "", [])
            try:
                resource_id = _only_match(spec, resource, matches) if matches else None
            except PlanError as error:
                problems.append(str(error))
        ids.append(resource_id)
        if resource_id is not None:
            managed.setdefault((spec.name, resource_id), []).append(resource)
    for (kind, resource_id), declared in managed.items():
        for resource in declared if len(declared) > 1 else []:
            problems.append(_managed_twice(spec_of(kind), resource_id, resource, declared))
    if problems:
        raise PlanError("\n".join(sorted(problems)))
    return ids


def _managed_twice(
    spec: KindSpec, resource_id: str, resource: Resource, declared: Sequence[Resource]
) -> str:
    others = ", ".join(
        f"{r.where} ({_how_matched(spec, r)})" for r in declared if r is not resource
    )
    return (
        f"{resource.where}: {spec.address(resource_id)} ({_how_matched(spec, resource)}) is "
        f"also managed by {others}; one live {spec.noun} can have only one file: remove one"
    )


def _how_matched(spec: KindSpec, resource: Resource) -> str:
    return f"by {spec.id_key}" if resource.id is not None else f"by name {resource.name!r}"


async def _plan_one(
    resource: Resource,
    resource_id: str | None,
    client: ApiClient,
    message: str | None,
    commit: str | None,
    problems: list[str],
    missing: list[str],
) -> ResourcePlan | None:
    spec = spec_of(resource.kind)
    try:
        if resource_id is None:
            return _plan_create(spec, resource, message, commit)
        live = await _read(spec, client, resource, resource_id)
        held = await _held_by_unstable_head(spec, client, resource, resource_id, live)
        if held is not None:
            return held
        return _plan_update(spec, resource, resource_id, live, message, commit)
    except _Missing as error:
        missing.append(str(error))
        problems.append(str(error))
        return None
    except PlanError as error:
        problems.append(str(error))
        return None


def _only_match(spec: KindSpec, resource: Resource, matches: Sequence[LiveObject]) -> str:
    if len(matches) > 1:
        ids = ", ".join(sorted(str(m.get(spec.id_key)) for m in matches))
        raise PlanError(
            f"{resource.where}: {len(matches)} live {spec.prefix}s are named {resource.name!r} "
            f"({ids}); add {spec.id_key} to the file to say which one it manages"
        )
    return str(matches[0][spec.id_key])


async def _read(
    spec: KindSpec, client: ApiClient, resource: Resource, resource_id: str
) -> LiveObject:
    try:
        return await spec.read(client, resource_id)
    except NotFoundError:
        raise _Missing(
            f"{resource.where}: {spec.prefix} {resource_id!r} does not exist live"
            f"{spec.missing_hint}"
        ) from None
    except MethodNotAllowedError:
        if not spec.optional:
            raise
        raise PlanError(
            f"{resource.where}: this server can't read an {spec.prefix}'s live state "
            f"(GET {spec.prefix}s/{resource_id} is not offered), so botops can't plan it"
        ) from None


async def _held_by_unstable_head(
    spec: KindSpec, client: ApiClient, resource: Resource, resource_id: str, live: LiveObject
) -> ResourcePlan | None:
    """A no-op when a newer version than the one writes build on (Exotel's assistants: latest
    not stable) already holds every value the file declares, and the file does not ask for
    stable: the diff against the stable version would otherwise write the same values again
    on every apply."""
    head, stable = spec.head(live), version_of(live)
    if head is None or head == stable or resource.mark_as_stable:
        return None
    latest = await spec.read(client, resource_id, version=head)
    if version_of(latest) != head or diff_fields(resource.desired, latest, spec.fields):
        return None
    name = resource.name or (text_or_none(live.get("name")) if "name" in spec.field_names else None)
    return ResourcePlan(
        address=spec.address(resource_id),
        kind=spec.name,
        id=resource_id,
        file=resource.file,
        action="no-op",
        source_version=stable,
        name=name,
        notes=(
            f"latest {head} holds these values and is not stable (mark_as_stable is not "
            f"true); callers get {stable}",
        ),
    )


def _plan_update(
    spec: KindSpec,
    resource: Resource,
    resource_id: str,
    live: LiveObject,
    message: str | None,
    commit: str | None,
) -> ResourcePlan:
    changes = diff_fields(resource.desired, live, spec.fields)
    name = resource.name or (text_or_none(live.get("name")) if "name" in spec.field_names else None)
    plan = ResourcePlan(
        address=spec.address(resource_id),
        kind=spec.name,
        id=resource_id,
        file=resource.file,
        action="update" if changes else "no-op",
        source_version=version_of(live),
        changes=changes,
        name=name,
        notes=tuple(spec.notes(live)),
    )
    if changes:
        changed = [f for f in spec.fields if any(c.field == f.name for c in changes)]
        values = {f.name: f.sent(resource.desired[f.name], live.get(f.name)) for f in changed}
        plan.payload = spec.payload(
            plan.source_version,
            values,
            description=version_description(
                resource, sorted(values), message=message, commit=commit
            ),
            mark_as_stable=resource.mark_as_stable,
            live=live,
        )
    return plan


def _plan_create(
    spec: KindSpec, resource: Resource, message: str | None, commit: str | None
) -> ResourcePlan:
    if not spec.created_by_generation or not resource.description:
        create = (
            ", or add description to create it through bot generation"
            if spec.created_by_generation
            else ""
        )
        raise PlanError(
            f"{resource.where}: no live {spec.prefix} is named {resource.name!r} and the file "
            f"has no {spec.id_key}; add {spec.id_key} to manage an existing {spec.noun} "
            f"(renamed?){create}"
        )
    fields = sorted(resource.desired)
    # Only the declared fields generation did not already give the bot are sent, which the
    # plan can't know: its generated description names none of them.
    version = spec.payload(
        None,
        dict(resource.desired),
        description=version_description(resource, None, message=message, commit=commit),
        mark_as_stable=resource.mark_as_stable,
    )
    return ResourcePlan(
        address=spec.address(str(resource.name)),
        kind=spec.name,
        id=None,
        file=resource.file,
        action="create",
        source_version=None,
        changes=[Change(f, None, resource.desired[f], field=f) for f in fields],
        payload={"generation": {"text_content": resource.description}, "version": version},
        name=resource.name,
    )


def diff_fields(
    desired: Mapping[str, Any], live: Mapping[str, Any], fields: Sequence[Field]
) -> list[Change]:
    """Changes for the managed fields of one resource, in the order of `fields`; a field
    absent from `desired` is unmanaged and never looked at."""
    return [
        change
        for field in fields
        if field.name in desired
        for change in field.changes(desired[field.name], live.get(field.name))
    ]


def version_description(
    resource: Resource, fields: Sequence[str] | None, *, message: str | None, commit: str | None
) -> str:
    """`--message`, else the file's, else one naming the changed fields (for a create, whose
    sent fields are known only once the bot is generated: `botops: create`); plus the
    commit."""
    generated = "botops: create" if fields is None else f"botops: update {', '.join(fields)}"
    text = message or resource.version_description or generated
    return f"{text} (commit {commit})" if commit else text


def current_commit(
    root: Path, environ: Mapping[str, str] | None = None, *, read: Sequence[Path] = ()
) -> str | None:
    """The short hash of `head_commit` (a pull request's head in CI, else HEAD, `+dirty`
    kept; `read`: the files planned)."""
    sha = head_commit(root, environ, read=read)
    return short(sha) if sha else None


async def _unmanaged(plan: Plan, client: ApiClient, by_name: ByName) -> list[Unmanaged]:
    managed = {r.address for r in plan.resources}
    result: list[Unmanaged] = []
    for spec in KINDS.values():
        if spec.name in by_name:
            listed = [live for named in by_name[spec.name].values() for live in named]
        else:
            listed = await _listed(spec, client)
        for live in listed:
            address = spec.address(str(live.get(spec.id_key)))
            if address not in managed:
                result.append(Unmanaged(address, text_or_none(live.get("name"))))
    return sorted(result, key=lambda u: u.address)


async def _listed(spec: KindSpec, client: ApiClient) -> list[LiveObject]:
    try:
        return [live async for live in spec.iterate(client)]
    except (NotFoundError, MethodNotAllowedError) as error:
        raise BotopsError(f"can't list live {spec.prefix}s: {error}") from None
