"""The one package that speaks HTTP to the Voicebot API (DESIGN §5), split by concern as
httpx2 is:

- `auth`: `Credentials` from the environment, the `Authorization` header, what to redact.
- `flow`: `AdaptiveLimiter` and `Pacer` (concurrency, 429 pauses, learned pacing), backoff.
- `wire`: envelopes, list bodies, normalisation (booleans, intents), server messages.
- `diagnosis`: which typed error a failed request becomes, and what the user should check.
- `pages`: `Page`, and reading every page with a few fetched ahead.
- `client`: `Client`, the endpoints over one retried, paced, traced request.
- `protocol`: `ApiClient`, the operations the rest of botops may use.
- `generation`: waiting on a bot-generation job.
- `urls`: the base-URL rule (scheme, host, no credentials in it).

Callers get plain dicts and the typed errors of `botops.errors`; no httpx2 exception leaves
this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botops.client.auth import Credentials as Credentials
    from botops.client.client import Client as Client
    from botops.client.client import Trace as Trace
    from botops.client.flow import (
        AdaptiveLimiter as AdaptiveLimiter,
    )
    from botops.client.flow import (
        Pacer as Pacer,
    )
    from botops.client.flow import (
        Sleep as Sleep,
    )
    from botops.client.pages import Page as Page
    from botops.client.protocol import ApiClient as ApiClient

# Loaded on first use, so that `botops.client.urls` (used by the project loader) and the
# protocol (used for typing) don't bring httpx2 into every command's start-up.
_HOMES = {
    "AdaptiveLimiter": "flow",
    "ApiClient": "protocol",
    "Client": "client",
    "Credentials": "auth",
    "Pacer": "flow",
    "Page": "pages",
    "Sleep": "flow",
    "Trace": "client",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'botops.client' has no attribute {name!r}")
    return getattr(importlib.import_module(f"botops.client.{home}"), name)


__all__ = [
    "AdaptiveLimiter",
    "ApiClient",
    "Client",
    "Credentials",
    "Pacer",
    "Page",
    "Sleep",
    "Trace",
]
