"""`botops test` against a loopback endpoint that answers in 300 ms (DESIGN §15, issue 16).

200 tests of 3 turns, a judge check on every turn, `concurrency: 8`: the floor is
200 x (3 replies + 3 verdicts) x 0.3 s / 8 = 45 s, and the cold run should take at most
1.10 x that, Python start-up included. Then the same run with the cache warm: under 1 s, zero
requests. Then peak memory (the child's max RSS) of runs of 200 and of 2,000 tests against an
endpoint without latency, which should be flat.

    .venv/bin/python benchmarks/test_run.py [--tests 200] [--latency 0.3] [--concurrency 8]
        [--memory-tests 200 2000] [--skip-speed] [--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _emulator import compiled_botops

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.llm_server import LlmState, serve_llm

TURNS = 3
PER_FILE = 10


def project(directory: Path, tests: int, concurrency: int) -> Path:
    """An assistant with two instruction fragments, and `tests` scripted tests of `TURNS`
    turns with a judge check on each, `PER_FILE` to a file."""
    (directory / "bots" / "prompts").mkdir(parents=True)
    (directory / "tests").mkdir()
    (directory / "botops.yaml").write_text(
        "account_id: Exotel\npaths: [bots]\n"
        f"tests:\n  judge: judge-mini\n  concurrency: {concurrency}\n  timeout: 60\n"
    )
    (directory / "bots/prompts/support.md").write_text("You are Acme's support assistant.\n")
    (directory / "bots/prompts/tone.md").write_text("Speak briefly: this is a phone call.\n")
    (directory / "bots/support.yaml").write_text(
        "kind: Assistant\nassistant_id: asst_support\n"
        "instruction_file: [prompts/support.md, prompts/tone.md]\n"
        "llm_config: {model: gpt-4o, temperature: 0.3, max_tokens: 200}\n"
    )
    for start in range(0, tests, PER_FILE):
        documents = []
        for number in range(start, min(start + PER_FILE, tests)):
            turns = "".join(
                f"  - user: Question {turn} of test {number} about order {number}{turn}\n"
                "    expect:\n"
                "      - contains: order\n"
                "      - max_words: 40\n"
                "      - judge: Answers the question without promising a refund.\n"
                for turn in range(TURNS)
            )
            documents.append(
                f"kind: Test\nname: test {number}\nassistant: assistant/asst_support\n"
                f"turns:\n{turns}"
            )
        (directory / "tests" / f"tests-{start:05d}.yaml").write_text("---\n".join(documents))
    return directory


def run(
    directory: Path, endpoint: str, *args: str
) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTOPS_")}
    env.update(BOTOPS_LLM_ENDPOINT=endpoint, BOTOPS_LLM_API_KEY="sk-benchmark")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "botops", "test", "--format", "json", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"botops test failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done


def reply(body: dict[str, object]) -> str:
    return "Your order is on its way and arrives on Monday."


def speed(tests: int, latency: float, concurrency: int) -> None:
    calls = tests * TURNS * 2
    floor = calls * latency / concurrency
    with tempfile.TemporaryDirectory() as temporary, serve_llm(LlmState(reply=reply)) as server:
        server.latency, server.record = latency, False
        directory = project(Path(temporary), tests, concurrency)
        cold, done = run(directory, server.url)
        sent = server.count
        data = json.loads(done.stdout)
        assert data["passed"] == tests and data["calls"] == calls, data["calls"]
        warm, again = run(directory, server.url)
        warm_sent = server.count - sent
        cached = json.loads(again.stdout)["cached"]
    print(f"cold: {tests} tests x {TURNS} turns + a judge per turn = {calls} model calls")
    print(f"  {cold:.2f} s, {sent} requests; floor {floor:.2f} s; {cold / floor:.3f} x the floor")
    print(f"warm: {warm:.2f} s, {warm_sent} requests, {cached} of {calls} calls from the cache")


def memory(counts: list[int], concurrency: int) -> None:
    print("peak memory (max RSS of the botops process), endpoint without latency, --no-cache:")
    for count in counts:
        with tempfile.TemporaryDirectory() as temporary, serve_llm(LlmState(reply=reply)) as srv:
            srv.record = False
            directory = project(Path(temporary), count, concurrency)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            elapsed, _ = run(directory, srv.url, "--no-cache")
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        note = "" if peak > before else f" (not above the earlier run's {before / 1024:.1f} MiB)"
        print(f"  {count:>6} tests: {peak / 1024:.1f} MiB{note}, {elapsed:.1f} s")


def main() -> None:
    compiled_botops()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--memory-tests", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    options = parser.parse_args()
    if not options.skip_speed:
        speed(options.tests, options.latency, options.concurrency)
    if not options.skip_memory:
        memory(sorted(options.memory_tests), options.concurrency)


if __name__ == "__main__":
    main()
