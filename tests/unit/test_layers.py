"""The package keeps its shape: no module uses another module's private names (`_name`).

The import order between folders is import-linter's (`make lint`, pyproject.toml); this is what
it can't see: `from botops.x import _helper`, or `module._helper` on an imported module."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT


def private_uses(source: str, module: str) -> list[str]:
    """`line: what` for each private name of another botops module that `source` (the text
    of `module`, dotted) imports or reads as an attribute of an imported module."""
    found: list[str] = []
    modules: dict[str, str] = {}  # a local name bound to a botops module -> that module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("botops.") and alias.asname:
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and _absolute(node, module).startswith("botops"):
            source_module = _absolute(node, module)
            for alias in node.names:
                if _private(alias.name) and source_module != module:
                    found.append(f"{node.lineno}: {alias.name} from {source_module}")
                modules[alias.asname or alias.name] = f"{source_module}.{alias.name}"
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and modules.get(node.value.id, module) != module
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_uses_another_modules_private_names() -> None:
    found = []
    for path in sorted((ROOT / "botops").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        found += [f"{path.relative_to(ROOT)}:{use}" for use in private_uses(_read(path), module)]
    assert found == []


def test_the_check_sees_each_way_in() -> None:
    source = (
        "from botops.render.analytics import _h, render\n"
        "from botops.sync import importer\n"
        "import botops.kinds.spec as spec\n"
        "from . import _sibling\n"
        "importer._Dumper\n"
        "spec._NUMBERED\n"
        "self._own\n"
        "render(1)\n"
    )
    assert private_uses(source, "botops.render.outcomes") == [
        "1: _h from botops.render.analytics",
        "4: _sibling from botops.render",
        "5: importer._Dumper",
        "6: spec._NUMBERED",
    ]
    assert private_uses("from botops.x import _own\n_own\n", "botops.x") == []


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
