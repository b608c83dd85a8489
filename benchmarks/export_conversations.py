"""Export N synthetic conversations through the real CLI and measure time and peak memory.

For each N, starts `botops emulator --synthetic-conversations N`, runs
`botops conversations export` in a fresh process, checks the file has N lines, and prints the
wall time and the export process's peak resident memory (ru_maxrss of that child, from
`os.wait4`, so that emulators reaped earlier don't count). Export streams pages, so the peak
should stay flat as N grows.

    .venv/bin/python benchmarks/export_conversations.py                 # 10,000 and 100,000
    .venv/bin/python benchmarks/export_conversations.py --conversations 100000 --fields insights
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _emulator import cli_environment, start_emulator

PEAK_TARGET_MB = 150


def export(url: str, out: Path, fields: str, output_format: str) -> tuple[float, float, str]:
    """Run one export; returns (seconds, peak RSS in MB, what it printed)."""
    env = cli_environment(url)
    command = [sys.executable, "-m", "botops", "conversations", "export", "--out", str(out)]
    command += ["--format", output_format] + (["--fields", fields] if fields else [])
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=out.parent
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    assert process.stdout is not None and process.stderr is not None
    printed = process.stdout.read().decode().strip()
    errors = process.stderr.read().decode().strip()
    process.stdout.close()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"export failed ({process.returncode}): {errors}")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return elapsed, usage.ru_maxrss / scale, printed


def count_records(path: Path, output_format: str) -> int:
    with path.open("rb") as stream:
        lines = sum(1 for _ in stream)
    return lines - 1 if output_format == "csv" else lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--conversations", type=int, nargs="+", default=[10_000, 100_000], metavar="N"
    )
    parser.add_argument("--fields", default="insights", help="'' for none; transcript,insights")
    parser.add_argument("--format", dest="output_format", choices=["jsonl", "csv"], default="jsonl")
    args = parser.parse_args()

    print(f"export --fields {args.fields or '(none)'} --format {args.output_format}")
    print(f"{'conversations':>13}  {'wall s':>7}  {'per s':>8}  {'peak MB':>7}  {'file MB':>7}")
    peaks = []
    for conversations in args.conversations:
        emulator, url = start_emulator("--demo", "--synthetic-conversations", str(conversations))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / f"export.{args.output_format}"
                elapsed, peak, printed = export(url, out, args.fields, args.output_format)
                records = count_records(out, args.output_format)
                size = out.stat().st_size / 1e6
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)
            if emulator.stdout:
                emulator.stdout.close()
        # --demo adds its own few conversations to the synthetic ones.
        if records < conversations:
            raise SystemExit(f"expected at least {conversations} records, got {records}: {printed}")
        peaks.append(peak)
        print(
            f"{records:>13,}  {elapsed:>7.2f}  {records / elapsed:>8,.0f}  {peak:>7.1f}  "
            f"{size:>7.1f}"
        )
    verdict = "ok" if max(peaks) < PEAK_TARGET_MB else "OVER TARGET"
    print(
        f"peak memory {min(peaks):.1f}-{max(peaks):.1f} MB (target < {PEAK_TARGET_MB}): {verdict}"
    )


if __name__ == "__main__":
    main()
