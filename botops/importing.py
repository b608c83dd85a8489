"""The import use case: live voicebots and assistants read, laid out as files beside what the
project already declares, and written (all or nothing). `importer` owns the file shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from botops import importer
from botops.errors import UsageError
from botops.model import Project
from botops.project import resource_paths
from botops.session import Session


@dataclass(frozen=True)
class Imported:
    """What was read live and the files written for it (none when nothing was live)."""

    live: list[importer.LiveResource]
    files: list[importer.ImportedFile]

    @property
    def voicebots(self) -> int:
        return sum(1 for r in self.live if r.kind == "Voicebot")

    @property
    def assistants(self) -> int:
        return len(self.live) - self.voicebots


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
    first configured path, else here). Existing files stay unless `force`."""
    if not ids and not everything:
        raise UsageError("name the bot or assistant ids to import, or pass --all")
    target = directory if directory is not None else import_dir(session.project)
    live = session.run(
        lambda client: importer.read_live(client, ids, everything=everything, warn=warn)
    )
    if not live:
        return Imported(live=[], files=[])
    root = session.project.root
    declared = importer.declarations(where_import_lands(session.project, target), root=root)
    reuse = importer.declared_alone(live, declared, root=root)
    files = importer.lay_out(live, target, schemas_dir=root / "schemas", reuse=reuse)
    importer.write_files(files, force=force)
    return Imported(live=live, files=files)


def import_dir(project: Project) -> Path:
    """Where import writes without --dir: the first of `paths` in botops.yaml, else here."""
    return project.paths[0] if project.paths else Path(".")


def where_import_lands(project: Project, directory: Path) -> list[Path]:
    """Where what is imported may already be declared: the configured paths when `directory`
    is one of them (a second declaration there would break the project), else `directory`."""
    configured = resource_paths(project, ())
    paths = configured if any(_inside(directory, p) for p in configured) else [directory]
    return [p for p in paths if p.exists()]


def _inside(path: Path, parent: Path) -> bool:
    return path.resolve().is_relative_to(parent.resolve())
