"""What every command shares: the `botops` group, the one place errors become exit codes
(`BotopsGroup`: a `BotopsError` or a usage error is one line and exit 1; `--debug` shows the
traceback instead), the options bundled once, and `main` with its signal handling."""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from botops import __version__
from botops.errors import BotopsError
from botops.support.text import printable

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
                # Error lines quote servers, forges and files: shown through the one escaping.
                line = printable(line)
                click.echo(f"Error: {line}" if not _is_file_problem(line) else line, err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            _signals.stopped()


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
        from botops.project.settings import load_project
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


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.group(cls=BotopsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and HTTP traces (secrets redacted).")
@click.version_option(__version__, prog_name="botops")
def cli(debug: bool) -> None:
    """Bot-config-as-code for the Exotel Voicebot API.

    Keep voicebots and assistants as YAML in git; `botops plan` shows what would change,
    `botops apply` submits only the changed fields as new versions.
    """


# The cyclic collector's default pace (a pass every 700 new objects) suits a long-lived program
# that makes garbage; a command keeps nearly all it builds (files, answers, the plan) to its end,
# so those passes only walk live objects again: 225 passes, 64-111 ms of a 1,000-bot plan's CPU
# (measured with gc.callbacks), against 5 passes and 23-27 ms at this threshold, with the same
# peak memory. None walks what start-up imported.
GC_THRESHOLD = 20_000


def main(argv: list[str] | None = None) -> None:
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    signal.signal(signal.SIGTERM, _signals.terminate)
    sys.unraisablehook = _signals.unraisable(sys.unraisablehook)
    _signals.installed = True
    try:
        cli(args=hoist_debug(sys.argv[1:] if argv is None else argv), prog_name="botops")
    except KeyboardInterrupt:
        # One that came outside a command (while starting, or while exiting).
        _signals.stopped()


class _Signals:
    """SIGTERM (a cancelled CI job, `kill`) is handled as Ctrl-C is, wherever the run is: a
    file being written is removed, apply lets its writes in flight finish and reports; only
    the last words and the exit status (143) say it was SIGTERM.

    An interrupt is raised only where it can stop the command: inside asyncio, the loop's own
    handling of SIGINT (which cancels the running task, or tells apply to start nothing new)
    does it; in plain code the handler raises it. One that lands in a finalizer or a weakref
    callback, where Python would print "Exception ignored" and carry on, is not printed but
    delivered again (`unraisable`). Once the command has said how it ended, further signals
    are ignored: nothing can print a traceback on the way out."""

    terminated = False
    redelivering = False
    done = False
    installed = False  # by `main`: not when click's test runner calls the group in-process

    def terminate(self, signum: int, frame: Any) -> None:
        if self.done or (self.terminated and not self.redelivering):
            return
        self.terminated = True
        self.redelivering = False
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and handler is not signal.default_int_handler:
            # asyncio's SIGINT handling (asyncio.run's, or apply's): it stops the run at a
            # point of its choosing, raising nothing here.
            signal.raise_signal(signal.SIGINT)
            return
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Plain code: be the Ctrl-C here.
            raise KeyboardInterrupt from None
        # SIGINT ignored (a job a shell started in the background) inside asyncio: from the
        # loop itself, as raised within a task it would be reported as that task's failure.
        loop.call_soon_threadsafe(_interrupt)

    def unraisable(self, hook: Callable[[Any], None]) -> Callable[[Any], None]:
        def guarded(info: Any) -> None:
            if isinstance(info.exc_value, KeyboardInterrupt):
                if not self.done:
                    self._redeliver()
                return
            hook(info)

        return guarded

    def _redeliver(self) -> None:
        """The interrupt again, from another thread: it reaches the main thread once the
        finalizer that swallowed it has returned."""
        import threading

        if self.terminated:
            self.redelivering, which = True, signal.SIGTERM
        elif signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            which = signal.SIGINT
        else:
            return
        main = threading.main_thread().ident
        if main is not None:
            threading.Thread(target=signal.pthread_kill, args=(main, which), daemon=True).start()

    def stopped(self) -> None:
        """The command was interrupted: one line, the exit status, and no more signals."""
        self.done = True
        if self.installed:
            for which in (signal.SIGINT, signal.SIGTERM):
                signal.signal(which, signal.SIG_IGN)
        if self.terminated:
            click.echo("Terminated.", err=True)
            sys.exit(128 + signal.SIGTERM)
        click.echo("Interrupted.", err=True)
        sys.exit(130)


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
