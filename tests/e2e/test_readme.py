"""The README's command lines, run exactly as printed.

Every shell block of README.md (a ```sh block, or a plain one that starts with `botops `) says
right above it whether it is run here: `<!-- tested -->`, optionally `, skipping: "PREFIX"
(why); ...` for lines that need the network or an Exotel account, or `<!-- not tested: why -->`.
A tested block runs verbatim (its skipped lines left out) under `bash -euo pipefail` in a copy
of this repository, with `botops` on PATH from this environment and the emulator as the target,
as `make demo` points botops at it: when a README command line stops working, this fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, Emulator

MARKED = re.compile(
    r"<!-- (?:not tested: (?P<why>.+?)|tested(?P<how>[^>]*?)) -->\n"
    r"```(?P<language>\w*)\n(?P<body>.*?)```",
    re.DOTALL,
)
FENCE = re.compile(r"^```(?P<language>\w*)\n(?P<body>.*?)^```", re.DOTALL | re.MULTILINE)
SKIP = re.compile(r'"(?P<prefix>[^"]+)" \((?P<why>[^)]+)\)')


@dataclass(frozen=True)
class Block:
    first_line: str
    body: str
    skipped: tuple[str, ...]  # line prefixes left out, each with its reason in the README

    def script(self) -> str:
        return "".join(
            line
            for line in self.body.splitlines(keepends=True)
            if not line.startswith(self.skipped)
        )


def _is_shell(language: str, body: str) -> bool:
    return language in ("sh", "bash") or (language == "" and body.startswith("botops "))


def readme_blocks() -> tuple[list[Block], int]:
    """The tested blocks, and how many shell blocks there are in all."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shells = sum(_is_shell(m["language"], m["body"]) for m in FENCE.finditer(text))
    tested = []
    for match in MARKED.finditer(text):
        if match["why"] is None:
            skipped = tuple(s["prefix"] for s in SKIP.finditer(match["how"]))
            tested.append(Block(match["body"].splitlines()[0], match["body"], skipped))
    return tested, shells


def test_every_shell_block_says_whether_it_is_run() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    marked = {m.start("language") for m in MARKED.finditer(text)}
    unmarked = [
        m["body"].splitlines()[0]
        for m in FENCE.finditer(text)
        if _is_shell(m["language"], m["body"]) and m.start("language") not in marked
    ]
    assert unmarked == [], "README shell blocks without a <!-- tested --> marker"
    tested, _ = readme_blocks()
    for block in tested:
        lines = block.body.splitlines()
        for prefix in block.skipped:  # a marker that no longer skips anything is stale
            assert any(line.startswith(prefix) for line in lines), (prefix, block.first_line)
        assert block.script().strip(), block.first_line  # something of it runs


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """This repository's files (tracked, and new ones not ignored) in a fresh directory, with
    `.venv` standing for this environment's: `make demo` finds it installed and installs
    nothing."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    copy = tmp_path / "botops"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    venv = Path(sys.prefix)
    (copy / ".venv").mkdir()
    for entry in venv.iterdir():
        if not entry.name.startswith("."):
            (copy / ".venv" / entry.name).symlink_to(entry)
    (copy / ".venv/.demo-installed").touch()
    os.utime(copy / "pyproject.toml", (0, 0))  # older than the stamp: nothing to install
    return copy


def _run(script: str, cwd: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    environment.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        BOTOPS_BASE_URL=emulator.url,
        BOTOPS_ACCOUNT_ID="Exotel",
        NO_COLOR="1",
    )
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_readme_command_lines_run_as_printed(checkout: Path, emulator_factory: Any) -> None:
    tested, shells = readme_blocks()
    # The quick start and "Using it on your account" first, then the recipes.
    assert [block.first_line.split()[:2] for block in tested][:2] == [
        ["make", "demo"],
        ["pip", "install"],
    ]
    assert len(tested) >= 4 and shells > len(tested)
    demo: Emulator = emulator_factory("--demo")
    # "Using it on your account" comes after the quick start, whose demo applied the examples:
    # so here, against an emulator that starts one version behind them.
    prepared = _run("botops apply --auto-approve >/dev/null", checkout, demo)
    assert prepared.returncode == 0, prepared.stderr
    for block in tested:
        done = _run(block.script(), checkout, demo)
        assert done.returncode == 0, f"{block.first_line}\n{done.stdout}\n{done.stderr}"
        if block.first_line == "make demo":
            assert "Done: the emulator is stopped." in done.stdout
    # What the recipes made: one history a line, and the Parquet directory.
    versions = (checkout / "versions.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in versions] == ["bot_support01", "bot_payrem01"]
    assert list((checkout / "calls").glob("day=*/*.parquet"))
