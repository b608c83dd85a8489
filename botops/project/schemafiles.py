"""The JSON Schemas as files in a team's repository, and the modelines that point at them.

The package's `botops/schemas/` is the one source (the repository's `schemas/` links to it);
`write_schemas` copies it where editors find it, and `modeline` is the first line of every
document botops writes, resolving from that file to the schema of its kind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from botops.kinds import KINDS, either
from botops.support.files import write_atomically

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
