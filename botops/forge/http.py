"""The HTTP both forges speak: JSON over httpx2 with a token header that never leaves it.

Tokens are put in a header and nowhere else: not in URLs, not in traces (which show method, URL
and status only), not in error messages (built from the method, the path, the status and the
forge's own message).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import httpx2

from botops import __version__
from botops.errors import ForgeError

Trace = Callable[[str], None]
# A forge's error explains a refusal in its own words (a fork's read-only token, ...).
Refusal = Callable[[int, str, str, str], str]

__all__ = ["ForgeError", "ForgeHttp", "Refusal", "Trace"]


class ForgeHttp:
    """A synchronous client for one forge API: a comment takes a few requests in a row."""

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        headers: Mapping[str, str],
        refusal: Refusal,
        trace: Trace | None = None,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self.base_url = checked_base_url(base_url, name)
        self._origin = _origin(self.base_url)
        self._refusal = refusal
        self._trace = trace
        self._client = httpx2.Client(
            headers={"User-Agent": f"botops/{__version__}", **headers},
            timeout=httpx2.Timeout(30.0),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ForgeHttp:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
        doing: str,
    ) -> httpx2.Response:
        """`method url`, the response when it is 2xx; anything else is a `ForgeError` saying
        what was being done (`doing`: "read the comments", ...)."""
        if _origin(url) != self._origin:
            # A next-page link elsewhere would carry the token to another host.
            raise ForgeError(
                f"{self.name} pointed to a page on another host ({_origin(url)}); "
                "refusing to send the token there"
            )
        try:
            response = self._client.request(method, url, json=body, params=params)
        except httpx2.HTTPError as error:
            raise ForgeError(
                f"can't reach the {self.name} API at {self._origin} to {doing}: "
                f"{type(error).__name__}{': ' + str(error) if str(error) else ''}"
            ) from None
        if self._trace is not None:
            self._trace(f"{method} {response.request.url} -> {response.status_code}")
        if response.is_success:
            return response
        path = urllib.parse.urlsplit(str(response.request.url)).path
        raise ForgeError(
            self._refusal(
                response.status_code, _server_message(response), f"{method} {path}", doing
            )
        )

    def parsed(self, response: httpx2.Response, doing: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ForgeError(f"{self.name} answered {doing} with something not JSON") from None


def checked_base_url(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ForgeError(f"the {name} API URL must be http(s)://HOST[/PATH], got {url!r}")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _server_message(response: httpx2.Response) -> str:
    """The forge's own words: `message` (GitHub, GitLab) or `error`, kept to one short line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message: Any = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
    if isinstance(message, str):
        text = message
    elif message:  # GitLab may answer {"message": {"note": ["is too long"]}}
        text = json.dumps(message, ensure_ascii=False)
    else:
        text = response.reason_phrase
    text = " ".join(str(text).split())
    return text if len(text) <= 200 else text[:197] + "..."
