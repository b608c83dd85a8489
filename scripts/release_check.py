"""`make release-check`: the version, the newest CHANGELOG heading and every pin agree.

Run before tagging vX.Y.Z. The version is `botops.__version__` (pyproject reads it from there);
the CHANGELOG's newest heading must be `## [X.Y.Z] - YYYY-MM-DD` (an `[Unreleased]` heading may
stand above it); every place that tells a team what to install or pin names the same release:
the example workflows, the GitLab template, the README, the pre-commit hook and the action.
Prints one line per disagreement, `file:line: ...`, and exits 1; says so and exits 0 when all
agree. Standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Where a release is named, and how: each pattern's group 1 is the version it names.
PINS: dict[str, list[str]] = {
    "examples/ci/github/*.yml": [r"botops/botops@v([^\s\"']+)"],
    "examples/ci/gitlab/.gitlab-ci.yml": [r"BOTOPS_VERSION:\s*\"([^\"]+)\""],
    "README.md": [
        r"botops-cli==([0-9][^\s'\"`]*)",
        r"rev: v([0-9][^\s`]*)",
        r"botops/botops@v([0-9][^\s`]*)",
        r"BOTOPS_VERSION: \"([^\"]+)\"",
    ],
    ".pre-commit-hooks.yaml": [r"rev: v([^\s]+)"],
    "action.yml": [r"botops/botops@v([^\s`]+)"],
}
HEADING = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$")


def version(root: Path) -> str:
    found = re.search(r'^__version__ = "([^"]+)"$', (root / "botops/__init__.py").read_text(), re.M)
    if found is None:
        raise SystemExit("botops/__init__.py: no __version__ line")
    return found.group(1)


def problems(root: Path) -> list[str]:
    wanted = version(root)
    found: list[str] = []
    changelog = root / "CHANGELOG.md"
    headings = [
        (number, match)
        for number, line in enumerate(changelog.read_text().splitlines(), 1)
        if (match := HEADING.match(line)) and match.group(1) != "Unreleased"
    ]
    if not headings:
        found.append(
            f"CHANGELOG.md: no release heading; name [Unreleased] '## [{wanted}] - YYYY-MM-DD' "
            f"before tagging v{wanted}"
        )
    else:
        number, match = headings[0]
        if match.group(1) != wanted or match.group(2) is None:
            found.append(
                f"CHANGELOG.md:{number}: the newest release heading is {match.group(0)!r}; "
                f"version is {wanted} ('## [{wanted}] - YYYY-MM-DD')"
            )
    for pattern, expressions in PINS.items():
        for path in sorted(root.glob(pattern)):
            lines = path.read_text().splitlines()
            for number, line in enumerate(lines, 1):
                for expression in expressions:
                    for match in re.finditer(expression, line):
                        if match.group(1) != wanted:
                            where = path.relative_to(root)
                            found.append(
                                f"{where}:{number}: pins {match.group(1)!r}, version is {wanted}"
                            )
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = problems(root)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    print(f"release-check: version, CHANGELOG and pins all say {version(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
