"""`make release-check` (scripts/release_check.py): version, CHANGELOG heading and pins agree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from botops import __version__
from tests.support import ROOT

SCRIPT = ROOT / "scripts" / "release_check.py"
PINNED = [
    "botops/__init__.py",
    "CHANGELOG.md",
    "README.md",
    ".pre-commit-hooks.yaml",
    "action.yml",
    "examples/ci/github/botops.yml",
    "examples/ci/github/drift.yml",
    "examples/ci/gitlab/.gitlab-ci.yml",
]


def run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, timeout=60
    )


def released_copy(tmp_path: Path) -> Path:
    for name in PINNED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    changelog = tmp_path / "CHANGELOG.md"
    text = changelog.read_text().replace(
        "## [Unreleased]", f"## [Unreleased]\n\n## [{__version__}] - 2026-12-03", 1
    )
    changelog.write_text(text)
    return tmp_path


def test_the_repository_pins_agree_and_only_the_release_heading_is_left() -> None:
    result = run(ROOT)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"CHANGELOG.md: no release heading; name [Unreleased] '## [{__version__}] - YYYY-MM-DD' "
        f"before tagging v{__version__}"
    ]


def test_a_release_whose_heading_and_pins_agree_passes(tmp_path: Path) -> None:
    result = run(released_copy(tmp_path))
    assert (result.returncode, result.stderr) == (0, "")
    assert f"all say {__version__}" in result.stdout


def test_a_pin_left_behind_is_named_at_its_line(tmp_path: Path) -> None:
    root = released_copy(tmp_path)
    drift = root / "examples/ci/github/drift.yml"
    lines = drift.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "botops/botops@v" in line)
    drift.write_text(
        drift.read_text().replace(f"botops/botops@v{__version__}", "botops/botops@v9.9")
    )
    result = run(root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"examples/ci/github/drift.yml:{number}: pins '9.9', version is {__version__}"
    ]


def test_a_version_bumped_without_its_changelog_heading_fails(tmp_path: Path) -> None:
    root = released_copy(tmp_path)
    init = root / "botops/__init__.py"
    init.write_text(init.read_text().replace(__version__, "9.0.0"))
    result = run(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("CHANGELOG.md:")
    assert "version is 9.0.0" in result.stderr
