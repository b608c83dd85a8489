"""Live resources laid out as file text (pure: nothing is read or written here).

What a document holds is the kind spec's (`KindSpec.document`); this module chooses the file
names (stable and distinct, `-2` on a clash), moves long instructions to Markdown files under
`prompts/` (YAML is written as `botops.support.yamlwrite` says). `importer` reads what is live
and writes these files; `env_layout` places them for `import --env`.

An instruction that YAML or a Markdown file would not give back exactly (control characters, a
NUL, a byte-order mark, Unicode line separators) stays inline, double-quoted with escapes.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from botops.errors import UsageError
from botops.kinds import KindSpec, LiveObject, spec_of
from botops.model import Kind
from botops.project.schemafiles import modeline
from botops.support.yamlwrite import dump, needs_escapes

# Instructions longer than this, or with a line break, go to a Markdown file of their own.
INLINE_INSTRUCTION_LIMIT = 200
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


@dataclass(frozen=True)
class LiveResource:
    """One live resource as the API gave it (latest version)."""

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


# Laying files out


def lay_out(
    resources: Iterable[LiveResource],
    directory: Path,
    *,
    schemas_dir: Path,
    reuse: dict[tuple[Kind, str], Path] | None = None,
) -> list[ImportedFile]:
    """The files for `resources` in `directory`, names stable and distinct.

    A kind with a `name` field (voicebots) goes to `<slug of name>.yaml` (`<id>.yaml` when the
    name has no usable letters, `<slug>-<id>.yaml` when two share a slug), other kinds
    (assistants) to `<id>.yaml`, long instructions to `prompts/<id>.md` and
    `prompts/<id>-<role>.md`. `reuse` maps a resource to a file that already declares it
    alone: it is written there.
    """
    resources = list(resources)
    refuse_unwritable(resources)
    layout = _Layout()
    paths = _resource_paths(resources, directory, reuse or {}, layout)
    for resource, path in zip(resources, paths, strict=True):
        document = _with_prompts(resource, path, layout)
        text = f"{modeline(path, schemas_dir / resource.spec.schema_file)}\n" + dump(document)
        layout.files.append(ImportedFile(path, text, resource))
    return sorted(layout.files, key=lambda f: (f.is_prompt, str(f.path)))


def refuse_unwritable(resources: Iterable[LiveResource]) -> None:
    """Refuse (`UsageError`) a resource no file can hold: an id that is no plain word, or a
    text with a lone UTF-16 surrogate."""
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


def _resource_paths(
    resources: list[LiveResource],
    directory: Path,
    reuse: dict[tuple[Kind, str], Path],
    layout: _Layout,
) -> list[Path]:
    """The resource file of each resource, claimed in `layout` (reused files first). A kind
    with a name is filed under it, others under their id."""
    for path in reuse.values():
        layout.claim(path)
    slugs = [_slug(r.data.get("name")) if _named(r.spec) else "" for r in resources]
    shared = {s for s in slugs if s and slugs.count(s) > 1}
    ids_lower = {r.id.casefold() for r in resources}
    paths = []
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
        paths.append(path)
    return paths


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
