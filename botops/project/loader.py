"""Find, read and check resource files; every problem of a run is reported at once.

`load_resources` is the whole story: find the files, parse each with positions (`yamlpos`),
check `kind` and the kind's JSON Schema (`schemas/`), then the rules no schema can express
(agent roles, instruction files, the same resource declared twice), and build `Resource`s.
Each problem is a `Problem(file, line, column, message)` pointing at the offending key or
value; nothing is raised until every file has been looked at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from botops.errors import ConfigError, Problem
from botops.kinds import KINDS, KindSpec, either, spec_of
from botops.model import Kind, Resource
from botops.project.overrides import Scope, effective, environment_issues, exists_in
from botops.project.schemafiles import modeline_issues
from botops.support.files import read_regular_file
from botops.support.git import WorkTrees, ignored_names
from botops.support.schemacheck import did_you_mean, render_value, schema_issues
from botops.support.yamlpos import Document, Issue, NodePath, decode, parse

PROJECT_SCHEMA = "botops.schema.json"
SUFFIXES = (".yaml", ".yml")
PROJECT_FILE = "botops.yaml"
TEST_KIND = "Test"  # conversation tests (DESIGN §15): never a resource, loaded by testfiles


def load_resources(
    paths: list[Path],
    *,
    root: Path | None = None,
    project_file: Path | None = None,
    scope: Scope | None = None,
    tests: tuple[Path, ...] = (),
) -> list[Resource]:
    """Every resource declared in `paths` (files, or directories searched recursively).

    Instruction files must be inside `root`: the project root. Without one (no project file),
    inside the git work tree of each path (the path itself, or its directory for a file, when
    it is in none). `project_file`, and `botops.yaml` at the root, are not resource files.

    `scope` says which environment's view of the files to load (DESIGN §12): documents that
    don't exist there are left out, `overrides.<env>` is merged in, guards are checked.

    Files under `tests` (the test paths, DESIGN §15) are test files, not resource files: they
    are passed over, unless a test path holds a resource path (then its tests are misplaced,
    and each is reported).

    Raises `ConfigError` with every problem found, sorted by file, line and column.
    """
    scope = scope or Scope()
    problems: list[Problem] = []
    declared: list[_Declared] = []
    texts: dict[tuple[Path, Path], tuple[str | None, str | None]] = {}
    skipped = {((root or Path.cwd()) / PROJECT_FILE).resolve()}
    if project_file is not None:
        skipped.add(project_file.resolve())
    # One reader per work tree, and its work tree looked up once per directory named (not
    # per file: a pre-commit hook names 1,000 files of a few directories).
    readers: dict[Path, _Instructions] = {}
    repositories: dict[Path, Path] = {}
    work_trees = WorkTrees()
    valid: list[_Valid] = []
    invalid: list[_Valid] = []
    real_path = RealPaths()
    test_dirs = _test_dirs(tests, paths, real_path)
    found = _found(paths, root=root, skipped=skipped, problems=problems, real_path=real_path)
    for real, file, argument in found:
        if test_dirs and _under(real, test_dirs):
            continue
        inside = root
        if inside is None:
            directory = argument if argument.is_dir() else argument.parent
            if directory not in repositories:
                repositories[directory] = work_trees.top(directory) or directory
            inside = repositories[directory]
        if inside not in readers:
            readers[inside] = _Instructions(inside, texts)
        declared.extend(_load_file(file, real, readers[inside], problems, scope, valid, invalid))
    # The valid documents' resources, their instruction files asked of git together (and
    # those of documents with problems, whose files' characters are told all the same).
    for item in (*valid, *invalid):
        item.instructions.expect(item.path, spec_of(item.kind), item.document)
    for reader in readers.values():
        reader.ask_git()
    for item in valid:
        resource, issues = _resource(
            item.kind, item.document, item.name, item.path, item.instructions
        )
        if resource is not None and item.overridden:
            resource = replace(resource, overridden=_fields(item.overridden))
        item.declared.resource = resource
        problems.extend(problems_in(item.name, issues))
    for item in invalid:
        item.instructions.read_named(item.path, spec_of(item.kind), item.document)
    problems.extend(_invisible_in_instructions(texts, scope))
    problems.extend(_declared_twice(declared))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    return [d.resource for d in declared if d.resource is not None]


@dataclass(frozen=True)
class Declaration:
    """A resource some file declares, valid or not: its id, or (for a kind matched by name)
    its name when it has no id, and where the document starts."""

    kind: Kind
    id: str | None
    name: str | None
    file: str
    line: int
    column: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def load_declarations(paths: list[Path], *, root: Path) -> tuple[list[Declaration], list[Problem]]:
    """The loader's lenient mode: what each document of a known kind declares, whether or not
    it is valid, so that a file with mistakes still counts for what it declares and hides
    nothing of the others'. Paths that don't exist are passed over; the problems returned are
    the files that can't be read or parsed (they might declare anything)."""
    unreadable: list[Problem] = []
    found: list[Declaration] = []
    skipped = {(root / PROJECT_FILE).resolve()}
    inside = root.resolve()
    for real, path, _ in _found(paths, root=root, skipped=skipped, problems=[]):
        name = shown(path)
        for document in _documents(path, real, name, unreadable, root=inside):
            kind = known_kind(document.value)
            if kind is None:
                continue
            spec = spec_of(kind)
            resource_id, label = document.value.get(spec.id_key), document.value.get("name")
            found.append(
                Declaration(
                    kind,
                    resource_id if isinstance(resource_id, str) else None,
                    label if spec.matched_by_name and isinstance(label, str) else None,
                    name,
                    document.line,
                    document.column,
                )
            )
    return found, unreadable


# ---------------------------------------------------------------------------------- finding


def _test_dirs(tests: tuple[Path, ...], paths: list[Path], real_path: RealPaths) -> list[Path]:
    """The test paths that are not also where resources are read (or above it)."""
    if not tests:
        return []
    resolved = [real_path(p) for p in paths]
    found = []
    for test in tests:
        real = test.resolve()
        if not any(_inside(p, real) for p in resolved):
            found.append(real)
    return found


def _under(real: Path, directories: list[Path]) -> bool:
    return any(_inside(real, d) for d in directories)


class RealPaths:
    """Paths with their links followed (`Path.resolve`), each folder resolved once for all
    the files named in it: a pre-commit hook names 1,000 files of a few folders. A file
    that is itself a link is resolved on its own."""

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        name = path.name
        if name in ("", "..") or os.path.islink(path):
            return _resolved(path)
        folder = path.parent
        if folder not in self._folders:
            self._folders[folder] = _resolved(folder)
        return self._folders[folder] / name


def find_files(paths: Iterable[Path], *, skipped: set[Path], problems: list[Problem]) -> list[Path]:
    """Files as given, and `*.yaml`/`*.yml` under directories (hidden ones skipped), each
    once; a path that doesn't exist is a problem. (The test loader finds its files so.)"""
    return [file for _, file, _ in _found(paths, root=None, skipped=skipped, problems=problems)]


def read_documents(path: Path, problems: list[Problem], *, root: Path) -> list[Document]:
    """The documents of one file inside `root`, what stops them being read in `problems`."""
    return _documents(path, _resolved(path), shown(path), problems, root=root)


def _found(
    paths: Iterable[Path],
    *,
    root: Path | None,
    skipped: set[Path],
    problems: list[Problem],
    real_path: RealPaths | None = None,
) -> list[tuple[Path, Path, Path]]:
    """Files as given, and `*.yaml`/`*.yml` under directories (hidden ones skipped), each once:
    its real path (links resolved), the path as found, and the path argument it was found
    through; `skipped` files are not resource files."""
    real_path = real_path or RealPaths()
    found: dict[Path, tuple[Path, Path, Path]] = {}
    for path in paths:
        if path.is_dir():
            for real, file in _walk(path):
                if real not in skipped:
                    found.setdefault(real, (real, file, path))
        elif path.exists():
            real = real_path(path)
            found.setdefault(real, (real, path, path))
        else:
            problems.append(Problem(shown(path), 1, 1, "no such file or directory"))
    return list(found.values())


def _walk(directory: Path) -> Iterator[tuple[Path, Path]]:
    """Each YAML file under `directory` (hidden folders skipped, linked folders not entered,
    as `os.walk` does), sorted: its real path and its path as found. A folder is resolved once
    for all its files; only a file that is itself a link is resolved on its own (the folder
    listing says which are, without a system call per file)."""
    files: list[tuple[Path, Path]] = []
    folders = [os.fspath(directory)]
    while folders:
        current = folders.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue  # as os.walk: a folder that can't be listed has no files to plan
        real_current = _resolved(Path(current))
        for entry in entries:
            if _is_dir(entry):
                if not entry.name.startswith(".") and not entry.is_symlink():
                    folders.append(entry.path)
            elif entry.name.endswith(SUFFIXES):
                file = Path(entry.path)
                real = _resolved(file) if entry.is_symlink() else real_current / entry.name
                files.append((real, file))
    # In the order of `Path`s (part by part), by their text split once: sorting the paths
    # themselves compares their parts anew at every step.
    files.sort(key=lambda pair: str(pair[1]).split(os.sep))
    yield from files


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _inside(real: Path, root: Path) -> bool:
    """`real.is_relative_to(root)` for two absolute paths without `..`, as text (the loader
    asks it for every file)."""
    text, top = str(real), str(root)
    return text == top or text.startswith(top if top.endswith("/") else top + "/")


def _resolved(path: Path) -> Path:
    """`path` with its links followed; as it is when they loop (reading it then says so)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def shown(path: Path) -> str:
    """The path as a user reads it: relative to the working directory when under it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


# ---------------------------------------------------------------------------------- one file


@dataclass
class _Declared:
    """One document of a known kind: where it is, and its resource when it is valid."""

    kind: Kind
    file: str
    document: Document
    resource: Resource | None


@dataclass
class _Valid:
    """A document with nothing wrong on its own: its resource is built once every file has
    been read (instruction files next, git asked about them all at once). A document with
    problems is kept the same way, for its instruction files' characters alone."""

    declared: _Declared
    path: Path
    instructions: _Instructions
    overridden: frozenset[str]

    @property
    def kind(self) -> Kind:
        return self.declared.kind

    @property
    def name(self) -> str:
        return self.declared.file

    @property
    def document(self) -> Document:
        return self.declared.document


def _load_file(
    path: Path,
    real: Path,
    instructions: _Instructions,
    problems: list[Problem],
    scope: Scope,
    valid: list[_Valid],
    invalid: list[_Valid],
) -> list[_Declared]:
    """The documents of a known kind in one file; the valid ones (their resources still to
    build) also in `valid`, the others (their instruction files still to check) in
    `invalid`."""
    name = shown(path)
    declared: list[_Declared] = []
    checks = _file_checks(path, instructions.root, scope)
    for written in _documents(path, real, name, problems, root=instructions.root, checks=checks):
        if not exists_in(written, scope.environment):
            problems.extend(problems_in(name, environment_issues(written, scope.defined)))
            continue
        # The document as this environment sees it, every value at the place it was written.
        view = effective(written, scope.environment)
        document = view.document
        kind, issues = check_document(document)
        issues += scope.issues(kind, written, document, issues)
        problems.extend(problems_in(name, issues))
        if kind is not None:
            item = _Declared(kind, name, document, None)
            declared.append(item)
            if not issues:
                overridden = view.overridden_fields() if view.overridden else frozenset()
                valid.append(_Valid(item, path, instructions, overridden))
            else:
                invalid.append(_Valid(item, path, instructions, frozenset()))
    return declared


def _fields(overridden: frozenset[str]) -> frozenset[str]:
    """Overridden keys as the plan names fields: an instruction file gives `instruction`."""
    return frozenset("instruction" if f == "instruction_file" else f for f in overridden)


def _documents(
    path: Path,
    real: Path,
    name: str,
    problems: list[Problem],
    *,
    root: Path,
    checks: _Checks | None = None,
) -> list[Document]:
    """The documents of one file (`real`: its path resolved); what stops them being read goes
    to `problems`. A file that resolves outside `root` (resolved) is not read: a link to a
    secrets file would otherwise be read, and quoted in its errors. Only a regular file is
    read: a FIFO would block until a writer came, a device (`/dev/zero`) would never end."""
    if not _inside(real, root):
        problems.append(Problem(name, 1, 1, _OUTSIDE))
        return []
    try:
        data = read_regular_file(path)
    except OSError as error:
        problems.append(Problem(name, 1, 1, f"can't read file: {error.strerror or error}"))
        return []
    documents, unreadable = parse_file(data)
    problems.extend(problems_in(name, unreadable))
    if checks is not None:
        problems.extend(problems_in(name, checks(data, documents)))
    return documents


_Checks = Callable[[bytes, list[Document]], list[Issue]]
"""What is checked in a resource file's text itself, besides its documents."""


def _file_checks(path: Path, root: Path, scope: Scope) -> _Checks:
    """A resource file's invisible characters (but those the guards allow) and, for `validate`,
    modelines that lead nowhere (DESIGN §11: to the project's `schemas/`, beside botops.yaml,
    when it has one)."""

    def check(data: bytes, documents: list[Document]) -> list[Issue]:
        text, _ = decode(data)
        if text is None:
            return []  # reported as unreadable already
        issues = scope.guards.invisible_issues(text)
        schemas = root / "schemas"
        if scope.modelines and schemas.is_dir():  # a project botops wrote its schemas into
            kinds = [(d.line, known_kind(d.value)) for d in documents]
            issues += modeline_issues(text, kinds, path, schemas)
        return issues

    return check


def _invisible_in_instructions(
    texts: dict[tuple[Path, Path], tuple[str | None, str | None]], scope: Scope
) -> Iterator[Problem]:
    """The invisible characters of every instruction file read, at the file's own line and
    column (its text as read: lines and columns are those of the file)."""
    for (real, _), (text, _) in texts.items():
        if text is not None:
            yield from problems_in(shown(real), scope.guards.invisible_issues(text))


_OUTSIDE = "outside the project root (a link?); keep resource files inside the repository"


def parse_file(data: bytes) -> tuple[list[Document], list[Issue]]:
    """The documents in a file's bytes, and what stopped them being read: text that is not
    UTF-8, or a syntax error (documents before it are still returned)."""
    text, issue = decode(data)
    if text is None:
        assert issue is not None
        return [], [Issue(issue.line, issue.column, f"{issue.message}; save as UTF-8")]
    return parse(text)


def problems_in(file: str, issues: Iterable[Issue]) -> Iterator[Problem]:
    return (Problem(file, i.line, i.column, i.message) for i in issues)


def check_document(document: Document) -> tuple[Kind | None, list[Issue]]:
    """The document's kind (None when it has no usable one) and everything wrong in it that
    can be seen without other files."""
    issues = list(document.issues)
    kind, kind_issue = _kind(document)
    found = [kind_issue] if kind_issue is not None else []
    if kind is not None:
        spec = spec_of(kind)
        found += schema_issues(document, spec.schema_file) + spec.issues(document)
    # A node YAML already refused (a tag, a recursive alias) is not reported again.
    refused = {(i.line, i.column) for i in issues}
    return kind, issues + [i for i in found if (i.line, i.column) not in refused]


def known_kind(value: Any) -> Kind | None:
    """The registered kind a parsed document declares, if it declares one."""
    kind = value.get("kind") if isinstance(value, dict) else None
    return next((known for known in KINDS if kind == known), None)


def _kind(document: Document) -> tuple[Kind | None, Issue | None]:
    value = document.value
    names = either(KINDS)
    if not isinstance(value, dict):
        starts = either(f"'kind: {name}'" for name in KINDS)
        return None, Issue.at(
            document.where(()),
            f"a document must be a mapping starting with {starts}, got {render_value(value)}",
        )
    if "kind" not in value:
        return None, Issue.at(document.where(()), f"missing required key 'kind' ({names})")
    known = known_kind(value)
    if known is not None:
        return known, None
    kind = value["kind"]
    if not isinstance(kind, str):
        message = f"'kind' must be {names}, got {render_value(kind)}"
        return None, Issue.at(document.where(("kind",)), message)
    if kind == TEST_KIND:
        message = (
            "a Test document belongs in a test file under tests.paths of botops.yaml "
            "(default tests/), not with resource files"
        )
        return None, Issue.at(document.where(("kind",)), message)
    hint = did_you_mean(kind, list(KINDS)) or f" (expected {names})"
    return None, Issue.at(document.where(("kind",)), f"unknown kind {render_value(kind)}{hint}")


# ---------------------------------------------------------------------------------- resources


class _Instructions:
    """Reads instruction files once each (in `texts`, shared by all files of a run), only
    from inside `root`."""

    def __init__(
        self, root: Path, texts: dict[tuple[Path, Path], tuple[str | None, str | None]]
    ) -> None:
        self.root = root.resolve()
        self._texts = texts
        # Whether git ignores a file, asked for many at once (one `git check-ignore` per
        # folder of instruction files) by `expect` and `ask_git`, else one by one.
        self._ignored: dict[Path, bool] = {}
        self._expected: set[Path] = set()
        self._real: dict[tuple[Path, str], Path | str] = {}

    def expect(self, resource_file: Path, spec: KindSpec, document: Document) -> None:
        """Note the instruction files `document` names (those git would be asked about), to
        ask git about them together."""
        for reference in _references(spec, document):
            real = self._resolved(resource_file, reference)
            if isinstance(real, Path) and self._refused(real, reference) is None:
                self._expected.add(real)

    def read_named(self, resource_file: Path, spec: KindSpec, document: Document) -> None:
        """Read the instruction files `document` names, for their characters alone: a document
        with problems of its own builds no resource, and what its files hide is still told with
        them (why one can't be read is told once the document is right)."""
        for reference in _references(spec, document):
            self.read(resource_file, reference)

    def ask_git(self) -> None:
        """One `git check-ignore` per folder for the instruction files `expect` noted."""
        folders: dict[Path, list[str]] = {}
        for real in self._expected - self._ignored.keys():
            folders.setdefault(real.parent, []).append(real.name)
        self._expected.clear()
        for folder, names in folders.items():
            ignored = ignored_names(folder, names)
            self._ignored.update((folder / name, name in ignored) for name in names)

    def _ignored_by_git(self, real: Path) -> bool:
        if real not in self._ignored:
            self._ignored[real] = real.name in ignored_names(real.parent, [real.name])
        return self._ignored[real]

    def read(self, resource_file: Path, reference: str) -> tuple[str | None, str | None]:
        """The instruction text, or why it can't be had (a message naming `reference`)."""
        real = self._resolved(resource_file, reference)
        if not isinstance(real, Path):
            return None, real
        key = (real, self.root)
        if key not in self._texts:
            try:
                self._texts[key] = self._read(real, reference)
            except (OSError, ValueError, RuntimeError) as error:
                self._texts[key] = None, _unreadable(reference, error)
        return self._texts[key]

    def _resolved(self, resource_file: Path, reference: str) -> Path | str:
        """The real path `reference` names from `resource_file`, or why it has none."""
        key = (resource_file.parent, reference)
        if key not in self._real:
            try:
                self._real[key] = (resource_file.parent / reference).resolve()
            except (OSError, ValueError, RuntimeError) as error:  # NUL, too long, a link loop
                self._real[key] = _unreadable(reference, error)
        return self._real[key]

    def _refused(self, real: Path, reference: str) -> str | None:
        """Why the file is not read before git is asked (outside the root, or hidden)."""
        if not _inside(real, self.root):
            return (
                f"instruction_file {reference!r} is outside the project root; "
                "keep instruction files inside the repository"
            )
        # What git keeps out of the repository (its own `.git/config`, where CI's checkout
        # keeps a token; `.env`; anything ignored) never becomes a prompt: it would land in the
        # plan, the pull-request comment and the API.
        hidden = (*Path(reference).parts, *real.relative_to(self.root).parts)
        if any(part.startswith(".") and part not in (".", "..") for part in hidden):
            return (
                f"instruction_file {reference!r} is in a hidden directory or is a hidden file; "
                "botops reads no instruction file there (keep prompts in tracked, visible files)"
            )
        return None

    def _read(self, real: Path, reference: str) -> tuple[str | None, str | None]:
        refused = self._refused(real, reference)
        if refused is not None:
            return None, refused
        if self._ignored_by_git(real):
            return None, (
                f"instruction_file {reference!r} is ignored by git; botops reads no instruction "
                "file git keeps out of the repository"
            )
        if not real.exists():
            return None, f"instruction_file {reference!r} does not exist"
        if not real.is_file():
            return None, f"instruction_file {reference!r} is not a file"
        text, issue = decode(read_regular_file(real))
        if text is None:
            assert issue is not None
            where = f"line {issue.line}, column {issue.column}"
            return None, f"instruction_file {reference!r} is {issue.message} at {where}"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text.removesuffix("\n"), None


def _references(spec: KindSpec, document: Document) -> Iterator[str]:
    """The instruction files a document names: its own, and its agents' (the fields whose
    items take files)."""
    value: dict[str, Any] = document.value
    mappings = [value]
    for field in spec.fields:
        items = value.get(field.name) if field.file_items else None
        mappings += [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    for mapping in mappings:
        references = mapping.get("instruction_file")
        for reference in references if isinstance(references, list) else [references]:
            if isinstance(reference, str):
                yield reference


def _unreadable(reference: str, error: OSError | ValueError | RuntimeError) -> str:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"instruction_file {reference!r} can't be read: {reason}"


def _resource(
    kind: Kind, document: Document, name: str, path: Path, instructions: _Instructions
) -> tuple[Resource | None, list[Issue]]:
    data: dict[str, Any] = document.value
    spec = spec_of(kind)
    desired, issues = _desired(spec, document, path, instructions)
    if issues:
        return None, issues
    resource = Resource(
        kind=kind,
        file=name,
        line=document.line,
        column=document.column,
        id=data.get(spec.id_key),
        desired=desired,
        description=data.get("description"),
        version_description=data.get("version_description"),
        mark_as_stable=data.get("mark_as_stable"),
    )
    return resource, []


def _desired(
    spec: KindSpec, document: Document, path: Path, instructions: _Instructions
) -> tuple[dict[str, Any], list[Issue]]:
    """The managed fields the document declares, each `instruction_file` (of the document,
    or of an item of a field that allows one) replaced by the text it names."""
    issues: list[Issue] = []

    def resolved(mapping: dict[str, Any], where: NodePath) -> dict[str, Any]:
        if "instruction_file" not in mapping:
            return dict(mapping)
        references = mapping["instruction_file"]
        # A list is shared fragments (tone, compliance) joined with one blank line between.
        listed = isinstance(references, list)
        texts: list[str | None] = []
        for index, reference in enumerate(references if listed else [references]):
            text, error = instructions.read(path, reference)
            if error is not None:
                place = (*where, "instruction_file", *([index] if listed else []))
                issues.append(Issue.at(document.where(place), error))
            texts.append(text)
        joined = None if None in texts else "\n\n".join(t for t in texts if t is not None)
        return _with_instruction(mapping, joined)

    top = resolved(document.value, ())
    desired: dict[str, Any] = {}
    for field in spec.fields:
        if field.name not in top:
            continue
        value = top[field.name]
        if field.file_items:
            value = [resolved(item, (field.name, index)) for index, item in enumerate(value)]
        desired[field.name] = value
    return desired, issues


def _with_instruction(mapping: dict[str, Any], text: str | None) -> dict[str, Any]:
    """`mapping` with its `instruction_file` replaced, in the same place, by `instruction`."""
    result: dict[str, Any] = {}
    for key, value in mapping.items():
        if key == "instruction_file":
            result["instruction"] = text
        else:
            result[key] = value
    return result


# ---------------------------------------------------------------------------------- cross-file


_Place = tuple[str, int, int]


def _declared_twice(declared: list[_Declared]) -> list[Problem]:
    """A resource declared in two places is reported at each, naming the others."""
    places = _places(declared)
    problems: list[Problem] = []
    for (kind, field, declared_as), found in places.items():
        for place in found if len(found) > 1 else []:
            others = ", ".join(
                f"{f}:{line}:{col}" for f, line, col in found if (f, line, col) != place
            )
            message = _twice_message(spec_of(kind), field, declared_as, others)
            problems.append(Problem(*place, message))
    return problems


def _places(declared: list[_Declared]) -> dict[tuple[Kind, str, str], list[_Place]]:
    """Where each resource is declared: by (kind, `id_key` or `name`, its value)."""
    places: dict[tuple[Kind, str, str], list[_Place]] = {}
    for item in declared:
        value: dict[str, Any] = item.document.value
        spec = spec_of(item.kind)
        if isinstance(value.get(spec.id_key), str):
            field = spec.id_key
        elif spec.matched_by_name and isinstance(value.get("name"), str) and value["name"]:
            field = "name"
        else:
            continue
        where = item.document.where((field,))
        places.setdefault((item.kind, field, value[field]), []).append((item.file, *where))
    return places


def clashes_with_the_rest(
    named: list[Path], rest: list[Path], *, root: Path, scope: Scope
) -> list[Problem]:
    """What the files `named` declare that another file under `rest` declares too (the same
    id, or the same name without one), at the named file's place. A pre-commit hook names only
    the changed files; a new file that duplicates an unchanged one must still be refused. The
    other files are only parsed as `scope` sees them, never reported on."""
    skipped = {(root / PROJECT_FILE).resolve()}
    mine = [
        (real, path) for real, path, _ in _found(named, root=root, skipped=skipped, problems=[])
    ]
    seen = {real for real, _ in mine}
    others = [
        (real, path)
        for real, path, _ in _found(rest, root=root, skipped=skipped, problems=[])
        if real not in seen
    ]
    theirs = _places(_declared_in(others, root=root, scope=scope)) if others else {}
    if not theirs:
        return []
    problems: list[Problem] = []
    for (kind, field, value), places in _places(_declared_in(mine, root=root, scope=scope)).items():
        found = theirs.get((kind, field, value), [])
        others_text = ", ".join(f"{f}:{line}:{col}" for f, line, col in found)
        problems += [
            Problem(*place, _twice_message(spec_of(kind), field, value, others_text))
            for place in (places if found else [])
        ]
    return problems


def _declared_in(files: list[tuple[Path, Path]], *, root: Path, scope: Scope) -> list[_Declared]:
    """The documents of a known kind in `files` (real path, path), as `scope` sees them, valid
    or not; what stops a file being read is passed over."""
    declared: list[_Declared] = []
    inside = root.resolve()
    for real, path in files:
        name = shown(path)
        for written in _documents(path, real, name, [], root=inside):
            if not exists_in(written, scope.environment):
                continue
            document = effective(written, scope.environment).document
            kind = known_kind(document.value)
            if kind is not None:
                declared.append(_Declared(kind, name, document, None))
    return declared


def _twice_message(spec: KindSpec, field: str, value: str, others: str) -> str:
    if field == "name":
        return (
            f"{spec.prefix} {value!r} without {spec.id_key} is also declared at {others}; "
            f"{spec.noun}s without {spec.id_key} are matched by name: give each a "
            f"{spec.id_key} or its own name"
        )
    return f"{field} {value!r} is also declared at {others}"
