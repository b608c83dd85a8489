"""YAML that remembers where every value came from.

Documents are composed with libyaml's C loader where present (about ten times faster than the
pure-Python one) and turned into plain Python values here, not by PyYAML's constructors, so
that:

- every key and value keeps its 1-based line and column (`Document.where`, `Document.key_at`);
- a key given twice in one mapping is a problem, not silently the last one;
- only the core scalar types are built: no tag ever constructs an object (`!!python/...`);
- booleans are YAML 1.2's `true`/`false` only: `yes`, `no`, `on`, `off` stay strings, so a
  language code `no` (Norwegian) stays a language code and `enabled: yes` is reported;
- numbers are YAML 1.2's too: `017` is 17, `0o17` is 15, `1:30` and `1_000` are text;
- an alias is built once and shared, and a document may neither expand to more than
  `MAX_NODES` nodes (an "alias bomb" of nested aliases) nor nest deeper than `MAX_DEPTH`.

Problems are returned, never raised: a file's every problem is reported together.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

NodePath = tuple[str | int, ...]
"""Where a node is in a document: keys and list indexes from the top, `()` for the top."""

_CORE = "tag:yaml.org,2002:"
_YAML12_BOOLS = {"true", "false"}
# YAML 1.2 core schema numbers (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_YAML12_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_YAML12_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
NUMBER_START = frozenset("0123456789+-.")

MAX_NODES = 100_000
"""Nodes one file may expand to, aliases counted each time they are used: far more than any
bot needs, far less than what makes validation slow."""
MAX_DEPTH = 100
"""Levels of nesting a document may have; bots need about five."""
EXCERPT = 40
"""Characters of a value that a message quotes at most."""


@dataclass(frozen=True)
class Issue:
    """A problem found while reading YAML, at a 1-based line and column."""

    line: int
    column: int
    message: str

    @classmethod
    def at(cls, position: tuple[int, int], message: str) -> Issue:
        """An issue at a (line, column) position, as `Document.where` and `key_at` give."""
        return cls(position[0], position[1], message)


@dataclass
class Document:
    """One YAML document: its plain value and the position of every key and value in it."""

    value: Any
    line: int
    column: int
    values: dict[NodePath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[NodePath, tuple[int, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    """Problems inside the document (duplicate keys, tags); the value is built around them."""

    def where(self, path: NodePath) -> tuple[int, int]:
        """Position of the value at `path`, or of the nearest enclosing node that has one."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (self.line, self.column))

    def key_at(self, path: NodePath) -> tuple[int, int]:
        """Position of the key whose value is at `path` (the value's when it has no key)."""
        return self.keys.get(path) or self.where(path)


def decode(data: bytes) -> tuple[str | None, Issue | None]:
    """UTF-8 text, or the issue that stops it: a NUL byte (binary file) or a byte that is not
    UTF-8, at its line and column."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Issue(1, 1, "UTF-16 text (it starts with a UTF-16 byte-order mark)")
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        return None, Issue(line, column, "binary data (a NUL byte), not UTF-8 text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        byte = data[error.start]
        return None, Issue(line, column, f"not UTF-8 text (byte 0x{byte:02x})")


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """`value` as a message quotes it (`repr`), cut to `limit` characters: a file may hold
    anything, a secret included, and a message shows no more of it than it needs."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    return repr(text[:limit]) + "…"


def parse(text: str) -> tuple[list[Document], list[Issue]]:
    """Every non-empty document of `text`, and the syntax error that stopped the parser, if
    any (documents before it are still returned). Problems inside a document (duplicate keys,
    tags that are not plain data) are in its `issues`."""
    documents: list[Document] = []
    issues: list[Issue] = []
    built = 0
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None or (node.tag == _CORE + "null" and isinstance(node, yaml.ScalarNode)):
                continue  # an empty document
            builder = _Builder(built)
            value = builder.build(node, ())
            built = builder.count
            line, column = _start(node)
            documents.append(
                Document(value, line, column, builder.values, builder.keys, builder.issues)
            )
    except yaml.MarkedYAMLError as error:
        issues.append(_syntax_issue(error, text))
    except yaml.reader.ReaderError as error:
        line, column = _reader_position(text, error.position)
        issues.append(Issue(line, column, f"invalid YAML: {_reader_problem(error)}"))
    except yaml.YAMLError as error:  # anything else libyaml may raise, without a position
        issues.append(Issue(1, 1, f"invalid YAML: {error}"))
    except RecursionError:  # the pure-Python composer recurses once per level of nesting
        issues.append(Issue(1, 1, f"invalid YAML: nested deeper than {MAX_DEPTH} levels"))
    return documents, issues


def _syntax_issue(error: yaml.MarkedYAMLError, text: str) -> Issue:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or error.context or "syntax error"
    if mark is not None and (text[mark.index : mark.index + 1] == "\t" or "tab" in problem):
        return Issue(line, column, "invalid YAML: a tab character; indent with spaces, not tabs")
    context_mark = error.context_mark
    since = context_mark.line + 1 if context_mark is not None else None
    if problem.startswith("could not find expected ':'") and context_mark is not None:
        # The line without a colon is where the scan started, not where it gave up.
        line, column, since = context_mark.line + 1, context_mark.column + 1, None
    words = _in_words(error.context or "", problem, since)
    if words is not None:
        return Issue(line, column, f"invalid YAML: {words}")
    message = f"invalid YAML: {problem}"
    if error.context and error.problem and context_mark is not None:
        message += f" ({error.context} at line {context_mark.line + 1})"
    return Issue(line, column, message)


def _in_words(context: str, problem: str, since: int | None) -> str | None:
    """PyYAML's wording for the mistakes people make most (nearly all of them indentation),
    said the way a person would fix them; None keeps PyYAML's own words."""
    above = f" (line {since})" if since is not None else ""
    if problem.startswith("mapping values are not allowed"):
        return (
            "a `key:` where this line can't have one; check its indentation, or quote a value "
            "that contains ': '"
        )
    # libyaml says "did not find expected key/'-'", the pure-Python parser "expected <block
    # end>": both mean a line indented unlike the mapping or list it belongs to.
    lost = problem.startswith(("did not find expected", "expected <block end>"))
    if lost and "block mapping" in context:
        return (
            f"this line is not lined up with the keys of the mapping it belongs to{above}; "
            "indent keys of one mapping to the same column"
        )
    if lost and "block collection" in context:
        return (
            f"this line is not lined up with the list items above{above}; start every item of "
            "one list with '-' at the same column"
        )
    if problem.startswith("could not find expected ':'"):
        return (
            "a line with no 'key: value'; add ': ' after the key, or indent the line as part of "
            "the value above it"
        )
    return None


def _reader_problem(error: yaml.reader.ReaderError) -> str:
    character = error.character
    code = ord(character) if isinstance(character, str) else int(character)
    return f"character U+{code:04X} is not allowed in YAML"


def _reader_position(text: str, offset: int) -> tuple[int, int]:
    if _Loader is not yaml.SafeLoader:  # libyaml counts bytes of UTF-8 here, not characters
        return _byte_position(text.encode("utf-8"), offset)
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def _start(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _Builder:
    """Plain values from composed nodes, recording positions and problems on the way."""

    def __init__(self, count: int = 0) -> None:
        self.values: dict[NodePath, tuple[int, int]] = {}
        self.keys: dict[NodePath, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        # Nodes built so far in the file, an aliased one counted at every use.
        self.count = count
        self._open: set[int] = set()
        # An aliased node is the same node object at every use: built once, shared after.
        self._built: dict[int, tuple[Any, int]] = {}
        self._too_many = False

    def _issue(self, node: yaml.Node, message: str) -> None:
        self.issues.append(Issue.at(_start(node), message))

    def build(self, node: yaml.Node, path: NodePath) -> Any:
        self.values[path] = _start(node)
        self.count += 1
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        key = id(node)
        if key in self._built:
            value, size = self._built[key]
            self.count += size - 1
            if self.count > MAX_NODES:
                if not self._too_many:
                    self._too_many = True
                    self._issue(
                        node,
                        f"aliases expand to more than {MAX_NODES} nodes (a YAML alias bomb?)",
                    )
                return None
            return value
        if key in self._open:
            self._issue(node, "an alias refers to a node that contains it (recursive data)")
            return None
        if len(path) >= MAX_DEPTH:
            self._issue(node, f"nested deeper than {MAX_DEPTH} levels")
            return None
        before = self.count - 1
        self._open.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                value = self._sequence(node, path)
            elif isinstance(node, yaml.MappingNode):
                value = self._mapping(node, path)
            else:
                self._issue(node, "unsupported YAML node")
                value = None
        finally:
            self._open.discard(key)
        self._built[key] = (value, self.count - before)
        return value

    def _sequence(self, node: yaml.SequenceNode, path: NodePath) -> list[Any]:
        if node.tag != _CORE + "seq":
            self._unsupported(node)
        return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, path: NodePath) -> dict[str, Any]:
        if node.tag != _CORE + "map":
            self._unsupported(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            child = (*path, key)
            if child in self.keys:
                first = self.keys[child][0]
                self._issue(key_node, f"duplicate key {excerpt(key)} (first at line {first})")
                continue
            self.keys[child] = _start(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _key(self, node: yaml.Node) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self._issue(node, "a key must be a plain word, not a list or mapping")
            return None
        if node.tag == _CORE + "merge":
            self._issue(node, "merge keys ('<<') are not supported: write the keys out")
            return None
        # The text as written: `on:` or `1:` are keys named "on" and "1", as in JSON Schema.
        return str(node.value)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        plain = not node.style
        if tag == _CORE + "str" or tag == _CORE + "timestamp":
            if plain and text and text[0] in NUMBER_START and tag == _CORE + "str":
                # A YAML 1.2 number PyYAML's 1.1 rules leave as text (`0o17`, `1e3`).
                return self._number(node, text)
            # Dates stay as written: no field takes a date, and text must not change its type.
            return text
        if tag == _CORE + "null":
            return None
        if tag == _CORE + "bool":
            return text.lower() == "true" if text.lower() in _YAML12_BOOLS else text
        if tag in (_CORE + "int", _CORE + "float"):
            number = self._number(node, text)
            if number is text and not plain:
                self._issue(node, f"not a number: {excerpt(text)}")
                return None
            if tag == _CORE + "float" and type(number) is int:  # `!!float 1`
                return float(number)
            return number
        self._unsupported(node)
        return None

    def _unsupported(self, node: yaml.Node) -> None:
        tag = _short_tag(node.tag)
        self._issue(node, f"unsupported YAML tag {excerpt(tag)}: only plain data is allowed")

    def _number(self, node: yaml.ScalarNode, text: str) -> Any:
        """`text` as a YAML 1.2 core int or float; `text` itself when it is neither (`1:30`,
        `1_000`, `0b11`: YAML 1.1 numbers only)."""
        try:
            if _YAML12_INT.fullmatch(text):
                if text.startswith(("0o", "0x")):
                    return int(text[2:], 8 if text[1] == "o" else 16)
                return int(text)
            if not _YAML12_FLOAT.fullmatch(text):
                return text
            # `.inf`, `-.Inf`, `.NaN`: YAML's spelling, never a finite number.
            number = math.inf if "n" in text.lower() else float(text)
        except ValueError:  # more digits than Python converts
            self._issue(node, f"not a number: {excerpt(text)}")
            return None
        if not math.isfinite(number):
            self._issue(node, f"not a finite number: {excerpt(text)}")
            return None
        return number
