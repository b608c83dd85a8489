"""The one rule between a plan and its writes: apply sends nothing the rendered plan does not show.

What a plan shows is its changes (`path`, `before`, `after`), the version it was made on, and the
lines `sent` lists here: for each resource the parts of its payload that are not changes (the
version description, `mark_as_stable`, a create's generation text, where an added agent goes).
The text and Markdown renderers show exactly these lines; `refusal` checks, against the live
resource read at apply time, that

- every `before` is the live value now (an edited `before` can't make a replaced instruction
  read as "only line endings differ");
- the changes are exactly what the payload does to live (nothing sent that no change shows,
  nothing a change shows left unsent);
- every other byte of the payload is one of the lines below, of the right type;
- a create sends the name of the bot it creates, and its address (and `name`, if given) say
  that name: the check that no such bot exists yet looks for it.

Anything else is a refusal of the whole plan before any write (`botops.sync.applier`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botops.kinds.compare import differs
from botops.kinds.fields import AgentsField
from botops.kinds.spec import KindSpec, spec_of
from botops.model import Change, ResourcePlan

GENERATION = "generated from"
DESCRIPTION = "version_description"
STABLE = "mark_as_stable"


def sent(resource: ResourcePlan) -> list[tuple[str, Any]]:
    """What `resource`'s payload sends beyond its changes, as (label, value), in the order the
    renderers show it."""
    payload = resource.payload
    if resource.action == "no-op" or not isinstance(payload, dict):
        return []
    spec = spec_of(resource.kind)
    lines: list[tuple[str, Any]] = []
    version: Any = payload
    if resource.action == "create":
        generation = payload.get("generation")
        if isinstance(generation, dict):
            lines.append((GENERATION, generation.get("text_content")))
        version = payload.get("version")
    if not isinstance(version, dict):
        return lines
    for key in (DESCRIPTION, STABLE):
        if key in version:
            lines.append((key, version[key]))
    values = _values(spec, version)
    for field in spec.fields:
        if isinstance(field, AgentsField) and _adds_an_agent(field, resource.changes):
            agents = values.get(field.name)
            if isinstance(agents, list):
                roles = [a.get(field.KEY) if isinstance(a, dict) else a for a in agents]
                lines.append((f"{field.name} order", roles))
    return lines


def refusal(resource: ResourcePlan, live: Mapping[str, Any] | None) -> str | None:
    """Why applying `resource` on `live` (None: a create) would send something its rendered plan
    does not show; None when everything it sends is shown."""
    spec = spec_of(resource.kind)
    payload = resource.payload
    if not isinstance(payload, dict):
        return "it has no payload"
    if resource.action == "create":
        return _create_refusal(spec, resource, payload)
    assert live is not None
    problem = _controls_refusal(spec, payload)
    if problem is not None:
        return problem
    problem = spec.unexplained(payload, live, resource.changes)
    if problem is not None:
        return f"the payload does not follow from its changes ({problem})"
    return _before_refusal(spec, resource, payload, live)


def _create_refusal(spec: KindSpec, resource: ResourcePlan, payload: dict[str, Any]) -> str | None:
    generation = payload.get("generation")
    text = generation.get("text_content") if isinstance(generation, dict) else None
    if not isinstance(text, str) or not text.strip():
        return "its generation text_content is not a non-empty string"
    version = payload.get("version")
    if not isinstance(version, dict):
        return "its payload has no version"
    if version.get("source_version") is not None:
        return "a create's version must have source_version null"
    problem = _controls_refusal(spec, version)
    if problem is not None:
        return problem
    for change in resource.changes:
        if change.before is not None:
            return f"the change {change.path!r} shows a value before the bot exists"
    problem = spec.unexplained(version, {}, resource.changes)
    if problem is not None:
        return f"the payload does not follow from its changes ({problem})"
    name = created_name(resource)
    if name is None:
        return "a create must send the name of the bot it creates"
    if resource.name is not None and resource.name != name:
        return f"its name {resource.name!r} is not the name it sends ({name!r})"
    if resource.address != spec.address(name):
        return f"its address is not {spec.address(name)!r}, the name it sends"
    return None


def created_name(resource: ResourcePlan) -> str | None:
    """The name a create sends (what the check that no such bot exists yet looks for)."""
    payload = resource.payload
    version = payload.get("version") if isinstance(payload, dict) else None
    if not isinstance(version, dict):
        return None
    name = _values(spec_of(resource.kind), version).get("name")
    return name if isinstance(name, str) and name else None


def _controls_refusal(spec: KindSpec, version: Mapping[str, Any]) -> str | None:
    """The controls a renderer shows as they are must be of a type a server takes (a dialect
    may spell `mark_as_stable` as the text "true")."""
    if DESCRIPTION in version and not isinstance(version[DESCRIPTION], str):
        return f"its {DESCRIPTION} is not a string"
    if STABLE in version and version[STABLE] not in (True, False, "true", "false"):
        return f"its {STABLE} is not true or false"
    if (
        STABLE in version
        and isinstance(version[STABLE], int | float)
        and not isinstance(version[STABLE], bool)
    ):
        return f"its {STABLE} is not true or false"
    return None


def _before_refusal(
    spec: KindSpec, resource: ResourcePlan, payload: Mapping[str, Any], live: Mapping[str, Any]
) -> str | None:
    """The changes must be exactly what sending the payload does to live, `before` included."""
    values = _values(spec, payload)
    expected: list[Change] = []
    for field in spec.fields:
        if field.name in values:
            expected += field.changes(values[field.name], live.get(field.name))
    shown = resource.changes
    for index, change in enumerate(shown):
        match = next((c for c in expected if c.path == change.path), None)
        if match is None:
            return f"the change {change.path!r} is not what it sends to the live version"
        if differs(change.before, match.before):
            return (
                f"changes[{index}] ({change.path}) shows a value before that is not the live value"
            )
        if differs(change.after, match.after):
            return f"changes[{index}] ({change.path}) shows a value after that is not what it sends"
    missing = [c.path for c in expected if all(c.path != s.path for s in shown)]
    if missing:
        return f"it changes {', '.join(missing)}, which no change shows"
    return None


def _values(spec: KindSpec, version: Mapping[str, Any]) -> dict[str, Any]:
    try:
        values = spec.sent(version)
    except (KeyError, TypeError):
        return {}
    return values if isinstance(values, dict) else {}


def _adds_an_agent(field: AgentsField, changes: list[Change]) -> bool:
    """Whether a change adds a whole agent (`agents[role]`, nothing before)."""
    return any(
        change.path.startswith(f"{field.name}[")
        and change.path.endswith("]")
        and change.before is None
        for change in changes
    )
