"""`botops test`: conversation tests of the files' assistants against a model endpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from botops.cli.base import cli, config_option, env_option, format_option, paths_argument


@cli.command("test")
@paths_argument
@env_option
@click.option(
    "--name",
    "names",
    multiple=True,
    help="Only tests whose name contains TEXT (case-insensitive; repeatable).",
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Only the tests of assistants this saved plan changes.",
)
@click.option(
    "--repeat",
    type=click.IntRange(1, 100),
    help="Runs of every test (pass_at scales with it).",
)
@click.option("--no-cache", is_flag=True, help="Ask the endpoint again; don't use .botops/cache/.")
@format_option(
    ["text", "json", "junit", "markdown"],
    "junit for test reporters and GitLab; markdown for a pull-request comment.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here (the text report still goes to stdout).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON results here (for `botops comment --tests`).",
)
@click.option(
    "--junit",
    "junit_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a JUnit XML report here (GitLab's reports:junit, test reporters).",
)
@config_option
def test_command(
    paths: tuple[Path, ...],
    environment: str | None,
    names: tuple[str, ...],
    plan_file: Path | None,
    repeat: int | None,
    no_cache: bool,
    output_format: str,
    out: Path | None,
    json_out: Path | None,
    junit_out: Path | None,
    config_path: Path | None,
) -> None:
    """Run conversation tests against the assistants as the files declare them.

    Tests (`kind: Test` under tests.paths) run before anything is applied.
    Each test sends the assistant's effective instruction (fragments and the environment's
    overrides resolved; then the agent's instruction when `agent:` names one) and its
    llm_config to an OpenAI-compatible endpoint (tests.endpoint in botops.yaml, or
    BOTOPS_LLM_ENDPOINT; key in BOTOPS_LLM_API_KEY, per environment
    BOTOPS_LLM_API_KEY_<ENV> first), plays the scripted `turns` or a simulated caller, and
    checks every reply: the test's checks, and always that it reads as speech (no Markdown,
    no links, no emoji). Replies are cached in .botops/cache/: a re-run of unchanged tests
    sends nothing. PATHs replace tests.paths (default tests/). This tests prompts, model
    settings and the conversation they produce, as text; not Exotel's telephony, speech
    recognition, voices or its routing between agents. Exit 0 when every test passes, 1 when
    any fails or errs.

    \b
    Examples:
        botops test
        botops test tests/refunds.yaml --name refund
        botops test --env prod --repeat 3
        botops test --plan plan.json --format junit --out botops-tests.xml
        botops test --plan plan.json --json tests.json --junit tests.xml
    """
    from botops.render.tests import render_json, render_junit, render_markdown, render_text
    from botops.support.files import check_writable, write_atomically
    from botops.usecases.test import run_tests, runs_of, select_tests

    for path in (out, json_out, junit_out):
        if path is not None:
            check_writable(path)
    selection = select_tests(
        paths, config_path=config_path, environment=environment, names=names, plan_file=plan_file
    )
    if selection.by_plan is not None:
        changed = len(selection.changed)
        click.echo(
            f"The plan changes {changed} {'assistant' if changed == 1 else 'assistants'}: "
            f"{selection.by_plan} of {selection.declared} tests cover them.",
            err=True,
        )
    debug = bool(click.get_current_context().find_root().params.get("debug"))

    def started(endpoint: object) -> None:
        runs = runs_of(selection, repeat)
        host = getattr(endpoint, "host", "")
        count = len(selection.tests)
        click.echo(
            f"Running {count} {'test' if count == 1 else 'tests'} ({runs} "
            f"{'run' if runs == 1 else 'runs'}) against {host}, "
            f"{selection.project.tests.concurrency} model calls at a time.",
            err=True,
        )

    outcome = run_tests(
        selection,
        repeat=repeat,
        use_cache=not no_cache,
        trace=(lambda line: click.echo(f"debug: {line}", err=True)) if debug else None,
        on_start=started,
    )
    data = outcome.data
    renderers = {
        "text": render_text,
        "json": render_json,
        "junit": render_junit,
        "markdown": render_markdown,
    }
    rendered = renderers[output_format](data)
    for path, text in ((out, rendered), (json_out, None), (junit_out, None)):
        if path is None:
            continue
        if text is None:
            text = render_json(data) if path is json_out else render_junit(data)
        write_atomically(path, text)
        click.echo(f"Wrote {path}.", err=True)
    click.echo(rendered if out is None else render_text(data), nl=False)
    if not outcome.report.ok:
        sys.exit(1)
