"""Test results as data (DESIGN §15's JSON shape), and read back from a file.

`report_data` is the one shape every output is rendered from (text, JSON, JUnit, Markdown):
`{passed, failed, errors, calls, cached, tokens, endpoint, tests: [{name, assistant, agent,
file, line, status, repeat, pass_at, passed_runs, runs: [{passed, error, ended, transcript:
[{role, text}], failures: [{turn, check, reason}]}]}]}`.

`read_results` reads such a file back for `botops comment --tests`: it comes from a CI artifact
anyone could have written, so it is read as untrusted input, at most `MAX_RESULTS` bytes, and
rebuilt from the keys and types expected (texts cut to a bound), or refused in one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botops.behaviour.runner import Report, TestResult
from botops.errors import UsageError
from botops.support.files import read_regular_file

MAX_RESULTS = 64 * 1024 * 1024
MAX_TEXT = 4000  # characters of one transcript line, reason or name kept from a file
STATUSES = ("pass", "fail", "error")


def report_data(report: Report) -> dict[str, Any]:
    return {
        "passed": report.count("pass"),
        "failed": report.count("fail"),
        "errors": report.count("error"),
        "calls": report.calls,
        "cached": report.cached,
        "tokens": report.tokens,
        "endpoint": report.host,
        "tests": [_test_data(result) for result in report.results],
    }


def _test_data(result: TestResult) -> dict[str, Any]:
    test = result.test
    return {
        "name": test.name,
        "assistant": test.assistant,
        "agent": test.agent,
        "file": test.file,
        "line": test.line,
        "status": result.status,
        "repeat": len(result.runs),
        "pass_at": result.pass_at,
        "passed_runs": result.passed_runs,
        "runs": [
            {
                "passed": run.passed,
                "error": run.error,
                "ended": run.ended,
                "transcript": [{"role": role, "text": text} for role, text in run.transcript],
                "failures": [
                    {"turn": f.turn, "check": f.check, "reason": f.reason} for f in run.failures
                ],
            }
            for run in result.runs
        ],
    }


class _NotResults(Exception):
    pass


def read_results(path: Path) -> dict[str, Any]:
    """The results saved in `path` (by `botops test --format json`), rebuilt from what is
    expected; a `UsageError` naming the file for anything else."""
    try:
        raw = read_regular_file(path, limit=MAX_RESULTS)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such test results file") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"{path}: can't read the test results: {reason}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UsageError(
            f"{path}: not a botops test results file: not JSON "
            "(write one with `botops test --format json --out FILE`)"
        ) from None
    try:
        return _rebuilt(data)
    except _NotResults as error:
        raise UsageError(f"{path}: not a botops test results file: {error}") from None


def _rebuilt(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _NotResults("expected a JSON object")
    result: dict[str, Any] = {
        key: _count(data, key)
        for key in ("passed", "failed", "errors", "calls", "cached", "tokens")
    }
    result["endpoint"] = _text(data.get("endpoint"), 200)
    tests = data.get("tests")
    if not isinstance(tests, list):
        raise _NotResults("'tests' must be a list")
    result["tests"] = [_rebuilt_test(t, i) for i, t in enumerate(tests)]
    return result


def _count(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _NotResults(f"{key!r} must be a whole number")
    return value


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rebuilt_test(test: Any, index: int) -> dict[str, Any]:
    if not isinstance(test, dict):
        raise _NotResults(f"tests[{index}] must be an object")
    status = test.get("status")
    if status not in STATUSES:
        raise _NotResults(f"tests[{index}].status must be one of {', '.join(STATUSES)}")
    runs = _list(test.get("runs"))
    line = test.get("line")
    numbers = {}
    for key in ("repeat", "pass_at", "passed_runs"):
        value = test.get(key)
        numbers[key] = value if isinstance(value, int) and not isinstance(value, bool) else 0
    return {
        "name": _text(test.get("name"), 300),
        "assistant": _text(test.get("assistant"), 300),
        "agent": _text(test.get("agent"), 300) or None,
        "file": _text(test.get("file"), 500),
        "line": line if isinstance(line, int) and not isinstance(line, bool) else 0,
        "status": status,
        **numbers,
        "runs": [_rebuilt_run(run) for run in runs if isinstance(run, dict)],
    }


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _rebuilt_run(run: dict[str, Any]) -> dict[str, Any]:
    transcript = _list(run.get("transcript"))
    failures = _list(run.get("failures"))
    return {
        "passed": run.get("passed") is True,
        "error": _text(run.get("error"), 1000) or None,
        "ended": _text(run.get("ended"), 20) or None,
        "transcript": [
            {
                "role": "user" if line.get("role") == "user" else "assistant",
                "text": _text(line.get("text")),
            }
            for line in transcript
            if isinstance(line, dict)
        ],
        "failures": [
            {
                "turn": f.get("turn") if isinstance(f.get("turn"), int) else 0,
                "check": _text(f.get("check"), 40),
                "reason": _text(f.get("reason"), 1000),
            }
            for f in failures
            if isinstance(f, dict)
        ],
    }
