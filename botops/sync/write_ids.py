"""`apply --write-ids`: a created resource's id written into the file that declares it.

The edit is one line inserted into the file's text (`bot_id: X` after the document's `kind:`
line; with an environment, under `overrides.<env>` as `import --env` adds it), so comments,
layout, line endings and every other byte stay as they were. Nothing is written unless all of
these hold: the file is one of the project's resource files (a plan file names it, and plan
files are untrusted), exactly one document in it declares the created resource without an id,
the edited text reads back as that document with the id and every other document unchanged,
and the file's bytes are still those that were read when it is replaced (atomically).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from botops.errors import UsageError
from botops.kinds import spec_of
from botops.model import ResourcePlan
from botops.project.overrides import effective, exists_in
from botops.support.files import read_regular_file, write_atomically
from botops.support.yamlpos import Document, decode, parse
from botops.support.yamlwrite import flow
from botops.sync.disclosed import created_name
from botops.sync.env_layout import Candidate, with_override

BOM = "\ufeff"


def write_created_id(
    resource: ResourcePlan,
    created_id: str,
    *,
    resource_files: Collection[Path],
    environment: str | None,
    synced: set[Path] | None = None,
) -> Path:
    """Write `created_id` into the file of `resource` (a create) and return that file.
    `resource_files` are the project's resource files, resolved. Raises `UsageError` saying
    why nothing was written. With `synced`, the file's folder is added to it to be synced
    once after all the writes (`files.sync_folders`), not synced here."""
    spec = spec_of(resource.kind)
    try:
        real = Path(resource.file).resolve()
    except (OSError, RuntimeError, ValueError):
        real = None
    if real is None or real not in resource_files:
        raise UsageError(f"{resource.file} is not a resource file of this project")
    data = _read(real, resource.file)
    text, issue = decode(data)
    documents, issues = parse(text) if text is not None else ([], [])
    if text is None or issue is not None or issues:
        raise UsageError(f"{resource.file} no longer reads as YAML")
    name = created_name(resource) or resource.name
    index = _declaring(documents, resource.kind, name, spec.id_key, environment)
    if environment is None:
        edited = _with_id_line(text, documents[index], spec.id_key, created_id)
    else:
        candidate = Candidate(resource.file, text, documents[index], len(documents))
        try:
            edited = with_override(candidate, environment, {spec.id_key: created_id})
        except UsageError:
            raise UsageError(
                f"{resource.file}: can't add overrides.{environment}.{spec.id_key} safely"
            ) from None
    if not _means(edited, documents, index, spec.id_key, created_id, environment):
        raise UsageError(f"{resource.file}: can't add {spec.id_key} safely to its document")
    if data.startswith(BOM.encode()):
        edited = BOM + edited
    # Never over what someone changed meanwhile: the bytes must still be those read.
    if _read(real, resource.file) != data:
        raise UsageError(f"{resource.file} changed while it was being edited")
    write_atomically(real, edited, synced=synced)
    return real


def _read(real: Path, shown: str) -> bytes:
    try:
        return read_regular_file(real)
    except OSError as error:
        raise UsageError(f"{shown}: can't read: {error.strerror or error}") from None


def _declaring(
    documents: list[Document], kind: str, name: Any, id_key: str, environment: str | None
) -> int:
    """The index of the one document that declares `kind` `name` without an id."""
    found = [
        index
        for index, document in enumerate(documents)
        if isinstance(document.value, dict)
        and exists_in(document, environment)
        and _declares(effective(document, environment).document.value, kind, name, id_key)
    ]
    if len(found) != 1:
        what = "no document" if not found else "several documents"
        raise UsageError(f"{what} in it declare{'s' if not found else ''} {name!r} without an id")
    return found[0]


def _declares(value: Any, kind: str, name: Any, id_key: str) -> bool:
    return (
        isinstance(value, dict)
        and value.get("kind") == kind
        and value.get("name") == name
        and value.get(id_key) is None
    )


def _with_id_line(text: str, document: Document, id_key: str, created_id: str) -> str:
    """`text` with `id_key: created_id` as a line of its own after the document's `kind:`
    line, in the file's own line ending."""
    line, column = document.key_at(("kind",))
    if ("kind",) not in document.keys or column != 1:
        raise UsageError("its document is not a block mapping starting at column 1 (`kind:`)")
    lines = text.splitlines(keepends=True)
    ending = "\r\n" if "\r\n" in text else "\n"
    if line > len(lines):
        raise UsageError("its `kind:` line is not where the parser says")
    if not lines[line - 1].endswith(("\n", "\r")):
        lines[line - 1] += ending
    lines.insert(line, f"{id_key}: {flow(created_id)}{ending}")
    return "".join(lines)


def _means(
    edited: str,
    before: list[Document],
    index: int,
    id_key: str,
    created_id: str,
    environment: str | None,
) -> bool:
    """Whether `edited` reads back as `before` with the id in document `index` only."""
    documents, issues = parse(edited)
    if issues or len(documents) != len(before) or any(d.issues for d in documents):
        return False
    for number, (old, new) in enumerate(zip(before, documents, strict=True)):
        if number != index and old.value != new.value:
            return False
    old_view = effective(before[index], environment).document.value
    new_view = effective(documents[index], environment).document.value
    return exists_in(documents[index], environment) and new_view == {**old_view, id_key: created_id}
