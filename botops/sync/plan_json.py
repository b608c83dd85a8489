"""The plan as JSON: the plan file (`plan --out`) and `plan --format json` are this same text.

Keys come in the order of DESIGN §4, so two plans of the same state are the same bytes. Only the
contracted keys are written (`environment`, null without one; the provenance), plus `kind`,
`name` and `unmanaged` for people and scripts reading it, and a resource's `overridden` change
paths when an environment's overrides gave them (what `(prod override)` marks in a comment
rendered from the file), and its `notes` on the live state when there are any ("latest v8 is not
stable; building on v7"), and `allow_mass_change: true` when the plan was made with
`--allow-mass-change` (which every rendering of it shows): nothing else (and never a credential)
can reach a plan file.
"""

from __future__ import annotations

from typing import Any

from botops.model import Change, Plan, ResourcePlan, Unmanaged
from botops.support.text import json_text


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format_version": plan.format_version,
        "base_url": plan.base_url,
        "account_id": plan.account_id,
        "environment": plan.environment,
        "commit": plan.commit,
        "created_at": plan.created_at,
        "botops_version": plan.botops_version,
        "resources": [_resource(r) for r in plan.resources],
        "unmanaged": [_unmanaged(u) for u in plan.unmanaged],
    }
    if plan.allow_mass_change:
        data["allow_mass_change"] = True
    return data


def render_json(plan: Plan) -> str:
    return json_text(plan_to_dict(plan), indent=2) + "\n"


def _resource(resource: ResourcePlan) -> dict[str, Any]:
    return (
        {
            "address": resource.address,
            "kind": resource.kind,
            "id": resource.id,
            "file": resource.file,
            "action": resource.action,
            "source_version": resource.source_version,
            "name": resource.name,
            "changes": [_change(c) for c in resource.changes],
            "payload": resource.payload,
        }
        | ({"overridden": list(resource.overridden)} if resource.overridden else {})
        | ({"notes": list(resource.notes)} if resource.notes else {})
    )


def _change(change: Change) -> dict[str, Any]:
    return {"path": change.path, "before": change.before, "after": change.after}


def _unmanaged(item: Unmanaged) -> dict[str, Any]:
    return {"address": item.address, "name": item.name}
