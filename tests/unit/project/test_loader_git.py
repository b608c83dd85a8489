"""The loader asks git little: one `check-ignore` per folder of instruction files (not one per
file), and its answers still decide, per file, which instruction file is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from botops.errors import ConfigError
from botops.project import loader
from botops.project.loader import load_resources
from tests.support import write_file


def _assistant(number: int, prompt: str) -> str:
    return f"kind: Assistant\nassistant_id: asst_{number}\ninstruction_file: {prompt}\n"


def test_instruction_files_are_asked_of_git_once_per_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write_file(tmp_path / ".gitignore", "*.local.md\n")
    for number in range(6):
        write_file(tmp_path / "prompts" / f"p{number}.md", f"Prompt {number}.\n")
        write_file(tmp_path / "other" / f"p{number}.md", f"Other {number}.\n")
        prompt = f"../prompts/p{number}.md" if number % 2 else f"../other/p{number}.md"
        write_file(tmp_path / "bots" / f"a{number}.yaml", _assistant(number, prompt))
    write_file(tmp_path / "prompts" / "x.local.md", "Kept out.\n")
    write_file(tmp_path / "bots" / "ignored.yaml", _assistant(9, "../prompts/x.local.md"))
    asked: list[tuple[Path, list[str]]] = []
    real = loader.ignored_names

    def counting(directory: Path, names: list[str]) -> set[str]:
        asked.append((directory, sorted(names)))
        return real(directory, names)

    monkeypatch.setattr(loader, "ignored_names", counting)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_resources([Path("bots")], root=tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "bots/ignored.yaml:3:19: instruction_file '../prompts/x.local.md' is ignored by git; "
        "botops reads no instruction file git keeps out of the repository"
    ]
    assert sorted(asked) == [
        (tmp_path / "other", ["p0.md", "p2.md", "p4.md"]),
        (tmp_path / "prompts", ["p1.md", "p3.md", "p5.md", "x.local.md"]),
    ]
    (tmp_path / "bots" / "ignored.yaml").unlink()
    asked.clear()
    resources = load_resources([Path("bots")], root=tmp_path)
    assert [r.desired["instruction"] for r in resources] == [
        "Other 0.",
        "Prompt 1.",
        "Other 2.",
        "Prompt 3.",
        "Other 4.",
        "Prompt 5.",
    ]
    assert len(asked) == 2


def test_files_outside_the_root_or_hidden_are_never_asked_of_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs with a folder's own config: never in a folder the root doesn't hold."""
    project = tmp_path / "project"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    write_file(tmp_path / "outside" / "p.md", "Outside.\n")
    write_file(project / ".hidden" / "p.md", "Hidden.\n")
    write_file(project / "bots" / "a.yaml", _assistant(1, "../../outside/p.md"))
    write_file(project / "bots" / "b.yaml", _assistant(2, "../.hidden/p.md"))
    asked: list[Path] = []
    monkeypatch.setattr(loader, "ignored_names", lambda d, names: asked.append(d) or set())
    monkeypatch.chdir(project)
    with pytest.raises(ConfigError) as caught:
        load_resources([Path("bots")], root=project)
    assert len(caught.value.problems) == 2
    assert asked == []
