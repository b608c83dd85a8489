"""The Voicebot kind: a bot of the Voicebot API (`voicebot/<bot_id>`), matched by name when
its file has no id, created through bot generation, the kind conversations belong to."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from botops.kinds.fields import Field
from botops.kinds.spec import KindSpec, LiveObject, Payload, register

if TYPE_CHECKING:  # httpx loads only when a command calls the API
    from botops.client import ApiClient


class Voicebot(KindSpec):
    name = "Voicebot"
    prefix = "voicebot"
    noun = "bot"
    id_key = "bot_id"
    schema_file = "voicebot.schema.json"
    fields = (
        Field("name"),
        Field("enable_greeting_interruption", boolean=True),
        Field("supported_languages"),
    )
    values_key = "data"
    sends_description = True
    matched_by_name = True
    missing_hint = "; check bot_id (botops never creates a bot that has an id)"
    has_conversations = True
    created_by_generation = True
    example = ("support.yaml", "voicebot.yaml")

    async def fetch(self, client: ApiClient, resource_id: str) -> LiveObject:
        return await client.get_voicebot(resource_id)

    def listing(self, client: ApiClient) -> AsyncGenerator[LiveObject, None]:
        return client.iter_voicebots()

    async def post_version(
        self, client: ApiClient, resource_id: str, payload: Payload
    ) -> LiveObject:
        return await client.create_voicebot_version(resource_id, payload)

    def version_items(
        self, client: ApiClient, resource_id: str
    ) -> AsyncGenerator[dict[str, Any], None]:
        return client.iter_voicebot_versions(resource_id)


VOICEBOT = register(Voicebot())
