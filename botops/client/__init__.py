"""The one package that speaks HTTP to the Voicebot API (DESIGN §5), split by concern as
httpx is:

- `auth`: `Credentials` from the environment, the `Authorization` header, what to redact.
- `flow`: `AdaptiveLimiter` and `Pacer` (concurrency, 429 pauses, learned pacing), backoff.
- `wire`: envelopes, list bodies, normalisation (booleans, intents), server messages.
- `diagnosis`: which typed error a failed request becomes, and what the user should check.
- `pages`: `Page`, and reading every page with a few fetched ahead.
- `client`: `Client`, the endpoints over one retried, paced, traced request.
- `protocol`: `ApiClient`, the operations the rest of botops may use.

Callers get plain dicts and the typed errors of `botops.errors`; no httpx exception leaves
this package.
"""

from __future__ import annotations

from botops.client.auth import Credentials
from botops.client.client import Client, Trace
from botops.client.flow import AdaptiveLimiter, Pacer, Sleep
from botops.client.pages import Page
from botops.client.protocol import ApiClient

# mypy --strict checks here that `Client` offers every operation of `ApiClient`, with
# compatible signatures; tests/client/test_protocol.py checks the same at run time.
_CONFORMS: type[ApiClient] = Client

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
