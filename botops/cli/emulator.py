"""`botops emulator`: the local server of the whole API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from botops.cli.base import (
    cli,
)
from botops.errors import BotopsError


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
@click.option(
    "--demo", is_flag=True, help="Load the data that matches examples/ (and serve its account)."
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    help="Serve only this account id (repeatable); others answer 404. Default: every id.",
)
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
    "--dialect",
    type=click.Choice(["reference", "exotel"]),
    default="reference",
    show_default=True,
    help="Serve assistants as the reference has them, or as Exotel's service does "
    "(under /voicebot/api/v2, nested reads, `data` writes, enveloped, no list totals).",
)
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
@click.option(
    "--request-log-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Keep the newest N requests in GET /_emulator/requests.",
)
@click.option(
    "--llm-script",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also serve POST /v1/chat/completions, answered from this YAML script's rules.",
)
def emulator(**options: Any) -> None:
    """Run a local Voicebot API server (needs the `emulator` extra).

    With --llm-script it also stands in for an OpenAI-compatible model endpoint, so that
    `botops test` runs offline (BOTOPS_LLM_ENDPOINT=http://127.0.0.1:PORT/v1).

    \b
    Examples:
        botops emulator --port 0 --demo
        botops emulator --port 8080 --demo --llm-script examples/llm-script.yaml
    """
    try:
        from botops.emulator.server import serve
    except ImportError as error:
        raise BotopsError(
            "the emulator needs its extra: pip install 'botops-cli[emulator]' "
            f"({error.name} missing)"
        ) from error
    serve(**options)


# import, generate, conversations, analytics: bringing bots in, and seeing how they do.
