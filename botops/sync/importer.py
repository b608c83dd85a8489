"""`botops import`: live voicebots and assistants written out as resource files.

What is written loads through `botops.project.loader` to exactly the live values, so that a plan
right after shows no changes: voicebots with their `bot_id` and managed fields; assistants with
their instruction (long or multi-line ones as Markdown under `prompts/`), the `llm_config` keys
botops manages (other live keys stay unmanaged), their agents, and `mark_as_stable: true` when
the live version is the stable one. What a document holds is the kind spec's
(`KindSpec.document`); this module lays documents out as files.

Reading (`read_live`) is separate from laying files out (`lay_out`, pure) and from writing
(`write_files`), which checks every target before it writes any.

An instruction that YAML or a Markdown file would not give back exactly (control characters, a
NUL, a byte-order mark, Unicode line separators) stays inline, double-quoted with escapes.
"""

from __future__ import annotations

import asyncio
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from botops.errors import MethodNotAllowedError, NotFoundError, UsageError
from botops.kinds.spec import KINDS, KindSpec, LiveObject, either, spec_of
from botops.model import Kind, Resource
from botops.project.loader import Declaration, load_declarations
from botops.project.schemafiles import modeline
from botops.support.files import check_writable_parent, write_atomically
from botops.support.yamlwrite import dump, needs_escapes

if TYPE_CHECKING:  # httpx loads only when a command calls the API
    from botops.client import ApiClient

# Instructions longer than this, or with a line break, go to a Markdown file of their own.
INLINE_INSTRUCTION_LIMIT = 200
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")

Warn = Callable[[str], None]


@dataclass(frozen=True)
class LiveResource:
    """One live voicebot or assistant as the API gave it (latest version)."""

    kind: Kind
    id: str
    data: LiveObject

    @property
    def spec(self) -> KindSpec:
        return spec_of(self.kind)

    @property
    def address(self) -> str:
        return self.spec.address(self.id)


@dataclass(frozen=True)
class ImportedFile:
    """A file to write: a resource file, or the Markdown prompt one of them refers to."""

    path: Path
    text: str
    resource: LiveResource
    is_prompt: bool = False


@dataclass
class _Layout:
    files: list[ImportedFile] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def claim(self, path: Path) -> Path:
        """`path`, or `path` with -2, -3 ... before its suffix when that name is taken
        (compared case-insensitively: macOS and Windows would merge the two files)."""
        candidate, number = path, 1
        while _key(candidate) in self.taken:
            number += 1
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        self.taken.add(_key(candidate))
        return candidate


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path)).casefold()


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


# Laying files out


def lay_out(
    resources: Iterable[LiveResource],
    directory: Path,
    *,
    schemas_dir: Path,
    reuse: dict[tuple[Kind, str], Path] | None = None,
) -> list[ImportedFile]:
    """The files for `resources` in `directory`, names stable and distinct.

    Voicebots go to `<slug of name>.yaml` (`<bot_id>.yaml` when the name has no usable letters,
    `<slug>-<bot_id>.yaml` when two bots share a slug), assistants to `<assistant_id>.yaml`,
    long instructions to `prompts/<assistant_id>.md` and `prompts/<assistant_id>-<role>.md`.
    `reuse` maps a resource to a file that already declares it alone: it is written there.
    """
    resources = list(resources)
    for resource in resources:
        if not _PLAIN_ID.match(resource.id):
            raise UsageError(
                f"{resource.address}: the id can't be written to a resource file (ids are a "
                "letter or digit, then letters, digits, '_', '-', '.')"
            )
        where = _surrogate_at(resource.spec.document(resource.data, resource.id))
        if where is not None:
            raise UsageError(
                f"{resource.address}: {where} holds a lone UTF-16 surrogate, which no UTF-8 "
                "file can hold; nothing was written (fix the text in the API first)"
            )
    reuse = reuse or {}
    layout = _Layout()
    for path in reuse.values():
        layout.claim(path)
    # A kind with a name is filed under it, others under their id.
    slugs = [_slug(r.data.get("name")) if _named(r.spec) else "" for r in resources]
    shared = {s for s in slugs if s and slugs.count(s) > 1}
    ids_lower = {r.id.casefold() for r in resources}
    for resource, slug in zip(resources, slugs, strict=True):
        if (resource.kind, resource.id) in reuse:
            path = reuse[(resource.kind, resource.id)]
        elif _named(resource.spec):
            # A slug that is another resource's id would make the two names easy to confuse.
            base = slug if slug and slug not in shared and slug not in ids_lower else ""
            stem = base or (f"{slug}-{resource.id}" if slug else resource.id)
            path = layout.claim(directory / f"{stem}.yaml")
        else:
            path = layout.claim(directory / f"{resource.id}.yaml")
        document = _with_prompts(resource, path, layout)
        text = f"{modeline(path, schemas_dir / resource.spec.schema_file)}\n" + dump(document)
        layout.files.append(ImportedFile(path, text, resource))
    return sorted(layout.files, key=lambda f: (f.is_prompt, str(f.path)))


def _named(spec: KindSpec) -> bool:
    return "name" in spec.field_names


def _with_prompts(resource: LiveResource, path: Path, layout: _Layout) -> dict[str, Any]:
    """The resource's document, long instructions (its own, its items') moved to files."""
    document = resource.spec.document(resource.data, resource.id)
    prompts = path.parent / "prompts"
    instruction = document.get("instruction")
    if _belongs_in_file(instruction):
        prompt = layout.claim(prompts / f"{resource.id}.md")
        layout.files.append(_prompt(prompt, instruction, resource))
        document = _replace_key(document, "instruction", "instruction_file", _rel(prompt, path))
    for managed in resource.spec.fields:
        items = document.get(managed.name) if managed.file_items else None
        if not isinstance(items, list):
            continue
        for index, agent in enumerate(items):
            text = agent.get("instruction") if isinstance(agent, dict) else None
            if not _belongs_in_file(text):
                continue
            role = _slug(agent.get("role")) or str(index + 1)
            prompt = layout.claim(prompts / f"{resource.id}-{role}.md")
            layout.files.append(_prompt(prompt, text, resource))
            reference = _rel(prompt, path)
            items[index] = _replace_key(agent, "instruction", "instruction_file", reference)
    return document


def _belongs_in_file(text: Any) -> TypeGuard[str]:
    # A prompt file is read as text: line endings normalized, a leading byte-order mark
    # dropped, a NUL refused as binary. What needs escapes stays inline, where it has them.
    return (
        isinstance(text, str)
        and not needs_escapes(text)
        and ("\n" in text or len(text) > INLINE_INSTRUCTION_LIMIT)
    )


def _surrogate_at(value: Any, where: str = "") -> str | None:
    """Where in `value` (`agents[0].instruction`) a string holds a lone surrogate, which JSON
    allows (`"\\ud800"`) but no UTF-8 file can hold and YAML has no escape for."""
    if isinstance(value, str):
        return where if any("\ud800" <= char <= "\udfff" for char in value) else None
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = (
            (f"{where}.{k}".lstrip("."), v) for k, v in value.items()
        )
    elif isinstance(value, list):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    return next((found for at, item in items if (found := _surrogate_at(item, at))), None)


def _prompt(path: Path, text: str, resource: LiveResource) -> ImportedFile:
    # The loader drops one trailing newline, so exactly one more is added.
    return ImportedFile(path, text + "\n", resource, is_prompt=True)


def _replace_key(mapping: dict[str, Any], old: str, new: str, value: Any) -> dict[str, Any]:
    return {(new if k == old else k): (value if k == old else v) for k, v in mapping.items()}


def _rel(target: Path, resource_file: Path) -> str:
    return Path(os.path.relpath(target, resource_file.parent)).as_posix()


def _slug(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def generated_file(resource: LiveResource, out: Path | None, *, schemas_dir: Path) -> ImportedFile:
    """The YAML of a newly generated bot: at `out`; by default `<slug of name>.yaml` in the
    working directory, or `<bot_id>.yaml` when that name is taken (the bot exists now, so its
    file must not be lost to a clash)."""
    key: tuple[Kind, str] = (resource.kind, resource.id)
    if out is not None:
        return lay_out([resource], out.parent, schemas_dir=schemas_dir, reuse={key: out})[0]
    (file,) = lay_out([resource], Path("."), schemas_dir=schemas_dir)
    if file.path.exists():
        fallback = Path(f"{resource.id}.yaml")
        file = lay_out([resource], Path("."), schemas_dir=schemas_dir, reuse={key: fallback})[0]
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
    # A voicebot file without bot_id is matched by exact name, as plan matches it.
    return declared.name is not None and declared.name == resource.data.get("name")


def _real_path(file: str, root: Path) -> Path:
    path = Path(file)
    if path.is_absolute() or path.exists():
        return path
    return root / path


# Writing


def existing_targets(files: Iterable[ImportedFile]) -> list[Path]:
    return [f.path for f in files if f.path.exists()]


def write_files(files: Sequence[ImportedFile], *, force: bool) -> None:
    """Write every file, each atomically. Without `force`, any existing target is an error and
    nothing at all is written."""
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
    for file in files:
        write_atomically(file.path, file.text)
