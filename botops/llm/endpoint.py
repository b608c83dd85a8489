"""Where model calls go and with which key (DESIGN §15).

The endpoint is `BOTOPS_LLM_ENDPOINT`, else `tests.endpoint` of botops.yaml: an http(s) URL
whose `/chat/completions` answers (`https://api.openai.com/v1`). The key comes only from the
environment: `BOTOPS_LLM_API_KEY_<ENV>` (ENV as for the Voicebot credentials, DESIGN §12), else
`BOTOPS_LLM_API_KEY`; none at all is fine for a local server (Ollama, vLLM) that wants none.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from botops.client.auth import check_header_safe
from botops.errors import UsageError

ENDPOINT_VARIABLE = "BOTOPS_LLM_ENDPOINT"
KEY_VARIABLE = "BOTOPS_LLM_API_KEY"
COMPLETIONS = "/chat/completions"


@dataclass(frozen=True)
class Completion:
    """One reply: its text, the tokens the endpoint counted (0 when it said none), and the
    model that answered."""

    text: str
    tokens: int = 0
    model: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible endpoint: `url` without a trailing slash (`.../v1`), and the key
    with the variable it came from. `repr` never shows the key."""

    url: str
    key: str | None = field(default=None, repr=False)
    key_source: str = KEY_VARIABLE

    @property
    def host(self) -> str:
        """How messages name the endpoint: its host (and port), never a path or a key."""
        return urllib.parse.urlsplit(self.url).netloc

    @property
    def identity(self) -> str:
        """What the cache keys on: host and path (two endpoints of one proxy differ)."""
        parts = urllib.parse.urlsplit(self.url)
        return parts.netloc + parts.path

    def secrets(self) -> list[str]:
        return [self.key] if self.key else []


def endpoint_of(
    configured: str | None, environment: str | None, environ: Mapping[str, str]
) -> Endpoint:
    """The endpoint a run calls: `BOTOPS_LLM_ENDPOINT` over `tests.endpoint`; the key of
    `environment` first. A `UsageError` when none is named or the URL is unusable."""
    given = environ.get(ENDPOINT_VARIABLE, "").strip() or (configured or "").strip()
    if not given:
        raise UsageError(
            "no model endpoint: set tests.endpoint in botops.yaml or "
            f"{ENDPOINT_VARIABLE} (any OpenAI-compatible server, e.g. https://api.openai.com/v1)"
        )
    key, source = model_key(environment, environ)
    return Endpoint(url=checked_url(given), key=key, key_source=source)


def checked_url(given: str) -> str:
    """`given` without a trailing slash or `/chat/completions`; refused (without quoting what
    may be a secret) when it is not http(s)://HOST[:PORT][/PATH] or carries credentials, a
    query or a fragment."""
    try:
        parts = urllib.parse.urlsplit(given)
        port_ok = parts.port is None or 1 <= parts.port <= 65535
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise UsageError(
            "the model endpoint must be http(s)://HOST[:PORT][/PATH], e.g. "
            "https://api.openai.com/v1 (tests.endpoint or BOTOPS_LLM_ENDPOINT)"
        )
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            f"the model endpoint must not carry credentials, a query or a fragment: "
            f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…; the key goes in "
            f"{KEY_VARIABLE}"
        )
    path = parts.path.rstrip("/").removesuffix(COMPLETIONS).rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def variable_suffix(name: str) -> str:
    """`eu-west` -> `EU_WEST`: the rule of the Voicebot credentials
    (`project.environments.variable_suffix`, a layer above; a test keeps them equal)."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def model_key(environment: str | None, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """The key and the variable it came from: `BOTOPS_LLM_API_KEY_<ENV>` first, then the
    plain one (CI often sets unset secrets to empty strings: those count as absent)."""
    names = [f"{KEY_VARIABLE}_{variable_suffix(environment)}"] if environment else []
    for name in [*names, KEY_VARIABLE]:
        value = environ.get(name, "").strip()
        if value:
            check_header_safe(value, name)
            return value, name
    return None, KEY_VARIABLE
