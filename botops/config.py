"""Find, read and check resource files; every problem of a run is reported at once.

`load_resources` is the whole story: find the files, parse each with positions (`yamlpos`),
check `kind` and the kind's JSON Schema (`schemas/`), then the rules no schema can express
(agent roles, instruction files, the same resource declared twice), and build `Resource`s.
Each problem is a `Problem(file, line, column, message)` pointing at the offending key or
value; nothing is raised until every file has been looked at.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from botops.errors import ConfigError, Problem
from botops.git import rev_parse
from botops.model import VOICEBOT_FIELDS, Kind, Resource
from botops.yamlpos import Document, Issue, NodePath, decode, parse

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES: dict[Kind, str] = {
    "Voicebot": "voicebot.schema.json",
    "Assistant": "assistant.schema.json",
}
PROJECT_SCHEMA = "botops.schema.json"
ID_KEYS: dict[Kind, str] = {"Voicebot": "bot_id", "Assistant": "assistant_id"}
SUFFIXES = (".yaml", ".yml")
PROJECT_FILE = "botops.yaml"


def load_resources(
    paths: list[Path], *, root: Path | None = None, project_file: Path | None = None
) -> list[Resource]:
    """Every resource declared in `paths` (files, or directories searched recursively).

    Instruction files must be inside `root`: the project root. Without one (no project file),
    inside the git work tree of each path (the path itself, or its directory for a file, when
    it is in none). `project_file`, and `botops.yaml` at the root, are not resource files.

    Raises `ConfigError` with every problem found, sorted by file, line and column.
    """
    problems: list[Problem] = []
    declared: list[_Declared] = []
    texts: dict[tuple[Path, Path], tuple[str | None, str | None]] = {}
    skipped = {((root or Path.cwd()) / PROJECT_FILE).resolve()}
    if project_file is not None:
        skipped.add(project_file.resolve())
    readers: dict[Path, _Instructions] = {}
    for file, argument in _found(paths, root=root, skipped=skipped, problems=problems):
        if argument not in readers:
            inside = root or _repository_of(argument if argument.is_dir() else argument.parent)
            readers[argument] = _Instructions(inside, texts)
        declared.extend(_load_file(file, readers[argument], problems))
    problems.extend(_declared_twice(declared))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    return [d.resource for d in declared if d.resource is not None]


# ---------------------------------------------------------------------------------- finding


def _find_files(
    paths: Iterable[Path],
    *,
    root: Path | None,
    problems: list[Problem],
    skipped: set[Path] | None = None,
) -> list[Path]:
    """Files as given, and `*.yaml`/`*.yml` under directories (hidden ones skipped), each once.

    The project file at the root (or `skipped` files) is not a resource file, and is skipped
    inside directories."""
    if skipped is None:
        skipped = {((root or Path.cwd()) / PROJECT_FILE).resolve()}
    return [file for file, _ in _found(paths, root=root, skipped=skipped, problems=problems)]


def _found(
    paths: Iterable[Path], *, root: Path | None, skipped: set[Path], problems: list[Problem]
) -> list[tuple[Path, Path]]:
    """`_find_files`, each file with the path argument it was found through."""
    found: dict[Path, tuple[Path, Path]] = {}
    for path in paths:
        if path.is_dir():
            for file in _walk(path):
                real = file.resolve()
                if real not in skipped:
                    found.setdefault(real, (file, path))
        elif path.exists():
            found.setdefault(path.resolve(), (path, path))
        else:
            problems.append(Problem(shown(path), 1, 1, "no such file or directory"))
    return list(found.values())


def _repository_of(directory: Path) -> Path:
    """The git work tree `directory` is in; `directory` itself when it is in none (or there is
    no git): without a project file, that is what instruction files must not escape."""
    top = rev_parse(directory, "--show-toplevel")
    return Path(top) if top else directory


def _walk(directory: Path) -> Iterator[Path]:
    files: list[Path] = []
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(current, n) for n in names if n.endswith(SUFFIXES))
    yield from sorted(files)


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


def _load_file(path: Path, instructions: _Instructions, problems: list[Problem]) -> list[_Declared]:
    name = shown(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(name, 1, 1, f"can't read file: {error.strerror or error}"))
        return []
    documents, unreadable = parse_file(data)
    problems.extend(problems_in(name, unreadable))
    declared: list[_Declared] = []
    for document in documents:
        kind, issues = check_document(document)
        resource = None
        if kind is not None and not issues:
            resource, issues = _resource(kind, document, name, path, instructions)
        problems.extend(problems_in(name, issues))
        if kind is not None:
            declared.append(_Declared(kind, name, document, resource))
    return declared


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
        found += schema_issues(document, SCHEMA_FILES[kind])
    if kind == "Assistant":
        found += _agent_roles(document)
    # A node YAML already refused (a tag, a recursive alias) is not reported again.
    refused = {(i.line, i.column) for i in issues}
    return kind, issues + [i for i in found if (i.line, i.column) not in refused]


def _kind(document: Document) -> tuple[Kind | None, Issue | None]:
    value = document.value
    if not isinstance(value, dict):
        return None, _at(
            document.where(()),
            "a document must be a mapping starting with 'kind: Voicebot' or 'kind: Assistant', "
            f"got {render_value(value)}",
        )
    if "kind" not in value:
        return None, _at(document.where(()), "missing required key 'kind' (Voicebot or Assistant)")
    kind = value["kind"]
    for known in SCHEMA_FILES:
        if kind == known:
            return known, None
    if not isinstance(kind, str):
        message = f"'kind' must be Voicebot or Assistant, got {render_value(kind)}"
        return None, _at(document.where(("kind",)), message)
    hint = _did_you_mean(str(kind), list(SCHEMA_FILES)) or " (expected Voicebot or Assistant)"
    return None, _at(document.where(("kind",)), f"unknown kind {render_value(kind)}{hint}")


def _at(position: tuple[int, int], message: str) -> Issue:
    return Issue(position[0], position[1], message)


def _agent_roles(document: Document) -> list[Issue]:
    """A role given twice in one assistant, at the second (the schema can't say this)."""
    agents = document.value.get("agents")
    issues: list[Issue] = []
    first: dict[str, int] = {}
    for index, agent in enumerate(agents if isinstance(agents, list) else []):
        role = agent.get("role") if isinstance(agent, dict) else None
        if not isinstance(role, str):
            continue
        where = document.where(("agents", index, "role"))
        if role in first:
            issues.append(
                _at(where, f"duplicate agent role {role!r} (first at line {first[role]})")
            )
        else:
            first[role] = where[0]
    return issues


# ---------------------------------------------------------------------------------- schemas


def schema_issues(document: Document, schema_file: str) -> list[Issue]:
    """Every way `document` breaks `schema_file` (in `schemas/`), in words, at the offending
    key (unknown keys) or value (everything else; the mapping for a missing key)."""
    issues: list[Issue] = []
    for error in _validator(schema_file).iter_errors(document.value):
        issues.extend(_explain(error, document))
    return issues


@cache
def _validator(schema_file: str) -> Any:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    schema = json.loads((SCHEMAS_DIR / schema_file).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _explain(error: Any, document: Document) -> list[Issue]:
    path: NodePath = tuple(error.absolute_path)
    keyword: str = error.validator
    schema: dict[str, Any] = error.schema
    instance: Any = error.instance
    if keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        return [
            _at(document.key_at((*path, key)), f"unknown key {key!r}{_did_you_mean(key, allowed)}")
            for key in instance
            if key not in allowed
        ]
    if keyword == "required" and isinstance(instance, dict):
        # A key missing because it is misspelt is reported once: as the unknown key.
        allowed = list(schema.get("properties", {}))
        typos = {_closest(k, allowed) for k in instance if k not in allowed}
        return [
            _at(document.where(path), f"missing required key {key!r}")
            for key in error.validator_value
            if key not in instance and key not in typos
        ]
    if keyword == "not" and isinstance(instance, dict):
        keys = [k for k in error.validator_value.get("required", []) if k in instance]
        if len(keys) == 2:
            later = max(keys, key=lambda k: document.key_at((*path, k)))
            return [
                _at(
                    document.key_at((*path, later)),
                    f"give either {keys[0]!r} or {keys[1]!r}, not both",
                )
            ]
    if keyword == "uniqueItems" and isinstance(instance, list):
        return [_not_unique(path, instance, schema, document)]
    if keyword in _VALUE_KEYWORDS:
        expected = _expected(schema, keyword)
        message = f"{_subject(path)} must be {expected}, got {render_value(instance)}"
        if keyword == "type" and schema.get("type") == "string" and _is_number_like(instance):
            message += " (put it in quotes to make it text)"
        return [_at(document.where(path), message)]
    return [_at(document.where(path), f"{_subject(path)}: {error.message}")]


_VALUE_KEYWORDS = frozenset(
    {
        "type",
        "const",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)


def _is_number_like(value: Any) -> bool:
    """A YAML scalar that became a number or boolean where text was meant (`bot_id: 12345`)."""
    return isinstance(value, int | float)


def _not_unique(
    path: NodePath, items: list[Any], schema: dict[str, Any], document: Document
) -> Issue:
    seen: list[Any] = []
    for index, item in enumerate(items):
        if item in seen:
            count = sum(1 for other in items if other == item)
            times = "twice" if count == 2 else f"{count} times"
            message = (
                f"{_subject(path)} must be {_expected(schema, 'uniqueItems')}: "
                f"{render_value(item)} appears {times}"
            )
            return _at(document.where((*path, index)), message)
        seen.append(item)
    return _at(document.where(path), f"{_subject(path)} must not repeat an item")


def _subject(path: NodePath) -> str:
    """How a message names the value at `path`: `'temperature'`, `every item of 'agents'`."""
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        parents = [p for p in path[:-1] if isinstance(p, str)]
        return f"every item of {parents[-1]!r}" if parents else "every item"
    return repr(last)


def _expected(schema: dict[str, Any], keyword: str) -> str:
    """What a valid value is, in words, from the schema (its editor message `Expected X.`
    when it has one)."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if keyword in ("minimum", "maximum") and low is not None and high is not None:
        return f"between {low} and {high}"
    said = schema.get("errorMessage") or schema.get("patternErrorMessage")
    if isinstance(said, str):
        return said.removeprefix("Expected ").removesuffix(".")
    if schema.get("type") == "object" and keyword == "type":
        # An editor shows an object's errorMessage for every error inside it (an unknown key
        # too), so mappings carry none: their words come from their keys.
        required, keys = schema.get("required") or [], list(schema.get("properties") or {})
        if required:
            return "a mapping with " + " and ".join(f"a {key}" for key in required)
        if len(keys) > 1:
            return f"a mapping of {', '.join(keys[:-1])} and {keys[-1]}"
    if "const" in schema:
        return render_value(schema["const"])
    types = schema.get("type")
    names = [_TYPE_WORDS.get(t, t) for t in ([types] if isinstance(types, str) else types or [])]
    words = " or ".join(names) or "valid"
    if low is not None and high is not None:
        return f"{words} between {low} and {high}"
    if low is not None:
        return f"{words} >= {low}"
    if high is not None:
        return f"{words} <= {high}"
    return words


_TYPE_WORDS = {
    "boolean": "true or false",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def render_value(value: Any) -> str:
    """A value as a message shows it: YAML's words for booleans and null, quotes for text."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _did_you_mean(word: str, candidates: list[str]) -> str:
    match = _closest(word, candidates)
    return f" (did you mean {match!r}?)" if match else ""


def _closest(word: str, candidates: list[str]) -> str | None:
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in candidates}
    return lowered.get(word.lower())


# ---------------------------------------------------------------------------------- resources


class _Instructions:
    """Reads instruction files once each (in `texts`, shared by all files of a run), only
    from inside `root`."""

    def __init__(
        self, root: Path, texts: dict[tuple[Path, Path], tuple[str | None, str | None]]
    ) -> None:
        self.root = root.resolve()
        self._texts = texts

    def read(self, resource_file: Path, reference: str) -> tuple[str | None, str | None]:
        """The instruction text, or why it can't be had (a message naming `reference`)."""
        try:
            real = (resource_file.parent / reference).resolve()
        except (OSError, ValueError) as error:  # a NUL byte, a name too long, a symlink loop
            return None, _unreadable(reference, error)
        key = (real, self.root)
        if key not in self._texts:
            try:
                self._texts[key] = self._read(real, reference)
            except (OSError, ValueError) as error:
                self._texts[key] = None, _unreadable(reference, error)
        return self._texts[key]

    def _read(self, real: Path, reference: str) -> tuple[str | None, str | None]:
        if not real.is_relative_to(self.root):
            return None, (
                f"instruction_file {reference!r} is outside the project root; "
                "keep instruction files inside the repository"
            )
        if not real.exists():
            return None, f"instruction_file {reference!r} does not exist"
        if not real.is_file():
            return None, f"instruction_file {reference!r} is not a file"
        text, issue = decode(real.read_bytes())
        if text is None:
            assert issue is not None
            where = f"line {issue.line}, column {issue.column}"
            return None, f"instruction_file {reference!r} is {issue.message} at {where}"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text.removesuffix("\n"), None


def _unreadable(reference: str, error: OSError | ValueError) -> str:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"instruction_file {reference!r} can't be read: {reason}"


def _resource(
    kind: Kind, document: Document, name: str, path: Path, instructions: _Instructions
) -> tuple[Resource | None, list[Issue]]:
    data: dict[str, Any] = document.value
    if kind == "Voicebot":
        desired = {k: data[k] for k in VOICEBOT_FIELDS if k in data}
        issues: list[Issue] = []
    else:
        desired, issues = _assistant_fields(data, document, path, instructions)
    if issues:
        return None, issues
    resource = Resource(
        kind=kind,
        file=name,
        line=document.line,
        column=document.column,
        id=data.get(ID_KEYS[kind]),
        desired=desired,
        description=data.get("description"),
        version_description=data.get("version_description"),
        mark_as_stable=data.get("mark_as_stable"),
    )
    return resource, []


def _assistant_fields(
    data: dict[str, Any], document: Document, path: Path, instructions: _Instructions
) -> tuple[dict[str, Any], list[Issue]]:
    issues: list[Issue] = []

    def resolved(mapping: dict[str, Any], at: NodePath) -> dict[str, Any]:
        if "instruction_file" not in mapping:
            return dict(mapping)
        text, error = instructions.read(path, mapping["instruction_file"])
        if error is not None:
            issues.append(_at(document.where((*at, "instruction_file")), error))
        return _with_instruction(mapping, text)

    top = resolved(data, ())
    desired: dict[str, Any] = {k: top[k] for k in ("instruction", "llm_config") if k in top}
    if "agents" in data:
        desired["agents"] = [
            resolved(agent, ("agents", index)) for index, agent in enumerate(data["agents"])
        ]
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


def _declared_twice(declared: list[_Declared]) -> list[Problem]:
    """A resource declared in two places is reported at each, naming the others."""
    places: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for item in declared:
        value: dict[str, Any] = item.document.value
        id_key = ID_KEYS[item.kind]
        if isinstance(value.get(id_key), str):
            key, at = (id_key, value[id_key]), (id_key,)
        elif item.kind == "Voicebot" and isinstance(value.get("name"), str) and value["name"]:
            key, at = ("name", value["name"]), ("name",)
        else:
            continue
        places.setdefault(key, []).append((item.file, *item.document.where(at)))
    problems: list[Problem] = []
    for (field, declared_as), where in places.items():
        for place in where if len(where) > 1 else []:
            others = ", ".join(
                f"{f}:{line}:{col}" for f, line, col in where if (f, line, col) != place
            )
            problems.append(Problem(*place, _twice_message(field, declared_as, others)))
    return problems


def _twice_message(field: str, value: str, others: str) -> str:
    if field == "name":
        return (
            f"voicebot {value!r} without bot_id is also declared at {others}; "
            "bots without bot_id are matched by name: give each a bot_id or its own name"
        )
    return f"{field} {value!r} is also declared at {others}"
