"""The little botops asks of git: which work tree a directory is in, and its commit."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def _git(
    directory: Path, *arguments: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str] | None:
    """`git ARGUMENTS` run in `directory` (`stdin` its input); None without git or when it can't
    run. GIT_DIR and GIT_WORK_TREE are ignored: inside a git hook they name the hook's
    repository, whatever `directory` is in."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    try:
        return subprocess.run(
            ["git", *arguments],
            cwd=directory,
            env=environment,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def rev_parse(directory: Path, *arguments: str) -> str | None:
    """`git rev-parse ARGUMENTS` run in `directory`; None without git, outside a repository,
    or on any failure."""
    done = _git(directory, "rev-parse", *arguments)
    output = done.stdout.strip() if done is not None else ""
    return output if done is not None and done.returncode == 0 and output else None


class WorkTrees:
    """The top of the git work tree each directory is in, asking git once per repository
    rather than once per directory (a pre-commit hook names files of many directories).

    git finds a repository by walking up from the directory to the first valid `.git` (a
    directory, or a file naming one, as in a linked work tree or a submodule). The walk is done
    here first, with one `lstat` per level: directories whose first `.git` is the same one get
    the same answer from git, so git is asked once for it (`rev-parse --show-toplevel`, its
    answer, a failure included, kept for the others). Where the answer could differ, git is
    asked for the directory itself: a path through a `.git` directory, a walk that crosses a
    file-system boundary (git stops there), a directory holding a `HEAD` (perhaps a repository
    itself), and GIT_CEILING_DIRECTORIES set. With no `.git`
    anywhere up the walk, git would find no work tree, and is not asked. GIT_DIR and
    GIT_WORK_TREE are ignored, as everywhere here."""

    def __init__(self) -> None:
        self._asked: dict[Path, str | None] = {}

    def top(self, directory: Path) -> Path | None:
        """The work tree's top (links resolved, as git gives it), None outside one."""
        real = Path(os.path.realpath(directory))
        found = _first_dot_git(real)
        if found is None:
            return None
        if found is _UNSURE:
            top = rev_parse(directory, "--show-toplevel")
        else:
            if found not in self._asked:
                self._asked[found] = rev_parse(directory, "--show-toplevel")
            top = self._asked[found]
        return Path(top) if top else None


_UNSURE = Path("?")


def _first_dot_git(real: Path) -> Path | None:
    """The nearest directory at or above `real` holding a `.git` entry; None when none does;
    `_UNSURE` when git's own walk might end elsewhere (see `WorkTrees`)."""
    if ".git" in real.parts or os.environ.get("GIT_CEILING_DIRECTORIES"):
        return _UNSURE
    try:
        device = os.stat(real).st_dev
        for candidate in (real, *real.parents):
            if os.stat(candidate).st_dev != device:
                return _UNSURE
            if os.path.lexists(os.path.join(candidate, ".git")):
                return candidate
            if os.path.lexists(os.path.join(candidate, "HEAD")):
                return _UNSURE  # maybe a bare repository, or a .git directory by another name
    except OSError:
        return _UNSURE
    return None


# A stamp for files that differ from their commit: what was planned was never committed.
DIRTY = "+dirty"
# GitHub's event payload is read for one field; a larger file is not an event of a pull request.
MAX_EVENT_BYTES = 8 * 1024 * 1024
_PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def head_commit(
    directory: Path, environ: Mapping[str, str] | None = None, *, read: Iterable[Path] = ()
) -> str | None:
    """The full hash of the commit being worked on, None without one (or for anything not hex).

    - A GitHub pull request: its head (`pull_request.head.sha` of the event payload), not
      `GITHUB_SHA`, which there is a temporary merge commit that never lands on main.
    - A GitLab merged-results pipeline: `CI_MERGE_REQUEST_SOURCE_BRANCH_SHA`, the MR's head.
    - Elsewhere in CI, the commit CI names (`GITHUB_SHA` after a push, `CI_COMMIT_SHA`).
    - Outside CI, the work tree's HEAD, with `+dirty` when tracked files under `directory`
      differ from it, or a folder a file of `read` is in holds an untracked file (a new
      resource file): the stamp must not name a commit that lacks the change. Untracked files
      elsewhere (a plan file, a report) are no change to what is planned.
    """
    env = os.environ if environ is None else environ
    sha = (
        _pull_request_head(env)
        or env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "").strip()
        or env.get("GITHUB_SHA", "").strip()
        or env.get("CI_COMMIT_SHA", "").strip()
    )
    if sha:
        return sha if _is_hex(sha) else None
    sha = rev_parse(directory, "HEAD") or ""
    if not _is_hex(sha):
        return None
    return sha + DIRTY if _dirty(directory, read) else sha


def short(commit: str) -> str:
    """The 7-character form a version description and a plan show, keeping `+dirty`."""
    return commit[:7] + (DIRTY if commit.endswith(DIRTY) else "")


def _is_hex(sha: str) -> bool:
    return bool(sha) and all(c in "0123456789abcdefABCDEF" for c in sha)


def _pull_request_head(env: Mapping[str, str]) -> str | None:
    """`pull_request.head.sha` of the event file; None for an event file of any other shape."""
    if env.get("GITHUB_EVENT_NAME") not in _PULL_REQUEST_EVENTS or not env.get("GITHUB_EVENT_PATH"):
        return None
    event, _ = github_event(env["GITHUB_EVENT_PATH"])
    pull = event.get("pull_request") if event is not None else None
    head = pull.get("head") if isinstance(pull, dict) else None
    sha = head.get("sha") if isinstance(head, dict) else None
    return sha if isinstance(sha, str) and len(sha) == 40 and _is_hex(sha) else None


def github_event(path: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object of a GitHub event file, else None and why (one short clause): not a
    regular file (a FIFO would hold the read forever), unreadable, larger than
    MAX_EVENT_BYTES, not JSON, or not an object. Anyone who can write the file decides its
    shape, so nothing in it is trusted beyond this."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as error:
        return None, f"can't open it ({type(error).__name__})"
    try:
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None, "it is not a regular file"
            data = file.read(MAX_EVENT_BYTES + 1)
    except (OSError, ValueError) as error:
        return None, f"can't read it ({type(error).__name__})"
    if len(data) > MAX_EVENT_BYTES:
        return None, f"it is larger than {MAX_EVENT_BYTES // (1024 * 1024)} MB"
    try:
        event = json.loads(data)
    except (ValueError, RecursionError):
        return None, "it is not JSON"
    if not isinstance(event, dict):
        return None, "it is not a JSON object"
    return event, None


def _dirty(directory: Path, read: Iterable[Path]) -> bool:
    folders = sorted({str(path.absolute().parent) for path in read})
    for args in (
        ("--untracked-files=no", "--", "."),
        *((("--untracked-files=all", "--", *folders),) if folders else ()),
    ):
        done = _git(directory, "status", "--porcelain", *args)
        if done is not None and done.returncode == 0 and done.stdout.strip():
            return True
    return False


def ignored_by_git(path: Path) -> bool:
    """Whether git ignores `path` in the work tree it is in (False outside one, or without
    git)."""
    return path.name in ignored_names(path.parent, [path.name])


def ignored_names(directory: Path, names: list[str]) -> set[str]:
    """Which of `names` (files in `directory`) git ignores in the work tree `directory` is in:
    one `git check-ignore` for them all (none outside a work tree, or without git)."""
    if not names:
        return set()
    done = _git(directory, "check-ignore", "-z", "--stdin", stdin="\0".join(names) + "\0")
    # 0: some are ignored (listed), 1: none is, 128: not a work tree, git failed.
    if done is None or done.returncode != 0:
        return set()
    return set(done.stdout.split("\0")) & set(names)
