"""`botops import --env NAME`: importing one account into files that serve several.

A live resource of a kind matched by name (a voicebot) whose exact name a file already declares
(in any environment's view of it) gets its id, and every managed field in which it differs from
that file, written into the file's `overrides.<NAME>` (and NAME into its `environments:` list,
when it has one); so importing staging and then prod leaves one file with both ids. The edit is
made in the file's text, so its comments and layout stay as they were, and it is read back
before it is kept: when the file's shape makes a safe edit impossible, nothing is written and
the message says what to add by hand.

Anything else is written to a file of its own that exists only in NAME (`environments: [NAME]`,
the id of a kind matched by name in `overrides.<NAME>`). Other kinds (assistants) have no name to
match across accounts, so each always gets its own file; its id can be moved into another file's
`overrides.<NAME>` by hand. What a kind has (its id key, its fields, whether it is matched by
name) is its spec's (`botops.kinds`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botops.errors import UsageError
from botops.kinds import KINDS, spec_of
from botops.model import Kind
from botops.project.overrides import ENVIRONMENTS, OVERRIDES, effective, exists_in
from botops.support.yamlpos import Document, parse
from botops.support.yamlwrite import dump, flow
from botops.sync.layout import ImportedFile, LiveResource, lay_out


@dataclass(frozen=True)
class Candidate:
    """One resource document of the project, as import sees it."""

    file: str
    text: str
    document: Document
    documents_in_file: int


def declaring(
    kind: str, live_id: str, candidates: list[Candidate], environment: str
) -> Candidate | None:
    """The file that already declares `live_id` in `environment` (overrides included)."""
    id_key = spec_of(kind).id_key
    for candidate in candidates:
        mine = effective(candidate.document, environment).document.value
        if (
            mine.get("kind") == kind
            and exists_in(candidate.document, environment)
            and mine.get(id_key) == live_id
        ):
            return candidate
    return None


def matching(
    name: str,
    live_id: str,
    candidates: list[Candidate],
    environment: str,
    environments: Collection[str],
    *,
    kind: Kind | None = None,
) -> Candidate | None:
    """The one file that declares a resource of `kind` (default: the kinds matched by name)
    named `name` for another environment, and not yet `live_id` for `environment`; None when no
    file does. Two such files are refused."""
    kinds = [kind] if kind is not None else [k for k, s in KINDS.items() if s.matched_by_name]
    if any(declaring(k, live_id, candidates, environment) is not None for k in kinds):
        return None  # already declared for this environment: nothing to add
    found = []
    for candidate in candidates:
        if candidate.document.value.get("kind") not in kinds:
            continue
        views = [effective(candidate.document, e).document.value for e in environments]
        views.append(candidate.document.value)
        if any(isinstance(v, dict) and v.get("name") == name for v in views):
            found.append(candidate)
    if len(found) > 1:
        places = ", ".join(c.file for c in found)
        prefix = spec_of(found[0].document.value["kind"]).prefix
        raise UsageError(
            f"{prefix} {name!r} is declared by several files ({places}); import can't tell "
            "which one to add it to, so nothing was written"
        )
    return found[0] if found else None


def differences(
    candidate: Candidate, environment: str, live_id: str, live: Mapping[str, Any]
) -> dict[str, Any]:
    """What `overrides.<environment>` must add for `candidate` to mean the live resource:
    its id, and each managed field (of the candidate's kind) the file sets to another value
    (fields the file leaves unmanaged stay so)."""
    spec = spec_of(candidate.document.value["kind"])
    mine = effective(candidate.document, environment).document.value
    wanted: dict[str, Any] = {spec.id_key: live_id}
    for key in spec.field_names:
        if key in mine and key in live and mine[key] != live[key]:
            wanted[key] = live[key]
    return wanted


def own_file_document(
    document: dict[str, Any], environment: str, *, id_key: str | None
) -> dict[str, Any]:
    """A freshly imported document that exists only in `environment`: `environments:` added,
    and the id (`id_key`, for kinds where it is optional) moved into `overrides`."""
    result = {k: v for k, v in document.items() if k != id_key}
    result[ENVIRONMENTS] = [environment]
    if id_key is not None and id_key in document:
        result[OVERRIDES] = {environment: {id_key: document[id_key]}}
    return result


def with_override(candidate: Candidate, environment: str, fields: Mapping[str, Any]) -> str:
    """The text of `candidate`'s file with `fields` in `overrides.<environment>` (and
    `environment` in its `environments:` list, when it has one). Raises UsageError, naming
    what to add by hand, when the file can't be edited safely."""
    by_hand = (
        f"{candidate.file}: can't add overrides.{environment} safely; add "
        f"`{environment}: {flow(dict(fields))}` under `overrides:` by hand (nothing was written)"
    )
    if candidate.documents_in_file != 1:
        raise UsageError(by_hand)
    editor = _Editor(candidate.text, candidate.document)
    value: dict[str, Any] = candidate.document.value
    try:
        listed = value.get(ENVIRONMENTS)
        if isinstance(listed, list) and environment not in listed:
            editor.append_item((ENVIRONMENTS,), environment, len(listed))
        overrides = value.get(OVERRIDES)
        if overrides is None:
            editor.append_key((), OVERRIDES, {environment: dict(fields)})
        elif not isinstance(overrides, dict):
            raise _CantEdit
        elif environment not in overrides:
            editor.add_entry((OVERRIDES,), environment, dict(fields), first=next(iter(overrides)))
        else:
            present = overrides[environment]
            if not isinstance(present, dict) or not present:
                raise _CantEdit
            for key, item in fields.items():
                if key not in present:
                    path = (OVERRIDES, environment)
                    editor.add_entry(path, key, item, first=next(iter(present)))
    except _CantEdit:
        raise UsageError(by_hand) from None
    text = editor.text()
    if not _means(text, environment, fields):
        raise UsageError(by_hand)
    return text


def _means(text: str, environment: str, fields: Mapping[str, Any]) -> bool:
    """Whether `text` reads back as one document that is `fields` in `environment`."""
    documents, issues = parse(text)
    if issues or len(documents) != 1 or documents[0].issues:
        return False
    seen = effective(documents[0], environment).document.value
    return exists_in(documents[0], environment) and all(seen.get(k) == v for k, v in fields.items())


class _CantEdit(Exception):
    """The document's shape is one the editor does not change (say, a multi-line flow list)."""


class _Editor:
    """Insertions into a document's text at positions the parser gave; applied bottom up."""

    def __init__(self, text: str, document: Document) -> None:
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"
        self.document = document
        self.inserts: list[tuple[int, int, str]] = []  # (line index, column index, text)

    def text(self) -> str:
        lines = list(self.lines)
        for line, column, piece in sorted(self.inserts, reverse=True):
            if line >= len(lines):
                lines.append(piece)
            else:
                lines[line] = lines[line][:column] + piece + lines[line][column:]
        return "".join(lines)

    def _line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def append_item(self, path: tuple[str, ...], item: str, count: int) -> None:
        line, column = self.document.where(path)
        text = self._line(line)
        if text[column - 1 : column] == "[":
            close = _closing(text, column - 1)
            self.inserts.append((line - 1, close, f", {flow(item)}" if count else flow(item)))
            return
        last_line, last_column = self.document.where((*path, count - 1))
        if count == 0 or self._line(last_line)[last_column - 3 : last_column - 1] != "- ":
            raise _CantEdit
        indent = " " * (last_column - 3)
        self.inserts.append((last_line, 0, f"{indent}- {flow(item)}\n"))

    def append_key(self, path: tuple[str, ...], key: str, value: Mapping[str, Any]) -> None:
        """A new top-level block key at the end of the document."""
        if path or self.document.where(())[1] != 1:
            raise _CantEdit
        lines = [f"{key}:\n"] + [f"  {k}: {flow(v)}\n" for k, v in value.items()]
        self.inserts.append((len(self.lines), 0, "".join(lines)))

    def add_entry(self, path: tuple[str, ...], key: str, value: Any, *, first: str) -> None:
        """`key: value` in the mapping at `path`, beside its entry `first`."""
        line, column = self.document.where(path)
        text = self._line(line)
        if text[column - 1 : column] == "{":
            self.inserts.append((line - 1, column, f"{key}: {flow(value)}, "))
            return
        key_line, key_column = self.document.key_at((*path, first))
        if self._line(key_line)[: key_column - 1].strip():
            raise _CantEdit
        self.inserts.append((key_line - 1, 0, f"{' ' * (key_column - 1)}{key}: {flow(value)}\n"))


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start` on this line (quotes respected)."""
    depth, quote = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index
    raise _CantEdit


# ---------------------------------------------------------------------------------- the use case


@dataclass
class EnvironmentImport:
    """What `import --env` does: `edits` of files that declare a resource for another
    environment, `files` of their own for the rest, and `declared` (address, file) already
    there for this environment (left alone)."""

    edits: list[tuple[Path, str, str]] = field(default_factory=list)  # path, text, address
    files: list[ImportedFile] = field(default_factory=list)
    declared: list[tuple[str, str]] = field(default_factory=list)


def candidates_in(paths: list[Path], *, root: Path) -> list[Candidate]:
    """Every resource document in the files of `paths` that declare one, as written (the
    loader's lenient mode finds them; a file that can't be read is refused, as import refuses
    it)."""
    from botops.project.loader import load_declarations
    from botops.support.yamlpos import decode

    declared, unreadable = load_declarations(paths, root=root)
    if unreadable:
        raise UsageError(
            "; ".join(str(p) for p in unreadable) + "; import can't tell what that file "
            "declares, so nothing was written"
        )
    found: list[Candidate] = []
    for file in dict.fromkeys(d.file for d in declared):
        path = Path(file) if Path(file).exists() else root / file
        text, _ = decode(path.read_bytes())
        documents, _ = parse(text or "")
        found += [Candidate(file, text or "", d, len(documents)) for d in documents]
    return found


def import_into(
    live: list[LiveResource],
    candidates: list[Candidate],
    *,
    environment: str,
    environments: Collection[str],
    directory: Path,
    schemas_dir: Path,
    root: Path,
) -> EnvironmentImport:
    """Place each live resource of `environment` as the module
    docstring says; nothing is written here."""
    result = EnvironmentImport()
    own: list[LiveResource] = []
    edited: dict[str, Candidate] = {}
    for resource in live:
        there = declaring(resource.kind, resource.id, candidates, environment)
        if there is not None:
            result.declared.append((resource.address, there.file))
            continue
        name = resource.data.get("name")
        found = (
            matching(name, resource.id, candidates, environment, environments, kind=resource.kind)
            if resource.spec.matched_by_name and isinstance(name, str)
            else None
        )
        if found is None:
            own.append(resource)
            continue
        if found.file in edited:
            raise UsageError(
                f"{found.file} would take two live {resource.spec.prefix}s named {name!r}; "
                "nothing was written"
            )
        edited[found.file] = found
        fields = differences(found, environment, resource.id, resource.data)
        text = with_override(found, environment, fields)
        path = Path(found.file) if Path(found.file).exists() else root / found.file
        result.edits.append((path, text, resource.address))
    for file in lay_out(own, directory, schemas_dir=schemas_dir):
        if not file.is_prompt:
            modeline, _, body = file.text.partition("\n")
            documents, _ = parse(body)
            # The id of a kind matched by name is optional, so it can be an override.
            spec = file.resource.spec
            id_key = spec.id_key if spec.matched_by_name else None
            document = own_file_document(documents[0].value, environment, id_key=id_key)
            # The override in flow style, one line per environment, as a second import adds.
            overrides = document.pop(OVERRIDES, {})
            text = f"{modeline}\n{dump(document)}"
            if overrides:
                lines = "".join(f"  {k}: {flow(v)}\n" for k, v in overrides.items())
                text += f"{OVERRIDES}:\n{lines}"
            file = ImportedFile(file.path, text, file.resource)
        if file.path.exists():
            raise UsageError(
                f"{file.path} already exists; import --env never overwrites a file, so nothing "
                "was written (import into another --dir, or move that file)"
            )
        result.files.append(file)
    return result
