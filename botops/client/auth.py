"""Who the client says it is: credentials from the environment, and the `Authorization` header.

Only two schemes exist (DESIGN §5): a Bearer token (BOTOPS_TOKEN), or HTTP Basic with an API
key and token (BOTOPS_API_KEY + BOTOPS_API_TOKEN). Secrets never show in a `repr`, and
`Credentials.secrets()` lists every string the client must redact from what it reports.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from botops.errors import UsageError

AUTH_HINT = "check BOTOPS_TOKEN or BOTOPS_API_KEY/BOTOPS_API_TOKEN"


@dataclass(frozen=True)
class Credentials:
    """Bearer token, or HTTP Basic key + token. `repr` never shows the secret."""

    token: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    api_token: str | None = field(default=None, repr=False)
    # The variables they came from, when not the plain ones (`BOTOPS_TOKEN_STAGING`): messages
    # name the variable the user set.
    source: str | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, source: str | None = None
    ) -> Credentials | None:
        """BOTOPS_TOKEN, or BOTOPS_API_KEY + BOTOPS_API_TOKEN; None when neither is set.
        `source` names the variables `environ`'s values really came from."""
        env = os.environ if environ is None else environ
        # CI systems often define unset secrets as empty strings: treat those as absent.
        token = env.get("BOTOPS_TOKEN", "").strip() or None
        api_key = env.get("BOTOPS_API_KEY", "").strip() or None
        api_token = env.get("BOTOPS_API_TOKEN", "").strip() or None
        if token:
            return cls(token=token, source=source)
        if api_key and not api_token:
            raise UsageError("BOTOPS_API_KEY is set but BOTOPS_API_TOKEN is missing")
        if api_token and not api_key:
            raise UsageError("BOTOPS_API_TOKEN is set but BOTOPS_API_KEY is missing")
        if api_key and api_token:
            return cls(api_key=api_key, api_token=api_token, source=source)
        return None

    def __repr__(self) -> str:
        return f"Credentials(scheme={self.scheme!r})"

    __str__ = __repr__

    @property
    def scheme(self) -> str:
        """`bearer` or `basic`, safe to show."""
        return "bearer" if self.token else "basic"

    def authorization(self) -> str:
        """The `Authorization` header value. Raises UsageError for an unusable secret."""
        if self.token:
            check_header_safe(self.token, self.source or "BOTOPS_TOKEN")
            return f"Bearer {self.token}"
        if not self.api_key or not self.api_token:
            raise UsageError("HTTP Basic needs both BOTOPS_API_KEY and BOTOPS_API_TOKEN")
        return "Basic " + basic_secret(self.api_key, self.api_token)

    @property
    def hint(self) -> str:
        """What to check when the server refuses these credentials."""
        return f"check {self.source}" if self.source else AUTH_HINT

    def secrets(self) -> list[str]:
        """Every secret string, for redaction (the encoded Basic header included)."""
        found = [s for s in (self.token, self.api_key, self.api_token) if s]
        if self.api_key and self.api_token:
            found.append(basic_secret(self.api_key, self.api_token))
        return found


def check_header_safe(value: str, name: str) -> None:
    """Refuse a value HTTP can't carry in a header, without quoting it."""
    # The HTTP stack would otherwise fail with an error that quotes the header value.
    if not all(" " < ch < "\x7f" for ch in value):
        raise UsageError(f"{name} contains characters that can't be sent in an HTTP header")


def basic_secret(api_key: str, api_token: str) -> str:
    """The base64 part of an HTTP Basic header: itself a secret to redact."""
    return base64.b64encode(f"{api_key}:{api_token}".encode()).decode("ascii")


class Redactor:
    """Replaces every secret of `credentials` with `***`, longest first (a secret may contain
    another)."""

    def __init__(self, credentials: Credentials | None) -> None:
        found = credentials.secrets() if credentials else []
        self._secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text
