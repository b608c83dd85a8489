"""The wire format: what the Voicebot API's answers look like, and how they are read.

An answer is either the bare object (or `{"metadata", "data"}` list) the reference documents,
or the same inside Exotel's envelope (`{"request_id", "method", "http_code", "response": ...}`),
whose `http_code` may report an error inside a 200. Both are accepted everywhere and unwrapped
to the bare shape. Normalisation happens here, once, for every caller: booleans that arrive as
strings become booleans (which fields are booleans is the kinds' to say: the client is
given them), and a conversation's `insights.intents` given as a comma-separated
string becomes a list. Error answers are read for the server's own message (`server_message`),
in whichever of the shapes the API, its gateway or a proxy used.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

import httpx2

from botops.errors import ApiError

MESSAGE_LIMIT = 300

_ENVELOPE_KEYS = frozenset({"http_code", "request_id", "method"})


# Reading bodies


class NotText(ValueError):
    """JSON that Python reads but no value of the API is: NaN, Infinity, a number too large
    for a float, a lone surrogate. Kept out at the door, so that no plan file, JSON output or
    terminal line ever meets it."""


def json_body(response: httpx2.Response) -> Any:
    """The parsed body; `{}` when empty, None when it is not JSON; `NotText` for JSON holding
    what no API value is."""
    if not response.content:
        return {}
    try:
        body = json.loads(response.content, parse_constant=_constant, parse_float=_float)
    except NotText:
        raise
    except ValueError:
        return None
    # Escaped surrogates (`\ud83d\ude00` is one emoji) are rare: walk the body only then.
    if _SURROGATE_ESCAPE.search(response.content) and _has_lone_surrogate(body):
        raise NotText(
            "the answer holds a lone surrogate (half of a UTF-16 pair), which is not text"
        )
    return body


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _constant(text: str) -> Any:
    raise NotText(f"the answer holds {text}, which is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotText(f"the answer holds the number {text[:40]}, too large for a float")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def is_envelope(body: Any) -> bool:
    return isinstance(body, dict) and "response" in body and bool(_ENVELOPE_KEYS & body.keys())


def envelope_status(body: Any, status: int) -> int:
    """An envelope may report an error inside a 200; believe the envelope."""
    if not is_envelope(body):
        return status
    inner = body["response"]
    for code in (
        inner.get("http_code") if isinstance(inner, dict) else None,
        body.get("http_code"),
    ):
        if isinstance(code, int | str) and str(code).isdigit() and int(code) >= 400:
            return int(code)
    return status


def unwrap(body: Any) -> Any:
    """The bare object or `{"metadata", "data"}` list inside an envelope (or `body` itself)."""
    if not is_envelope(body):
        return body
    inner = body["response"]
    if isinstance(inner, list):
        # Exotel's list style: one small envelope per item, metadata beside `response`.
        items = [x["data"] if isinstance(x, dict) and "data" in x else x for x in inner]
        return {"metadata": body.get("metadata"), "data": items}
    if isinstance(inner, dict) and "data" in inner:
        data = inner["data"]
        if isinstance(data, list):
            return {"metadata": inner.get("metadata", body.get("metadata")), "data": data}
        return data
    return inner


def list_body(body: Any, method: str, path: str) -> tuple[list[dict[str, Any]], int | None]:
    """The items of a list answer and its `metadata.total` (None when not given)."""
    if isinstance(body, list):
        return [x for x in body if isinstance(x, dict)], None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ApiError("expected a list response with `data`", method=method, path=path)
    items = [x for x in body["data"] if isinstance(x, dict)]
    metadata = body.get("metadata")
    total = metadata.get("total") if isinstance(metadata, dict) else None
    if isinstance(total, str) and total.strip().isdigit():
        total = int(total)
    return items, total if isinstance(total, int) and not isinstance(total, bool) else None


# Normalisation: once, here, for every caller


def resource(obj: dict[str, Any], booleans: frozenset[str]) -> dict[str, Any]:
    """A resource (a live object, a version, a list item): its `booleans` that arrive as the
    strings "true" or "false" are read as booleans."""
    fixed = {k: _boolean(obj[k]) for k in booleans & obj.keys()}
    return {**obj, **fixed} if fixed else obj


def assistant(
    obj: dict[str, Any], asked: str = "stable", booleans: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """An assistant in the flat shape botops compares (DESIGN §5), from either shape the
    service answers. The nested one (Exotel's, DESIGN §16) `{stable_version, latest_version,
    versions: {"v7": {instruction?, llm_config?, agents}}}` becomes the `asked` version's
    values (`stable`, `latest` or a version) with `version` naming it, `stable_version` and
    `latest_version` kept: `latest_version` present says the server speaks the nested dialect.
    The flat shape is only normalised (`booleans` as for `resource`)."""
    versions = obj.get("versions")
    if not isinstance(versions, dict):
        return resource(obj, booleans)
    stable, latest = _text(obj.get("stable_version")), _text(obj.get("latest_version"))
    wanted = {"stable": stable, "latest": latest}.get(asked, asked)
    if wanted not in versions:
        # No stable version yet (or the asked one left out): the latest, where given.
        wanted = next((v for v in (stable, latest) if v in versions), None)
        if wanted is None and len(versions) == 1:
            wanted = next(iter(versions))
    values = versions.get(wanted) if wanted is not None else None
    flat = {k: v for k, v in obj.items() if k != "versions"}
    if isinstance(values, dict):
        flat.update(values)
    flat["version"] = wanted if isinstance(values, dict) else None
    flat["stable_version"] = stable
    flat["latest_version"] = latest if latest is not None else wanted
    return resource(flat, booleans)


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else str(value)


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def conversation(obj: dict[str, Any]) -> dict[str, Any]:
    """A conversation: `insights.intents` as a list, also when it came as "a, b"."""
    insights = obj.get("insights")
    if isinstance(insights, dict) and isinstance(insights.get("intents"), str):
        intents = [part.strip() for part in insights["intents"].split(",") if part.strip()]
        obj = {**obj, "insights": {**insights, "intents": intents}}
    return obj


# Error answers


def server_message(status: int, response: httpx2.Response, body: Any) -> str:
    """The server's own words for a refusal, on one line; the reason phrase when it gave none."""
    return _server_words(status, response, body)


def request_id(response: httpx2.Response, body: Any) -> str | None:
    """The id the server gave this request: the envelope's `request_id` (or the error
    object's), else a `X-Request-Id` header; None when none came or it is not a plain token."""
    candidates: list[Any] = []
    if isinstance(body, dict):
        candidates.append(body.get("request_id"))
        error = body.get("error")
        if isinstance(error, dict):
            candidates.append(error.get("request_id"))
    candidates += [response.headers.get("X-Request-Id"), response.headers.get("Request-Id")]
    for candidate in candidates:
        if isinstance(candidate, str | int) and not isinstance(candidate, bool):
            text = str(candidate).strip()
            if _REQUEST_ID.fullmatch(text):
                return text
    return None


# What a request id may look like to be shown: a token, not a message in disguise.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


def _server_words(status: int, response: httpx2.Response, body: Any) -> str:
    message: Any = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message") or error.get("description")
        elif isinstance(error, str):
            message = error
        if not message and is_envelope(body) and isinstance(body["response"], dict):
            message = _error_data_message(body["response"].get("error_data"))
        if not message:
            message = _detail_message(body.get("detail")) or body.get("message")
    if not message and response.content and body != {}:
        message = _text_message(response)
    if not message:
        message = response.reason_phrase or f"HTTP {status}"
    return one_line(str(message))


def _error_data_message(error_data: Any) -> str | None:
    if isinstance(error_data, str):
        return error_data
    if not isinstance(error_data, dict):
        return None
    message, description = error_data.get("message"), error_data.get("description")
    if message and description and message != description:
        return f"{message}: {description}"
    return str(message or description) if message or description else None


def _detail_message(detail: Any) -> str | None:
    """FastAPI-style `detail`, a string or a list of `{loc, msg}`."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item['msg']}" if loc else str(item["msg"]))
        return "; ".join(parts) or None
    return None


def _text_message(response: httpx2.Response) -> str:
    text = response.text
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        return title.group(1)
    if "<html" in text[:500].lower():
        return response.reason_phrase
    return text


def one_line(text: str) -> str:
    """`text` with its whitespace folded, cut to MESSAGE_LIMIT characters."""
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
