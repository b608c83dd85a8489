"""`botops plan` and `botops apply`: what would change, and submitting it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from botops.errors import UsageError

if TYPE_CHECKING:
    from botops.model import Plan
    from botops.usecases.session import Session


from botops.cli.base import (
    api_options,
    cli,
    color,
    concurrency_option,
    format_option,
    mass_change_option,
    message_option,
    paths_argument,
)


@cli.command()
@paths_argument
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the plan file (JSON)."
)
@format_option(
    ["text", "markdown", "json"],
    "markdown is made for a pull-request comment; json is the plan file.",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 when nothing changes, 2 when something does."
)
@click.option(
    "--unmanaged", is_flag=True, help="Also list live bots and assistants no file manages."
)
@click.option(
    "--with-outcomes",
    is_flag=True,
    help="Show each changed voicebot's live version: calls since it went live, resolution rate.",
)
@concurrency_option
@message_option
@mass_change_option
@api_options
def plan(
    session: Session,
    paths: tuple[Path, ...],
    out: Path | None,
    output_format: str,
    detailed_exitcode: bool,
    unmanaged: bool,
    with_outcomes: bool,
    concurrency: int,
    message: str | None,
    allow_mass_change: bool,
) -> None:
    """Show what apply would change; never writes.

    Reads the live latest version of every resource in PATHs (default: `paths` of
    botops.yaml) and prints the field-level changes.

    \b
    Examples:
        botops plan
        botops plan --format markdown > plan.md
        botops plan --out plan.json --detailed-exitcode
        botops plan --env prod
        botops plan --with-outcomes --format markdown
    """
    from botops.errors import PlanError
    from botops.sync.planfile import write_plan
    from botops.usecases.plan import check_mass_change, plan_project

    result = plan_project(
        session,
        paths,
        concurrency=concurrency,
        message=message,
        unmanaged=unmanaged,
        with_outcomes=with_outcomes,
    )
    result.allow_mass_change = allow_mass_change
    try:
        check_mass_change(session, result, allowed=allow_mass_change)
    except PlanError:
        # Refused, but shown: a reviewer needs to see what the mass change is. No plan file.
        click.echo(_render_plan(result, output_format), nl=False)
        raise
    _warn_if_dirty(result)
    if out is not None:
        write_plan(result, out)
    click.echo(_render_plan(result, output_format), nl=False)
    if out is not None:
        click.echo(f"Plan written to {out}; apply it with: botops apply --plan {out}", err=True)
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


def _warn_if_dirty(made: Plan) -> None:
    from botops.support.git import DIRTY, short

    if made.commit and made.commit.endswith(DIRTY):
        click.echo(
            f"Warning: files under the project differ from their commit; this plan is stamped "
            f"{short(made.commit)}: commit them so that the stamp names what is applied",
            err=True,
        )


def _render_plan(result: Plan, output_format: str) -> str:
    # Each renderer imported only when asked for: a plan's start-up is part of its time.
    if output_format == "json":
        from botops.sync.plan_json import render_json

        return render_json(result)
    if output_format == "markdown":
        from botops.render.plan_markdown import render_markdown

        return render_markdown(result) + "\n"
    from botops.render.plan_text import render_text

    return render_text(result, color=color()) + "\n"


@cli.command()
@paths_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Apply exactly this plan file (resource files are not read).",
)
@click.option("--auto-approve", is_flag=True, help="Don't ask for confirmation.")
@click.option(
    "--write-ids",
    is_flag=True,
    help="Write each created bot's id into its file (one line added, comments kept).",
)
@message_option
@concurrency_option
@mass_change_option
@api_options
def apply(
    session: Session,
    paths: tuple[Path, ...],
    plan_file: Path | None,
    auto_approve: bool,
    write_ids: bool,
    message: str | None,
    concurrency: int,
    allow_mass_change: bool,
) -> None:
    """Submit the changed fields of each changed resource as a new version.

    Every write is built on the version the plan saw; a resource changed live since then is
    refused as stale. Without --auto-approve it asks on a terminal, and refuses without one.

    \b
    Examples:
        botops apply
        botops apply --auto-approve -m "Add Hindi to the support line"
        botops plan --out plan.json && botops apply --plan plan.json --auto-approve
        botops apply --auto-approve --write-ids
    """
    from botops.render.plan_text import origin, render_apply_report, render_text
    from botops.support.text import printable
    from botops.usecases import apply as applying
    from botops.usecases.plan import check_mass_change

    the_plan, target = applying.plan_to_apply(
        session, paths, plan_file=plan_file, message=message, concurrency=concurrency
    )
    if plan_file is not None:
        click.echo(origin(the_plan, str(plan_file)), err=True)
    else:
        _warn_if_dirty(the_plan)
    click.echo(render_text(the_plan, color=color()))
    if not the_plan.has_changes:
        return
    # A saved plan made with --allow-mass-change says so where it is shown: allowed once.
    allowed = allow_mass_change or the_plan.allow_mass_change
    check_mass_change(session, the_plan, allowed=allowed)
    # Where the credentials go, said before anything is sent.
    click.echo(printable(f"Target: account {target.account_id} at {target.base_url}."), err=True)
    _confirm_apply(auto_approve)
    from botops.cli.progress import GenerationProgress

    # A create waits on a bot-generation job: its status is shown while it runs.
    progress = GenerationProgress()
    try:
        applied = applying.apply_interruptibly(
            session,
            the_plan,
            target=target,
            concurrency=concurrency,
            on_interrupt=lambda: progress.status.event(applying.INTERRUPT_NOTICE),
            on_generation=progress.on_create,
        )
    finally:
        progress.status.clear()
    failures: list[str] = []
    if write_ids:
        applied, failures = applying.write_created_ids(session, the_plan, applied, paths)
    if applied.interrupted:
        click.echo(applying.INTERRUPTED_ADVICE, err=True)
    click.echo()
    click.echo(render_apply_report(applied.results, color=color()))
    for failure in failures:
        click.echo(printable(failure), err=True)
    if not applied.ok or failures:
        sys.exit(1)


def _confirm_apply(auto_approve: bool) -> None:
    """Only a typed `yes` on a terminal (or --auto-approve) lets apply go on; anything else
    ends it, nothing sent."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to apply: no terminal to ask for confirmation on; "
            "review the plan and pass --auto-approve"
        )
    # On stderr, as every question: with `> plan.log` the question must still be seen.
    answer = click.prompt(
        "Apply these changes? Only 'yes' is accepted", default="", show_default=False, err=True
    )
    if answer.strip() != "yes":
        click.echo("Apply cancelled; nothing was sent.", err=True)
        sys.exit(1)
