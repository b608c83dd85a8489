"""The `botops` command line: parse, call one library function, render, choose the exit code.

Only this module imports click. Every `BotopsError` becomes one line on stderr and exit 1, in one
place (`BotopsGroup`), as does every usage error; `--debug` shows the traceback instead. The use
cases live in the library (`applying`, `importing`, `generating`, `conversations`, `analytics`)
over a `Session` (`session`): the project, its target, and the clients that reach it.

Commands import what they use inside their bodies, on purpose: start-up time is part of every
command, and `botops validate` (run on every commit, on as many as 1,000 files) needs neither
httpx nor asyncio nor the renderers. Measured: `python -c "import botops.cli"` takes 0.06 s with
these lazy imports and 0.29 s with every use case and renderer imported up front, against
~0.6 s for a whole 1,000-file `botops validate` process (`benchmarks/validate_many.py`).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from botops import __version__
from botops.errors import BotopsError, UsageError
from botops.project.settings import load_project

if TYPE_CHECKING:
    from botops.model import Plan
    from botops.sync.importer import ImportedFile
    from botops.usecases.session import Session

T = TypeVar("T")


class BotopsGroup(click.Group):
    """The one place errors become exit codes: a `BotopsError` and every usage error exit 1
    (click's usage errors would exit 2, which `--detailed-exitcode` gives to "changes"),
    Ctrl-C 130, SIGTERM 143."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:  # the group's own options
            _exit_1(error)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # a command's name, options and arguments
            _exit_1(error)
            raise
        except BotopsError as error:
            if ctx.params.get("debug"):
                raise
            for line in str(error).splitlines() or ["error"]:
                click.echo(f"Error: {line}" if not _is_file_problem(line) else line, err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            if _signals.terminated:
                click.echo("Terminated.", err=True)
                sys.exit(128 + signal.SIGTERM)
            click.echo("Interrupted.", err=True)
            sys.exit(130)


def _exit_1(error: click.UsageError) -> None:
    # click shows the error (each kind its own way) and exits with `exit_code`, a class
    # attribute (2); this instance's is set, so that every usage error keeps its own words.
    setattr(error, "exit_code", 1)  # noqa: B010 (the attribute is a ClassVar to mypy)


def _is_file_problem(line: str) -> bool:
    parts = line.split(":", 3)
    return len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit()


# Options bundled once.

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project file (default ./botops.yaml).",
)


def format_option(
    choices: list[str], help_text: str
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """`--format` as every command spells it: the first choice is the default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help_text,
    )


env_option = click.option(
    "--env",
    "environment",
    help="Environment of botops.yaml to work on (env BOTOPS_ENV).",
)


def api_options(command: Callable[..., T]) -> Callable[..., T]:
    """`--env`, `--base-url`, `--account`, `--config`; the command receives `session: Session`."""

    @env_option
    @click.option("--base-url", help="API base URL (env BOTOPS_BASE_URL).")
    @click.option("--account", "account_id", help="Account id (env BOTOPS_ACCOUNT_ID).")
    @config_option
    @functools.wraps(command)
    def wrapper(
        *args: Any,
        base_url: str | None,
        account_id: str | None,
        config_path: Path | None,
        environment: str | None,
        **kw: Any,
    ) -> T:
        from botops.usecases.session import Session

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        session = Session(
            project=load_project(config_path),
            base_url=base_url,
            account_id=account_id,
            trace=(lambda line: click.echo(f"debug: {line}", err=True)) if debug else None,
            environment=environment,
        )
        return command(*args, session=session, **kw)

    return wrapper


class _PathArgument(click.Path):
    """A PATH argument; an empty one is refused: `Path("")` is the working directory, and
    `botops plan "$UNSET"` must not mean every file."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "":
            self.fail("an empty path names no file", param, ctx)
        return super().convert(value, param, ctx)


paths_argument = click.argument("paths", nargs=-1, type=_PathArgument(path_type=Path))
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
mass_change_option = click.option(
    "--allow-mass-change",
    is_flag=True,
    help="Go ahead although the plan changes more than guards.max_changed_share.",
)
fields_option = click.option(
    "--fields", help="Also fetch these, comma-separated: transcript, insights."
)
bot_option = click.option("--bot", "bot_id", help="Only this bot's conversations (filtered here).")


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.group(cls=BotopsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and HTTP traces (secrets redacted).")
@click.version_option(__version__, prog_name="botops")
def cli(debug: bool) -> None:
    """Bot-config-as-code for the Exotel Voicebot API.

    Keep voicebots and assistants as YAML in git; `botops plan` shows what would change,
    `botops apply` submits only the changed fields as new versions.
    """


@cli.command()
@paths_argument
@config_option
@env_option
@format_option(
    ["text", "json", "github", "gitlab"],
    "github: workflow-command annotations; gitlab: a Code Quality report (on stdout).",
)
def validate(
    paths: tuple[Path, ...], config_path: Path | None, environment: str | None, output_format: str
) -> None:
    """Check resource files offline: YAML, duplicate keys, schema, cross-file rules, guards.

    Every problem is printed as `path:line:column: message`, all of them at once; nothing is
    sent anywhere. Without --env every environment of botops.yaml is checked, and a problem
    only some of them have says in which. PATHs may also name botops.yaml (checked against its
    schema), prompt files and YAML outside botops.yaml's paths (skipped), as a pre-commit hook
    passes them. Exit 0 when valid, 1 otherwise.

    \b
    Examples:
        botops validate
        botops validate examples/bots/customer-support.yaml
        botops validate --env prod
        botops validate --format github
    """
    from botops.usecases.validate import validate as check

    result = check(paths, config_path=config_path, environment=environment)
    for note in result.notes():
        click.echo(note, err=True)
    if output_format != "text":
        from botops.render.problems import render_problems

        click.echo(render_problems(result.problems, output_format), nl=False)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if not result.valid:
        sys.exit(1)
    click.echo(result.summary(), err=output_format != "text")


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
    from botops.usecases.apply import check_mass_change, plan_project

    result = plan_project(
        session,
        paths,
        concurrency=concurrency,
        message=message,
        unmanaged=unmanaged,
        with_outcomes=with_outcomes,
    )
    try:
        check_mass_change(session, result, allowed=allow_mass_change)
    except PlanError:
        # Refused, but shown: a reviewer needs to see what the mass change is. No plan file.
        click.echo(_render_plan(result, output_format), nl=False)
        raise
    if out is not None:
        write_plan(result, out)
    click.echo(_render_plan(result, output_format), nl=False)
    if out is not None:
        click.echo(f"Plan written to {out}; apply it with: botops apply --plan {out}", err=True)
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


def _render_plan(result: Plan, output_format: str) -> str:
    from botops.render.plan_markdown import render_markdown
    from botops.render.plan_text import render_text
    from botops.sync.plan_json import render_json

    if output_format == "json":
        return render_json(result)
    if output_format == "markdown":
        return render_markdown(result) + "\n"
    return render_text(result, color=_color()) + "\n"


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
@mass_change_option
@api_options
def apply(
    session: Session,
    paths: tuple[Path, ...],
    plan_file: Path | None,
    auto_approve: bool,
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
    """
    from botops.render.plan_text import origin, render_apply_report, render_text
    from botops.usecases import apply as applying

    the_plan, target = applying.plan_to_apply(
        session, paths, plan_file=plan_file, message=message, concurrency=concurrency
    )
    if plan_file is not None:
        click.echo(origin(the_plan, str(plan_file)), err=True)
    click.echo(render_text(the_plan, color=_color()))
    if not the_plan.has_changes:
        return
    applying.check_mass_change(session, the_plan, allowed=allow_mass_change)
    _confirm_apply(auto_approve)
    applied = applying.apply_interruptibly(
        session,
        the_plan,
        target=target,
        concurrency=concurrency,
        on_interrupt=lambda: click.echo(applying.INTERRUPT_NOTICE, err=True),
    )
    if applied.interrupted:
        click.echo(applying.INTERRUPTED_ADVICE, err=True)
    click.echo()
    click.echo(render_apply_report(applied.results, color=_color()))
    if not applied.ok:
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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port; 0 picks a free one.",
)
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
    session: Session, ids: tuple[str, ...], everything: bool, directory: Path | None, force: bool
) -> None:
    """Write live voicebots and assistants as resource files.

    Each ID is looked up as a voicebot, then as an assistant. Voicebots go to
    `<name>.yaml` with their bot_id; assistants to `<assistant_id>.yaml`, long instructions
    to `prompts/*.md`. A plan right after shows no changes. Existing files are never
    overwritten without --force: if any target exists, nothing is written. With --env, a
    voicebot a file already declares for another environment (same name) gets its id in that
    file's `overrides.ENV`; the rest go to files of their own that exist only in ENV.

    \b
    Examples:
        botops import bot_support01 asst_acme01
        botops import --all --dir bots
        botops import --env prod --all
    """
    from botops.usecases.import_ import import_live

    imported = import_live(
        session,
        ids,
        everything=everything,
        directory=directory,
        force=force,
        warn=lambda m: click.echo(f"Warning: {m}", err=True),
    )
    if not imported.live:
        click.echo("Nothing to import: no live voicebots or assistants.", err=True)
        return
    where = session.environment_name
    for address, declared_in in imported.kept:
        click.echo(f"Kept {declared_in}  ({address} is already declared there for {where})")
    for path, address in imported.edits:
        click.echo(f"Added {address} to {path}  (overrides.{where})")
    for file in imported.files:
        only = f", only in {where}" if where else ""
        click.echo(f"Wrote {file.path}  ({_written(file)}{only})")
    for path in imported.schemas:
        click.echo(f"Wrote {path}", err=True)
    counts = f"{imported.voicebots} voicebot(s) and {imported.assistants} assistant(s)"
    plan = f"botops plan --env {where}" if where else "botops plan"
    if imported.problems:
        for problem in imported.problems:
            click.echo(str(problem), err=True)
        raise UsageError(
            f"imported {counts}, but the live values above don't pass validation: choose "
            f"valid ones in those files, then `{plan}` shows what applying them changes"
        )
    click.echo(f"Imported {counts}; `{plan}` should now show no changes for them.", err=True)


def _written(file: ImportedFile) -> str:
    """What a written file holds: `voicebot/bot_x v3`, or the instruction of an assistant."""
    if file.is_prompt:
        return f"instruction of {file.resource.address}"
    version = file.resource.data.get("version")
    return f"{file.resource.address} {version}" if version else file.resource.address


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
    session: Session, text: str | None, out: Path | None, timeout: float, job_id: str | None
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
    from botops.cli.progress import GenerationProgress
    from botops.usecases.generate import generate_bot

    progress = GenerationProgress()
    try:
        made = generate_bot(
            session,
            text,
            out=out,
            timeout=timeout,
            job_id=job_id,
            on_status=progress.on_status,
            on_created=click.echo,  # the id first: it is said even if writing the file fails
            while_waiting=progress.spin,
        )
    finally:
        progress.status.clear()
    name, version = made.bot.get("name"), made.bot.get("version")
    click.echo(f"Created {made.bot_id} ({name}, {version}); wrote {made.path}", err=True)


@cli.group()
def conversations() -> None:
    """Read, print and export what happened on calls.

    \b
    Examples:
        botops conversations list --fields insights
        botops conversations get conv_abc123
        botops conversations export --out calls.jsonl --fields transcript,insights
    """


@conversations.command("list")
@bot_option
@fields_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many."
)
@click.option(
    "--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many."
)
@format_option(
    ["table", "json", "jsonl", "csv"],
    "json: an array of the API's objects; jsonl: one a line; csv: flat columns.",
)
@api_options
def conversations_list(
    session: Session,
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
    from botops.analytics import conversations as conv
    from botops.render.conversations import render_page

    wanted = conv.parse_fields(fields)
    page = session.run(
        lambda client: conv.list_page(
            client, fields=wanted, limit=limit, offset=offset, bot_id=bot_id
        )
    )
    insights = "insights" in (wanted or [])
    click.echo(render_page(page, output_format=output_format, insights=insights), nl=False)


@conversations.command("get")
@click.argument("conversation_id")
@format_option(["text", "json"], "text: a transcript to read; json: the API's object.")
@api_options
def conversations_get(session: Session, conversation_id: str, output_format: str) -> None:
    """Show one conversation: call, insights, and the transcript turn by turn.

    \b
    Examples:
        botops conversations get conv_abc123
        botops conversations get conv_abc123 --format json
    """
    import json
    import shutil

    from botops.render.conversations import render_transcript

    found = session.run(lambda client: client.get_conversation(conversation_id))
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
    session: Session, out: Path, bot_id: str | None, fields: str | None, output_format: str | None
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
    from botops.analytics import conversations as conv
    from botops.cli.progress import ExportProgress

    wanted, chosen = conv.parse_fields(fields), conv.export_format(out, output_format)
    progress = ExportProgress(bot_id)
    try:
        count = session.run(
            lambda client: conv.export(
                client,
                out,
                output_format=chosen,
                fields=wanted,
                bot_id=bot_id,
                on_progress=progress.on_progress if progress.status.live else None,
            )
        )
    finally:
        progress.status.clear()
    click.echo(f"Exported {count} conversations to {out}")


@cli.command()
@bot_option
@format_option(
    ["table", "json", "markdown", "html"],
    "html writes a self-contained page (default --out report.html).",
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
    session: Session,
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

    --by version counts each conversation for the version of its bot live at its start time
    (the newest version whose date_created <= start_time) and prints per version: total,
    resolution_rate with a 95% Wilson interval, avg_duration_seconds, by_outcome, by_sentiment
    and vs_previous (a two-sided two-proportion z-test at 5%: better, worse, no clear
    difference, or too few conversations below 30 on either side). JSON: {bots: {<bot_id>:
    {name, versions: [...]}}}. Histories come from the API, or from --versions FILE (which
    --from then needs: it sends nothing).

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
    from botops.cli.progress import StatusLine
    from botops.support.files import write_atomically
    from botops.usecases import analytics as reports

    status = StatusLine()
    try:
        text = reports.analytics(
            session,
            bot_id=bot_id,
            output_format=output_format,
            by=by,
            source=source,
            versions_file=versions_file,
            on_progress=status.counting("Reading conversations"),
        )
    finally:
        status.clear()
    out = out or (Path("report.html") if output_format == "html" else None)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomically(out, text)
    click.echo(f"Report written to {out}", err=True)


@cli.command()
@click.argument("resource_id", metavar="ID")
@format_option(
    ["table", "json"], "json: {id, kind, name, complete, versions: [...]}, newest first."
)
@api_options
def history(session: Session, resource_id: str, output_format: str) -> None:
    """Show a voicebot's or assistant's versions, newest first: date, description, commit.

    The commit is the short hash apply names in each version's description. A server without
    the version-history endpoint shows the live version only ("complete": false in JSON).

    \b
    Examples:
        botops history bot_support01
        botops history bot_support01 --format json >> versions.jsonl
    """
    from botops.analytics import history as versions
    from botops.render import outcomes as render

    found = session.run(lambda client: versions.resource_history(client, resource_id))
    if output_format == "json":
        click.echo(render.render_history_json(found), nl=False)
    else:
        click.echo(render.render_history_table(found), nl=False)


# comment, schema, init: where teams work (pull requests, editors, a new repository).


@cli.command()
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pr", type=click.IntRange(min=1), help="Pull/merge request number (default: CI's).")
@click.option("--always", is_flag=True, help="Comment even when the plan has no changes.")
@env_option
def comment(plan_file: Path, pr: int | None, always: bool, environment: str | None) -> None:
    """Post a saved plan as the one sticky comment of its target on the pull request.

    The comment on the GitHub pull request or GitLab merge request this CI job runs for is
    found by its hidden marker and edited in place on every push: one per target.
    GitHub: GITHUB_TOKEN, GITHUB_REPOSITORY, the PR from GITHUB_EVENT_PATH. GitLab:
    BOTOPS_GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID. A plan with no
    changes edits an existing comment to say so and creates none unless --always.

    \b
    Examples:
        botops comment plan.json
        botops comment plan.json --pr 42 --always
        botops comment plan.json --env prod
    """
    from botops.forge import comment_on_pull_request
    from botops.sync.planfile import read_plan, refuse_other_environment

    saved = read_plan(plan_file)
    named = environment or os.environ.get("BOTOPS_ENV") or None
    if named is not None:
        refuse_other_environment(saved, named, doing="comment")
    debug = bool(click.get_current_context().find_root().params.get("debug"))
    result = comment_on_pull_request(
        saved,
        pr=pr,
        always=always,
        trace=(lambda line: click.echo(f"debug: {line}", err=True)) if debug else None,
    )
    click.echo(result.line)


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write (default: schemas/ beside botops.yaml).",
)
@config_option
def schema(directory: Path | None, config_path: Path | None) -> None:
    """Write the JSON Schemas that editors use.

    One per kind, resource.schema.json for any document (it picks the kind's schema from
    `kind`, so a file may mix kinds), and botops.schema.json for the project file.

    \b
    Examples:
        botops schema
        botops schema --dir schemas
    """
    from botops.project.schemafiles import SCHEMA_FILES, write_schemas

    target = directory or load_project(config_path).root / "schemas"
    written = write_schemas(target)
    for path in written:
        click.echo(f"Wrote {path}")
    if len(written) < len(SCHEMA_FILES):
        click.echo(f"{len(SCHEMA_FILES) - len(written)} schema(s) in {target} already up to date")


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path | None) -> None:
    """Start a repository that a team can commit at once.

    botops.yaml, bots/ with an example of each kind, schemas/, .pre-commit-config.yaml,
    .github/workflows/botops.yml and .vscode/settings.json mapping the schemas. A file that
    exists is never overwritten: it is kept and listed.

    \b
    Examples:
        botops init
        botops init acme-bots
    """
    from botops.usecases.init import init_project

    for item in init_project(directory or Path(".")):
        click.echo(f"Wrote {item.path}" if item.written else f"Kept {item.path} (exists)")
    click.echo(
        "Next: set account_id in botops.yaml, then `botops validate` and `botops plan`.", err=True
    )


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _signals.terminate)
    cli(args=hoist_debug(sys.argv[1:] if argv is None else argv), prog_name="botops")


class _Signals:
    """SIGTERM (a cancelled CI job, `kill`) is handled as Ctrl-C is, wherever the run is: a
    file being written is removed, apply lets its writes in flight finish and reports; only
    the last words and the exit status (143) say it was SIGTERM."""

    terminated = False

    def terminate(self, signum: int, frame: Any) -> None:
        self.terminated = True
        if signal.getsignal(signal.SIGINT) not in (signal.SIG_IGN, None):
            signal.raise_signal(signal.SIGINT)
            return
        # SIGINT is ignored (a job a shell started in the background): be the Ctrl-C here;
        # inside asyncio from the loop itself, as raised within a task it would be reported
        # as that task's failure.
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise KeyboardInterrupt from None
        loop.call_soon_threadsafe(_interrupt)


def _interrupt() -> None:
    raise KeyboardInterrupt


_signals = _Signals()


def hoist_debug(args: list[str]) -> list[str]:
    """`botops plan --debug` means `botops --debug plan`: people put it last when retrying a
    failed command. Only before a `--` that ends the options."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug", *(a for i, a in enumerate(args) if not (i < end and a == "--debug"))]
