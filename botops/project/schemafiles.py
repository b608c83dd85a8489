"""The JSON Schemas as files in a team's repository, and the modelines that point at them.

The package's `botops/schemas/` is the one source (the repository's `schemas/` links to it);
`write_schemas` copies it where editors find it, and `modeline` is the first line of every
document botops writes, resolving from that file to the schema of its kind; `modeline_issues`
finds the ones in a resource file that don't (a file moved, a typo), each with the line to write.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from botops.kinds import KINDS, either, spec_of
from botops.model import Kind
from botops.support.files import write_atomically
from botops.support.yamlpos import Issue

SOURCE = Path(__file__).resolve().parent.parent / "schemas"
PROJECT_SCHEMA = "botops.schema.json"
RESOURCE_SCHEMA = "resource.schema.json"
TEST_SCHEMA = "test.schema.json"
# One per kind, then the one for any resource document, the project file's, the test files'.
SCHEMA_FILES = (
    *(spec.schema_file for spec in KINDS.values()),
    RESOURCE_SCHEMA,
    PROJECT_SCHEMA,
    TEST_SCHEMA,
)


def schema_text(name: str) -> str:
    return (SOURCE / name).read_text(encoding="utf-8")


def resource_schema() -> dict[str, Any]:
    """The schema of any resource document: the registered kinds' schemas, chosen by `kind`
    (`botops/schemas/resource.schema.json` is this; a test keeps them equal)."""
    names = list(KINDS)
    choice = f"Expected {either(names)} (the kind of resource)."
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/botops/botops/schemas/resource.schema.json",
        "title": "botops resource",
        "description": "Any botops resource document: the schema of its `kind` applies, so one "
        "file may mix kinds.",
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {
                "enum": names,
                "errorMessage": choice,
                "description": f"The kind of resource this document declares: {either(names)}.",
            }
        },
        "allOf": [
            {
                "if": {
                    "type": "object",
                    "properties": {"kind": {"const": spec.name}},
                    "required": ["kind"],
                },
                "then": {"$ref": spec.schema_file},
            }
            for spec in KINDS.values()
        ],
    }


def write_schemas(directory: Path, *, missing_only: bool = False) -> list[Path]:
    """Write every schema into `directory` (only those it lacks, with `missing_only`); the
    files written. A file that already says the same is left alone."""
    written = []
    for name in SCHEMA_FILES:
        path = directory / name
        if path.exists() and (missing_only or _same(path, schema_text(name))):
            continue
        write_atomically(path, schema_text(name))
        written.append(path)
    return written


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def modeline(file: Path, schema: Path) -> str:
    """`# yaml-language-server: $schema=REL`, REL leading from `file`'s directory to `schema`
    (yaml-language-server reads it per document, relative to the file)."""
    relative = os.path.relpath(os.path.abspath(schema), os.path.abspath(file.parent))
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


MODELINE = re.compile(r"^[ \t]*#[ \t]*yaml-language-server[ \t]*:[ \t]*\$schema=(\S*)", re.M)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def modeline_issues(
    text: str, kinds: list[tuple[int, Kind | None]], file: Path, schemas: Path
) -> list[Issue]:
    """Each `# yaml-language-server: $schema=REL` of a resource file (`text` of `file`) whose REL
    leads, from the file's directory, to no file, or to a file that is not the schema of its
    document's kind (or the one of any resource), with the modeline to write instead (to the
    project's `schemas`). `kinds` are the file's documents: the line each starts at, its kind.
    A URL is left alone: botops fetches nothing to check it."""
    issues: list[Issue] = []
    for match in MODELINE.finditer(text):
        target = match.group(1)
        if _URL.match(target):
            continue
        line = text.count("\n", 0, match.start()) + 1
        kind = _kind_at(line, kinds)
        expected = spec_of(kind).schema_file if kind else RESOURCE_SCHEMA
        accepted = {expected, RESOURCE_SCHEMA}
        try:
            found = bool(target) and (file.parent / target).is_file()
        except (OSError, ValueError):  # a NUL, a name too long
            found = False
        if not target:
            wrong = "names no schema"
        elif not found:
            wrong = "leads to no file from here"
        elif Path(target).name not in accepted:
            what = f"kind: {kind}" if kind else "a resource"
            wrong = f"is not the schema of {what} ({either(sorted(accepted))})"
        else:
            continue
        instead = modeline(file, schemas / expected)
        missing = "" if (schemas / expected).is_file() else " (`botops schema` writes schemas/)"
        column = match.start(1) - (text.rfind("\n", 0, match.start(1)) + 1) + 1
        message = f"$schema={target} {wrong}; write `{instead}`{missing}"
        issues.append(Issue(line, column - len("$schema="), message))
    return issues


def _kind_at(line: int, kinds: list[tuple[int, Kind | None]]) -> Kind | None:
    """The kind of the document a modeline at `line` belongs to: the first to start after it
    (comments above a document are its own), else the last before it."""
    after = [kind for start, kind in kinds if start >= line]
    before = [kind for start, kind in kinds if start < line]
    chosen = after[:1] or before[-1:]
    return chosen[0] if chosen else None
