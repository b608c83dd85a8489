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
from botops.project import declared_resources, load_project

if TYPE_CHECKING:
    from botops.importer import ImportedFile
    from botops.model import Plan
    from botops.session import Session

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


def api_options(command: Callable[..., T]) -> Callable[..., T]:
    """`--base-url`, `--account`, `--config`; the command receives `session: Session`."""

    @click.option("--base-url", help="API base URL (env BOTOPS_BASE_URL).")
    @click.option("--account", "account_id", help="Account id (env BOTOPS_ACCOUNT_ID).")
    @config_option
    @functools.wraps(command)
    def wrapper(
        *args: Any,
        base_url: str | None,
        account_id: str | None,
        config_path: Path | None,
        **kw: Any,
    ) -> T:
        from botops.session import Session

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        session = Session(
            project=load_project(config_path),
            base_url=base_url,
            account_id=account_id,
            trace=(lambda line: click.echo(f"debug: {line}", err=True)) if debug else None,
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
def validate(paths: tuple[Path, ...], config_path: Path | None) -> None:
    """Check resource files offline: YAML, duplicate keys, schema, cross-file rules.

    Every problem is printed as `path:line:column: message`, all of them at once; nothing is
    sent anywhere. Exit 0 when valid, 1 otherwise.

    \b
    Examples:
        botops validate
        botops validate examples/bots/customer-support.yaml
    """
    resources = declared_resources(load_project(config_path), paths)
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
@concurrency_option
@message_option
@api_options
def plan(
    session: Session,
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
    from botops.applying import plan_project
    from botops.planfile import write_plan

    result = plan_project(
        session, paths, concurrency=concurrency, message=message, unmanaged=unmanaged
    )
    if out is not None:
        write_plan(result, out)
    click.echo(_render_plan(result, output_format), nl=False)
    if out is not None:
        click.echo(f"Plan written to {out}; apply it with: botops apply --plan {out}", err=True)
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


def _render_plan(result: Plan, output_format: str) -> str:
    from botops.render.json import render_json
    from botops.render.markdown import render_markdown
    from botops.render.text import render_text

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
@api_options
def apply(
    session: Session,
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
    from botops import applying
    from botops.render.text import render_apply_report, render_text

    the_plan, target = applying.plan_to_apply(
        session, paths, plan_file=plan_file, message=message, concurrency=concurrency
    )
    click.echo(render_text(the_plan, color=_color()))
    if not the_plan.has_changes:
        return
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
    overwritten without --force: if any target exists, nothing is written.

    \b
    Examples:
        botops import bot_support01 asst_acme01
        botops import --all --dir bots
    """
    from botops.importing import import_live

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
    for file in imported.files:
        click.echo(f"Wrote {file.path}  ({_written(file)})")
    click.echo(
        f"Imported {imported.voicebots} voicebot(s) and {imported.assistants} assistant(s); "
        "`botops plan` should now show no changes for them.",
        err=True,
    )


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
    from botops.generating import generate_bot
    from botops.render.progress import GenerationProgress

    progress = GenerationProgress()
    try:
        made = generate_bot(
            session,
            text,
            out=out,
            timeout=timeout,
            job_id=job_id,
            on_status=progress.on_status,
            while_waiting=progress.spin,
        )
    finally:
        progress.status.clear()
    name, version = made.bot.get("name"), made.bot.get("version")
    click.echo(f"Created {made.bot_id} ({name}, {version}); wrote {made.path}", err=True)
    click.echo(made.bot_id)


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
    from botops import conversations as conv
    from botops.render.conversation import render_page

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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a transcript to read; json: the API's object.",
)
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

    from botops.render.conversation import render_transcript

    found = session.run(lambda client: client.get_conversation(conversation_id))
    if output_format == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
    click.echo(render_transcript(found, width=min(width, 120), color=_color()))


@conversations.command("export")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@bot_option
@fields_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "csv"]),
    help="Default: csv for a .csv --out, else jsonl.",
)
@api_options
def conversations_export(
    session: Session, out: Path, bot_id: str | None, fields: str | None, output_format: str | None
) -> None:
    """Write every conversation to a file, page after page, in constant memory.

    Several pages are read at once and written in order. The file appears only when complete:
    on an error or Ctrl-C nothing is left behind and an existing file is untouched.

    \b
    Examples:
        botops conversations export --out calls.jsonl --fields transcript,insights
        botops conversations export --out support.csv --bot bot_support01 --fields insights
    """
    from botops import conversations as conv
    from botops.render.progress import ExportProgress

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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown", "html"]),
    default="table",
    show_default=True,
    help="html writes a self-contained page (default --out report.html).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@api_options
def analytics(session: Session, bot_id: str | None, output_format: str, out: Path | None) -> None:
    """Summarize conversations: outcomes, sentiment, intents and duration, overall and per bot.

    Reads every conversation with its insights. --format json prints {total,
    avg_duration_seconds, resolution_rate, by_outcome, by_sentiment, by_intent, bots:
    {<bot_id>: the same but bots}}; html writes one page with inline charts that loads
    nothing from the network (to report.html unless --out says otherwise).

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
    """
    from botops import analytics as stats
    from botops.files import write_atomically
    from botops.render import analytics as report_render
    from botops.render.progress import StatusLine

    status = StatusLine()
    try:
        report = session.run(
            lambda client: stats.build_report(
                client,
                bot_id=bot_id,
                names=output_format != "json",
                on_progress=status.counting("Reading conversations"),
            )
        )
    finally:
        status.clear()
    source = f"{session.target.account_id} at {session.target.base_url}"  # named in html only
    text = report_render.render(report, output_format, source=source)
    out = out or (Path("report.html") if output_format == "html" else None)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomically(out, text)
    click.echo(f"Report written to {out}", err=True)


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
