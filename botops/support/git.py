"""The little botops asks of git: which work tree a directory is in, and its commit."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def rev_parse(directory: Path, *arguments: str) -> str | None:
    """`git rev-parse ARGUMENTS` run in `directory`; None without git, outside a repository,
    or on any failure. GIT_DIR and GIT_WORK_TREE are ignored: inside a git hook they name the
    hook's repository, whatever `directory` is in."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    try:
        done = subprocess.run(
            ["git", "rev-parse", *arguments],
            cwd=directory,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    output = done.stdout.strip()
    return output if done.returncode == 0 and output else None


def head_commit(directory: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The full hash of the commit being worked on: what CI says (`GITHUB_SHA`,
    `CI_COMMIT_SHA`), else the work tree's HEAD; None without one (or for anything not hex)."""
    env = os.environ if environ is None else environ
    sha = (env.get("GITHUB_SHA") or env.get("CI_COMMIT_SHA") or "").strip()
    if not sha:
        sha = rev_parse(directory, "HEAD") or ""
    return sha if sha and all(c in "0123456789abcdefABCDEF" for c in sha) else None


def ignored_by_git(path: Path) -> bool:
    """Whether git ignores `path` in the work tree it is in (False outside one, or without
    git)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    try:
        done = subprocess.run(
            ["git", "check-ignore", "-q", "--", path.name],
            cwd=path.parent,
            env=environment,
            capture_output=True,
            check=False,
            timeout=10,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
