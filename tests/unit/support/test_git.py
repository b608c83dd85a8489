"""support/git: which work tree a directory is in (git asked once per repository), and which
files git ignores (asked for many at once). Real git repositories in tmp_path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from botops.support import git
from botops.support.git import WorkTrees, ignored_by_git, ignored_names, rev_parse


def _init(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(directory)], check=True)
    return directory


def _count_git(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    real = git.rev_parse

    def counting(directory: Path, *arguments: str) -> str | None:
        calls.append((str(directory), *arguments))
        return real(directory, *arguments)

    monkeypatch.setattr(git, "rev_parse", counting)
    return calls


def test_directories_of_one_repository_ask_git_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = _init(tmp_path / "repo")
    folders = [repository / "a", repository / "a" / "b", repository / "c"]
    for folder in folders:
        folder.mkdir(parents=True)
    calls = _count_git(monkeypatch)
    trees = WorkTrees()
    tops = [trees.top(folder) for folder in [repository, *folders]]
    assert tops == [repository.resolve()] * 4
    assert len(calls) == 1


def test_the_answer_is_gits_own(tmp_path: Path) -> None:
    """Nested repositories, a linked work tree (`.git` is a file), a folder in no repository,
    and a link into a repository: what `git rev-parse --show-toplevel` says for each."""
    outer = _init(tmp_path / "outer")
    inner = _init(outer / "vendor" / "inner")
    (inner / "deep").mkdir()
    subprocess.run(["git", "-C", str(outer), "commit", "-q", "--allow-empty", "-m", "x"])
    linked = tmp_path / "linked"
    subprocess.run(["git", "-C", str(outer), "worktree", "add", "-q", str(linked)], check=True)
    assert (linked / ".git").is_file()
    (linked / "sub").mkdir()
    alone = tmp_path / "alone"
    alone.mkdir()
    (tmp_path / "link").symlink_to(inner / "deep")
    trees = WorkTrees()
    for folder in [outer, outer / "vendor", inner, inner / "deep", linked / "sub", alone,
                   tmp_path / "link", outer / ".git", outer / ".git" / "refs"]:  # fmt: skip
        said = rev_parse(folder, "--show-toplevel")
        assert trees.top(folder) == (Path(said) if said else None), folder


def test_a_broken_dot_git_is_gits_answer_too(tmp_path: Path) -> None:
    """A `.git` file naming nothing: git fails there, for every folder under it."""
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / ".git").write_text("gitdir: /nowhere\n")
    (tmp_path / "broken" / "a").mkdir()
    trees = WorkTrees()
    assert rev_parse(tmp_path / "broken" / "a", "--show-toplevel") is None
    assert trees.top(tmp_path / "broken") is None
    assert trees.top(tmp_path / "broken" / "a") is None


def test_ceiling_directories_leave_it_to_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = _init(tmp_path / "repo")
    (repository / "a" / "b").mkdir(parents=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repository / "a"))
    calls = _count_git(monkeypatch)
    trees = WorkTrees()
    assert trees.top(repository) == repository.resolve()
    assert trees.top(repository / "a" / "b") is None  # git stops at the ceiling
    assert len(calls) == 2


def test_ignored_names_asks_once_for_many(tmp_path: Path) -> None:
    repository = _init(tmp_path / "repo")
    (repository / ".gitignore").write_text("*.secret\nbuild/\nodd name*\n")
    names = ["a.md", "b.secret", "odd name\nwith a newline", "-dash.md", "c.secret"]
    assert ignored_names(repository, names) == {"b.secret", "odd name\nwith a newline", "c.secret"}
    assert ignored_names(repository, ["a.md"]) == set()
    assert ignored_names(repository, []) == set()
    (repository / "build").mkdir()
    assert ignored_by_git(repository / "build" / "x.md")
    assert not ignored_by_git(repository / "x.md")
    assert ignored_names(tmp_path, ["b.secret"]) == set()  # no work tree
    assert ignored_names(tmp_path / "missing", ["b.secret"]) == set()
