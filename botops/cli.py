"""The `botops` command line: parse, call the library, render, choose the exit code.

Only this module imports click. Every `BotopsError` becomes one line on stderr and exit 1, in one
place (`BotopsGroup.invoke`); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from botops import __version__
from botops.errors import BotopsError, UsageError
from botops.model import ApplyResult, Plan, Project, Resource
from botops.project import (
    Target,
    configured_target,
    load_project,
    resolve_target,
    resource_paths,
)

T = TypeVar("T")


class BotopsGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BotopsError as error:
            if ctx.params.get("debug"):
                raise
            for line in str(error).splitlines() or ["error"]:
                click.echo(f"Error: {line}" if not _is_file_problem(line) else line, err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


def _is_file_problem(line: str) -> bool:
    parts = line.split(":", 3)
    return len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit()


class Context:
    """What every command that calls the API gets: the project and the target it names."""

    def __init__(
        self,
        *,
        project: Project,
        base_url: str | None,
        account_id: str | None,
        debug: bool,
    ) -> None:
        self.project = project
        self.base_url_option = base_url
        self.account_option = account_id
        self.debug = debug

    @functools.cached_property
    def target(self) -> Target:
        """Option > environment > botops.yaml > default; an error when no account is named."""
        return resolve_target(
            self.project, base_url=self.base_url_option, account_id=self.account_option
        )

    def client(self, *, concurrency: int = 16, target: Target | None = None) -> Any:
        """A `botops.client.Client` for the target, credentials from the environment."""
        from botops.client import Client, Credentials

        where = target or self.target
        trace = (lambda line: click.echo(f"debug: {line}", err=True)) if self.debug else None
        return Client(
            base_url=where.base_url,
            account_id=where.account_id,
            credentials=Credentials.from_env(),
            concurrency=concurrency,
            deadline=_retry_deadline(),
            trace=trace,
        )


def _retry_deadline() -> float:
    """How long reads may be retried in all (`BOTOPS_RETRY_DEADLINE` seconds, default 120)."""
    value = os.environ.get("BOTOPS_RETRY_DEADLINE", "120")
    try:
        deadline = float(value)
    except ValueError:
        raise UsageError(f"BOTOPS_RETRY_DEADLINE must be a number of seconds, got {value!r}") from None
    if deadline <= 0:
        raise UsageError(f"BOTOPS_RETRY_DEADLINE must be positive, got {value!r}")
    return deadline


def api_options(command: Callable[..., T]) -> Callable[..., T]:
    """`--base-url`, `--account`, `--config`; the command receives `context: Context`."""

    @click.option("--base-url", help="API base URL (env BOTOPS_BASE_URL).")
    @click.option("--account", "account_id", help="Account id (env BOTOPS_ACCOUNT_ID).")
    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Project file (default ./botops.yaml).",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any, base_url: str | None, account_id: str | None, config_path: Path | None, **kw: Any
    ) -> T:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        context = Context(
            project=load_project(config_path),
            base_url=base_url,
            account_id=account_id,
            debug=debug,
        )
        return command(*args, context=context, **kw)

    return wrapper


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion: the only place commands enter asyncio."""
    return asyncio.run(coroutine)


@click.group(cls=BotopsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and HTTP traces (secrets redacted).")
@click.version_option(__version__, prog_name="botops")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Bot-config-as-code for the Exotel Voicebot API.

    Keep voicebots and assistants as YAML in git; `botops plan` shows what would change,
    `botops apply` submits only the changed fields as new versions.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _color(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(stream.isatty()) and "NO_COLOR" not in os.environ


def _load(context: Context, paths: tuple[Path, ...]) -> list[Resource]:
    from botops.config import load_resources

    return load_resources(resource_paths(context.project, paths), root=context.project.root)


async def _plan(
    context: Context,
    resources: list[Resource],
    *,
    concurrency: int,
    message: str | None,
    unmanaged: bool = False,
) -> Plan:
    from botops.planner import current_commit, make_plan

    target = context.target
    async with context.client(concurrency=concurrency) as client:
        return await make_plan(
            resources,
            client,
            base_url=target.base_url,
            account_id=target.account_id,
            message=message,
            commit=current_commit(context.project.root),
            unmanaged=unmanaged,
        )


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
concurrency_option = click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Requests in flight at once.",
)
message_option = click.option(
    "--message", "-m", help="version_description for every new version (commit hash appended)."
)


@cli.command()
@paths_argument
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the plan file (JSON)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown is made for a pull-request comment; json is the plan file.",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 when nothing changes, 2 when something does."
)
@click.option(
    "--unmanaged", is_flag=True, help="Also list live bots and assistants no file manages."
)
@concurrency_option
@message_option
@api_options
def plan(
    context: Context,
    paths: tuple[Path, ...],
    out: Path | None,
    output_format: str,
    detailed_exitcode: bool,
    unmanaged: bool,
    concurrency: int,
    message: str | None,
) -> None:
    """Show what apply would change; never writes.

    Reads the live latest version of every resource in PATHs (default: `paths` of
    botops.yaml) and prints the field-level changes.

    \b
    Examples:
        botops plan
        botops plan --format markdown > plan.md
        botops plan --out plan.json --detailed-exitcode
    """
    from botops.planfile import write_plan
    from botops.render.json import render_json
    from botops.render.markdown import render_markdown
    from botops.render.text import render_text

    resources = _load(context, paths)
    result = run(_plan(context, resources, concurrency=concurrency, message=message, unmanaged=unmanaged))
    if out is not None:
        write_plan(result, out)
    if output_format == "json":
        click.echo(render_json(result), nl=False)
    elif output_format == "markdown":
        click.echo(render_markdown(result))
    else:
        click.echo(render_text(result, color=_color()))
    if out is not None:
        click.echo(f"Plan written to {out}; apply it with: botops apply --plan {out}", err=True)
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


@cli.command()
@paths_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Apply exactly this plan file (resource files are not read).",
)
@click.option("--auto-approve", is_flag=True, help="Don't ask for confirmation.")
@message_option
@concurrency_option
@api_options
def apply(
    context: Context,
    paths: tuple[Path, ...],
    plan_file: Path | None,
    auto_approve: bool,
    message: str | None,
    concurrency: int,
) -> None:
    """Submit the changed fields of each changed resource as a new version.

    Every write is built on the version the plan saw; a resource changed live since then is
    refused as stale. Without --auto-approve it asks on a terminal, and refuses without one.

    \b
    Examples:
        botops apply
        botops apply --auto-approve -m "Add Hindi to the support line"
        botops plan --out plan.json && botops apply --plan plan.json --auto-approve
    """
    from botops.planfile import read_plan
    from botops.render.text import render_apply_report, render_text

    if plan_file is not None:
        if paths:
            raise UsageError("give either PATHs or --plan, not both")
        if message:
            raise UsageError("--message can't change a saved plan; pass it to `botops plan`")
        the_plan = read_plan(plan_file)
        target = _plan_target(context, the_plan)
    else:
        resources = _load(context, paths)
        target = context.target
        the_plan = run(_plan(context, resources, concurrency=concurrency, message=message))
    if not the_plan.has_changes:
        click.echo(render_text(the_plan, color=_color()))
        return
    click.echo(render_text(the_plan, color=_color()))
    if not auto_approve:
        if not sys.stdin.isatty():
            raise UsageError(
                "refusing to apply: no terminal to ask for confirmation on; "
                "review the plan and pass --auto-approve"
            )
        answer = click.prompt(
            "Apply these changes? Only 'yes' is accepted", default="", show_default=False
        )
        if answer.strip() != "yes":
            click.echo("Apply cancelled; nothing was sent.", err=True)
            sys.exit(1)
    results = _apply(context, the_plan, target=target, concurrency=concurrency)
    click.echo(render_apply_report(results, color=_color()))
    if any(r.outcome not in ("applied", "skipped") for r in results):
        sys.exit(1)


def _plan_target(context: Context, the_plan: Plan) -> Target:
    """A saved plan goes to its own target; a different configured target is refused."""
    base_url, account_id = configured_target(
        context.project, base_url=context.base_url_option, account_id=context.account_option
    )
    planned = Target(base_url=the_plan.base_url, account_id=the_plan.account_id)
    for label, now, then in (
        ("base URL", base_url, planned.base_url),
        ("account", account_id, planned.account_id),
    ):
        if now is not None and now != then:
            raise UsageError(
                f"the plan was made for {label} {then!r} but the configuration names {now!r}; "
                "refusing to apply it elsewhere"
            )
    return planned


def _apply(
    context: Context, the_plan: Plan, *, target: Target, concurrency: int
) -> list[ApplyResult]:
    from botops.applier import apply_plan

    results: list[ApplyResult] = []

    async def go() -> None:
        async with context.client(concurrency=concurrency, target=target) as client:
            await apply_plan(the_plan, client, on_result=results.append)

    try:
        run(go())
    except KeyboardInterrupt:
        done = {r.address for r in results}
        results.extend(
            ApplyResult(r.address, "failed", message="not attempted: interrupted")
            for r in the_plan.resources
            if r.action != "no-op" and r.address not in done
        )
        click.echo(
            "Interrupted. Resources marked unknown may or may not have been written: run "
            "`botops plan` to see the live state, then `botops apply` again.",
            err=True,
        )
    return sorted(results, key=lambda r: r.address)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, help="Port; 0 picks a free one.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="SQLite file to persist to.")
@click.option("--demo", is_flag=True, help="Load the data that matches examples/.")
@click.option(
    "--fixtures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON file {bots, assistants, conversations} to load.",
)
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, help="Delay every API response.")
@click.option(
    "--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Answer this fraction 500, not acting."
)
@click.option(
    "--lost-response-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Act, then answer 500, for this fraction of writes.",
)
@click.option("--rate-limit", type=click.IntRange(min=1), help="Answer 429 beyond N requests a second.")
@click.option("--token", help="Require this token (Bearer, or Basic with any key).")
@click.option("--envelope", is_flag=True, help="Wrap responses in Exotel's documented envelope.")
@click.option(
    "--generation-seconds",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="How long a bot-generation job takes.",
)
@click.option(
    "--synthetic-conversations", type=click.IntRange(min=0), default=0, help="Add N generated conversations."
)
def emulator(**options: Any) -> None:
    """Run a local Voicebot API server (needs the `emulator` extra).

    \b
    Example:
        botops emulator --port 0 --demo
    """
    try:
        from botops.emulator.server import serve
    except ImportError as error:
        raise BotopsError(
            f"the emulator needs its extra: pip install 'botops[emulator]' ({error.name} missing)"
        ) from error
    serve(**options)


def main() -> None:
    cli(prog_name="botops")
