"""`botops init` and `botops schema`: scaffolding and editor schemas."""

from __future__ import annotations

from pathlib import Path

import click

from botops.cli.base import (
    cli,
    config_option,
)


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
    from botops.project.settings import load_project

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
    exists is never overwritten: it is kept and listed. Example bots are written only into a
    new project (no botops.yaml, nothing under bots/).

    \b
    Examples:
        botops init
        botops init acme-bots
    """
    from botops.usecases.init import init_project

    done = init_project(directory or Path("."))
    for item in done.files:
        click.echo(f"Wrote {item.path}" if item.written else f"Kept {item.path} (exists)")
    if done.examples_left_out:
        click.echo("No example bots written: this project has its own.", err=True)
    click.echo(
        "Next: set account_id in botops.yaml (or BOTOPS_ACCOUNT_ID) and BOTOPS_TOKEN, then "
        "`botops import --all` to write your live bots into bots/, `botops validate` and "
        "`botops plan`.",
        err=True,
    )
