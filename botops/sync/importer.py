"""`botops import`'s I/O: live resources read, and their files written.

What is written loads through `botops.project.loader` to exactly the live values, so that a plan
right after shows no changes: each resource with its id and managed fields, long instructions as
Markdown under `prompts/`, the `llm_config` keys botops manages (other live keys stay
unmanaged), and `mark_as_stable: true` when the live version is the stable one. What a document
holds is the kind spec's (`KindSpec.document`); `botops.sync.layout` lays documents out as file
text (pure).

Reading (`read_live`) is separate from laying files out (`layout.lay_out`) and from writing
(`write_files`), which checks every target before it writes any; `declared_alone` finds the
project's files that already declare what is imported.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from botops.errors import MethodNotAllowedError, NotFoundError, UsageError
from botops.kinds import KINDS, either, spec_of
from botops.model import Kind, Resource
from botops.project.loader import (
    PROJECT_FILE,
    Declaration,
    known_kind,
    load_declarations,
    parse_file,
)
from botops.support.files import (
    check_writable_parent,
    read_regular_file,
    write_all_atomically,
)
from botops.sync.layout import ImportedFile, LiveResource, lay_out

if TYPE_CHECKING:  # httpx2 loads only when a command calls the API
    from botops.client import ApiClient

Warn = Callable[[str], None]


# Reading live state


async def read_live(
    client: ApiClient, ids: Sequence[str], *, everything: bool, warn: Warn | None = None
) -> list[LiveResource]:
    """Each id looked up as each kind in turn (a voicebot, then an assistant); with
    `everything`, every live resource of every kind. Sorted by kind then id, each once."""
    listed: list[tuple[Kind | None, str]] = []
    if everything:
        for spec in KINDS.values():
            try:
                async for live in spec.iterate(client):
                    if live.get(spec.id_key):
                        listed.append((spec.name, str(live[spec.id_key])))
            except (NotFoundError, MethodNotAllowedError) as error:
                if not spec.optional:
                    raise
                if warn is not None:
                    warn(f"{spec.prefix}s can't be listed on this server ({error}); none imported")
    # An id named and also listed is read once, as what the list says it is.
    known = {rid for _, rid in listed}
    named: list[tuple[Kind | None, str]] = [(None, i) for i in dict.fromkeys(ids) if i not in known]
    wanted = [*dict.fromkeys(listed), *named]
    found = await asyncio.gather(*(_read_one(client, kind, rid) for kind, rid in wanted))
    unique = {(r.kind, r.id): r for r in found}
    order = list(KINDS)
    return sorted(unique.values(), key=lambda r: (order.index(r.kind), r.id))


async def _read_one(client: ApiClient, kind: Kind | None, resource_id: str) -> LiveResource:
    """The resource of `kind` with this id; of any kind, the first that has it."""
    for spec in [spec_of(kind)] if kind is not None else KINDS.values():
        try:
            live = await spec.read(client, resource_id)
            return LiveResource(spec.name, str(live.get(spec.id_key) or resource_id), live)
        except (NotFoundError, MethodNotAllowedError) as error:
            # A kind some servers don't offer is passed over; so is an id of unknown kind
            # another kind may have.
            if not spec.optional and (kind is not None or isinstance(error, MethodNotAllowedError)):
                raise
    prefixes = either(spec.prefix for spec in KINDS.values())
    raise UsageError(f"no {prefixes} has the id {resource_id!r}")


def generated_file(
    resource: LiveResource, out: Path | None, *, schemas_dir: Path, directory: Path
) -> ImportedFile:
    """The YAML of a newly generated bot: at `out`; by default `<slug of name>.yaml` in
    `directory` (where import writes: the project's first path), or `<bot_id>.yaml` when that
    name is taken (the bot exists now, so its file must not be lost to a clash)."""
    key: tuple[Kind, str] = (resource.kind, resource.id)
    if out is not None:
        return lay_out([resource], out.parent, schemas_dir=schemas_dir, reuse={key: out})[0]
    (file,) = lay_out([resource], directory, schemas_dir=schemas_dir)
    if file.path.exists():
        fallback = directory / f"{resource.id}.yaml"
        file = lay_out([resource], directory, schemas_dir=schemas_dir, reuse={key: fallback})[0]
    return file


def declarations(paths: list[Path], *, root: Path) -> list[Declaration]:
    """Every resource the files in `paths` declare, valid or not (`load_declarations`).

    A file that can't be read or parsed might declare anything: that is a `UsageError`,
    as import can't then know whether it would write a second declaration.
    """
    found, unreadable = load_declarations(paths, root=root)
    if unreadable:
        raise UsageError(
            "; ".join(str(p) for p in unreadable) + "; import can't tell what that file "
            "declares, so nothing was written (fix it, or import into a --dir outside the "
            "configured paths)"
        )
    return found


def declared_alone(
    live: Iterable[LiveResource], declared: Sequence[Resource | Declaration], *, root: Path
) -> dict[tuple[Kind, str], Path]:
    """Where live resources are already declared in the project's files.

    A file that declares the resource alone is reused, so that `import --force` refreshes it
    in place; a resource declared in a file with others (or twice) is an error: a second
    declaration would make the project invalid, and rewriting a shared file is not import's
    business.
    """
    per_file = Counter(d.file for d in declared)
    reuse: dict[tuple[Kind, str], Path] = {}
    conflicts = []
    for resource in live:
        matches = [d for d in declared if _declares(d, resource)]
        if len(matches) == 1 and per_file[matches[0].file] == 1:
            reuse[(resource.kind, resource.id)] = _real_path(matches[0].file, root)
        elif matches:
            places = ", ".join(m.where for m in matches)
            conflicts.append(f"{resource.address} is already declared at {places}")
    if conflicts:
        raise UsageError(
            "; ".join(conflicts) + "; nothing was written (edit that file instead, or import "
            "into a --dir outside the configured paths)"
        )
    return reuse


def _declares(declared: Resource | Declaration, resource: LiveResource) -> bool:
    if declared.kind != resource.kind:
        return False
    if declared.id is not None:
        return declared.id == resource.id
    # A file without an id (of a kind matched by name) is matched by exact name, as plan does.
    return declared.name is not None and declared.name == resource.data.get("name")


def _real_path(file: str, root: Path) -> Path:
    path = Path(file)
    if path.is_absolute() or path.exists():
        return path
    return root / path


# Writing


def _not_overwritable(file: ImportedFile, project_file: Path | None) -> str | None:
    """Why the existing `file.path` must not be replaced by an import (None: it may be)."""
    path = file.path
    try:
        real = path.resolve()
        if path.name == PROJECT_FILE or (
            project_file is not None and real == project_file.resolve()
        ):
            return "the project file"
        data = read_regular_file(real)
    except (OSError, ValueError, RuntimeError):
        return "not a regular file botops can read"
    if file.is_prompt:
        return None
    documents, issues = parse_file(data)
    if issues or not documents:
        return "not a resource file"
    if any(known_kind(d.value) is None for d in documents):
        return "not a resource file"
    return None


def existing_targets(files: Iterable[ImportedFile]) -> list[Path]:
    return [f.path for f in files if f.path.exists()]


def write_files(
    files: Sequence[ImportedFile], *, force: bool, project_file: Path | None = None
) -> None:
    """Write every file, each atomically. Without `force`, any existing target is an error and
    nothing at all is written. With it, only resource files (and the prompts import wrote) are
    overwritten: never the project file, nor anything that is not a resource file (a bot whose
    slug is `botops` would otherwise replace botops.yaml)."""
    refused = [
        f"{file.path} ({why})"
        for file in files
        if force
        and file.path.exists()
        and (why := _not_overwritable(file, project_file)) is not None
    ]
    if refused:
        raise UsageError(
            f"import never writes over {', '.join(refused)}; nothing was written (import into "
            "another --dir, or move that file)"
        )
    if not force:
        existing = existing_targets(files)
        if existing:
            names = ", ".join(str(p) for p in existing)
            raise UsageError(
                f"{names} already exist{'s' if len(existing) == 1 else ''}; nothing was written "
                "(pass --force to overwrite)"
            )
    for file in files:
        if file.path.is_dir():
            raise UsageError(f"{file.path} is a directory; nothing was written")
        check_writable_parent(file.path)
    write_all_atomically((file.path, file.text) for file in files)
