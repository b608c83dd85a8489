"""The `botops` command line: parse, call the library, render, choose the exit code.

Only this module imports click. Every `BotopsError` becomes one line on stderr and exit 1, in one
place (`BotopsGroup.invoke`); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from botops import __version__
from botops.errors import BotopsError
from botops.model import Project
from botops.project import Target, load_project, resolve_target

P = ParamSpec("P")
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


@dataclass(frozen=True)
class Context:
    """What every command that calls the API gets: the project and the resolved target."""

    project: Project
    target: Target
    debug: bool

    def client(self, *, concurrency: int = 16) -> Any:
        """A `botops.client.Client` for the target, credentials from the environment."""
        from botops.client import Client, Credentials

        return Client(
            base_url=self.target.base_url,
            account_id=self.target.account_id,
            credentials=Credentials.from_env(),
            concurrency=concurrency,
        )


def api_options(command: Callable[..., T]) -> Callable[..., T]:
    """`--base-url`, `--account`, `--config`; the command receives `context: Context`."""

    @click.option("--base-url", envvar=None, help="API base URL (env BOTOPS_BASE_URL).")
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
        project = load_project(config_path)
        target = resolve_target(project, base_url=base_url, account_id=account_id)
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        return command(*args, context=Context(project=project, target=target, debug=debug), **kw)

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
