"""The OpenAPI description of each route: parameters, request bodies and responses, written out
by hand because the handlers read their inputs themselves (to answer 400, never 422), so
FastAPI can't infer them. Fuzzers such as schemathesis work from this document.
"""

from __future__ import annotations

import re
from typing import Any

from botops.emulator import rules

SUMMARIES = {
    "create_generation": "Create a bot generation job from a text description",
    "get_generation": "Get the status of a bot generation job",
    "create_voicebot_version": "Create a new version of a voicebot",
    "list_voicebots": "List voicebots",
    "get_voicebot": "Get the latest version of a voicebot",
    "list_conversations": "List voicebot conversations",
    "get_conversation": "Get a voicebot conversation",
    "create_assistant_version": "Create a new version of an assistant",
    "list_voicebot_versions": "List a voicebot's versions, oldest first (assumed extension)",
    "list_assistants": "List assistants (emulator extension)",
    "list_assistant_versions": "List an assistant's versions, oldest first (assumed extension)",
    "get_assistant": "Get the latest version of an assistant (emulator extension)",
    "create_chat_completion": (
        "OpenAI-compatible chat completion answered from the --llm-script file (no model runs)"
    ),
}

STRING = {"type": "string"}
TEXT = {"type": "string", "pattern": r"\S"}
VERSION = {"type": "string", "pattern": "^v[1-9][0-9]*$"}
DATE = {"type": "string", "format": "date-time"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": STRING},
        }
    },
}
# Each kind's fields, from its table in `rules` (a field is one line there).
BOT_FIELDS: dict[str, Any] = {key: f.schema for key, f in rules.BOT_TABLE.items()}
BOT_DATA = {"type": "object", "additionalProperties": False, "properties": BOT_FIELDS}
ASSISTANT_DATA: dict[str, Any] = {key: f.schema for key, f in rules.ASSISTANT_TABLE.items()}
BOT = {
    "type": "object",
    "required": ["bot_id", "name", "version", "date_created"],
    "properties": {
        "bot_id": STRING,
        "version": VERSION,
        "date_created": STRING,
        **BOT_FIELDS,
    },
}
ASSISTANT = {
    "type": "object",
    "required": ["assistant_id", "version", "date_created"],
    "properties": {
        "assistant_id": STRING,
        "version": VERSION,
        "stable_version": {"type": ["string", "null"]},
        "date_created": STRING,
        **ASSISTANT_DATA,
    },
}
CONVERSATION = {
    "type": "object",
    "required": ["conversation_id", "bot_id"],
    "properties": {
        "conversation_id": STRING,
        "bot_id": STRING,
        "call_metadata": {"type": ["object", "null"]},
        "transcript": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"speaker": STRING, "text": STRING, "timestamp": STRING},
            },
        },
        "insights": {"type": ["object", "null"]},
        "start_time": {"type": ["string", "null"]},
    },
}
JOB = {
    "type": "object",
    "required": ["id", "status", "account_id"],
    "properties": {
        "id": STRING,
        "status": {"enum": ["pending", "in_progress", "completed", "failed"]},
        "content": {"type": "object", "properties": {"text_content": STRING}},
        "bot_id": STRING,
        "reason": STRING,
        "account_id": STRING,
    },
}


def _listing(item: dict[str, Any]) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "required": ["metadata", "data"],
        "properties": {
            "metadata": {
                "type": "object",
                "required": ["total", "count", "offset", "limit"],
                "properties": {"total": count, "count": count, "offset": count, "limit": count},
            },
            "data": {"type": "array", "items": item},
        },
    }


def _versions(note: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A page of version history: each version's number, date and its own `note`."""
    return _listing(
        {
            "type": "object",
            "required": ["version", "date_created", note],
            "properties": {"version": VERSION, "date_created": STRING, note: schema},
        }
    )


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGE = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        "Results per page (1 to 100)",
    ),
    _query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Pagination offset"),
]
QUERIES: dict[str, list[dict[str, Any]]] = {
    "list_voicebots": [
        *PAGE,
        _query("startDate", DATE, "Only bots created at or after this time (ISO 8601)"),
        _query("endDate", DATE, "Only bots created at or before this time (ISO 8601)"),
    ],
    "list_assistants": PAGE,
    "list_voicebot_versions": PAGE,
    "list_assistant_versions": PAGE,
    "list_conversations": [
        *PAGE,
        _query(
            "fields",
            {"type": "string", "pattern": "^(transcript|insights)(,(transcript|insights))*$"},
            "Comma-separated: transcript, insights",
        ),
    ],
}
FORM = {
    "type": "object",
    "required": ["text_content"],
    "properties": {"text_content": TEXT},
}
BODIES: dict[str, dict[str, Any]] = {
    "create_generation": {
        "multipart/form-data": {"schema": FORM},
        "application/x-www-form-urlencoded": {"schema": FORM},
    },
    "create_voicebot_version": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["source_version", "data"],
                "additionalProperties": False,
                "properties": {
                    "source_version": VERSION,
                    "data": BOT_DATA,
                    "version_description": STRING,
                },
            }
        }
    },
    "create_assistant_version": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["source_version"],
                "additionalProperties": False,
                "properties": {
                    "source_version": VERSION,
                    "mark_as_stable": {"type": "boolean"},
                    **ASSISTANT_DATA,
                },
            }
        }
    },
}
RESULTS: dict[str, dict[str, Any]] = {
    "create_generation": JOB,
    "get_generation": JOB,
    "create_voicebot_version": {
        "type": "object",
        "required": ["bot_id", "version", "date_created", "name"],
        "properties": {
            "bot_id": STRING,
            "version": VERSION,
            "date_created": STRING,
            "name": STRING,
        },
    },
    "list_voicebots": _listing(
        {"type": "object", "required": ["bot_id", "version"], "properties": BOT["properties"]}
    ),
    "get_voicebot": BOT,
    "list_conversations": _listing(CONVERSATION),
    "get_conversation": CONVERSATION,
    "create_assistant_version": {
        "type": "object",
        "required": ["assistant_id", "version", "mark_as_stable", "date_created"],
        "properties": {
            "assistant_id": STRING,
            "version": VERSION,
            "mark_as_stable": {"type": "boolean"},
            "date_created": STRING,
        },
    },
    "list_assistants": _listing(ASSISTANT),
    "list_voicebot_versions": _versions("version_description", {"type": ["string", "null"]}),
    "list_assistant_versions": _versions("mark_as_stable", {"type": "boolean"}),
    "get_assistant": ASSISTANT,
}
ERRORS = {
    400: "Invalid request: the message names the field",
    401: "Credentials missing or wrong (with --token)",
    404: "No such resource",
    413: "Request body over 1 MiB",
    429: "Rate limit exceeded (with --rate-limit); see Retry-After",
    500: "Internal error (or an injected fault)",
}


def enveloped(data: dict[str, Any] | None, error: bool) -> dict[str, Any]:
    """Exotel's documented envelope around a response body (the emulator's --envelope)."""
    error_data = {
        "type": "object",
        "required": ["code", "message", "description"],
        "properties": {"code": {"type": "integer"}, "message": STRING, "description": STRING},
    }
    return {
        "type": "object",
        "required": ["http_code", "method", "request_id", "response"],
        "properties": {
            "http_code": {"type": "integer"},
            "method": STRING,
            "request_id": STRING,
            "response": {
                "type": "object",
                "required": ["http_code", "data", "error_data"],
                "properties": {
                    "http_code": {"type": "integer"},
                    "data": {"type": "null"} if error else data,
                    "error_data": error_data if error else {"type": "null"},
                },
            },
        },
    }


def operation(path: str, name: str, status: int, *, envelope: bool = False) -> dict[str, Any]:
    """What FastAPI can't infer about one route, merged into its OpenAPI operation."""
    success = enveloped(RESULTS[name], error=False) if envelope else RESULTS[name]
    failure = enveloped(None, error=True) if envelope else ERROR
    parameters = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in re.findall(r"{(\w+)}", path)
    ]
    result: dict[str, Any] = {
        "parameters": parameters + QUERIES.get(name, []),
        "responses": {
            str(status): {
                "description": "Success",
                "content": {"application/json": {"schema": success}},
            },
            **{
                str(code): {
                    "description": text,
                    "content": {"application/json": {"schema": failure}},
                }
                for code, text in ERRORS.items()
            },
        },
    }
    if name in BODIES:
        result["requestBody"] = {"required": True, "content": BODIES[name]}
    return result


# POST /v1/chat/completions (with --llm-script): OpenAI's shapes, not the Voicebot API's.

OPENAI_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": STRING,
                "type": STRING,
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}
CONTENT_PART = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": STRING, "text": STRING},
}
CHAT_MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "properties": {
        "role": {"enum": ["system", "developer", "user", "assistant", "tool", "function"]},
        "content": {"anyOf": [STRING, {"type": "array", "items": CONTENT_PART}]},
        "name": STRING,
    },
}
CHAT_REQUEST = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string", "minLength": 1},
        "messages": {"type": "array", "minItems": 1, "items": CHAT_MESSAGE},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "max_tokens": {"type": "integer", "minimum": 1},
        "max_completion_tokens": {"type": "integer", "minimum": 1},
        "n": {"type": "integer", "enum": [1]},
        "stream": {"type": "boolean", "enum": [False]},
        "seed": {"type": "integer"},
        "response_format": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"enum": ["text", "json_object", "json_schema"]}},
        },
    },
}
CHAT_COMPLETION = {
    "type": "object",
    "required": ["id", "object", "created", "model", "choices", "usage"],
    "properties": {
        "id": STRING,
        "object": {"enum": ["chat.completion"]},
        "created": {"type": "integer"},
        "model": STRING,
        "choices": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["index", "message", "finish_reason"],
                "properties": {
                    "index": {"type": "integer"},
                    "message": {
                        "type": "object",
                        "required": ["role", "content"],
                        "properties": {"role": {"enum": ["assistant"]}, "content": STRING},
                    },
                    "finish_reason": {"enum": ["stop", "length"]},
                },
            },
        },
        "usage": {
            "type": "object",
            "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
            "properties": {
                "prompt_tokens": {"type": "integer", "minimum": 0},
                "completion_tokens": {"type": "integer", "minimum": 0},
                "total_tokens": {"type": "integer", "minimum": 0},
            },
        },
    },
}
CHAT_ERRORS = {
    400: "Invalid request: the message and `param` name the parameter",
    401: "Credentials missing or wrong (with --token)",
    413: "Request body over 1 MiB",
    429: "Rate limit exceeded (with --rate-limit); see Retry-After",
    500: "An injected fault (--fault-rate)",
}


def chat_operation() -> dict[str, Any]:
    """`POST /v1/chat/completions`, in OpenAI's request, response and error shapes."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CHAT_REQUEST}},
        },
        "responses": {
            "200": {
                "description": "The reply the script's first matching rule gives",
                "content": {"application/json": {"schema": CHAT_COMPLETION}},
            },
            **{
                str(code): {
                    "description": text,
                    "content": {"application/json": {"schema": OPENAI_ERROR}},
                }
                for code, text in CHAT_ERRORS.items()
            },
        },
    }
