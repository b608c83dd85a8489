"""The pre-commit hook manifest: the paths pre-commit passes to `botops validate`."""

from __future__ import annotations

from tests.support import ROOT


def test_the_hooks_exclude_keeps_ci_and_editor_yaml_from_botops() -> None:
    import re

    import yaml

    root = ROOT
    (hook,) = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "botops validate"
    # pre-commit matches `files` and `exclude` with re.search on the repository path.
    excluded = re.compile(hook["exclude"])
    for path in (
        ".github/workflows/botops.yml",
        ".github/dependabot.yaml",
        ".gitlab-ci.yml",
        "examples/ci/gitlab/.gitlab-ci.yml",
        ".gitlab/ci/deploy.yml",
        ".pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
        "action.yml",
        "action.yaml",
        ".vscode/settings.yaml",
    ):
        assert excluded.search(path), path
    for path in ("bots/support.yaml", "botops.yaml", "bots/prompts/tone.md", "bots/action-x.yml"):
        assert not excluded.search(path), path
