"""`botops validate`: resource files checked offline, every problem at once."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from botops.cli.base import (
    cli,
    config_option,
    env_option,
    format_option,
    paths_argument,
)


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
