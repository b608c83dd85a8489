"""The HTTP both forges speak: JSON over httpx2 with a token header that never leaves it.

Tokens are put in a header and nowhere else: not in URLs, not in traces (which show method, URL
and status only), not in error messages (built from the method, the path, the status and the
forge's own message).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import httpx2

from botops import __version__
from botops.client.auth import check_header_safe
from botops.client.bounds import (
    MAX_BODY,
    REQUEST_DEADLINE,
    BodyTooLarge,
    DeadlineExceeded,
    call_within,
    megabytes,
    read_capped_sync,
)
from botops.client.pages import NewItems
from botops.client.urls import checked_url
from botops.errors import ForgeError, UsageError

Trace = Callable[[str], None]
# A forge's error explains a refusal in its own words (a fork's read-only token, ...).
Refusal = Callable[[int, str, str, str], str]

__all__ = ["REQUEST_DEADLINE", "ForgeError", "ForgeHttp", "Refusal", "Trace", "check_token"]


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
        deadline: float = REQUEST_DEADLINE,
        max_body: int = MAX_BODY,
        url_variable: str | None = None,
    ) -> None:
        self.name = name
        self.deadline = deadline
        self.max_body = max_body
        self.base_url = checked_base_url(base_url, url_variable or f"the {name} API URL")
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
        tolerate: tuple[int, ...] = (),
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
            response = call_within(
                self.deadline, lambda: self._bounded(method, url, body=body, params=params)
            )
        except DeadlineExceeded:
            raise ForgeError(
                f"the {self.name} API at {self._origin} gave no complete answer within "
                f"{self.deadline:g} s to {doing}"
            ) from None
        except BodyTooLarge as error:
            raise ForgeError(
                f"the {self.name} API answered more than {megabytes(error.limit)} to {doing}; "
                "botops reads no more"
            ) from None
        except httpx2.HTTPError as error:
            raise ForgeError(
                f"can't reach the {self.name} API at {self._origin} to {doing}: "
                f"{type(error).__name__}{': ' + str(error) if str(error) else ''}"
            ) from None
        if self._trace is not None:
            self._trace(f"{method} {response.request.url} -> {response.status_code}")
        if response.is_success or response.status_code in tolerate:
            return response
        path = urllib.parse.urlsplit(str(response.request.url)).path
        raise ForgeError(
            self._refusal(
                response.status_code, _server_message(response), f"{method} {path}", doing
            )
        )

    def _bounded(
        self, method: str, url: str, *, body: Any, params: Mapping[str, str | int] | None
    ) -> httpx2.Response:
        """The response with its body read, at most `max_body` bytes of it."""
        request = self._client.build_request(method, url, json=body, params=params)
        streamed = self._client.send(request, stream=True)
        try:
            content = read_capped_sync(streamed.iter_bytes(), self.max_body)
        finally:
            streamed.close()
        headers = httpx2.Headers(streamed.headers)
        for name in ("content-encoding", "content-length", "transfer-encoding"):
            headers.pop(name, None)
        return httpx2.Response(
            streamed.status_code, headers=headers, content=content, request=streamed.request
        )

    def pages(self, doing: str) -> PageGuard:
        """A guard for one paginated read: a page that brings nothing new ends it."""
        return PageGuard(self.name, doing)

    def parsed(self, response: httpx2.Response, doing: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ForgeError(f"{self.name} answered {doing} with something not JSON") from None


def check_token(token: str, variable: str) -> None:
    """A token with a line break (or anything a header can't carry) is refused before use,
    never quoted: the HTTP stack's own error would print it whole."""
    check_header_safe(token, variable)


def deadline_from(env: Mapping[str, str]) -> float:
    """The overall deadline of one forge request: REQUEST_DEADLINE, or BOTOPS_RETRY_DEADLINE
    when that is shorter (the run's total bound on waiting for a server)."""
    try:
        given = float(env.get("BOTOPS_RETRY_DEADLINE", ""))
    except ValueError:
        return REQUEST_DEADLINE
    return min(REQUEST_DEADLINE, given) if given > 0 else REQUEST_DEADLINE


def checked_base_url(url: str, variable: str) -> str:
    """The API URL `variable` gives, by the one rule every base URL keeps (`checked_url`), and
    without credentials, a query or a fragment: anything else is one `ForgeError` naming the
    variable, before anything is sent."""
    try:
        parts = checked_url(url, variable)
    except UsageError as error:
        raise ForgeError(str(error)) from None
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise ForgeError(
            f"{variable} must not carry credentials, a query or a fragment: "
            f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"
        )
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


class PageGuard:
    """The pages of one list read so far (their items, by `NewItems`, and their URLs): a forge
    that sends a page of none but comments it sent before, in any order, or links a page to
    one already read, would repeat itself forever; one that invents new comments on every
    page is stopped at `MAX_PAGES` (100,000 comments at 100 a page: no pull request has as
    many)."""

    MAX_PAGES = 1_000

    def __init__(self, name: str, doing: str) -> None:
        self.name = name
        self.doing = doing
        self._items = NewItems()
        self._urls: set[str] = set()

    def url(self, url: str, params: Mapping[str, str | int] | None) -> None:
        key = url + "?" + urllib.parse.urlencode(sorted((params or {}).items()))
        if key in self._urls:
            self._repeats("links back to a page it sent already")
        self._urls.add(key)

    def page(self, items: list[Any]) -> bool:
        """Whether to read on: an empty page ends the list; one that brings no comment not
        read before is the forge repeating itself."""
        if not items:
            return False
        if not self._items.brings_new(items):
            self._repeats("sent a page of none but comments it sent before")
        if self._items.pages > self.MAX_PAGES:
            self._repeats(f"went on past {self.MAX_PAGES:,} pages of comments")
        return True

    def _repeats(self, what: str) -> NoReturn:
        raise ForgeError(
            f"{self.name} repeats itself: reading to {self.doing}, it {what}; botops stopped "
            "there (nothing was written)"
        )
