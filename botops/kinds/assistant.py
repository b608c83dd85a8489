"""The Assistant kind: an assistant of the Voicebot API (`assistant/<assistant_id>`), always
named by id; the API has no call to create one, and some servers have none of its calls.

Assistants come in two dialects (DESIGN §16). The reference's: read flat (the latest version),
written flat (`{source_version, mark_as_stable, instruction?, ...}`). Exotel's service's: read
nested, of which botops takes the stable version (the client reads it flat, with
`latest_version` beside: `nested`), and written with the values under `data`, `mark_as_stable`
as the string "true"/"false" and a `version_description`. A write is built in the dialect its
live object was read in; a saved payload says its own."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botops.kinds.fields import AgentsField, Field, SettingsField
from botops.kinds.spec import KindSpec, LiveObject, Payload, register, version_of
from botops.model import Change
from botops.support.text import text_or_none

if TYPE_CHECKING:  # httpx loads only when a command calls the API
    from botops.client import ApiClient

LLM_CONFIG_KEYS = ("model", "provider", "temperature", "top_p", "max_tokens")


class Assistant(KindSpec):
    name = "Assistant"
    prefix = "assistant"
    noun = "assistant"
    id_key = "assistant_id"
    schema_file = "assistant.schema.json"
    fields = (
        Field("instruction"),
        SettingsField("llm_config", LLM_CONFIG_KEYS),
        AgentsField("agents", settings={"llm_config": LLM_CONFIG_KEYS}),
    )
    marks_stable = True
    optional = True
    missing_hint = " (the API has no call to create assistants)"
    example = ("assistant.yaml", "assistant.yaml")
    example_extras = (("prompts/example-assistant.md", "example-assistant.md"),)

    # Exotel's dialect: the values under this key, with these keys beside them.
    NESTED_VALUES = "data"
    NESTED_KEYS = ("source_version", "mark_as_stable", "version_description", NESTED_VALUES)

    async def fetch(self, client: ApiClient, resource_id: str) -> LiveObject:
        return await client.get_assistant(resource_id)

    async def fetch_version(self, client: ApiClient, resource_id: str, version: str) -> LiveObject:
        return await client.get_assistant(resource_id, version=version)

    def listing(self, client: ApiClient) -> AsyncGenerator[LiveObject, None]:
        return client.iter_assistants()

    async def post_version(
        self, client: ApiClient, resource_id: str, payload: Payload
    ) -> LiveObject:
        return await client.create_assistant_version(resource_id, payload)

    def version_items(
        self, client: ApiClient, resource_id: str
    ) -> AsyncGenerator[dict[str, Any], None]:
        return client.iter_assistant_versions(resource_id)

    # The two dialects

    def payload(
        self,
        source_version: str | None,
        values: dict[str, Any],
        *,
        description: str,
        mark_as_stable: bool | None = None,
        live: Mapping[str, Any] | None = None,
    ) -> Payload:
        if live is None or not nested(live):
            return super().payload(
                source_version, values, description=description, mark_as_stable=mark_as_stable
            )
        payload: Payload = {"source_version": source_version}
        if mark_as_stable is not None:
            payload["mark_as_stable"] = "true" if mark_as_stable else "false"
        payload["version_description"] = description
        payload[self.NESTED_VALUES] = values
        return payload

    def _is_nested(self, payload: Mapping[str, Any]) -> bool:
        return isinstance(payload.get(self.NESTED_VALUES), dict)

    def sent(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        if self._is_nested(payload):
            values: dict[str, Any] = payload[self.NESTED_VALUES]
            return values
        return super().sent(payload)

    def rebased(
        self, payload: Mapping[str, Any], source_version: str | None, values: dict[str, Any]
    ) -> Payload:
        if self._is_nested(payload):
            return {**payload, "source_version": source_version, self.NESTED_VALUES: values}
        return super().rebased(payload, source_version, values)

    def unexplained(
        self, payload: Mapping[str, Any], live: Mapping[str, Any], changes: Sequence[Change]
    ) -> str | None:
        if self.NESTED_VALUES not in payload:
            return super().unexplained(payload, live, changes)
        if not self._is_nested(payload):
            return f"its {self.NESTED_VALUES} is not an object"
        extra = sorted(key for key in payload if key not in self.NESTED_KEYS)
        if extra:
            return f"it sends {', '.join(extra)}, which no change shows"
        if payload.get("mark_as_stable", "false") not in ("true", "false"):
            return 'its mark_as_stable is not "true" or "false"'
        description = payload.get("version_description")
        if description is not None and not isinstance(description, str):
            return "its version_description is not text"
        # The values are checked as the reference's flat body would be.
        flat = {"source_version": payload.get("source_version"), **payload[self.NESTED_VALUES]}
        return super().unexplained(flat, live, changes)

    def notes(self, live: Mapping[str, Any]) -> list[str]:
        stable, latest = version_of(live), text_or_none(live.get("latest_version"))
        if nested(live) and latest is not None and latest != stable:
            return [f"latest {latest} is not stable; building on {stable}"]
        return []

    def head(self, live: Mapping[str, Any]) -> str | None:
        if nested(live):
            return text_or_none(live.get("latest_version")) or version_of(live)
        return version_of(live)


def nested(live: Mapping[str, Any]) -> bool:
    """Whether `live` was read from a server that answers the nested shape (DESIGN §16): the
    client keeps its `latest_version` beside the stable version's values (`wire.assistant`)."""
    return "latest_version" in live


ASSISTANT = register(Assistant())
