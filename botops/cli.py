"""The `botops` command line: parse, call the library, render, choose the exit code.

Only this module imports click. Every `BotopsError` becomes one line on stderr and exit 1, in one
place (`BotopsGroup.invoke`); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import sys
import time
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
            pacer=self.pacer,
        )

    @functools.cached_property
    def pacer(self) -> Any:
        """One pace for every client of this run: what plan learned of a rate limit, apply
        keeps (the server's window still holds plan's requests when apply starts)."""
        from botops.client import Pacer

        return Pacer(time.monotonic)


def _retry_deadline() -> float:
    """How long reads may be retried in all (`BOTOPS_RETRY_DEADLINE` seconds, default 120)."""
    value = os.environ.get("BOTOPS_RETRY_DEADLINE", "120")
    try:
        deadline = float(value)
    except ValueError:
        raise UsageError(
            f"BOTOPS_RETRY_DEADLINE must be a number of seconds, got {value!r}"
        ) from None
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
        *args: Any,
        base_url: str | None,
        account_id: str | None,
        config_path: Path | None,
        **kw: Any,
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

    return load_resources(
        resource_paths(context.project, paths),
        root=context.project.root if context.project.file else None,
        project_file=context.project.file,
    )


async def _plan(
    context: Context,
    resources: list[Resource],
    *,
    concurrency: int,
    message: str | None,
    unmanaged: bool = False,
    with_outcomes: bool = False,
) -> Plan:
    from botops.planner import current_commit, make_plan
    from botops.versions import attach_outcomes

    target = context.target
    async with context.client(concurrency=concurrency) as client:
        result = await make_plan(
            resources,
            client,
            base_url=target.base_url,
            account_id=target.account_id,
            message=message,
            commit=current_commit(context.project.root),
            unmanaged=unmanaged,
        )
        if with_outcomes:
            await attach_outcomes(client, result)
        return result


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
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project file (default ./botops.yaml).",
)
def validate(paths: tuple[Path, ...], config_path: Path | None) -> None:
    """Check resource files offline: YAML, duplicate keys, schema, cross-file rules.

    Every problem is printed as `path:line:column: message`, all of them at once; nothing is
    sent anywhere. Exit 0 when valid, 1 otherwise.

    \b
    Examples:
        botops validate
        botops validate examples/bots/customer-support.yaml
    """
    project = load_project(config_path)
    from botops.config import load_resources

    resources = load_resources(
        resource_paths(project, paths),
        root=project.root if project.file else None,
        project_file=project.file,
    )
    files = len({r.file for r in resources})
    noun = "resource" if len(resources) == 1 else "resources"
    click.echo(f"Valid: {len(resources)} {noun} in {files} file{'' if files == 1 else 's'}.")


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
@click.option(
    "--with-outcomes",
    is_flag=True,
    help="Show each changed voicebot's live version: calls since it went live, resolution rate.",
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
    with_outcomes: bool,
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
        botops plan --with-outcomes --format markdown
    """
    from botops.planfile import write_plan
    from botops.render.json import render_json
    from botops.render.markdown import render_markdown
    from botops.render.text import render_text

    resources = _load(context, paths)
    result = run(
        _plan(
            context,
            resources,
            concurrency=concurrency,
            message=message,
            unmanaged=unmanaged,
            with_outcomes=with_outcomes,
        )
    )
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
    click.echo()
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
    """Apply with Ctrl-C handled: the first one lets the writes in flight finish (and starts no
    new one), a second one abandons them, reported as unknown."""
    from botops.applier import apply_plan

    results: list[ApplyResult] = []

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def interrupted() -> None:
            if not stop.is_set():
                stop.set()
                click.echo(
                    "\nInterrupted: finishing the writes in flight, starting no new one "
                    "(Ctrl-C again to abandon them).",
                    err=True,
                )
            elif task is not None:
                task.cancel()

        # Not on the main thread, or no signal support: Ctrl-C stays a KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, interrupted)
        try:
            async with context.client(concurrency=concurrency, target=target) as client:
                await apply_plan(the_plan, client, on_result=results.append, stop=stop)
        except asyncio.CancelledError:
            pass
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
        if stop.is_set():
            click.echo(
                "Apply was interrupted: resources reported unknown may or may not have been "
                "written. Run `botops plan` to see the live state, then `botops apply` again.",
                err=True,
            )

    with contextlib.suppress(KeyboardInterrupt):
        run(go())
    done = {r.address for r in results}
    results.extend(
        ApplyResult(r.address, "failed", message="interrupted before anything was sent")
        for r in the_plan.resources
        if r.action != "no-op" and r.address not in done
    )
    return sorted(results, key=lambda r: r.address)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, help="Port; 0 picks a free one.")
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), help="SQLite file to persist to."
)
@click.option("--demo", is_flag=True, help="Load the data that matches examples/.")
@click.option(
    "--fixtures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON file {bots, assistants, conversations} to load.",
)
@click.option(
    "--latency-ms", type=click.IntRange(min=0), default=0, help="Delay every API response."
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Answer this fraction 500, not acting.",
)
@click.option(
    "--lost-response-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Act, then answer 500, for this fraction of writes.",
)
@click.option(
    "--rate-limit", type=click.IntRange(min=1), help="Answer 429 beyond N requests a second."
)
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
    "--synthetic-conversations",
    type=click.IntRange(min=0),
    default=0,
    help="Add N generated conversations.",
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


# import, generate, conversations, analytics: bringing bots in, and seeing how they do.


class _StatusLine:
    """Progress on stderr: a redrawn line on a terminal, else only plain event lines."""

    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.started = time.monotonic()
        self._last = 0.0
        self._frame = 0
        self._shown = False

    def event(self, text: str) -> None:
        """A line that stays (status changes): above the live line on a terminal."""
        self.clear()
        click.echo(text, err=True)

    def update(self, text: str, *, force: bool = False) -> None:
        """Redraw the live line (terminal only), at most ten times a second."""
        now = time.monotonic()
        if not self.live or (not force and now - self._last < 0.1):
            return
        self._last, self._frame = now, self._frame + 1
        spinner = self.FRAMES[self._frame % len(self.FRAMES)]
        click.echo(f"\r\033[2K{spinner} {text}", err=True, nl=False)
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\033[2K", err=True, nl=False)
            self._shown = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _import_dir(context: Context, directory: Path | None) -> Path:
    if directory is not None:
        return directory
    return context.project.paths[0] if context.project.paths else Path(".")


@cli.command("import")
@click.argument("ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every live voicebot and assistant.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write (default: the first of `paths` in botops.yaml, else here).",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@api_options
def import_(
    context: Context, ids: tuple[str, ...], everything: bool, directory: Path | None, force: bool
) -> None:
    """Write live voicebots and assistants as resource files.

    Each ID is looked up as a voicebot, then as an assistant. Voicebots go to
    `<name>.yaml` with their bot_id; assistants to `<assistant_id>.yaml`, long instructions
    to `prompts/*.md`. A plan right after shows no changes. Existing files are never
    overwritten without --force: if any target exists, nothing is written.

    \b
    Examples:
        botops import bot_support01 asst_acme01
        botops import --all --dir bots
    """
    from botops import importer

    if not ids and not everything:
        raise UsageError("name the bot or assistant ids to import, or pass --all")
    target = _import_dir(context, directory)

    async def read() -> list[importer.LiveResource]:
        async with context.client() as client:
            return await importer.read_live(
                client,
                ids,
                everything=everything,
                warn=lambda m: click.echo(f"Warning: {m}", err=True),
            )

    live = run(read())
    if not live:
        click.echo("Nothing to import: no live voicebots or assistants.", err=True)
        return
    root = context.project.root
    declared = importer.declarations(_where_import_lands(context, target), root=root)
    reuse = importer.declared_alone(live, declared, root=root)
    files = importer.lay_out(live, target, schemas_dir=root / "schemas", reuse=reuse)
    importer.write_files(files, force=force)
    for file in files:
        version = file.resource.data.get("version")
        what = (
            f"instruction of {file.resource.address}"
            if file.is_prompt
            else (f"{file.resource.address} {version}" if version else file.resource.address)
        )
        click.echo(f"Wrote {file.path}  ({what})")
    bots = sum(1 for r in live if r.kind == "Voicebot")
    click.echo(
        f"Imported {bots} voicebot(s) and {len(live) - bots} assistant(s); "
        "`botops plan` should now show no changes for them.",
        err=True,
    )


def _where_import_lands(context: Context, directory: Path) -> list[Path]:
    """Where what is imported may already be declared: the configured paths when `directory`
    is one of them (a second declaration there would break the project), else `directory`."""
    configured = resource_paths(context.project, ())
    paths = configured if any(_inside(directory, p) for p in configured) else [directory]
    return [p for p in paths if p.exists()]


def _inside(path: Path, parent: Path) -> bool:
    return path.resolve().is_relative_to(parent.resolve())


@cli.command()
@click.argument("text", required=False)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the new bot's YAML here (default: <slug of its name>.yaml here).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds to wait for the job.",
)
@click.option("--job", "job_id", help="Pick up a job started earlier instead of starting one.")
@api_options
def generate(
    context: Context, text: str | None, out: Path | None, timeout: float, job_id: str | None
) -> None:
    """Create a voicebot from a plain-language description.

    Starts a bot-generation job, polls it to the end, then writes the new bot as YAML and
    prints its bot_id. A job that fails or outlives --timeout exits 1 with the job id; a job
    still running can be picked up again with --job.

    \b
    Examples:
        botops generate "A support bot for order status and returns, in English and Hindi"
        botops generate "Remind customers of EMI payments" --out bots/emi.yaml
        botops generate --job gen_abc123
    """
    from botops import importer
    from botops.generation import job_status, run_generation

    if not job_id and not (text or "").strip():
        raise UsageError("describe the bot (TEXT), or pick up a job with --job ID")
    if out is not None and out.exists():
        raise UsageError(f"{out} already exists; choose another --out (nothing was started)")
    status = _StatusLine()

    shown = ["starting"]

    def on_status(job: dict[str, Any]) -> None:
        shown[0] = f"{job_status(job) or 'unknown'}, job {job.get('id')}"
        status.event(
            f"Job {job.get('id')}: {job_status(job) or 'unknown'} ({status.elapsed:.0f} s)"
        )

    async def go() -> dict[str, Any]:
        async with context.client() as client:
            ticker = asyncio.ensure_future(_tick(status, shown))
            try:
                job = await run_generation(
                    client, text or "", timeout=timeout, on_status=on_status, job_id=job_id
                )
            finally:
                ticker.cancel()
                status.clear()
            return {"job": job, "bot": await client.get_voicebot(str(job["bot_id"]))}

    result = run(go())
    bot, bot_id = result["bot"], str(result["bot"].get("bot_id") or result["job"]["bot_id"])
    live = importer.LiveResource("Voicebot", bot_id, bot)
    file = importer.generated_file(live, out, schemas_dir=context.project.root / "schemas")
    importer.write_files([file], force=False)
    click.echo(
        f"Created {bot_id} ({bot.get('name')}, {bot.get('version')}); wrote {file.path}", err=True
    )
    click.echo(bot_id)


async def _tick(status: _StatusLine, shown: list[str]) -> None:
    """Keep the spinner turning (terminal only) while the job is polled."""
    if not status.live:
        return
    while True:
        status.update(f"Generating: {shown[0]} · {status.elapsed:.0f} s")
        await asyncio.sleep(0.1)


@cli.group()
def conversations() -> None:
    """Read, print and export what happened on calls.

    \b
    Examples:
        botops conversations list --fields insights
        botops conversations get conv_abc123
        botops conversations export --out calls.jsonl --fields transcript,insights
    """


fields_option = click.option(
    "--fields", help="Also fetch these, comma-separated: transcript, insights."
)
bot_option = click.option("--bot", "bot_id", help="Only this bot's conversations (filtered here).")


@conversations.command("list")
@bot_option
@fields_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many."
)
@click.option(
    "--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "jsonl", "csv"]),
    default="table",
    show_default=True,
    help="json: an array of the API's objects; jsonl: one a line; csv: flat columns.",
)
@api_options
def conversations_list(
    context: Context,
    bot_id: str | None,
    fields: str | None,
    limit: int,
    offset: int,
    output_format: str,
) -> None:
    """Print one page of conversations.

    With --bot, --limit and --offset count that bot's conversations: pages are read until
    --limit of them are found or none are left. csv columns: conversation_id, bot_id, from,
    to, duration_seconds, recording_url (and sentiment, intent, outcome with insights).

    \b
    Examples:
        botops conversations list --limit 50 --fields insights
        botops conversations list --bot bot_support01 --format csv > support.csv
    """
    import io
    import json

    from botops import conversations as conv
    from botops.render.conversation import render_table

    wanted = conv.parse_fields(fields)

    async def go() -> list[dict[str, Any]]:
        async with context.client() as client:
            return await conv.list_page(
                client, fields=wanted, limit=limit, offset=offset, bot_id=bot_id
            )

    page = run(go())
    insights = "insights" in (wanted or [])
    if output_format == "json":
        click.echo(json.dumps(page, indent=2, ensure_ascii=False))
    elif output_format == "jsonl":
        click.echo("".join(conv.to_json_line(c) for c in page), nl=False)
    elif output_format == "csv":
        buffer = io.StringIO()
        conv.write_csv(buffer, page, insights=insights)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(page, insights=insights))


@conversations.command("get")
@click.argument("conversation_id")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a transcript to read; json: the API's object.",
)
@api_options
def conversations_get(context: Context, conversation_id: str, output_format: str) -> None:
    """Show one conversation: call, insights, and the transcript turn by turn.

    \b
    Examples:
        botops conversations get conv_abc123
        botops conversations get conv_abc123 --format json
    """
    import json
    import shutil

    from botops.render.conversation import render_transcript

    async def go() -> dict[str, Any]:
        async with context.client() as client:
            result: dict[str, Any] = await client.get_conversation(conversation_id)
            return result

    found = run(go())
    if output_format == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
    click.echo(render_transcript(found, width=min(width, 120), color=_color()))


@conversations.command("export")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write (a new directory for parquet).",
)
@bot_option
@fields_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    help="Default: csv for a .csv --out, else jsonl. parquet: a directory partitioned by day.",
)
@api_options
def conversations_export(
    context: Context, out: Path, bot_id: str | None, fields: str | None, output_format: str | None
) -> None:
    """Write every conversation to a file, page after page, in constant memory.

    Several pages are read at once and written in order. The file appears only when complete:
    on an error or Ctrl-C nothing is left behind and an existing file is untouched.
    --format parquet writes a new directory partitioned by day (day=YYYY-MM-DD/), typed
    columns, for DuckDB, Spark or BigQuery (needs the parquet extra: pyarrow).

    \b
    Examples:
        botops conversations export --out calls.jsonl --fields transcript,insights
        botops conversations export --out support.csv --bot bot_support01 --fields insights
        botops conversations export --format parquet --out calls --fields insights
    """
    from botops import conversations as conv

    wanted = conv.parse_fields(fields)
    chosen = conv.export_format(out, output_format)
    status = _StatusLine()

    def progress(written: int, read: int, total: int | None) -> None:
        of = f" of {total:,}" if total is not None else ""
        matched = f", {written:,} of bot {bot_id}" if bot_id else ""
        status.update(f"Exporting: {read:,}{of} read{matched}")

    async def go() -> int:
        async with context.client() as client:
            return await conv.export(
                client,
                out,
                output_format=chosen,
                fields=wanted,
                bot_id=bot_id,
                on_progress=progress if status.live else None,
            )

    try:
        count = run(go())
    finally:
        status.clear()
    click.echo(f"Exported {count} conversations to {out}")


@cli.command()
@bot_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown", "html"]),
    default="table",
    show_default=True,
    help="html writes a self-contained page (default --out report.html).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option(
    "--by",
    type=click.Choice(["version"]),
    help="version: each conversation counted for the bot version live when it started.",
)
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read a `conversations export` file (JSONL or CSV) instead of the API.",
)
@click.option(
    "--versions",
    "versions_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --by version: histories from this file (`botops history ID --format json`).",
)
@api_options
def analytics(
    context: Context,
    bot_id: str | None,
    output_format: str,
    out: Path | None,
    by: str | None,
    source: Path | None,
    versions_file: Path | None,
) -> None:
    """Summarize conversations: outcomes, sentiment, intents and duration, overall and per bot.

    Reads every conversation with its insights (or, with --from, an export file, streamed).
    --format json prints {total, avg_duration_seconds, resolution_rate, by_outcome,
    by_sentiment, by_intent, bots: {<bot_id>: the same but bots}}; html writes one page with
    inline charts that loads nothing from the network (to report.html unless --out says
    otherwise).

    --by version attributes each conversation to the version of its bot live at its start
    time (the newest version whose date_created <= start_time) and prints per version: total,
    resolution_rate with a 95% Wilson interval, avg_duration_seconds, by_outcome, by_sentiment
    and vs_previous (a two-sided two-proportion z-test at 5%: better, worse, no clear
    difference, or too few conversations below 30 on either side). JSON: {bots: {<bot_id>:
    {name, versions: [...]}}}. Histories come from the API, or from --versions FILE.

    \b
    How the figures are made:
      resolution_rate       outcome `resolved` / all conversations, rounded to 4 decimals
      avg_duration_seconds  mean over those reporting a duration, rounded to 1 decimal
      by_outcome/sentiment  one count each; a conversation without one counts as `unknown`
      by_intent             each intent of a conversation counts once
      no conversations      0, and empty maps

    \b
    Examples:
        botops analytics
        botops analytics --bot bot_support01 --format json
        botops analytics --format html --out report.html
        botops analytics --by version --bot bot_support01
        botops analytics --from calls.jsonl --by version --versions versions.jsonl
    """
    from botops import reports

    def describe_target() -> str:
        return f"{context.target.account_id} at {context.target.base_url}"

    status = _StatusLine()
    try:
        text, out = run(
            reports.analytics(
                context.client,
                describe_target,
                bot_id=bot_id,
                output_format=output_format,
                out=out,
                by=by,
                source=source,
                versions_file=versions_file,
                on_progress=lambda n: status.update(f"Reading conversations: {n:,}"),
            )
        )
    finally:
        status.clear()
    _write_or_echo(text, out)


def _write_or_echo(text: str, out: Path | None) -> None:
    from botops.files import write_atomically

    if out is None:
        click.echo(text, nl=False)
        return
    write_atomically(out, text)
    click.echo(f"Report written to {out}", err=True)


@cli.command()
@click.argument("resource_id", metavar="ID")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: {id, kind, name, complete, versions: [...]}, newest first.",
)
@api_options
def history(context: Context, resource_id: str, output_format: str) -> None:
    """Show a voicebot's or assistant's versions, newest first: date, description, commit.

    The commit is the short hash apply names in each version's description. A server without
    the version-history endpoint shows the live version only ("complete": false in JSON).

    \b
    Examples:
        botops history bot_support01
        botops history bot_support01 --format json >> versions.jsonl
    """
    from botops import versions
    from botops.render import outcomes as render

    async def go() -> Any:
        async with context.client() as client:
            return await versions.resource_history(client, resource_id)

    found = run(go())
    if output_format == "json":
        click.echo(render.render_history_json(found), nl=False)
    else:
        click.echo(render.render_history_table(found), nl=False)


def main(argv: list[str] | None = None) -> None:
    cli(args=hoist_debug(sys.argv[1:] if argv is None else argv), prog_name="botops")


def hoist_debug(args: list[str]) -> list[str]:
    """`botops plan --debug` means `botops --debug plan`: people put it last when retrying a
    failed command. Only before a `--` that ends the options."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug", *(a for i, a in enumerate(args) if not (i < end and a == "--debug"))]
