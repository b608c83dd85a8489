"""The Assistant kind: an assistant of the Voicebot API (`assistant/<assistant_id>`), always
named by id; the API has no call to create one, and some servers have none of its calls."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from botops.kinds.fields import AgentsField, Field, SettingsField
from botops.kinds.spec import KindSpec, LiveObject, Payload, register

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
        AgentsField("agents"),
    )
    marks_stable = True
    optional = True
    missing_hint = " (the API has no call to create assistants)"
    example = ("assistant.yaml", "assistant.yaml")
    example_extras = (("prompts/example-assistant.md", "example-assistant.md"),)

    async def fetch(self, client: ApiClient, resource_id: str) -> LiveObject:
        return await client.get_assistant(resource_id)

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


ASSISTANT = register(Assistant())
