"""The plan as a pull-request comment: summary first, then one collapsible `diff` per resource.

A comment has a size limit (GitHub's is 65,536 characters), so the result is kept under `limit`
whatever the plan: the list of unmanaged resources is shortened first, then the longest diffs,
each with a note; when that is not enough, fewer resources are shown in detail (the rest counted
in a note), then fewer table rows; as a last resort the text is cut.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from botops.model import Plan, ResourcePlan
from botops.render.mdtext import cut, html_inline, inline
from botops.render.plan_text import (
    DiffLine,
    action_phrase,
    counted,
    diff_lines,
    live_outcome_line,
    mass_change_allowance,
    no_changes,
    override_note,
    plural,
    resource_name,
    sent_lines,
)

# Wider than the terminal: a reviewer may want a whole value, and the size limit is enforced
# separately.
VALUE_WIDTH = 1000
LINE_WIDTH = 1200
FIELDS_SHOWN = 6
UNMANAGED_SHOWN = 50
# Below this a shortened diff says too little to be worth its header: show fewer resources in
# detail instead (the table still lists them all).
SECTION_FLOOR = 2000
LOCALLY = "run `botops plan` locally to see the whole diff"


def render_markdown(plan: Plan, *, limit: int = 60000) -> str:
    """Markdown for a PR comment, at most `limit` characters long."""
    changed = [r for r in plan.resources if r.action != "no-op"]
    document = _Document(
        head=_head(plan),
        rows=[_row(r) for r in changed],
        sections=[_Section(r, plan.environment) for r in changed],
        unmanaged=[_unmanaged_item(u.address, u.name) for u in plan.unmanaged],
    )
    return _fit(document, limit)


# --- pieces -------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text that Markdown (and a table cell) shows as written (`render.mdtext.inline`)."""
    return inline(text)


def _html(text: str) -> str:
    """Text for inside an HTML line: a line break there would end the `<summary>`."""
    return html_inline(text)


def _head(plan: Plan) -> str:
    where = f" (environment {plan.environment})" if plan.environment else ""
    target = escape(f"Account {plan.account_id} at {plan.base_url}{where}")
    lines = ["### botops plan", "", target, "", f"**{plan.summary()}**"]
    allowance = mass_change_allowance(plan)
    if allowance:
        lines += ["", f"**{escape(allowance)}**"]
    if not plan.has_changes:
        lines += ["", no_changes(plan)]
    return "\n".join(lines)


def _row(resource: ResourcePlan) -> str:
    paths = [c.path for c in resource.changes]
    fields = ", ".join(paths[:FIELDS_SHOWN])
    if len(paths) > FIELDS_SHOWN:
        fields += f" and {len(paths) - FIELDS_SHOWN} more"
    action = (
        f"update from {resource.source_version}"
        if resource.action == "update" and resource.source_version
        else "create through bot generation"
        if resource.action == "create"
        else resource.action
    )
    name = resource_name(resource)
    label = resource.address if name is None else f"{resource.address} ({name})"
    cells = [label, action, resource.file, fields]
    return "| " + " | ".join(escape(cell) for cell in cells) + " |"


TABLE_HEAD = "| Resource | Action | File | Changed fields |\n|---|---|---|---|"


def _unmanaged_item(address: str, name: str | None) -> str:
    return f"- {escape(address)}" + (f" ({escape(name)})" if name else "")


def _diff_text(line: DiffLine) -> str:
    # One very long line (a prompt without line breaks) must not crowd out the rest.
    text = cut(line.text, LINE_WIDTH)
    if line.marker == "@":
        return text
    return f"{line.marker} {'  ' * line.depth}{text}".rstrip()


def fence_for(lines: Sequence[str]) -> str:
    """A fence longer than any run of backticks inside, so content can't close it."""
    runs = (re.findall(r"`+", line) for line in lines if "`" in line)
    longest = max((len(run) for found in runs for run in found), default=0)
    return "`" * max(3, longest + 1)


def _more(count: int, noun: str) -> str:
    return f"{count:,} more {plural(count, noun)}"


class _Section:
    """One resource's `<details>` block; `render(cap)` shortens its diff to fit `cap`."""

    def __init__(self, resource: ResourcePlan, environment: str | None) -> None:
        name = resource_name(resource)
        summary = (
            f"<code>{_html(resource.address)}</code>"
            + (f" ({_html(name)})" if name else "")
            + f" {_html(action_phrase(resource))}"
            + f" · {_html(resource.file)} · {counted(len(resource.changes), 'change')}"
        )
        self.opening = f"<details><summary>{summary}</summary>"
        for note in resource.notes:
            self.opening += f"\n\n{escape(note)}"
        if resource.outcomes is not None:
            # Inside the section, so the shortening below counts it.
            self.opening += f"\n\n{escape(live_outcome_line(resource.outcomes))}"
        self._resource = resource
        self._environment = environment
        # At most this much shorter than any rendering of the section (its opening and closing
        # with no diff): what fitting asks first, so that a section no cut can show never has
        # its diff built (a comment of 1,000 changes shows a few in detail).
        self.least = f"{self.opening}\n\n</details>"

    @functools.cached_property
    def lines(self) -> list[str]:
        resource, environment = self._resource, self._environment
        # What is sent beyond the changes comes first, so a shortened diff still shows it.
        return [_diff_text(line) for line in sent_lines(resource, width=VALUE_WIDTH)] + [
            _diff_text(line)
            for change in resource.changes
            for line in diff_lines(
                change, paired=True, width=VALUE_WIDTH, note=override_note(resource, environment)
            )
        ]

    @functools.cached_property
    def fence(self) -> str:
        return fence_for(self.lines)

    @functools.cached_property
    def prefix(self) -> list[int]:
        return list(accumulate((len(line) + 1 for line in self.lines), initial=0))

    @functools.cached_property
    def full_size(self) -> int:
        return self._size(len(self.lines))

    def _parts(self, kept: int, lines: Sequence[str]) -> list[str]:
        total = len(self.lines)
        parts = [self.opening, ""]
        if kept:
            parts += [f"{self.fence}diff", *lines, self.fence, ""]
        if kept < total:
            if kept:
                parts += [f"… {_more(total - kept, 'line')}; {LOCALLY}.", ""]
            else:
                parts += [f"Diff of {total:,} lines left out to keep this short; {LOCALLY}.", ""]
        parts.append("</details>")
        return parts

    def _size(self, kept: int) -> int:
        # Each kept line adds its length and one newline to the joined text.
        return len("\n".join(self._parts(kept, []))) + self.prefix[kept]

    def kept(self, cap: int | None) -> int:
        """How many diff lines fit in `cap` characters (0 when not even the note fits)."""
        total = len(self.lines)
        if cap is None or self.full_size <= cap:
            return total
        low, high = 0, total - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._size(middle) <= cap:
                low = middle
            else:
                high = middle - 1
        return low

    def render(self, cap: int | None) -> str:
        kept = self.kept(cap)
        return "\n".join(self._parts(kept, self.lines[:kept]))


# --- fitting ------------------------------------------------------------------------------


@dataclass
class _Document:
    head: str
    rows: list[str]
    sections: list[_Section]
    unmanaged: list[str]


@dataclass(frozen=True)
class _Cut:
    """How much of each part is shown: `None` means all of it."""

    cap: int | None = None
    sections: int | None = None
    rows: int | None = None
    unmanaged: int | None = None


def _assemble(doc: _Document, cut: _Cut, *, least: bool = False) -> str:
    """The document as `cut` shows it; with `least`, each section as its opening and closing
    alone: never longer than the document itself, and built without any diff."""
    blocks = [doc.head]
    blocks += _table(doc.rows, cut.rows)
    shown = doc.sections[: cut.sections]
    blocks += [section.least if least else section.render(cut.cap) for section in shown]
    if len(shown) < len(doc.sections):
        hidden = len(doc.sections) - len(shown)
        blocks.append(f"… {_more(hidden, 'changed resource')} not shown in detail; {LOCALLY}.")
    blocks += _unmanaged_blocks(doc.unmanaged, cut.unmanaged)
    return "\n\n".join(blocks)


def _table(rows: list[str], shown: int | None) -> list[str]:
    if not rows:
        return []
    kept = rows[:shown]
    blocks = ["\n".join([TABLE_HEAD, *kept])] if kept else []
    if len(kept) < len(rows):
        blocks.append(
            f"… {_more(len(rows) - len(kept), 'changed resource')} not listed; {LOCALLY}."
        )
    return blocks


def _unmanaged_blocks(items: list[str], shown: int | None) -> list[str]:
    if not items:
        return []
    count = len(items)
    title = (
        f"**{counted(count, 'live resource')} not managed by any file** (botops never touches them)"
    )
    kept = items[:shown]
    if not kept:
        return [f"{title}; run `botops plan --unmanaged` locally to list them."]
    lines = [*kept]
    if len(kept) < count:
        lines.append(f"- … {_more(count - len(kept), 'resource')}: run `botops plan --unmanaged`")
    return [f"{title}:", "\n".join(lines)]


def _fit(doc: _Document, limit: int) -> str:
    """The fullest document under `limit`, giving up detail in order of least use."""
    few = min(len(doc.unmanaged), UNMANAGED_SHOWN)
    # The longest section matters only where every section's opening fits.
    every = len(_assemble(doc, _Cut(unmanaged=few), least=True)) <= limit
    longest = max((s.full_size for s in doc.sections), default=SECTION_FLOOR) if every else 0
    attempts: list[tuple[Callable[[int], _Cut], int]] = [
        (lambda _: _Cut(), 0),
        (lambda _: _Cut(unmanaged=few), 0),
        (lambda cap: _Cut(unmanaged=few, cap=SECTION_FLOOR + cap), longest - SECTION_FLOOR),
        (lambda n: _Cut(unmanaged=few, cap=SECTION_FLOOR, sections=n), len(doc.sections)),
        (lambda n: _Cut(unmanaged=0, cap=0, sections=0, rows=n), len(doc.rows)),
    ]
    for make, most in attempts:
        text = _largest_fitting(doc, make, most, limit)
        if text is not None:
            return text
    return _hard_cut(_assemble(doc, _Cut(unmanaged=0, cap=0, sections=0, rows=0)), limit)


def _largest_fitting(
    doc: _Document, make: Callable[[int], _Cut], most: int, limit: int
) -> str | None:
    """The document for the largest `n` in 0..most whose text fits, None if even 0 doesn't.
    A cut whose sections' openings alone don't fit is passed over unrendered."""

    def fitting(n: int) -> str | None:
        if len(_assemble(doc, make(n), least=True)) > limit:
            return None
        text = _assemble(doc, make(n))
        return text if len(text) <= limit else None

    smallest = fitting(0)
    if smallest is None:
        return None
    low, high, best = 0, most, smallest
    while low < high:
        middle = (low + high + 1) // 2
        text = fitting(middle)
        if text is not None:
            low, best = middle, text
        else:
            high = middle - 1
    return best


def _hard_cut(text: str, limit: int) -> str:
    note = f"\n\n… cut to fit; {LOCALLY}."
    if len(text) <= limit:
        return text
    if len(note) >= limit:
        return text[:limit]
    return text[: limit - len(note)] + note
