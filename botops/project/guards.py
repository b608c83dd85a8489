"""Guards (DESIGN §12): policy that stops a wrong model, an out-of-range temperature, a bot
without a required language, or a mass change, before anything is read or sent.

`guards:` in botops.yaml holds everywhere; `environments.NAME.guards` adds to it for one
environment: both must hold (a prod guard can narrow the policy, never widen it). A file that
breaks a guard is a validation problem at the value's position; a plan that changes more than
`max_changed_share` of the managed resources (when more than 10 are managed) is refused unless
`--allow-mass-change`.

Invisible characters (`support.text.invisible`: zero-width characters, bidi controls, tag
characters, variation selectors and the other default-ignorables) are refused in resource files
and instruction files, each at its line and column, but those `allow_characters` lists
(`U+200D` for emoji sequences); an environment's list narrows the top-level one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botops.errors import PlanError
from botops.kinds import spec_of
from botops.model import Kind
from botops.support.text import Invisible, invisible_runs
from botops.support.yamlpos import Document, Issue

# The fields guards are about: `models` and the ranges hold for `llm_config`,
# `required_languages` for `supported_languages`, in whichever kind manages that field.
LLM_CONFIG = "llm_config"
LANGUAGES = "supported_languages"
RANGES = ("temperature", "top_p", "max_tokens")
MASS_CHANGE_FLOOR = 10
"""Up to this many managed resources, any share may change: one of three is not a mass change."""


@dataclass(frozen=True)
class Layer:
    """The guards of one place in botops.yaml: `where` is how messages name it."""

    where: str
    models: tuple[str, ...] | None = None
    ranges: tuple[tuple[str, float | None, float | None], ...] = ()
    required_languages: tuple[str, ...] = ()
    max_changed_share: float | None = None
    allow_characters: frozenset[str] | None = None

    @classmethod
    def read(cls, where: str, settings: Mapping[str, Any]) -> Layer:
        """From a checked `guards` mapping (the schema has vouched for every type)."""
        models = settings.get("models")
        ranges = tuple(
            (name, bounds.get("min"), bounds.get("max"))
            for name in RANGES
            if isinstance(bounds := settings.get(name), dict)
        )
        share = settings.get("max_changed_share")
        allowed = settings.get("allow_characters")
        return cls(
            where=where,
            models=None if models is None else tuple(models),
            ranges=ranges,
            required_languages=tuple(settings.get("required_languages") or ()),
            max_changed_share=None if share is None else float(share),
            allow_characters=None if allowed is None else frozenset(map(_character, allowed)),
        )


@dataclass(frozen=True)
class Guards:
    """Every layer that holds in one environment (none: no policy)."""

    layers: tuple[Layer, ...] = ()

    @classmethod
    def of(
        cls, top: Mapping[str, Any] | None, environment: str | None, own: Mapping[str, Any] | None
    ) -> Guards:
        """The top-level `guards`, and `environments.<environment>.guards` when given."""
        layers = []
        if top:
            layers.append(Layer.read("guards", top))
        if environment is not None and own:
            layers.append(Layer.read(f"environments.{environment}.guards", own))
        return cls(tuple(layers))

    def __bool__(self) -> bool:
        return bool(self.layers)

    @property
    def allowed_characters(self) -> frozenset[str]:
        """The invisible characters every layer that lists some allows (none unless listed)."""
        lists = [layer.allow_characters for layer in self.layers]
        given = [allowed for allowed in lists if allowed is not None]
        return frozenset.intersection(*given) if given else frozenset()

    def invisible_issues(self, text: str) -> list[Issue]:
        """Every run of invisible characters in `text` (a resource or instruction file) that
        `allow_characters` does not allow, at its line and column."""
        return [
            Issue(run.line, run.column, _invisible_message(run))
            for run in invisible_runs(text, self.allowed_characters)
        ]

    def issues(self, kind: Kind, document: Document) -> list[Issue]:
        """Every guard `document` (an effective document of `kind`) breaks, at the value that
        breaks it. Each guard holds for the field it is about: a kind with that field
        among its managed fields has it checked. Values of the wrong type are left to the
        schema's message."""
        value = document.value
        if not self.layers or not isinstance(value, dict):
            return []
        spec = spec_of(kind)
        found: list[Issue] = []
        if LLM_CONFIG in spec.field_names:
            found += self._llm_config(value.get(LLM_CONFIG), document, (LLM_CONFIG,))
        for field in spec.fields:
            # A list whose items have their own `llm_config` (agents, DESIGN §16).
            items = value.get(field.name)
            if not isinstance(items, list) or LLM_CONFIG not in getattr(field, "settings", {}):
                continue
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    at = (field.name, index, LLM_CONFIG)
                    found += self._llm_config(item.get(LLM_CONFIG), document, at)
        if LANGUAGES in spec.field_names:
            found += self._languages(value, document, spec.prefix)
        return found

    def _llm_config(
        self, config: Any, document: Document, at: tuple[str | int, ...]
    ) -> Iterator[Issue]:
        """The guards on one `llm_config` (the assistant's, or an agent's own) at `at`."""
        if not isinstance(config, dict):
            return
        model = config.get("model")
        for layer in self.layers:
            if layer.models is not None and isinstance(model, str) and model not in layer.models:
                allowed = ", ".join(layer.models)
                yield Issue.at(
                    document.where((*at, "model")),
                    f"model {model!r} is not allowed by {layer.where}.models ({allowed})",
                )
            for name, low, high in layer.ranges:
                number = config.get(name)
                if not isinstance(number, int | float) or isinstance(number, bool):
                    continue
                where = document.where((*at, name))
                guard = f"{layer.where}.{name}"
                if low is not None and number < low:
                    yield Issue.at(
                        where, f"{name} {number!r} is below the minimum {low!r} of {guard}"
                    )
                elif high is not None and number > high:
                    yield Issue.at(
                        where, f"{name} {number!r} is above the maximum {high!r} of {guard}"
                    )

    def _languages(self, value: dict[str, Any], document: Document, what: str) -> Iterator[Issue]:
        languages = value.get(LANGUAGES)
        for layer in self.layers:
            required = layer.required_languages
            if not required:
                continue
            names = ", ".join(repr(code) for code in required)
            if languages is None:
                yield Issue.at(
                    document.where(()),
                    f"supported_languages must be given: {layer.where}.required_languages "
                    f"asks every {what} for {names}",
                )
            elif isinstance(languages, list):
                missing = [code for code in required if code not in languages]
                if missing:
                    lacking = ", ".join(repr(code) for code in missing)
                    yield Issue.at(
                        document.where((LANGUAGES,)),
                        f"supported_languages lacks {lacking}, which "
                        f"{layer.where}.required_languages asks of every {what}",
                    )

    def check_share(self, changed: int, managed: int, *, allowed: bool) -> None:
        """Refuse (`PlanError`) a plan changing more than `max_changed_share` of the managed
        resources, when more than `MASS_CHANGE_FLOOR` are managed and `allowed` is false."""
        if allowed or managed <= MASS_CHANGE_FLOOR:
            return
        for layer in self.layers:
            share = layer.max_changed_share
            # Rounded: 29 of 100 is 29%, not more than 0.29 (whose float is 0.28999...).
            if share is not None and round(changed / managed, 9) > share:
                raise PlanError(
                    f"this plan changes {changed} of {managed} managed resources "
                    f"({percent(changed / managed)}), more than {layer.where}.max_changed_share "
                    f"allows ({percent(share)}); if that is meant, pass --allow-mass-change"
                )


def _character(code: str) -> str:
    """`U+200D` (as the schema lets it be written) as the character."""
    return chr(int(code[2:], 16))


def _invisible_message(run: Invisible) -> str:
    if run.spelled is not None:
        return f"invisible text: {run.describe()}; delete it"
    one = len(run.chars) == 1
    it = "it" if one else "them"
    return (
        f"invisible character{'' if one else 's'} {run.describe()}; delete {it}, or allow "
        f"{it} in botops.yaml (guards: {{allow_characters: [{', '.join(run.codes)}]}})"
    )


def percent(share: float) -> str:
    """0.3 -> `30%`, 5/12 -> `41.7%`: enough digits to tell the share from the limit."""
    return f"{share * 100:.1f}".removesuffix(".0") + "%"
