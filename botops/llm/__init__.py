"""The one package that speaks HTTP to a model endpoint (DESIGN §15): any OpenAI-compatible
Chat Completions server that `botops test` sends its conversations to. It sits beside
`botops.client` (the Voicebot API) and keeps its standards:

- `endpoint`: the endpoint URL (`tests.endpoint`, `BOTOPS_LLM_ENDPOINT`) and the key
  (`BOTOPS_LLM_API_KEY`, per environment `BOTOPS_LLM_API_KEY_<ENV>` first), never shown.
- `client`: `ModelClient`, one retried, paced, traced, size- and time-bounded
  `POST {endpoint}/chat/completions`, with the Voicebot client's own concurrency limiter,
  pacer and backoff (`botops.client.flow`).

Callers get a `Completion` and the typed `ModelError`s of `botops.errors`; no httpx2 exception
and no key leaves this package.
"""

from __future__ import annotations

from botops.llm.endpoint import Endpoint, endpoint_of, model_key

__all__ = ["Endpoint", "endpoint_of", "model_key"]
