"""`botops import`: live bots written out as resource files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from botops.errors import UsageError

if TYPE_CHECKING:
    from botops.sync.layout import ImportedFile
    from botops.usecases.session import Session


from botops.cli.base import (
    api_options,
    cli,
)


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
    from botops.usecases.import_ import import_live, nothing_live

    imported = import_live(
        session,
        ids,
        everything=everything,
        directory=directory,
        force=force,
        warn=lambda m: click.echo(f"Warning: {m}", err=True),
    )
    if not imported.live:
        click.echo(f"Nothing to import: {nothing_live()}.", err=True)
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
    counts = imported.counts
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
