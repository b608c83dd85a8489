"""Comparing versions of botops side by side: `--source DIR` (repeatable) names checkouts
(e.g. a `git worktree` of an older commit) whose `botops` package a benchmark runs instead of
this one, taking turns with it, so that a change of load hits every version alike."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="Also run the botops of this checkout (repeatable), taking turns with this one.",
    )


def sources(chosen: list[Path]) -> list[tuple[str, Path | None]]:
    """(label, checkout) for this checkout (None) and each chosen one."""
    return [("this checkout", None)] + [(str(path), path.resolve()) for path in chosen]


def environment_for(source: Path | None, env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (default os.environ) with the checkout's botops first on the import path."""
    result = dict(os.environ if env is None else env)
    if source is not None:
        result["PYTHONPATH"] = os.pathsep.join(
            [str(source), *filter(None, [result.get("PYTHONPATH")])]
        )
    return result


def neutral_directory() -> str:
    """A working directory holding no `botops` package: `python -m` puts the working
    directory first on the import path, ahead of PYTHONPATH."""
    return "/"
