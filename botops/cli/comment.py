"""`botops comment`: the plan as one sticky pull-request comment."""

from __future__ import annotations

from pathlib import Path

import click

from botops.cli.base import (
    cli,
    env_option,
)


@cli.command()
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pr", type=click.IntRange(min=1), help="Pull/merge request number (default: CI's).")
@click.option("--always", is_flag=True, help="Comment even when the plan has no changes.")
@click.option(
    "--tests",
    "tests_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Put these conversation test results (botops test --format json) under the plan.",
)
@env_option
def comment(
    plan_file: Path, pr: int | None, always: bool, tests_file: Path | None, environment: str | None
) -> None:
    """Post a saved plan as the one sticky comment of its target on the pull request.

    The comment on the GitHub pull request or GitLab merge request this CI job runs for is
    found by its hidden marker and edited in place on every push: one per target.
    GitHub: GITHUB_TOKEN, GITHUB_REPOSITORY, the PR from GITHUB_EVENT_PATH. GitLab:
    BOTOPS_GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID. A plan with no
    changes edits an existing comment to say so and creates none unless --always (or tests
    failed). --tests puts the results of `botops test --format json` under the plan, in the
    same comment.

    \b
    Examples:
        botops comment plan.json
        botops comment plan.json --pr 42 --always
        botops comment plan.json --env prod
        botops comment plan.json --tests botops-tests.json
    """
    from botops.sync.planfile import read_plan
    from botops.usecases.comment import comment_on_pull_request

    saved = read_plan(plan_file)
    tests = None
    if tests_file is not None:
        from botops.behaviour.results import read_results

        tests = read_results(tests_file)
    debug = bool(click.get_current_context().find_root().params.get("debug"))
    result = comment_on_pull_request(
        saved,
        pr=pr,
        always=always,
        environment=environment,
        trace=(lambda line: click.echo(f"debug: {line}", err=True)) if debug else None,
        tests=tests,
    )
    click.echo(result.line)
