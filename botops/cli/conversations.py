"""`botops conversations list|get|export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from botops.usecases.session import Session


from botops.cli.base import (
    api_options,
    bot_option,
    cli,
    color,
    fields_option,
    format_option,
)


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
    --limit of them are found or none are left. csv columns: conversation_id, bot_id,
    start_time, from, to, duration_seconds, recording_url (and sentiment, intent, outcome with
    insights; transcript, a line per turn, with transcript).

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
    insights, transcripts = ("insights" in (wanted or []), "transcript" in (wanted or []))
    rendered = render_page(
        page, output_format=output_format, insights=insights, transcripts=transcripts
    )
    click.echo(rendered, nl=False)


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
    import shutil

    from botops.render.conversations import render_transcript

    found = session.run(lambda client: client.get_conversation(conversation_id))
    if output_format == "json":
        from botops.support.text import json_text

        click.echo(json_text(found, indent=2))
        return
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
    click.echo(render_transcript(found, width=min(width, 120), color=color()))


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
    from botops.analytics import export
    from botops.cli.progress import ExportProgress

    wanted, chosen = conv.parse_fields(fields), export.export_format(out, output_format)
    progress = ExportProgress(bot_id)
    try:
        count = session.run(
            lambda client: export.export(
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
