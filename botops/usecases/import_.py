"""The import use case: live resources read, laid out as files beside what the project already
declares, and written (all or nothing). `importer` reads and writes, `layout` owns the file
shapes; `env_layout` what `--env` changes (ids into other environments' files, files of their
own).

What is written is then loaded as `validate` would load it: live data can hold what no file
may (a temperature of 5, an agent role twice), and a plan on such a file can't show "no
changes". Those problems come back with the files, which are kept: they are the live state as
it is, and the place to choose valid values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from botops.errors import ConfigError, Problem, UsageError
from botops.kinds import KINDS, either
from botops.model import Environment, Project
from botops.project.loader import load_resources
from botops.project.schemafiles import write_schemas
from botops.project.settings import resource_paths, scope_of
from botops.support.files import write_all_atomically
from botops.sync import env_layout, importer, layout
from botops.usecases.session import Session


@dataclass(frozen=True)
class Imported:
    """What was read live, the files written for it (none when nothing was live), the schemas
    written for their modelines (DESIGN §11) where the project lacked them, and what validation
    finds wrong in the files (the live values a file may not hold)."""

    live: list[layout.LiveResource]
    files: list[layout.ImportedFile]
    edits: list[tuple[Path, str]] = field(default_factory=list)
    """`import --env`: (file, address) of each id added to another environment's file."""
    kept: list[tuple[str, str]] = field(default_factory=list)
    """`import --env`: (address, file) of each resource already declared for the environment."""
    schemas: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """What validation finds wrong in the files written (live values no file may hold)."""

    @property
    def counts(self) -> str:
        """How many of each kind were read live: `1 voicebot(s) and 2 assistant(s)`."""
        parts = [
            f"{sum(1 for r in self.live if r.kind == spec.name)} {spec.prefix}(s)"
            for spec in KINDS.values()
        ]
        return " and ".join(parts) if len(parts) < 3 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def nothing_live() -> str:
    """What import says when nothing was live: `no live voicebots or assistants`."""
    return f"no live {either(f'{spec.prefix}s' for spec in KINDS.values())}"


def import_live(
    session: Session,
    ids: Sequence[str],
    *,
    everything: bool,
    directory: Path | None,
    force: bool,
    warn: Callable[[str], None],
) -> Imported:
    """Import `ids` (or, with `everything`, every live resource) into `directory` (default: the
    first configured path, else here). Existing files stay unless `force`. In an environment,
    as `env_layout` says: nothing is ever overwritten there."""
    if not ids and not everything:
        nouns = either(spec.noun for spec in KINDS.values())
        raise UsageError(f"name the {nouns} ids to import, or pass --all")
    environment = session.environment
    if environment is not None and force:
        raise UsageError(
            "--force does not go with --env: import --env never overwrites a file, it adds to them"
        )
    project = session.project
    target = directory if directory is not None else import_dir(project, environment)
    live = session.run(
        lambda client: importer.read_live(client, ids, everything=everything, warn=warn)
    )
    if not live:
        return Imported(live=[], files=[])
    if environment is not None:
        return _import_into(project, environment, live, target)
    root = project.root
    declared = importer.declarations(where_import_lands(session.project, target), root=root)
    reuse = importer.declared_alone(live, declared, root=root)
    files = layout.lay_out(live, target, schemas_dir=root / "schemas", reuse=reuse)
    importer.write_files(files, force=force, project_file=project.file or root / "botops.yaml")
    schemas = write_schemas(root / "schemas", missing_only=True)
    problems = _problems(files, [], project, None)
    return Imported(live=live, files=files, schemas=schemas, problems=problems)


def _problems(
    files: Sequence[layout.ImportedFile],
    edited: Sequence[Path],
    project: Project,
    environment: Environment | None,
) -> list[Problem]:
    """What `validate` (for `environment`) says of the resource files just written. Files
    written outside the project (`--dir` elsewhere) are checked within their own directory, as
    that is where their prompts are and where a project holding them would be rooted."""
    written = [f.path for f in files if not f.is_prompt] + list(edited)
    root = project.root.resolve()
    groups: dict[Path | None, list[Path]] = {}
    for path in written:
        inside = path.resolve().is_relative_to(root)
        groups.setdefault(None if inside else path.resolve().parent, []).append(path)
    problems: list[Problem] = []
    for own_root, paths in groups.items():
        try:
            load_resources(
                paths,
                root=own_root or (project.root if project.file else None),
                project_file=project.file,
                scope=scope_of(project, environment),
            )
        except ConfigError as error:
            problems += error.problems
    return problems


def _import_into(
    project: Project, environment: Environment, live: list[layout.LiveResource], target: Path
) -> Imported:
    """`import --env`: ids written into the files that declare them for another environment,
    files of their own (existing only there) for the rest."""
    root = project.root
    lands = where_import_lands(project, target, environment)
    placed = env_layout.import_into(
        live,
        env_layout.candidates_in(lands, root=root),
        environment=environment.name,
        environments=list(project.environments),
        directory=target,
        schemas_dir=root / "schemas",
        root=root,
    )
    importer.write_files(placed.files, force=False)
    write_all_atomically((path, text) for path, text, _ in placed.edits)
    edits = [(path, address) for path, _, address in placed.edits]
    schemas = write_schemas(root / "schemas", missing_only=True)
    problems = _problems(placed.files, [path for path, _ in edits], project, environment)
    return Imported(
        live=live,
        files=placed.files,
        edits=edits,
        kept=placed.declared,
        schemas=schemas,
        problems=problems,
    )


def import_dir(project: Project, environment: Environment | None = None) -> Path:
    """Where import writes without --dir: the first of `paths` (the environment's, else
    botops.yaml's), else here."""
    return resource_paths(project, (), environment)[0]


def where_import_lands(
    project: Project, directory: Path, environment: Environment | None = None
) -> list[Path]:
    """Where what is imported may already be declared: the configured paths when `directory`
    is one of them (a second declaration there would break the project), else `directory`."""
    configured = resource_paths(project, (), environment)
    paths = configured if any(_inside(directory, p) for p in configured) else [directory]
    return [p for p in paths if p.exists()]


def _inside(path: Path, parent: Path) -> bool:
    return path.resolve().is_relative_to(parent.resolve())
