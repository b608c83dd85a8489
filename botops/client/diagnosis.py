"""Diagnosis: turning what went wrong on the way into the typed errors of `botops.errors`.

Two kinds of failure reach the client. An answer with an error status (`read_answer` reads
every answer) becomes an `HTTPStatusError` subclass with the server's message (`status_error`);
no answer at all becomes a `TransportError` (`transport_error`) that says, in a few words, why
(`short_reason` digs through the exceptions httpx2 and httpcore2 wrap), what to check next
(`connect_hint`), and whether the server may have acted (`maybe_sent`), which decides if a
write can be retried. `ssl_context` is here too because an untrusted certificate is the
commonest such failure. No httpx2 exception leaves the package; every message passes through
the caller's redaction.
"""

from __future__ import annotations

import errno
import os
import socket
import ssl
from collections.abc import Callable
from typing import Any

import httpx2

from botops.client import wire
from botops.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    HTTPStatusError,
    MethodNotAllowedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
)

Redact = Callable[[str], str]


def read_answer(
    response: httpx2.Response, *, method: str, path: str, redact: Redact, hint: str
) -> Any:
    """The unwrapped body of a successful answer; raises the typed error for any other."""
    try:
        body = wire.json_body(response)
    except RecursionError:  # the json module recurses once per level of nesting
        message = "the answer is JSON nested too deeply to read"
        raise ApiError(message, method=method, path=path) from None
    except wire.NotText as refused:
        raise ApiError(str(refused), method=method, path=path) from None
    status = wire.envelope_status(body, response.status_code)
    if 200 <= status < 300:
        if body is None:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            message = f"the answer was not JSON ({kind}); check the base URL"
            raise ApiError(message, method=method, path=path)
        return wire.unwrap(body)
    error = status_error(status, response, body, method=method, path=path, redact=redact, hint=hint)
    raise error


def status_error(
    status: int,
    response: httpx2.Response,
    body: Any,
    *,
    method: str,
    path: str,
    redact: Redact,
    hint: str,
) -> HTTPStatusError:
    """The typed error for an error `status`, with the server's message."""
    message = redact(wire.server_message(status, response, body))
    # Which request it was, in the server's words, whichever shape the answer had.
    rid = wire.request_id(response, body)
    where: dict[str, Any] = {"method": method, "path": path, "request_id": rid}
    if status == 400:
        return BadRequestError(status, message, **where)
    if status in (401, 403):
        error = AuthError(status, f"{message} ({hint})", **where)
        error.server_message = message
        return error
    if status == 404:
        return NotFoundError(status, message, **where)
    if status == 405:
        return MethodNotAllowedError(status, message, **where)
    if status == 429:
        retry_after = wire.retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(status, message, retry_after=retry_after, **where)
    if status >= 500:
        return ServerError(status, message, **where)
    if 300 <= status < 400:
        location = redact(response.headers.get("Location", "elsewhere"))
        message = f"redirected to {location}; check the base URL"
    return HTTPStatusError(status, message, **where)


def transport_error(
    exc: httpx2.HTTPError,
    *,
    method: str,
    path: str,
    base_url: str,
    timeout: float,
    redact: Redact,
) -> TransportError:
    """The TransportError for a request that got no answer, `maybe_sent` when it may have
    reached the server."""
    reason = redact(short_reason(exc))
    where = base_url
    if isinstance(exc, httpx2.ConnectTimeout):
        message = f"can't reach {where}: connection timed out; check the base URL"
        return TransportError(message, method=method, path=path, maybe_sent=False)
    if isinstance(exc, httpx2.ConnectError | httpx2.ProxyError | httpx2.UnsupportedProtocol):
        hint = connect_hint(reason)
        message = f"can't reach {where}: {reason}; {hint}"
        return TransportError(message, method=method, path=path, maybe_sent=False)
    if isinstance(exc, httpx2.PoolTimeout):
        message = f"no free connection to {where} within {timeout:g} s"
        return TransportError(message, method=method, path=path, maybe_sent=False)
    if isinstance(exc, httpx2.ReadTimeout | httpx2.WriteTimeout):
        message = f"no answer from {where} within {timeout:g} s; it may have acted"
        return TransportError(message, method=method, path=path, maybe_sent=True)
    message = f"the connection to {where} failed ({reason}); it may have acted"
    return TransportError(message, method=method, path=path, maybe_sent=True)


def short_reason(exc: httpx2.HTTPError) -> str:
    """What went wrong in a few words, from the lowest error that says (httpx2 wraps several)."""
    if isinstance(exc, httpx2.TimeoutException):
        return "timed out"
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "TLS certificate not trusted"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
            return "network unreachable"
    text = wire.one_line(str(exc))
    lower = text.lower()
    for needle, reason in _REASONS:
        if needle in lower:
            return reason
    return text or type(exc).__name__


_UNREACHABLE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH})
_REASONS = (
    ("refused", "connection refused"),
    ("certificate_verify_failed", "TLS certificate not trusted"),
    ("name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("temporary failure in name resolution", "host name not found"),
    ("network is unreachable", "network unreachable"),
    ("no route to host", "network unreachable"),
    ("all connection attempts failed", "connection failed"),
)


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: its causes, contexts and exception group members."""
    found: list[BaseException] = []
    todo = [exc]
    while todo and len(found) < 20:
        current = todo.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return found


def connect_hint(reason: str) -> str:
    """What to check when the server could not be reached for `reason`."""
    if reason == "TLS certificate not trusted":
        return "set SSL_CERT_FILE to your CA bundle if a proxy re-signs TLS"
    return "check the base URL (--base-url, BOTOPS_BASE_URL or botops.yaml)"


def ssl_context(base_url: str) -> ssl.SSLContext:
    """Verification on, with SSL_CERT_FILE / SSL_CERT_DIR when set, else certifi's bundle."""
    if not base_url.startswith("https:"):
        # Nothing to verify over plain http; a bare verifying context costs nothing to build.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    try:
        if cafile or capath:
            return ssl.create_default_context(cafile=cafile, capath=capath)
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except (OSError, ssl.SSLError) as exc:
        source = f"SSL_CERT_FILE={cafile}" if cafile else f"SSL_CERT_DIR={capath}"
        raise UsageError(f"can't load CA certificates from {source}: {exc}") from exc
