"""YAML as botops writes it (import, `import --env`): block mappings, short scalar lists in
flow style (`[en, hi]`), list items indented under their key, and every string quoted where a
reader would not give it back as it is (YAML 1.2 numbers, line separators, controls)."""

from __future__ import annotations

import unicodedata
from typing import Any

import yaml

from botops.support.yamlpos import NUMBER_START


def needs_escapes(text: str) -> bool:
    """`text` holds a character that YAML (outside double quotes) or a text file would not
    give back as it is: a control character other than tab and line feed (carriage return,
    NUL, NEL U+0085 ...), a byte-order mark, or a Unicode line or paragraph separator."""
    return any(
        (char not in "\t\n" and unicodedata.category(char) in _ESCAPED_CATEGORIES)
        or char == "\ufeff"
        for char in text
    )


# Cc: control characters; Zl/Zp: U+2028 and U+2029, which YAML reads as line breaks.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for short lists of scalars (`[en, hi]`), and list
    items indented under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, str | int | float | bool) for x in data) and len(str(data)) < 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style: str | None = None
    if needs_escapes(data):
        # PyYAML would write NEL and U+2028/U+2029 as line breaks, which read back as spaces.
        style = '"'
    elif data[:1] in NUMBER_START and not any(char.isspace() for char in data):
        # PyYAML quotes YAML 1.1's numbers only; botops reads YAML 1.2's (`0o17`, `1e3`).
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump(document: dict[str, Any]) -> str:
    """One YAML document, keys in the order given, non-ASCII text kept readable."""
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=96,
    )


def flow(value: Any) -> str:
    """`value` as one line of YAML flow style, quoted where botops would misread it."""
    text: str = yaml.dump(
        value,
        Dumper=_Dumper,
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=10**9,
    )
    return text.removesuffix("...\n").strip()
