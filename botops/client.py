"""The one module that speaks HTTP to the Voicebot API (DESIGN §5).

INTERFACE STUB — being implemented. The signatures below are the contract other modules code
against; keep them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Credentials:
    """Bearer token, or HTTP Basic key + token. `repr` never shows the secret."""

    token: str | None = None
    api_key: str | None = None
    api_token: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Credentials | None:
        """BOTOPS_TOKEN, or BOTOPS_API_KEY + BOTOPS_API_TOKEN; None when neither is set."""
        raise NotImplementedError

    def secrets(self) -> list[str]:
        """Every secret string, for redaction."""
        raise NotImplementedError


@dataclass
class Page:
    """One page of a list: `items` and the list's `total` (None when the server didn't say)."""

    items: list[dict[str, Any]]
    total: int | None
    offset: int
    limit: int


class Client:
    """Async client. Use as `async with Client(...) as client:`.

    - voicebots and conversations under `{base_url}/voicebot/api/v2/accounts/{account_id}/...`,
      assistants under `{base_url}/api/v2/accounts/{account_id}/...`.
    - every id is percent-encoded; an id containing `/` raises UsageError.
    - bare or enveloped responses are both accepted; the returned dicts are the bare objects.
    - error statuses raise the typed errors of `botops.errors`; no answer raises TransportError.
    - reads are retried on TransportError, 429 and 5xx (backoff with jitter, Retry-After honoured)
      within `deadline` seconds; writes are retried only on 429 (the server acted on nothing).
    """

    def __init__(
        self,
        *,
        base_url: str,
        account_id: str,
        credentials: Credentials | None = None,
        concurrency: int = 16,
        timeout: float = 30.0,
        deadline: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Client:
        raise NotImplementedError

    async def __aexit__(self, *exc: object) -> None:
        raise NotImplementedError

    # Voicebots
    async def get_voicebot(self, bot_id: str) -> dict[str, Any]:
        raise NotImplementedError

    async def list_voicebots(self, *, limit: int = 100, offset: int = 0) -> Page:
        raise NotImplementedError

    def iter_voicebots(self) -> AsyncIterator[dict[str, Any]]:
        """Every voicebot, page after page, until `metadata.total` or a short page."""
        raise NotImplementedError

    async def create_voicebot_version(self, bot_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST .../voicebots/{bot_id}/versions with `body` as given."""
        raise NotImplementedError

    # Assistants
    async def get_assistant(self, assistant_id: str) -> dict[str, Any]:
        raise NotImplementedError

    async def list_assistants(self, *, limit: int = 100, offset: int = 0) -> Page:
        raise NotImplementedError

    def iter_assistants(self) -> AsyncIterator[dict[str, Any]]:
        raise NotImplementedError

    async def create_assistant_version(
        self, assistant_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        raise NotImplementedError

    # Bot generation
    async def create_generation(self, text_content: str) -> dict[str, Any]:
        """POST .../bot-generation as multipart/form-data with `text_content`."""
        raise NotImplementedError

    async def get_generation(self, generation_id: str) -> dict[str, Any]:
        raise NotImplementedError

    # Conversations
    async def list_conversations(
        self, *, fields: list[str] | None = None, limit: int = 100, offset: int = 0
    ) -> Page:
        raise NotImplementedError

    async def get_conversation(self, conversation_id: str) -> dict[str, Any]:
        raise NotImplementedError
