"""Desired (files) against live (API): the plan. No write ever happens here.

`make_plan` is one short template: read live state concurrently, diff each resource, decide its
action, build the exact payload apply will send. Diffing is per managed field; unmanaged fields
(absent from the file) and unmanaged `llm_config` keys are never looked at.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from botops.client import Client
from botops.errors import (
    BotopsError,
    MethodNotAllowedError,
    NotFoundError,
    PlanError,
)
from botops.git import rev_parse
from botops.model import (
    ASSISTANT_FIELDS,
    VOICEBOT_FIELDS,
    Change,
    Plan,
    Resource,
    ResourcePlan,
    Unmanaged,
)

AGENT_ORDER = "agents.order"


async def make_plan(
    resources: Sequence[Resource],
    client: Client,
    *,
    base_url: str,
    account_id: str,
    message: str | None = None,
    commit: str | None = None,
    unmanaged: bool = False,
) -> Plan:
    """Read the live latest version of each resource and return what apply would do."""
    by_name = await _live_voicebots_by_name(resources, client, unmanaged=unmanaged)
    problems: list[str] = []
    plans = await asyncio.gather(
        *(_plan_one(r, client, by_name, message, commit, problems) for r in resources)
    )
    if problems:
        raise PlanError("\n".join(sorted(problems)))
    plan = Plan(
        base_url=base_url,
        account_id=account_id,
        resources=sorted((p for p in plans if p is not None), key=lambda p: p.address),
    )
    if unmanaged:
        plan.unmanaged = await _unmanaged(plan, client, by_name)
    return plan


async def _live_voicebots_by_name(
    resources: Sequence[Resource], client: Client, *, unmanaged: bool
) -> dict[str, list[dict[str, Any]]]:
    """List pages are read only where a bot is matched by name (or `--unmanaged` asks)."""
    if not unmanaged and not any(r.kind == "Voicebot" and r.id is None for r in resources):
        return {}
    by_name: dict[str, list[dict[str, Any]]] = {}
    async for bot in client.iter_voicebots():
        by_name.setdefault(str(bot.get("name")), []).append(bot)
    return by_name


async def _plan_one(
    resource: Resource,
    client: Client,
    by_name: Mapping[str, list[dict[str, Any]]],
    message: str | None,
    commit: str | None,
    problems: list[str],
) -> ResourcePlan | None:
    try:
        if resource.kind == "Voicebot":
            return await _plan_voicebot(resource, client, by_name, message, commit)
        return await _plan_assistant(resource, client)
    except PlanError as error:
        problems.append(str(error))
        return None


async def _plan_voicebot(
    resource: Resource,
    client: Client,
    by_name: Mapping[str, list[dict[str, Any]]],
    message: str | None,
    commit: str | None,
) -> ResourcePlan:
    bot_id = resource.id
    if bot_id is None:
        matches = by_name.get(resource.name or "", [])
        if len(matches) > 1:
            ids = ", ".join(sorted(str(m.get("bot_id")) for m in matches))
            raise PlanError(
                f"{resource.where}: {len(matches)} live voicebots are named {resource.name!r} "
                f"({ids}); add bot_id to the file to say which one it manages"
            )
        if not matches:
            return _plan_create(resource, message, commit)
        bot_id = str(matches[0]["bot_id"])
    try:
        live = await client.get_voicebot(bot_id)
    except NotFoundError:
        raise PlanError(
            f"{resource.where}: voicebot {bot_id!r} does not exist live; "
            "check bot_id (botops never creates a bot that has an id)"
        ) from None
    changes = diff_fields(resource.desired, live, VOICEBOT_FIELDS)
    plan = ResourcePlan(
        address=f"voicebot/{bot_id}",
        kind="Voicebot",
        id=bot_id,
        file=resource.file,
        action="update" if changes else "no-op",
        source_version=_version(live),
        changes=changes,
        name=resource.name or _str_or_none(live.get("name")),
    )
    if changes:
        data = {field: resource.desired[field] for field in _changed_fields(changes)}
        plan.payload = {
            "source_version": plan.source_version,
            "data": data,
            "version_description": version_description(
                resource, sorted(data), message=message, commit=commit
            ),
        }
    return plan


def _plan_create(resource: Resource, message: str | None, commit: str | None) -> ResourcePlan:
    if not resource.description:
        raise PlanError(
            f"{resource.where}: no live voicebot is named {resource.name!r} and the file has "
            "no bot_id; add bot_id to manage an existing bot (renamed?), or add description "
            "to create it through bot generation"
        )
    fields = sorted(resource.desired)
    return ResourcePlan(
        address=f"voicebot/{resource.name}",
        kind="Voicebot",
        id=None,
        file=resource.file,
        action="create",
        source_version=None,
        changes=[Change(field, None, resource.desired[field]) for field in fields],
        payload={
            "generation": {"text_content": resource.description},
            "version": {
                "source_version": None,
                "data": dict(resource.desired),
                "version_description": version_description(
                    resource, fields, message=message, commit=commit
                ),
            },
        },
        name=resource.name,
    )


async def _plan_assistant(resource: Resource, client: Client) -> ResourcePlan:
    assistant_id = str(resource.id)
    try:
        live = await client.get_assistant(assistant_id)
    except NotFoundError:
        raise PlanError(
            f"{resource.where}: assistant {assistant_id!r} does not exist live "
            "(the API has no call to create assistants)"
        ) from None
    except MethodNotAllowedError:
        raise PlanError(
            f"{resource.where}: this server can't read an assistant's live state "
            f"(GET assistants/{assistant_id} is not offered), so botops can't plan it"
        ) from None
    changes = diff_fields(resource.desired, live, ASSISTANT_FIELDS)
    plan = ResourcePlan(
        address=f"assistant/{assistant_id}",
        kind="Assistant",
        id=assistant_id,
        file=resource.file,
        action="update" if changes else "no-op",
        source_version=_version(live),
        changes=changes,
    )
    if changes:
        payload: dict[str, Any] = {"source_version": plan.source_version}
        if resource.mark_as_stable is not None:
            payload["mark_as_stable"] = resource.mark_as_stable
        for field in _changed_fields(changes):
            payload[field] = _merged_value(field, resource.desired[field], live.get(field))
        plan.payload = payload
    return plan


def diff_fields(
    desired: Mapping[str, Any], live: Mapping[str, Any], fields: Sequence[str]
) -> list[Change]:
    """Changes for the managed fields of one resource, in a stable order."""
    wanted = {f: desired[f] for f in fields if f in desired}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in wanted.items():
        live_value = live.get(field)
        if field == "llm_config" and isinstance(value, dict):
            live_config = live_value if isinstance(live_value, dict) else {}
            before[field] = {k: live_config.get(k) for k in value}
            after[field] = value
        elif field == "agents" and isinstance(value, list):
            live_roles, desired_roles = _agents_views(value, live_value)
            kept = [role for role in live_roles if role in desired_roles]
            wanted_order = [role for role in desired_roles if role in live_roles]
            before[field] = {"roles": live_roles, "order": kept}
            after[field] = {"roles": desired_roles, "order": wanted_order}
        else:
            before[field], after[field] = live_value, value
    if not differs(before, after):
        return []
    changes: list[Change] = []
    for field in wanted:
        if field == "llm_config" and isinstance(after[field], dict):
            changes += [
                Change(f"llm_config.{key}", before[field][key], value)
                for key, value in after[field].items()
                if differs(before[field][key], value)
            ]
        elif field == "agents" and isinstance(after[field], dict):
            changes += _agent_changes(before[field], after[field])
        elif differs(before[field], after[field]):
            changes.append(Change(field, before[field], after[field]))
    return changes


def _agents_views(
    desired: list[Any], live: Any
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Agents keyed by role; each desired agent is the live agent of its role with the file's
    keys over it (keys an agent omits are unmanaged)."""
    live_by_role = _agents_by_role(live)
    desired_by_role: dict[str, dict[str, Any]] = {}
    for agent in desired:
        role = str(agent.get("role"))
        desired_by_role[role] = {**live_by_role.get(role, {}), **agent}
    return live_by_role, desired_by_role


def _agents_by_role(agents: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(agents, list):
        return {}
    return {str(a.get("role")): dict(a) for a in agents if isinstance(a, dict)}


def _agent_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    live: dict[str, dict[str, Any]] = before["roles"]
    desired: dict[str, dict[str, Any]] = after["roles"]
    changes: list[Change] = []
    for role, agent in desired.items():
        if role not in live:
            changes.append(Change(f"agents[{role}]", None, agent))
            continue
        for key in sorted(set(agent) | set(live[role])):
            if differs(live[role].get(key), agent.get(key)):
                changes.append(Change(f"agents[{role}].{key}", live[role].get(key), agent.get(key)))
    for role, agent in live.items():
        if role not in desired:
            changes.append(Change(f"agents[{role}]", agent, None))
    if before["order"] != after["order"]:
        changes.append(Change(AGENT_ORDER, before["order"], after["order"]))
    return changes


def _merged_value(field: str, desired: Any, live: Any) -> Any:
    """What to send for a changed field: objects keep their unmanaged live keys."""
    if field == "llm_config" and isinstance(desired, dict):
        return {**(live if isinstance(live, dict) else {}), **desired}
    if field == "agents" and isinstance(desired, list):
        _, merged = _agents_views(desired, live)
        return [merged[str(agent.get("role"))] for agent in desired]
    return desired


def _changed_fields(changes: Sequence[Change]) -> list[str]:
    fields: list[str] = []
    for change in changes:
        field = change.path.split(".", 1)[0].split("[", 1)[0]
        if field not in fields:
            fields.append(field)
    return fields


def differs(a: Any, b: Any) -> bool:
    """Whether `a` and `b` differ as botops compares values: numbers by value (1 == 1.0),
    everything else strictly, lists in order (DeepDiff, loaded only when it is needed)."""
    if _same(a, b):
        return False
    from deepdiff import DeepDiff

    return bool(DeepDiff(a, b, threshold_to_diff_deeper=0, ignore_numeric_type_changes=True))


def _same(a: Any, b: Any) -> bool:
    """A fast, strict equality that never says equal where DeepDiff would see a change:
    numbers compare by value (1 == 1.0), booleans only with booleans. Most resources of a
    plan are unchanged; this spares them DeepDiff, which costs ~0.2 ms a call."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _version(live: Mapping[str, Any]) -> str | None:
    return _str_or_none(live.get("version"))


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def version_description(
    resource: Resource, fields: Sequence[str], *, message: str | None, commit: str | None
) -> str:
    """`--message`, else the file's, else one naming the changed fields; plus the commit."""
    text = message or resource.version_description or f"botops: update {', '.join(fields)}"
    return f"{text} (commit {commit})" if commit else text


def current_commit(root: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The short hash CI exposes (GITHUB_SHA, CI_COMMIT_SHA), else `git rev-parse HEAD`."""
    env = os.environ if environ is None else environ
    sha = env.get("GITHUB_SHA") or env.get("CI_COMMIT_SHA")
    if not sha:
        sha = rev_parse(root, "HEAD") or ""
    sha = sha.strip()
    return sha[:7] if sha and all(c in "0123456789abcdefABCDEF" for c in sha) else None


async def _unmanaged(
    plan: Plan, client: Client, by_name: Mapping[str, list[dict[str, Any]]]
) -> list[Unmanaged]:
    managed = {r.address for r in plan.resources}
    result = [
        Unmanaged(f"voicebot/{bot['bot_id']}", _str_or_none(bot.get("name")))
        for bots in by_name.values()
        for bot in bots
        if f"voicebot/{bot['bot_id']}" not in managed
    ]
    try:
        async for assistant in client.iter_assistants():
            address = f"assistant/{assistant.get('assistant_id')}"
            if address not in managed:
                result.append(Unmanaged(address, _str_or_none(assistant.get("name"))))
    except (NotFoundError, MethodNotAllowedError) as error:
        raise BotopsError(f"can't list live assistants: {error}") from None
    return sorted(result, key=lambda u: u.address)
