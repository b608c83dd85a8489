"""Validation problems for machines: JSON, GitHub workflow commands, GitLab Code Quality.

The text form is `str(problem)` (`path:line:column: message`). The forges want paths relative
to the repository's root, whatever directory botops ran in: `repository_path` makes them so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from botops.errors import Problem
from botops.support.git import rev_parse

CHECK_NAME = "botops validate"


def render_problems(problems: Sequence[Problem], output_format: str) -> str:
    """`problems` as `json`, `github` or `gitlab` asks; the forges' paths are relative to the
    root of the git work tree of the working directory."""
    if output_format == "json":
        return render_json(problems)
    top = rev_parse(Path.cwd(), "--show-toplevel")
    root = Path(top) if top else None
    if output_format == "github":
        return render_github(problems, root=root)
    return render_gitlab(problems, root=root)


def render_json(problems: Sequence[Problem]) -> str:
    """`{"valid": bool, "problems": [{file, line, column, message}]}`."""
    items = [
        {"file": p.file, "line": p.line, "column": p.column, "message": p.message} for p in problems
    ]
    return json.dumps({"valid": not problems, "problems": items}, indent=2) + "\n"


def render_github(problems: Sequence[Problem], *, root: Path | None) -> str:
    """One `::error file=...,line=...,col=...,title=...::message` workflow command a problem,
    escaped as GitHub's runner unescapes them."""
    lines = []
    for problem in problems:
        properties = {
            "file": repository_path(problem.file, root),
            "line": str(problem.line),
            "col": str(problem.column),
            "title": CHECK_NAME,
        }
        shown = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        lines.append(f"::error {shown}::{escape_data(problem.message)}\n")
    return "".join(lines)


def render_gitlab(problems: Sequence[Problem], *, root: Path | None) -> str:
    """A GitLab Code Quality report (for `artifacts: reports: codequality`)."""
    seen: dict[tuple[str, str], int] = {}
    report = []
    for problem in problems:
        path = repository_path(problem.file, root)
        # Not the line: an edit above the problem must not make GitLab see it as a new one.
        occurrence = seen[path, problem.message] = seen.get((path, problem.message), -1) + 1
        identity = "\0".join((CHECK_NAME, path, problem.message, str(occurrence)))
        report.append(
            {
                "description": problem.message,
                "check_name": CHECK_NAME,
                "fingerprint": hashlib.sha256(identity.encode("utf-8")).hexdigest(),
                "severity": "major",
                "location": {"path": path, "lines": {"begin": problem.line}},
            }
        )
    return json.dumps(report, indent=2) + "\n"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_path(file: str, root: Path | None) -> str:
    """`file` (as problems show it: relative to the working directory, or absolute) relative
    to `root`, with `/`; as it was when it is outside `root` or there is no root."""
    if root is None:
        return file
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return file
