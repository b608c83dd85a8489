"""The plan and the apply report for a terminal: a Terraform-like diff with `+ ~ -` markers.

Colour (green +, yellow ~, red -, bold headers) only when asked for; the last line of a plan is
always `plan.summary()`, which scripts and CI logs look for. `diff_lines` is shared with the
Markdown renderer so both show a change the same way, as are the few phrases both say.

Every line holding live or file content (addresses, names, files, paths, values) goes through
`printable`: a value read from the API or a plan file must not drive the terminal.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botops.model import ApplyResult, Change, LiveOutcome, Plan, ResourcePlan
from botops.support.git import short
from botops.support.text import printable
from botops.sync.disclosed import sent

# Longer single-line values are cut in the middle: a 2,000-character prompt on one line would
# bury the rest of the plan.
VALUE_WIDTH = 120

_RESET = "\033[0m"
_STYLES = {
    "+": "\033[32m",
    "~": "\033[33m",
    "-": "\033[31m",
    "@": "\033[36m",
    "bold": "\033[1m",
}

_HEADERS = {
    "update": "will be updated in place",
    "create": "will be created through bot generation",
}


@dataclass(frozen=True)
class DiffLine:
    """One line of a change: `marker` is `+`, `-`, `~`, ` ` (context) or `@` (a hunk header);
    `depth` 1 marks a line inside a multi-line value."""

    marker: str
    text: str
    depth: int = 0


# --- values and changes -------------------------------------------------------------------


def format_value(value: Any, *, width: int = VALUE_WIDTH) -> str:
    """Compact JSON on one line, cut in the middle when longer than `width`."""
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= width:
        return text
    head = text[: width * 2 // 3]
    tail = text[-(width // 6) :]
    return f"{head}…{tail} ({len(text):,} characters)"


def is_multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value


def flatten(change: Change) -> list[Change]:
    """A change to an object (an added agent, say) as one change per key, recursively, so that
    an agent's multi-line instruction still reads as a line diff."""
    before, after = change.before, change.after
    objects = [v for v in (before, after) if v is not None]
    if not objects or not all(isinstance(v, dict) and v for v in objects):
        return [change]
    old: dict[str, Any] = before if isinstance(before, dict) else {}
    new: dict[str, Any] = after if isinstance(after, dict) else {}
    result: list[Change] = []
    for key in list(old) + [k for k in new if k not in old]:
        if key in old and key in new and old[key] == new[key]:
            continue
        result += flatten(Change(f"{change.path}.{key}", old.get(key), new.get(key)))
    return result


def diff_lines(
    change: Change,
    *,
    paired: bool = False,
    width: int = VALUE_WIDTH,
    note: Callable[[str], str] | None = None,
) -> list[DiffLine]:
    """The lines showing one change. A changed scalar is `~ path: old -> new`, or with
    `paired` a `- path: old` / `+ path: new` pair (for a `diff` block); single-line values
    longer than `width` are cut in the middle. Control characters are shown as `\\xNN`.
    `note(path)` is added to the line showing a new value (` (prod override)`)."""
    lines: list[DiffLine] = []
    for part in flatten(change):
        lines += _part_lines(part, paired=paired, width=width, note=note(part.path) if note else "")
    return [DiffLine(line.marker, printable(line.text), line.depth) for line in lines]


def _part_lines(change: Change, *, paired: bool, width: int, note: str) -> list[DiffLine]:
    path, before, after = change.path, change.before, change.after
    marker = "+" if before is None else "-" if after is None else "~"
    if is_multiline(before) or is_multiline(after):
        return [DiffLine(marker, f"{path}:{note}"), *_text_diff(before, after)]
    old, new = format_value(before, width=width), format_value(after, width=width)
    if marker == "+":
        return [DiffLine("+", f"{path}: {new}{note}")]
    if marker == "-":
        return [DiffLine("-", f"{path}: {old}{note}")]
    if paired:
        return [DiffLine("-", f"{path}: {old}"), DiffLine("+", f"{path}: {new}{note}")]
    return [DiffLine("~", f"{path}: {old} -> {new}{note}")]


def sent_lines(resource: ResourcePlan, *, width: int = VALUE_WIDTH) -> list[DiffLine]:
    """What the resource's write sends beyond its changes (`botops.sync.disclosed.sent`: the
    version description, `mark_as_stable`, a create's generation text, where an added agent
    goes), one `# label: value` line each, a multi-line text line by line: apply sends nothing
    a rendered plan does not show."""
    lines: list[DiffLine] = []
    for label, value in sent(resource):
        if is_multiline(value):
            lines.append(DiffLine(" ", f"# {label}:"))
            lines += [DiffLine(" ", f"#   {line}", 1) for line in _text_lines(value)]
        else:
            lines.append(DiffLine(" ", f"# {label}: {format_value(value, width=width)}"))
    return [DiffLine(line.marker, printable(line.text), line.depth) for line in lines]


def override_note(resource: ResourcePlan, environment: str | None) -> Callable[[str], str]:
    """` (prod override)` for a change whose new value comes from `overrides.prod`."""
    label = f" ({environment or 'environment'} override)"
    return lambda path: label if resource.from_override(path) else ""


def _text_lines(value: Any) -> list[str]:
    if value is None:
        return []
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.splitlines()


def _text_diff(before: Any, after: Any) -> list[DiffLine]:
    old, new = _text_lines(before), _text_lines(after)
    if before is None or after is None:
        marker = "+" if before is None else "-"
        return [DiffLine(marker, line, 1) for line in new or old]
    lines: list[DiffLine] = []
    for line in list(difflib.unified_diff(old, new, lineterm="", n=3))[2:]:
        marker = "@" if line.startswith("@@") else line[:1]
        lines.append(DiffLine(marker, line if marker == "@" else line[1:], 1))
    if not lines:
        # Only line endings differ: splitlines() can't see it, so say so.
        lines.append(DiffLine("~", "(only line endings or a final newline differ)", 1))
    return lines


# --- the plan -----------------------------------------------------------------------------


def render_text(plan: Plan, *, color: bool) -> str:
    """The whole plan for a terminal, ending with the `Plan: …` summary line."""
    paint = _Painter(color)
    blocks = [
        _resource_block(r, paint, plan.environment) for r in plan.resources if r.action != "no-op"
    ]
    if not blocks:
        blocks.append(no_changes(plan))
    if plan.unmanaged:
        blocks.append(_unmanaged_block(plan, paint))
    allowance = mass_change_allowance(plan)
    if allowance:
        blocks.append(paint.bold(allowance))
    blocks.append(paint.bold(plan.summary()))
    return "\n\n".join(blocks)


def mass_change_allowance(plan: Plan) -> str | None:
    """What a plan made with `--allow-mass-change` says of it (apply of it needs no flag)."""
    if not plan.allow_mass_change:
        return None
    changed = sum(1 for r in plan.resources if r.action != "no-op")
    return (
        f"Mass change allowed (--allow-mass-change): {changed} of "
        f"{counted(len(plan.resources), 'resource')} change; applying this plan does not ask "
        "again."
    )


def no_changes(plan: Plan) -> str:
    return f"No changes. Live state matches the files ({counted(len(plan.resources), 'resource')})."


def resource_name(resource: ResourcePlan) -> str | None:
    """The name worth showing next to the address: none when the address already says it."""
    name = resource.name
    if name is None or resource.address.endswith(f"/{name}"):
        return None
    return name


def resource_title(resource: ResourcePlan) -> str:
    """`voicebot/bot_support01 "Acme Support"`: the name only where the address lacks it."""
    name = resource_name(resource)
    if name is None:
        return resource.address
    return f"{resource.address} {json.dumps(name, ensure_ascii=False)}"


def action_phrase(resource: ResourcePlan) -> str:
    phrase = _HEADERS.get(resource.action, "is unchanged")
    if resource.action == "update" and resource.source_version is not None:
        phrase += f", from version {resource.source_version}"
    return phrase


def live_outcome_line(outcome: LiveOutcome) -> str:
    """`live v3 since 2026-03-18 10:15: 61 calls, 70.5% resolved (95% interval 58.1–80.4%)`:
    what the change puts at risk (`plan --with-outcomes`)."""
    since = f" since {outcome.since.replace('T', ' ')[:16]}" if outcome.since else ""
    head = f"live {outcome.version}{since}: {counted(outcome.calls, 'call')}"
    if not outcome.calls:
        return printable(head)
    low, high = outcome.resolution_ci
    return printable(
        f"{head}, {100 * outcome.resolution_rate:.1f}% resolved "
        f"(95% interval {100 * low:.1f}–{100 * high:.1f}%)"
    )


def _resource_block(resource: ResourcePlan, paint: _Painter, environment: str | None) -> str:
    marker = "+" if resource.action == "create" else "~"
    header = printable(f"{resource_title(resource)} ({resource.file}) {action_phrase(resource)}")
    lines = [f"{paint.marker(marker)} {paint.bold(header)}"]
    lines += (f"    # {printable(note)}" for note in resource.notes)
    if resource.outcomes is not None:
        lines.append(f"    # {live_outcome_line(resource.outcomes)}")
    note = override_note(resource, environment)
    lines += (_line(line, paint) for line in sent_lines(resource))
    for change in resource.changes:
        lines += (_line(line, paint) for line in diff_lines(change, note=note))
    return "\n".join(lines)


def _line(line: DiffLine, paint: _Painter) -> str:
    indent = "    " * (line.depth + 1)
    if line.marker == "@":
        return f"{indent}{paint.style('@', line.text)}"
    if line.marker == " ":
        return f"{indent}  {line.text}".rstrip()
    return f"{indent}{paint.style(line.marker, f'{line.marker} {line.text}')}".rstrip()


def _unmanaged_block(plan: Plan, paint: _Painter) -> str:
    live = counted(len(plan.unmanaged), "live resource")
    lines = [paint.bold(f"{live} not managed by any file (botops never touches them):")]
    for item in plan.unmanaged:
        name = f" {json.dumps(item.name, ensure_ascii=False)}" if item.name else ""
        lines.append(printable(f"    {item.address}{name}"))
    return "\n".join(lines)


# --- the apply report ---------------------------------------------------------------------

_OUTCOME_WORDS = {
    "applied": "applied",
    "already applied": "already applied",
    "stale": "refused as stale",
    "failed": "failed",
    "unknown": "unknown (may or may not have been written)",
    "conflict": "conflict with another writer",
    "skipped": "unchanged, nothing sent",
}
_OUTCOME_STYLES = {
    "applied": "+",
    "already applied": " ",
    "stale": "~",
    "failed": "-",
    "unknown": "-",
    "conflict": "-",
    "skipped": " ",
}


def render_apply_report(results: Sequence[ApplyResult], *, color: bool) -> str:
    """One line per resource, a count of outcomes, and what to do next when needed."""
    paint = _Painter(color)
    lines = [_result_line(result, paint) for result in results]
    counts = {o: sum(1 for r in results if r.outcome == o) for o in _OUTCOME_WORDS}
    # Conflicts are counted only when there are some: the line scripts read stays as it was.
    conflicts = f", {counted(counts['conflict'], 'conflict')}" if counts["conflict"] else ""
    # So is a re-run's "already applied" (by an earlier run of the same plan).
    earlier = f", {counts['already applied']} already applied" if counts["already applied"] else ""
    lines.append(
        paint.bold(
            f"Apply: {counts['applied']} applied, {counts['stale']} stale, "
            f"{counts['failed']} failed, {counts['unknown']} unknown{conflicts}{earlier}."
        )
    )
    lines += _next_steps(counts)
    return "\n".join(lines)


def _result_line(result: ApplyResult, paint: _Painter) -> str:
    detail = _OUTCOME_WORDS[result.outcome]
    if result.outcome == "applied" and result.new_version is not None:
        detail += f", new version {result.new_version}"
    if result.message:
        detail += f"{'; ' if result.outcome == 'applied' else ': '}{result.message}"
    detail = printable(detail)
    return f"{printable(result.address)}: {paint.style(_OUTCOME_STYLES[result.outcome], detail)}"


def _next_steps(counts: dict[str, int]) -> Iterator[str]:
    if counts["stale"]:
        yield (
            "Stale resources changed live after the plan was made: run `botops plan` to review "
            "the live state, then `botops apply` again."
        )
    if counts["conflict"]:
        yield (
            "Conflicts: another writer changed these resources while this apply wrote them. "
            "Run `botops plan` to see what is live now and apply again if needed; run one "
            "apply at a time per target (serialise them in CI)."
        )
    if counts["failed"] or counts["unknown"]:
        yield (
            "Not everything was applied: run `botops plan` to see the live state, then "
            "`botops apply` again; it picks up where this run stopped and never writes a "
            "version twice."
        )


# --- colour -------------------------------------------------------------------------------


class _Painter:
    """ANSI styling, or none at all."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def style(self, key: str, text: str) -> str:
        code = _STYLES.get(key)
        return f"{code}{text}{_RESET}" if self.color and code else text

    def marker(self, marker: str) -> str:
        return self.style(marker, marker)

    def bold(self, text: str) -> str:
        return self.style("bold", text)


# --- words --------------------------------------------------------------------------------


def plural(count: int, noun: str) -> str:
    """`noun` as said of `count` things (regular plurals only): resource, resources."""
    return noun if count == 1 else f"{noun}s"


def counted(count: int, noun: str) -> str:
    """`1 resource`, `1,000 resources`."""
    return f"{count:,} {plural(count, noun)}"


def origin(plan: Plan, source: str) -> str:
    """Which commit and time a saved plan is from, said before applying it."""
    if plan.format_version < 2:
        return printable(
            f"Applying {source}: a plan of format 1, which does not say its commit or time."
        )
    commit = f"commit {short(plan.commit)}" if plan.commit else "no known commit"
    made = f"made {plan.created_at}" if plan.created_at else "made at no recorded time"
    by = f" by botops {plan.botops_version}" if plan.botops_version else ""
    where = f", environment {plan.environment}" if plan.environment else ""
    # Every part comes from the plan file: shown escaped, as every external string.
    return printable(f"Applying {source}: the plan of {commit}, {made}{by}{where}.")
