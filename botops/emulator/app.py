"""The API's routes: every endpoint of the Voicebot API reference, the assistant reads botops
relies on, and `/_emulator/` for tests.

Handlers read their parameters and bodies themselves rather than through FastAPI's validation,
so that every refusal is a 400 in the API's error shape naming the field (never a 422);
`openapi.py` describes those parameters and bodies in the OpenAPI document.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from botops import __version__
from botops.emulator import chat, openapi, plain, rules
from botops.emulator.gateway import RequestLog, error_body, is_openai, openai_error_body, parse_form
from botops.emulator.generate import Generations
from botops.emulator.llmscript import Script
from botops.emulator.store import ASSISTANT, KINDS, VOICEBOT, Kind, Refused, Store

VOICEBOTS = "/voicebot/api/v2/accounts/{accountId}"
ASSISTANTS = "/api/v2/accounts/{tenant_id}"
# Where Exotel's own client finds assistants (DESIGN §16): beside the voicebots.
EXOTEL_ASSISTANTS = "/voicebot/api/v2/accounts/{tenant_id}"
DIALECTS = ("reference", "exotel")
MAX_PAGE = 100
DEFAULT_PAGE = 10
CONVERSATION_FIELDS = ("transcript", "insights")
VOICEBOT_VERSION_KEYS = ("source_version", "data", "version_description")
ASSISTANT_VERSION_KEYS = ("source_version", "mark_as_stable", *rules.ASSISTANT_TABLE)
EXOTEL_ASSISTANT_VERSION_KEYS = ("source_version", "mark_as_stable", "version_description", "data")

Handler = Callable[[Request], Awaitable[Response]]
# method, path, operation id (the handler's name where it has its own), handler, status
Operation = tuple[str, str, str, Handler, int]


def create_app(
    store: Store,
    generations: Generations,
    log: RequestLog,
    *,
    envelope: bool = False,
    dialect: str = "reference",
    script: Script | None = None,
) -> FastAPI:
    """The API's routes; with `envelope`, /openapi.json describes the enveloped responses.
    `app.state.reset` is what `POST /_emulator/reset` does (`server.resetter`); while it is
    None, that answers 404.
    `dialect` "exotel" serves assistants as Exotel's service does (DESIGN §16): under
    /voicebot/api/v2, read nested (`?version=stable`), written with a `data` wrapper. With
    `script`, `POST /v1/chat/completions` answers from it."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    assistant_routes = EXOTEL_ASSISTANT_ROUTES if dialect == "exotel" else ASSISTANT_ROUTES

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        generations.resume()
        yield

    app = FastAPI(
        title="Exotel Voicebot API (botops emulator)",
        version=__version__,
        description="The Voicebot API as botops' emulator serves it.",
        redoc_url=None,
        lifespan=lifespan,
    )
    # A trailing slash is a different, unknown path: answer 404 rather than redirect.
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.generations = generations
    app.state.log = log
    app.state.reset = None
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _crash)

    operations = [
        _named("POST", f"{VOICEBOTS}/bot-generation", create_generation, 201),
        _named("GET", f"{VOICEBOTS}/bot-generation/{{generation_id}}", get_generation, 200),
        *VOICEBOT_ROUTES.operations(),
        _named("GET", f"{VOICEBOTS}/voicebot-conversations", list_conversations, 200),
        _named(
            "GET",
            f"{VOICEBOTS}/voicebot-conversations/{{conversation_id}}",
            get_conversation,
            200,
        ),
        *assistant_routes.operations(),
    ]
    for method, path, name, handler, status in operations:
        app.add_api_route(
            path,
            handler,
            methods=[method],
            status_code=status,
            summary=openapi.SUMMARIES[name],
            operation_id=name,
            openapi_extra=openapi.operation(path, name, status, envelope=envelope),
        )
    if script is not None:
        app.add_api_route(
            chat.PATH,
            chat.handler(script),
            methods=["POST"],
            status_code=200,
            summary=openapi.SUMMARIES["create_chat_completion"],
            operation_id="create_chat_completion",
            openapi_extra=openapi.chat_operation(),
        )
    app.add_api_route("/_emulator/requests", requests_log, methods=["GET"], include_in_schema=False)
    app.add_api_route(
        "/_emulator/requests", clear_requests_log, methods=["DELETE"], include_in_schema=False
    )
    app.add_api_route(
        "/_emulator/{kind}/{rid}/versions", versions, methods=["GET"], include_in_schema=False
    )
    app.add_api_route("/_emulator/reset", reset_state, methods=["POST"], include_in_schema=False)
    return app


def _named(method: str, path: str, handler: Handler, status: int) -> Operation:
    return method, path, handler.__name__, handler, status


def _store(request: Request) -> Store:
    return cast(Store, request.app.state.store)


def _generations(request: Request) -> Generations:
    return cast(Generations, request.app.state.generations)


def _log(request: Request) -> RequestLog:
    return cast(RequestLog, request.app.state.log)


# Bot generation


async def create_generation(request: Request) -> Response:
    raw = await request.body()
    fields = parse_form(request.headers.get("content-type", ""), raw)
    if fields is None:
        try:
            body = plain.json_value(raw) if raw.strip() else None
        except plain.NotPlain as error:
            if error.position is None:  # JSON, but not plain data: say what is wrong with it
                raise Refused(400, f"the request body: {error}") from None
            body = None  # not JSON: say how to send the text
        if not isinstance(body, dict):
            raise Refused(
                400,
                "send text_content as multipart/form-data or application/x-www-form-urlencoded",
            )
        fields = body
    text = fields.get("text_content")
    if not isinstance(text, str) or not text.strip():
        raise Refused(400, "text_content is required and must not be empty")
    job = _generations(request).start(text, request.path_params["accountId"])
    return JSONResponse(job, status_code=201)


async def get_generation(request: Request) -> Response:
    job_id = request.path_params["generation_id"]
    job = _generations(request).view(job_id, request.path_params["accountId"])
    if job is None:
        raise Refused(404, f"no bot-generation job has the id {job_id!r}")
    return JSONResponse(job)


# Voicebots and assistants


def _voicebot_version(body: dict[str, Any]) -> tuple[list[str], dict[str, Any], str | None]:
    problems: list[str] = []
    data = body.get("data")
    if "data" not in body:
        problems.append("data is required: an object with the fields to change")
    elif not isinstance(data, dict):
        problems.append("data must be an object")
    else:
        problems += rules.check_fields(
            data, rules.BOT_TABLE, prefix="data.", what="a voicebot version"
        )
    description = body.get("version_description")
    if "version_description" in body:
        problems += [p for p in [rules.STRING("version_description", description)] if p]
    return problems, data if isinstance(data, dict) else {}, description


def _assistant_version(body: dict[str, Any]) -> tuple[list[str], dict[str, Any], bool]:
    problems: list[str] = []
    if "mark_as_stable" in body:
        problems += [p for p in [rules.BOOLEAN("mark_as_stable", body["mark_as_stable"])] if p]
    changes = {k: body[k] for k in rules.ASSISTANT_TABLE if k in body}
    problems += rules.check_fields(changes, rules.ASSISTANT_TABLE, what="an assistant version")
    return problems, changes, body.get("mark_as_stable") is True


def _exotel_assistant_version(body: dict[str, Any]) -> tuple[list[str], dict[str, Any], bool]:
    """Exotel's write: `{source_version, mark_as_stable: "true"|"false", version_description,
    data: {instruction?, llm_config?, agents?}}` (string booleans, values under `data`)."""
    problems: list[str] = []
    stable = body.get("mark_as_stable")
    if "mark_as_stable" in body and stable not in ("true", "false"):
        problems.append('mark_as_stable must be the string "true" or "false"')
    if "version_description" in body:
        problems += [
            p for p in [rules.STRING("version_description", body["version_description"])] if p
        ]
    data = body.get("data")
    if "data" not in body:
        problems.append("data is required: an object with the fields to change")
    elif not isinstance(data, dict):
        problems.append("data must be an object")
    else:
        problems += rules.check_fields(
            data, rules.ASSISTANT_TABLE, prefix="data.", what="an assistant version"
        )
    return problems, data if isinstance(data, dict) else {}, stable == "true"


@dataclass(frozen=True)
class _KindRoutes:
    """The four routes of voicebots or of assistants, written once; what differs is here."""

    root: str  # the path before the collection
    kind: Kind
    param: str  # the path parameter holding the id
    dated: bool  # whether a listing takes startDate and endDate
    version_keys: tuple[str, ...]  # what a new version's body may hold
    # A new version's body → problems, the changes, and its note (see `Store.new_version`).
    version: Callable[[dict[str, Any]], tuple[list[str], dict[str, Any], str | bool | None]]
    # Exotel's dialect: reads nested (`?version=`), writes keep their `version_description`.
    nested: bool = False

    def operations(self) -> list[Operation]:
        """Named as the OpenAPI document names them, e.g. `get_voicebot`."""
        what = self.kind.what
        many = f"{self.root}/{what}s"
        one = f"{many}/{{{self.param}}}"
        return [
            ("POST", f"{one}/versions", f"create_{what}_version", self.create_version, 200),
            ("GET", many, f"list_{what}s", self.list_page, 200),
            ("GET", one, f"get_{what}", self.get, 200),
            ("GET", f"{one}/versions", f"list_{what}_versions", self.list_versions, 200),
        ]

    async def list_page(self, request: Request) -> Response:
        limit, offset = _page(request)
        start = _date_bound(request, "startDate", end=False) if self.dated else None
        end = _date_bound(request, "endDate", end=True) if self.dated else None
        total, items = _store(request).list_page(self.kind, limit, offset, start, end)
        return _list(total, offset, limit, items)

    async def get(self, request: Request) -> Response:
        rid = request.path_params[self.param]
        if self.nested:
            asked = request.query_params.get("version") or "stable"
            found = _store(request).nested(self.kind, rid, asked)
        else:
            found = _store(request).get(self.kind, rid)
        if found is None:
            raise Refused(404, f"no {self.kind.what} has the id {rid!r}")
        return JSONResponse(found)

    async def create_version(self, request: Request) -> Response:
        rid = request.path_params[self.param]
        body = await _json_object(request)
        store = _store(request)
        if store.get(self.kind, rid) is None:
            raise Refused(404, f"no {self.kind.what} has the id {rid!r}")
        problems = _unknown_keys(body, self.version_keys)
        problems += _source_version(body)
        more, changes, note = self.version(body)
        problems += more
        if problems:
            raise Refused(400, "; ".join(problems))
        if not self.nested:
            result = store.new_version(self.kind, rid, body["source_version"], changes, note)
            return JSONResponse(result)
        description = body.get("version_description")
        result = store.new_version(
            self.kind, rid, body["source_version"], changes, note, description=description
        )
        result["mark_as_stable"] = "true" if note is True else "false"
        result["version_description"] = description
        return JSONResponse(result)

    async def list_versions(self, request: Request) -> Response:
        rid = request.path_params[self.param]
        limit, offset = _page(request)
        found = _store(request).list_versions(self.kind, rid, limit, offset)
        if found is None:
            raise Refused(404, f"no {self.kind.what} has the id {rid!r}")
        total, items = found
        if self.nested:
            for item in items:
                number = rules.version_number(item["version"]) or 0
                item["version_description"] = _store(request).description_of(self.kind, rid, number)
                item["mark_as_stable"] = "true" if item.get("mark_as_stable") else "false"
        return _list(total, offset, limit, items)


VOICEBOT_ROUTES = _KindRoutes(
    VOICEBOTS, VOICEBOT, "botId", True, VOICEBOT_VERSION_KEYS, _voicebot_version
)
ASSISTANT_ROUTES = _KindRoutes(
    ASSISTANTS, ASSISTANT, "assistant_id", False, ASSISTANT_VERSION_KEYS, _assistant_version
)
EXOTEL_ASSISTANT_ROUTES = dataclasses.replace(
    ASSISTANT_ROUTES,
    root=EXOTEL_ASSISTANTS,
    version_keys=EXOTEL_ASSISTANT_VERSION_KEYS,
    version=_exotel_assistant_version,
    nested=True,
)


# Conversations


async def list_conversations(request: Request) -> Response:
    limit, offset = _page(request)
    raw = request.query_params.get("fields") or ""
    names = [name.strip() for name in raw.split(",") if name.strip()]
    for name in names:
        if name not in CONVERSATION_FIELDS:
            supported = ", ".join(CONVERSATION_FIELDS)
            raise Refused(400, f"fields: unknown field {name!r} (supported: {supported})")
    total, items = _store(request).list_conversations(limit, offset, names)
    return _list(total, offset, limit, items)


async def get_conversation(request: Request) -> Response:
    conversation_id = request.path_params["conversation_id"]
    conversation = _store(request).get_conversation(conversation_id)
    if conversation is None:
        raise Refused(404, f"no voicebot conversation has the id {conversation_id!r}")
    return JSONResponse(conversation)


# /_emulator/


async def requests_log(request: Request) -> Response:
    return JSONResponse(_log(request).shown())


async def clear_requests_log(request: Request) -> Response:
    _log(request).clear()
    return Response(status_code=204)


async def reset_state(request: Request) -> Response:
    """Back to the data the emulator started with (`--demo`, `--fixtures`, synthetic), with
    no request logged, no generation job and an empty rate-limit window."""
    reset = cast(Callable[[], None] | None, request.app.state.reset)
    if reset is None:
        raise Refused(404, "this emulator can't be reset")
    reset()
    return Response(status_code=204)


async def versions(request: Request) -> Response:
    kind, rid = request.path_params["kind"], request.path_params["rid"]
    found = _store(request).versions(KINDS[kind], rid) if kind in KINDS else None
    if found is None:
        raise Refused(404, f"no {kind} has the id {rid!r}")
    return JSONResponse(found)


# Reading requests


def _page(request: Request) -> tuple[int, int]:
    limit = _integer(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE)
    offset = _integer(request, "offset", 0, 0, None)
    return limit, offset


def _integer(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\s*[+-]?[0-9]{1,18}\s*", raw):
        raise Refused(400, f"{name} must be an integer, got {raw!r}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise Refused(400, f"{name} must be {allowed}, got {value}")
    return value


def _date_bound(request: Request, name: str, *, end: bool) -> str | None:
    """As a stored date to compare with: `start <= date_created < end`, `endDate` inclusive."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    parsed = rules.parse_date(raw)
    if parsed is None:
        raise Refused(400, f"{name} must be an ISO 8601 date or date-time, got {raw!r}")
    moment, bare_date = parsed
    if end and bare_date:
        return rules.timestamp(rules.later(moment, days=1))
    whole = moment.replace(microsecond=0)
    if end or whole != moment:
        # Stored dates have whole seconds: round the bound up to the next one.
        return rules.timestamp(rules.later(whole, seconds=1))
    return rules.timestamp(moment)


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise Refused(400, "the request body must be a JSON object")
    try:
        body = plain.json_value(raw)
    except plain.NotPlain as error:
        raise Refused(400, f"the request body: {error}") from None
    if not isinstance(body, dict):
        raise Refused(400, f"the request body must be a JSON object, not {_json_type(body)}")
    return body


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"


def _unknown_keys(body: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    return [
        f"{key} is not a field this endpoint accepts (allowed: {', '.join(allowed)})"
        for key in body
        if key not in allowed
    ]


def _source_version(body: dict[str, Any]) -> list[str]:
    if "source_version" not in body:
        return ["source_version is required: the version the new one is built on, like 'v1'"]
    if not isinstance(body["source_version"], str):
        return ["source_version must be a string like 'v1'"]
    return []


def _list(total: int, offset: int, limit: int, items: list[dict[str, Any]]) -> Response:
    metadata = {"total": total, "count": len(items), "offset": offset, "limit": limit}
    return JSONResponse({"metadata": metadata, "data": items})


# Errors, all in the API's shape


async def _refused(_: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    return JSONResponse(error_body(error.status, error.message), status_code=error.status)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    where = f"{request.method} {request.url.path}"
    if error.status_code == 404:
        message = f"no such endpoint: {where}"
    elif error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        message = f"method not allowed: {where} (allowed: {allowed})"
    else:
        message = str(error.detail)
    if is_openai(request.url.path):
        if request.url.path == chat.PATH and error.status_code == 404:
            message += " (the emulator serves it with --llm-script FILE)"
        shape = openai_error_body(error.status_code, message)
    else:
        shape = error_body(error.status_code, message)
    return JSONResponse(
        shape,
        status_code=error.status_code,
        headers=dict(error.headers or {}),
    )


async def _invalid(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
    return JSONResponse(error_body(400, "; ".join(parts) or "invalid request"), status_code=400)


async def _crash(request: Request, error: Exception) -> Response:
    message = f"internal error in the emulator: {error}"
    if is_openai(request.url.path):
        return JSONResponse(openai_error_body(500, message), 500)
    return JSONResponse(error_body(500, message), 500)
