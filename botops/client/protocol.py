"""`ApiClient`: what the rest of botops may ask of a client, and nothing more.

The planner, applier, importer, generation, conversations and analytics are typed against
this protocol rather than `Client`, so that they depend on the API's operations, not on how
the HTTP layer does them, and a test may hand them any object with these methods.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, Protocol, Self, runtime_checkable

from botops.client.pages import Page


@runtime_checkable
class ApiClient(Protocol):
    """The Voicebot API's operations as botops uses them; `Client` is the one real one."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def get_voicebot(self, bot_id: str) -> dict[str, Any]: ...

    async def list_voicebots(self, *, limit: int = 100, offset: int = 0) -> Page: ...

    def iter_voicebots(
        self, *, page_size: int = 100, prefetch: int = 4
    ) -> AsyncGenerator[dict[str, Any], None]: ...

    def iter_voicebot_versions(
        self, bot_id: str, *, page_size: int = 100
    ) -> AsyncGenerator[dict[str, Any], None]: ...

    async def create_voicebot_version(
        self, bot_id: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...

    async def get_assistant(
        self, assistant_id: str, *, version: str = "stable"
    ) -> dict[str, Any]: ...

    async def list_assistants(self, *, limit: int = 100, offset: int = 0) -> Page: ...

    def iter_assistants(
        self, *, page_size: int = 100, prefetch: int = 4
    ) -> AsyncGenerator[dict[str, Any], None]: ...

    def iter_assistant_versions(
        self, assistant_id: str, *, page_size: int = 100
    ) -> AsyncGenerator[dict[str, Any], None]: ...

    async def create_assistant_version(
        self, assistant_id: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...

    async def create_generation(self, text_content: str) -> dict[str, Any]: ...

    async def get_generation(self, generation_id: str) -> dict[str, Any]: ...

    async def list_conversations(
        self, *, fields: list[str] | None = None, limit: int = 100, offset: int = 0
    ) -> Page: ...

    def iter_conversations(
        self,
        *,
        fields: list[str] | None = None,
        page_size: int = 100,
        prefetch: int = 4,
        on_total: Callable[[int | None], None] | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]: ...

    async def get_conversation(self, conversation_id: str) -> dict[str, Any]: ...
