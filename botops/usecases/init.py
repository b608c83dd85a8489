"""`botops init`: a new repository a team can commit at once (DESIGN §11).

The project file, one example resource of each kind (its spec's `example`), the schemas, a
pre-commit config, the GitHub workflow and VS Code's schema mapping. An existing file is never
overwritten: it is kept and reported, so `init` is safe to run in a repository that has some of
these already.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from botops import __version__
from botops.kinds import KINDS
from botops.project.schemafiles import (
    PROJECT_SCHEMA,
    RESOURCE_SCHEMA,
    SCHEMA_FILES,
    modeline,
    schema_text,
)
from botops.support.files import write_atomically

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    written: bool  # False: it existed and was kept


def init_project(directory: Path) -> list[Scaffolded]:
    """Lay out a project in `directory` (made when missing); what was written or kept."""
    schemas = directory / "schemas"
    files: dict[Path, str] = {schemas / name: schema_text(name) for name in SCHEMA_FILES}
    files[directory / "botops.yaml"] = _with_modeline(
        directory / "botops.yaml", schemas / PROJECT_SCHEMA, _template("botops.yaml")
    )
    extras: dict[Path, str] = {}
    for spec in KINDS.values():
        if spec.example is None:
            continue
        name, template = spec.example
        path = directory / "bots" / name
        files[path] = _with_modeline(path, schemas / spec.schema_file, _template(template))
        extras.update({directory / "bots" / p: _template(t) for p, t in spec.example_extras})
    files.update(extras)
    files[directory / ".pre-commit-config.yaml"] = _template("pre-commit-config.yaml").replace(
        "{version}", __version__
    )
    files[directory / ".github" / "workflows" / "botops.yml"] = _template("github-workflow.yml")
    files[directory / ".vscode" / "settings.json"] = vscode_settings()
    done = []
    for path, text in files.items():
        if path.exists():
            done.append(Scaffolded(path, written=False))
            continue
        write_atomically(path, text)
        done.append(Scaffolded(path, written=True))
    return done


def vscode_settings() -> str:
    """VS Code's `yaml.schemas`: resource files and the project file mapped to their schemas
    (the modelines say the same per file; this covers files written by hand)."""
    settings = {
        "yaml.schemas": {
            f"./schemas/{RESOURCE_SCHEMA}": ["bots/**/*.yaml", "bots/**/*.yml"],
            f"./schemas/{PROJECT_SCHEMA}": ["botops.yaml"],
        },
    }
    return json.dumps(settings, indent=2) + "\n"


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _with_modeline(path: Path, schema: Path, text: str) -> str:
    return f"{modeline(path, schema)}\n{text}"
