"""Base URLs as users give them and as botops shows them: one rule for the client, the plan
file and every report (imports nothing of botops but its errors, so every layer may use it)."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

from botops.errors import UsageError

VOICEBOT_API = "/voicebot/api/v2"
ASSISTANT_API = "/api/v2"
# Where assistants may live (DESIGN §16): the reference's path first, then Exotel's client's.
ASSISTANT_PATHS = (ASSISTANT_API, VOICEBOT_API)


def clean_base_url(url: str) -> str:
    """`url` without trailing slashes or an API prefix (`/voicebot/api/v2`), as plan files and
    reports show it. A URL with credentials, a query or a fragment is refused: they would be
    written into plan files, and the message shows only the scheme and host, never them."""
    parts = checked_url(url)
    netloc = parts.netloc.rpartition("@")[2]
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            "base URL must not carry credentials, a query or a fragment: "
            f"{parts.scheme}://{netloc}/…; "
            "credentials go in BOTOPS_TOKEN or BOTOPS_API_KEY and BOTOPS_API_TOKEN"
        )
    path = parts.path.rstrip("/")
    for prefix in (VOICEBOT_API, ASSISTANT_API):
        if path.endswith(prefix):
            path = path[: -len(prefix)].rstrip("/")
            break
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))


def checked_url(url: str, what: str = "base URL") -> urllib.parse.SplitResult:
    """`url` split, when it is http(s)://HOST[:PORT][/PATH] with a host and port the HTTP stack
    can reach; anything else is one `UsageError` naming `what` (the option or variable), never
    the stack's own error (UnicodeError, ValueError) at sending time. Credentials, a query or a
    fragment are left to the caller's rule; the message never shows them."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
    except ValueError:  # an unbalanced `[` of an IPv6 address
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise UsageError(
            f"{what} must start with http:// or https:// and name a host, got {_redacted(url)}"
        )
    if "@" not in parts.netloc:
        # The HTTP stack would fail on these only when sending, with a traceback.
        _check_host_and_port(parts, host, url, what)
    return parts


def _check_host_and_port(parts: urllib.parse.SplitResult, host: str, url: str, what: str) -> None:
    try:
        port = parts.port
    except ValueError:  # out of range, negative, or not a number
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise UsageError(f"{what} {_redacted(url)}: the port must be a number from 1 to 65535")
    if _IPV4_LIKE.fullmatch(host) or ":" in host:
        # Digits and dots are an IPv4 address to the HTTP stack, never a host name.
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise UsageError(f"{what} {_redacted(url)} names no valid IP address") from None
        return
    if not host.isascii() or any(label.startswith("xn--") for label in host.split(".")):
        # A punycode label (`xn--…`) must decode, as the HTTP stack checks it when sending.
        try:
            import idna

            if host.isascii():
                idna.decode(host)
            else:
                host = idna.encode(host).decode("ascii")
        except ImportError:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            raise UsageError(f"{what} {_redacted(url)} names no valid host") from None
    # Labels of 1 to 63 letters, digits, `-` or `_`, 253 in all (a final dot allowed): the
    # stack's idna codec fails on an empty or long label with a UnicodeError.
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise UsageError(f"{what} {_redacted(url)} names no valid host")


_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")
_IPV4_LIKE = re.compile(r"[0-9.]+")


def _redacted(url: str) -> str:
    """`url` as an error may show it: without a user and password, cut at a query or
    fragment."""
    shown = url.strip()
    scheme, separator, rest = shown.partition("://")
    if separator and "@" in rest.split("/", 1)[0]:
        shown = f"{scheme}://…@{rest.split('/', 1)[0].rpartition('@')[2]}"
    cut = min((i for i in (shown.find("?"), shown.find("#")) if i >= 0), default=-1)
    return repr(shown) if cut < 0 else repr(shown[:cut]) + "…"
