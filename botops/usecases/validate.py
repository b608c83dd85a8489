"""`botops validate` as a use case: every problem of the files named, as data.

Explicit paths may name what is not a resource file, so a pre-commit hook can pass the changed
files as they come: the project file is checked against its schema, prompts (`.md`, any file
that isn't YAML) are skipped, and so is YAML outside the project's `paths` when botops.yaml
sets them (a workflow, `.pre-commit-config.yaml`): botops reads nothing there, so it isn't a
resource file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from botops.errors import ConfigError, Problem
from botops.model import Environment, Project, Resource
from botops.project.environments import across_environments, select_environment
from botops.project.loader import PROJECT_FILE, SUFFIXES, RealPaths
from botops.project.settings import (
    clashes_everywhere,
    declared_everywhere,
    declared_resources,
    load_project,
)
from botops.project.testfiles import load_tests


@dataclass
class Validation:
    resources: list[Resource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    # YAML files skipped because they lie outside the project's paths: said, since one of them
    # may be a resource file the user forgot to put under `paths`.
    outside: list[Path] = field(default_factory=list)
    tests: int = 0  # conversation tests checked (DESIGN §15)
    test_files: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems

    def notes(self) -> list[str]:
        """What was named but not checked, and why (prompts go unsaid: they are expected)."""
        return [
            f"{path}: skipped: outside the project's paths, not a resource file"
            for path in self.outside
        ]

    def summary(self) -> str:
        files = len({r.file for r in self.resources})
        count = len(self.resources)
        line = (
            f"Valid: {count} resource{'' if count == 1 else 's'} in "
            f"{files} file{'' if files == 1 else 's'}"
        )
        if self.tests:
            tests, files = self.tests, self.test_files
            line += (
                f", {tests} test{'' if tests == 1 else 's'} in "
                f"{files} file{'' if files == 1 else 's'}"
            )
        return line + "."


def validate(
    paths: tuple[Path, ...],
    *,
    config_path: Path | None = None,
    environment: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Validation:
    """Everything wrong with the project file and the resource files in `paths` (default: the
    project's `paths`), as `environment` sees them, or as every environment of botops.yaml does
    when none is named (a problem of some environments only says in which)."""
    result = Validation()
    try:
        project = load_project(config_path)
    except ConfigError as error:
        result.problems = list(error.problems)
        return result
    chosen = select_environment(
        project.environments,
        environment,
        os.environ if environ is None else environ,
        required=False,
    )
    resources: list[Path] = []
    tests: list[Path] = []
    checked = {project.file.resolve()} if project.file else set()
    read = _read_paths(project, chosen)
    test_dirs = [p.resolve() for p in project.test_paths] if project.file else []
    real_path = RealPaths()  # a folder resolved once for all the files named in it
    for path in paths:
        is_file = path.is_file()
        resolved = real_path(path)
        if test_dirs and path.suffix in SUFFIXES and _inside(resolved, test_dirs):
            tests.append(path)
        elif (is_file and path.name == PROJECT_FILE) or resolved in checked:
            if resolved not in checked:
                checked.add(resolved)
                result.problems.extend(_project_problems(path))
        elif is_file and not path.name.endswith(SUFFIXES):
            result.skipped.append(path)
        elif read and is_file and not _inside(resolved, read):
            result.outside.append(path)
        else:
            resources.append(path)
    if resources or not paths:
        try:
            result.resources = declared_everywhere(
                project, tuple(resources), chosen, modelines=True
            )
        except ConfigError as error:
            result.problems.extend(error.problems)
        # Named files (a pre-commit hook's) are checked against the whole project too.
        result.problems.extend(clashes_everywhere(project, tuple(resources), chosen))
    if tests or not paths:
        _check_tests(result, project, chosen, tuple(tests))
    result.problems = sorted(set(result.problems))
    return result


def _check_tests(
    result: Validation, project: Project, chosen: Environment | None, paths: tuple[Path, ...]
) -> None:
    """The test files (DESIGN §15) of `chosen`, or of every environment: checked, and resolved
    against that environment's resources (when those load: their problems are reported
    already, and an assistant they fail to declare is not reported again)."""
    if not project.file:
        return
    scopes: list[Environment | None] = (
        [chosen] if chosen else list(project.environments.values()) or [None]
    )
    found: dict[str, list[Problem]] = {}
    for environment in scopes:
        name = "" if environment is None else environment.name
        env_name = None if environment is None else environment.name
        try:
            resources: list[Resource] | None = declared_resources(project, (), environment)
        except ConfigError:
            resources = None
        try:
            loaded = load_tests(project, paths, resources=resources, environment=env_name)
        except ConfigError as error:
            found[name] = list(error.problems)
            continue
        found[name] = []
        if len(loaded) >= result.tests:
            result.tests = len(loaded)
            result.test_files = len({t.file for t in loaded})
    problems = across_environments(found) if len(found) > 1 else next(iter(found.values()), [])
    result.problems.extend(problems)


def _read_paths(project: Project, chosen: Environment | None) -> list[Path]:
    """Every path botops reads resource files from (`chosen`'s, else every environment's);
    empty when one of them reads the working directory (no `paths` set), as then any file may
    be a resource file."""
    if project.file is None:
        return []
    scopes: list[Environment | None] = [chosen] if chosen else []
    scopes = scopes or list(project.environments.values()) or [None]
    read: list[Path] = []
    for environment in scopes:
        paths = environment.paths if environment and environment.paths is not None else None
        paths = project.paths if paths is None else paths
        if not paths:
            return []
        read += [p.resolve() for p in paths]
    return read


def _inside(resolved: Path, read: list[Path]) -> bool:
    return any(resolved == p or resolved.is_relative_to(p) for p in read)


def _project_problems(path: Path) -> list[Problem]:
    try:
        load_project(path)
    except ConfigError as error:
        return list(error.problems)
    return []
