"""Test files (`kind: Test`, DESIGN §15): found, read with positions, checked, and resolved
against the resources the files declare for one environment.

Test files live under `tests.paths` of botops.yaml (default `tests/`). Under the default path,
which a project may use for other things, a YAML file is a test file when one of its documents
says `kind: Test`; under configured paths every YAML file is one. Each document is checked like
a resource document: YAML problems and duplicate keys, `test.schema.json` (unknown keys with a
did-you-mean), and then what no schema says: `turns` or `simulate`, one check per item,
regular expressions that compile, `pass_at` within `repeat`, environment names botops.yaml
defines, an assistant some resource file declares, an agent that assistant has, and a name used
once per assistant. Every problem is a `Problem(file, line, column, message)`; all are raised
together.

A resolved `TestCase` carries exactly what is sent: the system prompt (the assistant's
effective instruction, fragments and overrides resolved, then a blank line and the agent's
instruction), the endpoint's model name (`tests.models` applied) and the settings of
`llm_config` with the agent's keys over the assistant's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botops.errors import ConfigError, Problem
from botops.kinds import spec_of
from botops.model import Project, Resource
from botops.project.loader import TEST_KIND, find_files, problems_in, read_documents, shown
from botops.project.overrides import environment_issues, exists_in
from botops.support.schemacheck import did_you_mean, render_value, schema_issues
from botops.support.yamlpos import Document, Issue, NodePath, excerpt

TEST_SCHEMA = "test.schema.json"
ASSISTANT = "Assistant"
CHECKS = ("contains", "not_contains", "matches", "max_words", "judge")
SETTINGS = ("temperature", "top_p", "max_tokens")
"""The `llm_config` keys sent to the endpoint besides `model` (`provider` says who serves the
model live, not how to call it)."""
DEFAULT_MAX_TURNS = 8


@dataclass(frozen=True)
class Check:
    """One check on a reply: `kind` one of `CHECKS`; `value` a tuple of words (`contains`,
    `not_contains`), a pattern or a rubric (text), or a number of words."""

    kind: str
    value: Any


@dataclass(frozen=True)
class Turn:
    user: str
    expect: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Simulation:
    caller: str
    success: str
    max_turns: int = DEFAULT_MAX_TURNS


@dataclass(frozen=True)
class TestCase:
    """One test, resolved for one environment."""

    __test__ = False  # not a pytest class

    name: str
    file: str
    line: int
    column: int
    assistant: str  # the address plan prints: `assistant/<id>`
    agent: str | None
    system_prompt: str
    model: str  # the endpoint's name for it
    settings: dict[str, Any]
    repeat: int = 1
    pass_at: int = 1
    turns: tuple[Turn, ...] = ()
    simulate: Simulation | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def test_paths(project: Project, arguments: Sequence[Path] = ()) -> tuple[list[Path], bool]:
    """Where test files are (PATH arguments, else `tests.paths`, else `tests/`), and whether
    they were named (every YAML file there is then a test file)."""
    if arguments:
        return list(arguments), True
    if project.tests.paths is not None:
        return list(project.tests.paths), True
    return [project.root / "tests"], False


def load_tests(
    project: Project,
    arguments: Sequence[Path] = (),
    *,
    resources: list[Resource] | None,
    environment: str | None = None,
) -> list[TestCase]:
    """Every test the files declare for `environment`, resolved against `resources` (that
    environment's view of the resource files). With `resources=None` the files are only
    checked on their own (validate does so when the resource files have problems, so that an
    assistant they fail to declare is not reported again here). Raises `ConfigError`."""
    paths, named = test_paths(project, arguments)
    problems: list[Problem] = []
    root = project.root.resolve()
    skipped = {(project.root / "botops.yaml").resolve()}
    if project.file is not None:
        skipped.add(project.file.resolve())
    present = [p for p in paths if named or p.exists()]
    resolver = None if resources is None else _Resolver(project, resources, environment)
    tests: list[TestCase] = []
    places: list[tuple[str, str, str, int, int]] = []
    for file in find_files(present, skipped=skipped, problems=problems):
        unreadable: list[Problem] = []
        documents = read_documents(file, unreadable, root=root)
        if not named and not any(_declares_test(d) for d in documents):
            continue  # not a test file: the default `tests/` may hold anything
        problems.extend(unreadable)
        name = shown(file)
        for document in documents:
            found = _load_document(document, file, name, project, environment, resolver)
            if found is None:
                continue
            issues, test = found
            problems.extend(problems_in(name, issues))
            if test is not None:
                tests.append(test)
                line, column = document.where(("name",))
                places.append((test.assistant, test.name, name, line, column))
    problems.extend(_named_twice(places))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    return tests


def _declares_test(document: Document) -> bool:
    return isinstance(document.value, dict) and document.value.get("kind") == TEST_KIND


def _load_document(
    document: Document,
    file: Path,
    name: str,
    project: Project,
    environment: str | None,
    resolver: _Resolver | None,
) -> tuple[list[Issue], TestCase | None] | None:
    """The document's problems and its test (None when it has problems or `resolver` is
    None); None when the test does not exist in `environment`."""
    issues = list(document.issues)
    kind_issue = _kind_issue(document)
    if kind_issue is not None:
        return [*issues, kind_issue], None
    defined = frozenset(project.environments)
    issues += environment_issues(document, defined)
    if not exists_in(document, environment):
        return issues, None
    refused = {(i.line, i.column) for i in issues}
    # The schema's validator takes ~3 ms a test; a document plainly valid needs none of it.
    found = [] if plainly_valid(document.value) else schema_issues(document, TEST_SCHEMA)
    found += _rules(document)
    issues += [i for i in found if (i.line, i.column) not in refused]
    if resolver is None:
        return issues, None
    # The assistant and agent are looked up whatever else is wrong: all is said at once.
    taken = {(i.line, i.column) for i in issues}
    if (*document.where(("assistant",)),) in taken:
        return issues, None
    unresolved, test = resolver.resolve(document, file, name)
    issues += [i for i in unresolved if (i.line, i.column) not in taken]
    return issues, test if not issues else None


_TOP = frozenset(
    {"kind", "name", "assistant", "agent", "environments", "repeat", "pass_at", "turns"}
    | {"simulate"}
)


def plainly_valid(value: Any) -> bool:
    """True only for a document `test.schema.json` certainly accepts (the usual case, checked
    in a fraction of the validator's time); False says nothing: the schema then decides. A
    test keeps the two in step."""
    if not isinstance(value, dict) or not value.keys() <= _TOP or value.get("kind") != TEST_KIND:
        return False
    if not (_text(value.get("name"), word=True) and _text(value.get("assistant"), word=True)):
        return False
    if "agent" in value and not _text(value["agent"]):
        return False
    listed: Any = value.get("environments")
    if "environments" in value and not (_texts(listed) and len(set(listed)) == len(listed)):
        return False
    if not all(_number(value.get(k, 1), 1, 100) for k in ("repeat", "pass_at")):
        return False
    if ("turns" in value) == ("simulate" in value):
        return False
    if "simulate" in value:
        simulate = value["simulate"]
        return (
            isinstance(simulate, dict)
            and simulate.keys() <= {"caller", "max_turns", "success"}
            and _text(simulate.get("caller"))
            and _text(simulate.get("success"))
            and _number(simulate.get("max_turns", 1), 1, 50)
        )
    turns = value["turns"]
    return isinstance(turns, list) and bool(turns) and all(_plain_turn(t) for t in turns)


def _plain_turn(turn: Any) -> bool:
    if not isinstance(turn, dict) or not turn.keys() <= {"user", "expect"}:
        return False
    expect = turn.get("expect", [])
    return _text(turn.get("user")) and isinstance(expect, list) and all(map(_plain_check, expect))


def _plain_check(check: Any) -> bool:
    if not isinstance(check, dict) or len(check) != 1:
        return False
    ((kind, value),) = check.items()
    if kind in ("contains", "not_contains"):
        return _text(value) or _texts(value)
    if kind == "max_words":
        return _number(value, 1, None)
    return kind in ("matches", "judge") and _text(value)


def _text(value: Any, *, word: bool = False) -> bool:
    return isinstance(value, str) and bool(value.strip() if word else value)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_text(v) for v in value)


def _number(value: Any, low: int, high: int | None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value
        and (high is None or value <= high)
    )


def _kind_issue(document: Document) -> Issue | None:
    value = document.value
    if not isinstance(value, dict):
        got = render_value(value)
        return Issue.at(
            document.where(()), f"a test must be a mapping starting with 'kind: Test', got {got}"
        )
    if "kind" not in value:
        return Issue.at(document.where(()), "missing required key 'kind' (Test)")
    kind = value["kind"]
    if kind == TEST_KIND:
        return None
    where = document.where(("kind",))
    if isinstance(kind, str) and kind in _resource_kinds():
        return Issue.at(
            where,
            f"a {kind} document in a test file: resource files go under `paths` of "
            "botops.yaml, test files under `tests.paths`",
        )
    hint = did_you_mean(kind, [TEST_KIND]) if isinstance(kind, str) else ""
    return Issue.at(
        where, f"unknown kind {render_value(kind)} in a test file{hint or ' (expected Test)'}"
    )


def _resource_kinds() -> list[str]:
    from botops.kinds import KINDS

    return list(KINDS)


def _rules(document: Document) -> list[Issue]:
    """What the schema can't say (it has passed, up to these)."""
    value: dict[str, Any] = document.value
    issues: list[Issue] = []
    if "turns" not in value and "simulate" not in value:
        message = (
            "a test needs 'turns' (a scripted conversation) or 'simulate' (a model plays the "
            "caller)"
        )
        issues.append(Issue.at(document.where(()), message))
    repeat, pass_at = value.get("repeat", 1), value.get("pass_at")
    if isinstance(repeat, int) and isinstance(pass_at, int) and pass_at > repeat:
        message = f"'pass_at' ({pass_at}) is more than the runs of 'repeat' ({repeat})"
        issues.append(Issue.at(document.where(("pass_at",)), message))
    turns = value.get("turns")
    for index, turn in enumerate(turns if isinstance(turns, list) else []):
        expect = turn.get("expect") if isinstance(turn, dict) else None
        for number, check in enumerate(expect if isinstance(expect, list) else []):
            place: NodePath = ("turns", index, "expect", number)
            issues.extend(_check_issues(document, check, place))
    return issues


def _check_issues(document: Document, check: Any, place: NodePath) -> list[Issue]:
    if not isinstance(check, dict):
        return []
    keys = [k for k in check if k in CHECKS]
    if len(keys) > 1:
        listed = " and ".join(repr(k) for k in keys)
        message = f"one check per item: write {listed} as separate items (- {keys[0]}: ...)"
        return [Issue.at(document.where(place), message)]
    pattern = check.get("matches")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as error:
            message = f"'matches' is not a Python regular expression: {error}"
            return [Issue.at(document.where((*place, "matches")), message)]
    return []


class _Resolver:
    """Finds a test's assistant among one environment's resources, and builds what is sent."""

    def __init__(self, project: Project, resources: list[Resource], environment: str | None):
        self.project = project
        self.environment = environment
        self.assistants = [r for r in resources if r.kind == ASSISTANT and r.id]
        spec = spec_of(ASSISTANT)
        self.by_address = {spec.address(str(r.id)): r for r in self.assistants}
        self.by_file: dict[Path, list[Resource]] = {}
        for resource in self.assistants:
            self.by_file.setdefault(Path(resource.file).resolve(), []).append(resource)
        self.files = {Path(r.file).resolve() for r in resources}

    def resolve(
        self, document: Document, file: Path, name: str
    ) -> tuple[list[Issue], TestCase | None]:
        value: dict[str, Any] = document.value
        reference = value.get("assistant")
        if not isinstance(reference, str):
            return [], None
        resource, problem = self._assistant(reference, file)
        if resource is None:
            return [Issue.at(document.where(("assistant",)), problem)], None
        address = spec_of(ASSISTANT).address(str(resource.id))
        instruction = resource.desired.get("instruction")
        if not isinstance(instruction, str):
            message = (
                f"{address} ({resource.file}) has no instruction in its file: a test needs the "
                "prompt it tests"
            )
            return [Issue.at(document.where(("assistant",)), message)], None
        config = dict(resource.desired.get("llm_config") or {})
        prompt = instruction
        agent_role = value.get("agent")
        if isinstance(agent_role, str):
            agent, problem = self._agent(resource, address, agent_role)
            if agent is None:
                return [Issue.at(document.where(("agent",)), problem)], None
            prompt = f"{instruction}\n\n{agent['instruction']}"
            own = agent.get("llm_config")
            config.update(own if isinstance(own, dict) else {})
        model = config.get("model")
        if not isinstance(model, str) or not model:
            message = (
                f"{address} ({resource.file}) has no llm_config.model in its file: a test "
                "needs the model the assistant runs on"
            )
            return [Issue.at(document.where(("assistant",)), message)], None
        try:
            repeat = int(value.get("repeat", 1))
            return [], TestCase(
                name=value["name"],
                file=name,
                line=document.line,
                column=document.column,
                assistant=address,
                agent=agent_role,
                system_prompt=prompt,
                model=self.project.tests.models.get(model, model),
                settings={k: config[k] for k in SETTINGS if k in config},
                repeat=repeat,
                pass_at=int(value.get("pass_at", repeat)),
                turns=tuple(_turns(value.get("turns") or [])),
                simulate=_simulation(value.get("simulate")),
            )
        except (KeyError, TypeError, ValueError, AttributeError, StopIteration):
            return [], None  # a document with problems: they are reported already

    def _assistant(self, reference: str, file: Path) -> tuple[Resource | None, str]:
        where = "" if self.environment is None else f" in environment {self.environment!r}"
        if reference.startswith("assistant/"):
            found = self.by_address.get(reference)
            if found is not None:
                return found, ""
            hint = did_you_mean(reference, sorted(self.by_address))
            return None, f"no resource file declares {reference}{where}{hint}"
        candidates = [(self.project.root / reference), (file.parent / reference)]
        for candidate in candidates:
            real = candidate.resolve()
            if real in self.by_file:
                declared = self.by_file[real]
                if len(declared) == 1:
                    return declared[0], ""
                names = ", ".join(sorted(spec_of(ASSISTANT).address(str(r.id)) for r in declared))
                return None, f"{reference} declares {len(declared)} assistants; name one: {names}"
            if real in self.files:
                return None, f"{reference} declares no Assistant{where}"
        hint = did_you_mean(reference, sorted(self.by_address))
        if hint:
            return None, f"unknown assistant {excerpt(reference)}{hint}"
        return None, (
            f"no resource file declares {excerpt(reference)}{where}: name the assistant as "
            "plan prints it (assistant/<assistant_id>) or the path of its resource file, "
            "relative to botops.yaml"
        )

    def _agent(
        self, resource: Resource, address: str, role: str
    ) -> tuple[dict[str, Any] | None, str]:
        agents = resource.desired.get("agents")
        items = [a for a in agents if isinstance(a, dict)] if isinstance(agents, list) else []
        if not items:
            return None, f"{address} ({resource.file}) declares no agents"
        for agent in items:
            if agent.get("role") == role:
                if not isinstance(agent.get("instruction"), str):
                    message = (
                        f"agent {role!r} of {address} has no instruction in the file: a test "
                        "needs the prompt it tests"
                    )
                    return None, message
                return agent, ""
        roles = [str(a.get("role")) for a in items]
        hint = did_you_mean(role, roles) or f" (its agents: {', '.join(roles)})"
        return None, f"{address} has no agent {role!r}{hint}"


def _turns(items: Iterable[dict[str, Any]]) -> Iterable[Turn]:
    for item in items:
        checks = []
        for check in item.get("expect") or []:
            kind, value = next(iter(check.items()))
            if kind in ("contains", "not_contains"):
                value = tuple([value] if isinstance(value, str) else value)
            checks.append(Check(kind, value))
        yield Turn(item["user"], tuple(checks))


def _simulation(value: Any) -> Simulation | None:
    if not isinstance(value, dict):
        return None
    return Simulation(
        caller=value["caller"],
        success=value["success"],
        max_turns=int(value.get("max_turns", DEFAULT_MAX_TURNS)),
    )


def _named_twice(places: list[tuple[str, str, str, int, int]]) -> list[Problem]:
    """A test name used twice for one assistant, reported at each place."""
    seen: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for assistant, name, file, line, column in places:
        seen.setdefault((assistant, name), []).append((file, line, column))
    problems = []
    for (assistant, name), found in seen.items():
        for place in found if len(found) > 1 else []:
            others = ", ".join(f"{f}:{ln}:{c}" for f, ln, c in found if (f, ln, c) != place)
            message = f"test {name!r} of {assistant} is also declared at {others}"
            problems.append(Problem(*place, message))
    return problems
