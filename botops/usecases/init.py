"""`botops init`: a new repository a team can commit at once (DESIGN §11).

The project file, one example resource of each kind (its spec's `example`), an example
conversation test, the schemas, a .gitignore (saved plans, reports, the `.botops/` cache), a
pre-commit config, the GitHub workflow and VS Code's schema mapping. An existing file is never
overwritten: it is kept and reported, so `init` is safe to run in a repository that has some of
these already.
Example resources go only into a new project: where botops.yaml or any file under `bots/`
exists, a deleted example stays deleted (a re-added example voicebot would be a create, and
apply would generate a real bot from it).
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
    TEST_SCHEMA,
    modeline,
    schema_text,
)
from botops.support.files import write_atomically

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    written: bool  # False: it existed and was kept


@dataclass(frozen=True)
class Initialized:
    files: list[Scaffolded]
    # The project had botops.yaml or resource files already: no example resources were added.
    examples_left_out: bool


def init_project(directory: Path) -> Initialized:
    """Lay out a project in `directory` (made when missing); what was written or kept."""
    schemas = directory / "schemas"
    files: dict[Path, str] = {schemas / name: schema_text(name) for name in SCHEMA_FILES}
    existing = _has_a_project(directory)
    files[directory / "botops.yaml"] = _with_modeline(
        directory / "botops.yaml", schemas / PROJECT_SCHEMA, _template("botops.yaml")
    )
    if not existing:
        files.update(_examples(directory, schemas))
    files[directory / ".gitignore"] = _template("gitignore")
    files[directory / ".pre-commit-config.yaml"] = _template("pre-commit-config.yaml").replace(
        "{version}", __version__
    )
    files[directory / ".github" / "workflows" / "botops.yml"] = _template(
        "github-workflow.yml"
    ).replace("{version}", __version__)
    files[directory / ".vscode" / "settings.json"] = vscode_settings()
    done = []
    for path, text in files.items():
        if path.exists():
            done.append(Scaffolded(path, written=False))
            continue
        write_atomically(path, text)
        done.append(Scaffolded(path, written=True))
    return Initialized(done, examples_left_out=existing)


def _has_a_project(directory: Path) -> bool:
    bots = directory / "bots"
    return (directory / "botops.yaml").exists() or (
        bots.is_dir() and any(p.is_file() for p in bots.rglob("*"))
    )


def _examples(directory: Path, schemas: Path) -> dict[Path, str]:
    files: dict[Path, str] = {}
    extras: dict[Path, str] = {}
    for spec in KINDS.values():
        if spec.example is None:
            continue
        name, template = spec.example
        path = directory / "bots" / name
        files[path] = _with_modeline(path, schemas / spec.schema_file, _template(template))
        extras.update({directory / "bots" / p: _template(t) for p, t in spec.example_extras})
    files.update(extras)
    test = directory / "tests" / "assistant.yaml"
    files[test] = _with_modeline(test, schemas / TEST_SCHEMA, _template("test.yaml"))
    return files


def vscode_settings() -> str:
    """VS Code's `yaml.schemas`: resource files and the project file mapped to their schemas
    (the modelines say the same per file; this covers files written by hand)."""
    settings = {
        "yaml.schemas": {
            f"./schemas/{RESOURCE_SCHEMA}": ["bots/**/*.yaml", "bots/**/*.yml"],
            f"./schemas/{PROJECT_SCHEMA}": ["botops.yaml"],
            f"./schemas/{TEST_SCHEMA}": ["tests/**/*.yaml", "tests/**/*.yml"],
        },
    }
    return json.dumps(settings, indent=2) + "\n"


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _with_modeline(path: Path, schema: Path, text: str) -> str:
    return f"{modeline(path, schema)}\n{text}"
