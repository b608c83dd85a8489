"""Test results (DESIGN §15) as text, JSON, JUnit XML and a Markdown section for the pull
request comment; pure functions of the results' data (`behaviour.results.report_data`, or a
results file read back by `read_results`).

Everything in the results may come from a model (or from a file anyone wrote): text output
shows control characters escaped, Markdown escapes what Markdown, HTML and @-mentions would act
on and puts transcripts in fences they can't close, and XML is built by ElementTree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from botops.render.plan_markdown import escape, fence_for
from botops.support.text import json_text, printable

LABELS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}
EXCERPT = 80
MARKDOWN_LIMIT = 20_000
DETAILS_SHOWN = 10


# --- words shared by every format ------------------------------------------------------------


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    line = " ".join(text.split())
    return '"' + (line if len(line) <= limit else line[: limit - 1] + "…") + '"'


def _runs(test: dict[str, Any]) -> str:
    runs, passed, needed = test["repeat"], test["passed_runs"], test["pass_at"]
    text = f"{passed}/{runs} runs passed"
    if needed != runs:
        text += f", {needed} needed"
    return text


def why(test: dict[str, Any]) -> str:
    """The first reason a test did not pass, as the user reads it: the error, or the first
    failing check with an excerpt of the reply it failed on."""
    for run in test["runs"]:
        if run.get("error"):
            return str(run["error"])
    for run in test["runs"]:
        failures = run["failures"]
        if not failures:
            continue
        first = failures[0]
        turn = first["turn"]
        where = "the conversation" if turn == 0 else f"turn {turn}"
        reason = f"{where}: {first['check']}: {first['reason']}"
        reply = _reply_of(run, turn)
        if reply is not None and first["check"] not in ("success",):
            reason += f"; reply {_excerpt(reply)}"
        if run.get("ended") == "max_turns" and first["check"] == "success":
            reason += " (the caller had not ended the call at max_turns)"
        return reason
    return "fewer runs passed than pass_at needs"


def _reply_of(run: dict[str, Any], turn: int) -> str | None:
    """The assistant's reply of `turn` (1-based) in a run's transcript."""
    if turn < 1:
        return None
    replies = [line["text"] for line in run["transcript"] if line["role"] == "assistant"]
    return replies[turn - 1] if turn <= len(replies) else None


def summary_line(data: dict[str, Any]) -> str:
    errors = data["errors"]
    return (
        f"Tests: {data['passed']} passed, {data['failed']} failed, {errors} "
        f"{'error' if errors == 1 else 'errors'} ({data['calls']} model calls, "
        f"{data['cached']} from cache, {data['tokens']} tokens)"
    )


# --- text -----------------------------------------------------------------------------------


def render_text(data: dict[str, Any]) -> str:
    """One line per test, then the summary line."""
    lines = []
    for test in data["tests"]:
        label = LABELS[test["status"]]
        agent = f" ({test['agent']})" if test.get("agent") else ""
        line = f"{label:<5}  {test['name']}  [{test['assistant']}{agent}, {_runs(test)}]"
        if test["status"] != "pass":
            line += f"\n       {test['file']}:{test['line']}: {why(test)}"
        lines.append(printable(line))
    if not data["tests"]:
        lines.append("No tests to run.")
    lines.append(summary_line(data))
    return "\n".join(lines) + "\n"


# --- JSON -----------------------------------------------------------------------------------


def render_json(data: dict[str, Any]) -> str:
    return json_text(data, indent=2) + "\n"


# --- JUnit ----------------------------------------------------------------------------------


def render_junit(data: dict[str, Any], *, now: datetime | None = None) -> str:
    """JUnit XML: `testsuites` > one `testsuite` per test file > one `testcase` per test
    (`classname` the assistant's address), a `failure` or `error` with the reason and every
    failing check, and the transcripts in `system-out`."""
    tests = data["tests"]
    root = ET.Element(
        "testsuites",
        name="botops test",
        tests=str(len(tests)),
        failures=str(data["failed"]),
        errors=str(data["errors"]),
        time="0",
    )
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    files: dict[str, list[dict[str, Any]]] = {}
    for test in tests:
        files.setdefault(test["file"], []).append(test)
    for file, members in files.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_xml(file),
            tests=str(len(members)),
            failures=str(sum(1 for t in members if t["status"] == "fail")),
            errors=str(sum(1 for t in members if t["status"] == "error")),
            skipped="0",
            time="0",
            timestamp=stamp,
            file=_xml(file),
        )
        for test in members:
            case = ET.SubElement(
                suite,
                "testcase",
                name=_xml(test["name"]),
                classname=_xml(test["assistant"]),
                time="0",
            )
            if test["status"] != "pass":
                tag = "failure" if test["status"] == "fail" else "error"
                detail = ET.SubElement(
                    case, tag, message=_xml(why(test)), type="botops." + test["status"]
                )
                detail.text = _xml(_details(test))
            out = ET.SubElement(case, "system-out")
            out.text = _xml(_transcripts(test))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids as `\\xNN`."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _details(test: dict[str, Any]) -> str:
    lines = [f"{test['file']}:{test['line']}: {test['name']} ({_runs(test)})"]
    for number, run in enumerate(test["runs"], start=1):
        if run.get("error"):
            lines.append(f"run {number}: error: {run['error']}")
        for failure in run["failures"]:
            turn = "conversation" if failure["turn"] == 0 else f"turn {failure['turn']}"
            lines.append(f"run {number}: {turn}: {failure['check']}: {failure['reason']}")
    return "\n".join(lines)


def _transcripts(test: dict[str, Any]) -> str:
    parts = []
    for number, run in enumerate(test["runs"], start=1):
        verdict = "error" if run.get("error") else ("passed" if run["passed"] else "failed")
        ended = f", ended by {run['ended']}" if run.get("ended") else ""
        parts.append(f"run {number} ({verdict}{ended}):")
        for line in run["transcript"]:
            who = "caller" if line["role"] == "user" else "assistant"
            parts.append(f"  {who}: {line['text']}")
    return "\n".join(parts)


# --- Markdown -------------------------------------------------------------------------------


def render_markdown(data: dict[str, Any], *, limit: int = MARKDOWN_LIMIT) -> str:
    """The section for the pull-request comment: the summary line, a table of the tests that
    did not pass, one collapsible transcript each (the first `DETAILS_SHOWN`), and a count of
    those that passed; at most `limit` characters."""
    tests = data["tests"]
    bad = [t for t in tests if t["status"] != "pass"]
    head = ["### Conversation tests", "", _md(summary_line(data))]
    if data.get("endpoint"):
        head[-1] += f" against `{_code(data['endpoint'])}`"
    if not tests:
        head += ["", "No tests ran: the plan changes no assistant that a test covers."]
        return _cut("\n".join(head) + "\n", limit)
    if not bad:
        head += ["", "The test passed." if len(tests) == 1 else f"All {len(tests)} tests passed."]
        return _cut("\n".join(head) + "\n", limit)
    table = ["", "| | Test | Assistant | Runs | Why |", "|---|---|---|---|---|"]
    table += [
        f"| {LABELS[t['status']]} | {_md(t['name'])} | {_md(t['assistant'])} | "
        f"{t['passed_runs']}/{t['repeat']} | {_md(why(t))} |"
        for t in bad
    ]
    passed = len(tests) - len(bad)
    foot = ["", f"{passed} other {'test' if passed == 1 else 'tests'} passed."] if passed else []
    blocks = [_transcript_block(t) for t in bad[:DETAILS_SHOWN]]
    if len(bad) > DETAILS_SHOWN:
        blocks.append(f"\n{len(bad) - DETAILS_SHOWN} more transcripts: run `botops test` locally.")
    text = "\n".join(head + table + foot)
    for block in blocks:
        if len(text) + len(block) + 200 > limit:
            text += "\n\nMore transcripts did not fit: run `botops test` locally."
            break
        text += block
    return _cut(text + "\n", limit)


def _transcript_block(test: dict[str, Any]) -> str:
    run = next(
        (r for r in test["runs"] if not r["passed"]), test["runs"][0] if test["runs"] else None
    )
    lines = []
    if run is not None:
        for line in run["transcript"]:
            who = "caller" if line["role"] == "user" else "assistant"
            lines.append(f"{who}: {printable(' '.join(line['text'].split()))}")
    fence = fence_for(lines)
    summary = _html_line(f"{LABELS[test['status']]} {test['name']}")
    return (
        f"\n\n<details><summary>{summary}</summary>\n\n{fence}text\n"
        + "\n".join(lines)
        + f"\n{fence}\n\n</details>"
    )


def _md(text: str) -> str:
    """Text for a Markdown table cell: shown as written, no @-mention."""
    return escape(text).replace("@", "&#64;")


def _code(text: str) -> str:
    return printable(text).replace("`", "'")


def _html_line(text: str) -> str:
    import html

    return html.escape(printable(" ".join(text.split()))).replace("@", "&#64;")


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n(cut to fit the comment: run `botops test` locally)\n"
    return text[: max(0, limit - len(note))] + note
