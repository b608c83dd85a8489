"""Validate N small resource files: the loader in-process, and `botops validate` as a process.

Writes N files to a temporary directory (voicebots and assistants mixed, a third of the
assistants with an instruction file and agents), then prints:

- `load_resources` wall time in this process (best and median of --repeat runs, after one
  warm-up that pays the imports and schema compilation), and per file;
- the first, cold call on its own (imports of jsonschema, schema compilation included);
- the whole `botops validate DIR` process, Python start-up included (best and median);
- with `--named`, also `botops validate FILE...` naming the same files one by one (as a
  pre-commit hook does), the two taking turns, and the ratio of their medians.

    .venv/bin/python benchmarks/validate_many.py --files 1000 --repeat 5 --named
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _emulator import compiled_botops

from botops.project.loader import load_resources


def write_files(directory: Path, count: int) -> None:
    """`count` valid files: two voicebots for every assistant; every third assistant reads
    its instruction from a prompt file and has agents."""
    prompts = directory / "prompts"
    prompts.mkdir(parents=True)
    for i in range(count):
        path = directory / f"team-{i % 10}" / f"resource-{i:05d}.yaml"
        path.parent.mkdir(exist_ok=True)
        if i % 3 != 2:
            path.write_text(
                "# yaml-language-server: $schema=../../schemas/voicebot.schema.json\n"
                "kind: Voicebot\n"
                f"bot_id: bot_{i:05d}\n"
                f"name: Bot {i:05d}\n"
                "enable_greeting_interruption: true\n"
                "supported_languages: [en, hi]\n"
                "version_description: Benchmark\n",
                encoding="utf-8",
            )
        elif i % 9 == 8:
            (prompts / f"asst-{i:05d}.md").write_text(
                f"You are assistant {i}.\n\n- Be brief.\n- Be kind.\n", encoding="utf-8"
            )
            path.write_text(
                "kind: Assistant\n"
                f"assistant_id: asst_{i:05d}\n"
                "mark_as_stable: true\n"
                f"instruction_file: ../prompts/asst-{i:05d}.md\n"
                "llm_config: {model: gpt-4o, temperature: 0.3, max_tokens: 1024}\n"
                "agents:\n"
                "  - role: order_handler\n"
                "    instruction: Handle orders.\n"
                "  - role: returns_handler\n"
                f"    instruction_file: ../prompts/asst-{i:05d}.md\n",
                encoding="utf-8",
            )
        else:
            path.write_text(
                "kind: Assistant\n"
                f"assistant_id: asst_{i:05d}\n"
                "instruction: Answer support calls briefly.\n"
                "llm_config:\n  model: gpt-4o\n  top_p: 0.9\n",
                encoding="utf-8",
            )


def time_loader(directory: Path, repeat: int) -> tuple[float, list[float], int]:
    started = time.perf_counter()
    count = len(load_resources([directory], root=directory))
    cold = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        load_resources([directory], root=directory)
        runs.append(time.perf_counter() - started)
    return cold, runs, count


def time_cli(directory: Path, repeat: int, named: bool) -> tuple[list[float], list[float]]:
    """Wall times of `botops validate DIR`, and (with `named`) of the same files named one by
    one; the two kinds of run take turns, so that a change of load hits both alike."""
    validate = [sys.executable, "-m", "botops", "validate"]
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*.yaml"))
    commands = [[*validate, "."]] + ([[*validate, *files]] if named else [])
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for command, times in zip(commands, runs, strict=False):
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, cwd=directory)
            times.append(time.perf_counter() - started)
            if result.returncode != 0:
                raise SystemExit(f"botops validate failed:\n{result.stderr}")
    return runs


def main() -> None:
    compiled_botops()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="How many files (default 1000).")
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs of each (default 5).")
    parser.add_argument(
        "--named", action="store_true", help="Also validate the same files named one by one."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="botops-validate-") as temporary:
        directory = Path(temporary)
        write_files(directory, args.files)
        # A work tree, as a pre-commit hook runs in: instruction files may be read from all of it.
        subprocess.run(["git", "init", "-q", str(directory)], check=True)
        cold, runs, count = time_loader(directory, args.repeat)
        cli, named = time_cli(directory, args.repeat, args.named)
    best, median = min(runs), statistics.median(runs)
    print(f"{args.files} files, {count} resources")
    print(f"load_resources, first call (imports, schema compilation): {cold * 1000:7.1f} ms")
    print(
        f"load_resources, warm:  best {best * 1000:7.1f} ms, median {median * 1000:7.1f} ms "
        f"({median / args.files * 1e6:.0f} µs a file)"
    )
    print(
        f"botops validate (process, Python start-up included): best {min(cli) * 1000:7.1f} ms, "
        f"median {statistics.median(cli) * 1000:7.1f} ms"
    )
    if named:
        ratio = statistics.median(named) / statistics.median(cli)
        print(
            f"botops validate FILE... ({args.files} named):        best {min(named) * 1000:7.1f} "
            f"ms, median {statistics.median(named) * 1000:7.1f} ms = {ratio:.2f}x the directory"
        )


if __name__ == "__main__":
    main()
