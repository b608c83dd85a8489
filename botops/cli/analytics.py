"""`botops analytics` and `botops history`: how bots and their versions do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from botops.usecases.analytics import Reports
    from botops.usecases.session import Session


from botops.cli.base import (
    api_options,
    bot_option,
    cli,
    format_option,
)


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
        found = reports.analytics(
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
    text = _rendered(found, output_format)
    out = out or (Path("report.html") if output_format == "html" else None)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomically(out, text)
    click.echo(f"Report written to {out}", err=True)


def _rendered(found: Reports, output_format: str) -> str:
    from botops.render import analytics as plain_render
    from botops.render import outcomes as version_render

    if found.by_version is None:
        assert found.plain is not None
        return plain_render.render(found.plain, output_format, source=found.source)
    if output_format == "html":
        assert found.plain is not None
        sections = version_render.html_sections(found.by_version)
        return plain_render.render_html(found.plain, source=found.source, sections=sections)
    if output_format == "json":
        return version_render.render_json(found.by_version)
    if output_format == "markdown":
        return version_render.render_markdown(found.by_version)
    return version_render.render_table(found.by_version)


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
