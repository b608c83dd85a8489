"""One sticky comment per plan target: find it by its marker, edit it in place, or create it.

The comment's first line is a hidden marker `<!-- botops:plan TARGET -->`; whatever holds that
marker on the pull request is the one comment edited on every push (never a second one), so
two targets in one pull request get one comment each. A clean plan edits an existing comment to
say so and creates none (quiet when nothing changes) unless asked to.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from botops import __version__
from botops.forge.base import Forge
from botops.model import Plan
from botops.render.mdtext import inline
from botops.render.plan_markdown import render_markdown
from botops.render.tests import render_markdown as render_test_markdown
from botops.support.git import short
from botops.support.text import printable

# GitHub refuses bodies over 65,536 characters; DESIGN §10 keeps the whole comment under this.
COMMENT_LIMIT = 65_000
# The conversation tests' share of it (`comment --tests`); the plan has the rest.
TESTS_LIMIT = 20_000


@dataclass(frozen=True)
class Provenance:
    """Where a plan comes from, for the comment's footer."""

    commit: str | None = None
    created_at: str | None = None
    run_url: str | None = None


@dataclass(frozen=True)
class CommentResult:
    outcome: Literal["created", "updated", "none"]
    url: str | None = None

    @property
    def line(self) -> str:
        """The one line `botops comment` prints."""
        if self.outcome == "none":
            return "no changes: no comment"
        return f"comment {self.outcome}: {self.url}"


def marker(plan: Plan, environment: str | None = None) -> str:
    """`<!-- botops:plan account_id@host[/ENV] -->`: the same target gives the same marker."""
    host = urllib.parse.urlsplit(plan.base_url).netloc
    target = f"{plan.account_id}@{host}" + (f"/{environment}" if environment else "")
    # `--` would end the HTML comment early and show the rest of the marker; a line break
    # (an account id may hold anything) would split it over two lines.
    target = printable(" ".join(target.split())).replace("--", "-\u2010").replace(">", "&gt;")
    return f"<!-- botops:plan {target} -->"


def comment_body(
    plan: Plan,
    provenance: Provenance,
    *,
    environment: str | None = None,
    tests: dict[str, Any] | None = None,
) -> str:
    """The whole comment: marker, the Markdown plan (shortened to fit), the conversation
    tests' section when there are results (`botops comment --tests`), footer; under
    `COMMENT_LIMIT` characters."""
    head = marker(plan, environment)
    foot = footer(provenance)
    section = "" if tests is None else "\n\n" + render_test_markdown(tests, limit=TESTS_LIMIT)
    room = COMMENT_LIMIT - 1 - len(head) - len(foot) - len(section) - len("\n\n\n\n")
    return f"{head}\n{render_markdown(plan, limit=room)}{section}\n\n---\n{foot}"


def footer(provenance: Provenance) -> str:
    # Every part comes from a plan file or the environment: shown through the one escaping.
    parts = []
    if provenance.commit:
        parts.append(f"Plan of commit `{inline(short(provenance.commit), keep_specials=True)}`")
    else:
        parts.append("Plan (commit unknown)")
    if provenance.created_at:
        parts[-1] += f" made {inline(_readable_time(provenance.created_at))}"
    if provenance.run_url and _is_web_url(provenance.run_url):
        parts.append(f"[CI run]({provenance.run_url})")
    parts.append(f"botops {__version__}")
    return "<sub>" + " · ".join(parts) + "</sub>"


def _is_web_url(url: str) -> bool:
    """An http(s) URL with nothing in it that could end the Markdown link or drive a
    terminal."""
    parts = urllib.parse.urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and printable(url) == url
        and not any(ch in url for ch in ' ()<>[]"')
    )


def _readable_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:40]
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def sticky_comment(
    forge: Forge,
    plan: Plan,
    *,
    provenance: Provenance,
    always: bool = False,
    environment: str | None = None,
    tests: dict[str, Any] | None = None,
) -> CommentResult:
    wanted = marker(plan, environment)
    # The marker is predictable: only a comment the token itself wrote is botops's to edit.
    me = forge.me()
    existing = next(
        (c for c in forge.comments() if c.author == me and _first_line(c.body) == wanted), None
    )
    failing = tests is not None and bool(tests["failed"] or tests["errors"])
    if existing is None and not plan.has_changes and not always and not failing:
        return CommentResult("none")
    body = comment_body(plan, provenance, environment=environment, tests=tests)
    if existing is not None:
        return CommentResult("updated", forge.update(existing, body).url)
    return CommentResult("created", forge.create(body).url)


def _first_line(body: str) -> str:
    return body.lstrip("\ufeff").split("\n", 1)[0].strip()
