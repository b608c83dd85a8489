"""`botops generate`: a bot generated from a description."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from botops.usecases.session import Session


from botops.cli.base import (
    api_options,
    cli,
)


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
