"""`POST /v1/chat/completions` in OpenAI's Chat Completions shape, answered from an LLM script
(`llmscript.py`). The request is checked as OpenAI checks it (400 in OpenAI's error shape, naming
the parameter); the reply says in `model` that it comes from a script, not a model.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from botops.emulator import plain
from botops.emulator.gateway import openai_error_body
from botops.emulator.llmscript import Asked, Script

PATH = "/v1/chat/completions"
MODEL = "botops-emulator-script"
RULE_HEADER = "x-botops-emulator-rule"
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
SYSTEM_ROLES = ("system", "developer")
# Parameters OpenAI's Chat Completions accepts; anything else is refused, as OpenAI refuses it.
PARAMETERS = (
    "model",
    "messages",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "n",
    "stop",
    "stream",
    "stream_options",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "user",
    "seed",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "functions",
    "function_call",
    "service_tier",
    "store",
    "metadata",
    "reasoning_effort",
    "modalities",
    "prediction",
    "audio",
    "verbosity",
    "web_search_options",
    "prompt_cache_key",
    "safety_identifier",
)
NUMBERS = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
}
TOKEN = re.compile(r"\w+|[^\w\s]")


class Invalid(Exception):
    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


def handler(script: Script) -> Any:
    async def create_chat_completion(request: Request) -> Response:
        try:
            body = _body(await request.body())
            asked, limit = read(body)
        except Invalid as error:
            return JSONResponse(
                openai_error_body(400, error.message, param=error.param, code=error.code),
                status_code=400,
            )
        content, rule = script.answer(asked)
        return JSONResponse(completion(body, content, limit), headers={RULE_HEADER: rule})

    return create_chat_completion


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise Invalid("the request body must be a JSON object with model and messages")
    try:
        body = plain.json_value(raw)
    except plain.NotPlain as error:
        raise Invalid(f"the request body: {error}") from None
    if not isinstance(body, dict):
        raise Invalid("the request body must be a JSON object with model and messages")
    return body


def read(body: dict[str, Any]) -> tuple[Asked, int | None]:
    """What the script's rules look at, and the most tokens the reply may have."""
    for key in body:
        if key not in PARAMETERS:
            raise Invalid(f"Unrecognized request argument supplied: {key}", key)
    for key in ("model", "messages"):
        if key not in body:
            raise Invalid(
                f"Missing required parameter: '{key}'.", key, code="missing_required_parameter"
            )
    model = body["model"]
    if not isinstance(model, str) or not model:
        raise Invalid("model must be a non-empty string", "model")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise Invalid("messages must be a non-empty array of messages", "messages")
    system: list[str] = []
    users: list[str] = []
    for index, message in enumerate(messages):
        role, text = _message(message, f"messages[{index}]")
        if role in SYSTEM_ROLES:
            system.append(text)
        elif role == "user":
            users.append(text)
    _settings(body)
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    asked = Asked(model, "\n\n".join(system), users[-1] if users else "", len(users))
    return asked, limit


def _message(message: Any, where: str) -> tuple[str, str]:
    if not isinstance(message, dict):
        raise Invalid(f"{where} must be an object with role and content", where)
    role = message.get("role")
    if role not in ROLES:
        raise Invalid(f"{where}.role must be one of {', '.join(ROLES)}", f"{where}.role")
    content = message.get("content")
    if content is None and role == "assistant":
        return role, ""
    if isinstance(content, str):
        return role, content
    if not isinstance(content, list):
        raise Invalid(f"{where}.content must be a string or an array of parts", f"{where}.content")
    texts = []
    for number, part in enumerate(content):
        at = f"{where}.content[{number}]"
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise Invalid(f"{at} must be an object with a type", at)
        if part["type"] == "text":
            if not isinstance(part.get("text"), str):
                raise Invalid(f"{at}.text must be a string", f"{at}.text")
            texts.append(part["text"])
    return role, "\n".join(texts)


def _settings(body: dict[str, Any]) -> None:
    for key, (low, high) in NUMBERS.items():
        if key in body and body[key] is not None:
            value = body[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise Invalid(f"{key} must be a number", key)
            if not low <= value <= high:
                raise Invalid(f"{key} must be from {low:g} to {high:g}, got {value}", key)
    for key in ("max_tokens", "max_completion_tokens"):
        if key in body and body[key] is not None:
            value = body[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise Invalid(f"{key} must be a whole number of at least 1", key)
    n = body.get("n")
    if n is not None and (isinstance(n, bool) or n != 1):
        raise Invalid("n must be 1: the emulator answers one choice", "n")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise Invalid("stream must be a boolean", "stream")
    if stream:
        raise Invalid("stream: the emulator does not stream; send stream: false", "stream")
    response_format = body.get("response_format")
    if response_format is not None and (
        not isinstance(response_format, dict)
        or response_format.get("type") not in ("text", "json_object", "json_schema")
    ):
        raise Invalid(
            "response_format must be an object with type text, json_object or json_schema",
            "response_format",
        )


def tokens(text: str) -> int:
    """An estimate of the tokens in `text`: words and punctuation marks (no tokenizer runs)."""
    return len(TOKEN.findall(text))


def completion(body: dict[str, Any], content: str, limit: int | None) -> dict[str, Any]:
    finish = "stop"
    if limit is not None and tokens(content) > limit:
        # Cut where the limit-th token ends, as a model stops mid-sentence at max_tokens.
        end = [found.end() for found in TOKEN.finditer(content)][limit - 1]
        content, finish = content[:end], "length"
    prompt = sum(tokens(_text(message)) for message in body["messages"])
    completion_tokens = tokens(content)
    return {
        "id": f"chatcmpl-emulator-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        },
        "system_fingerprint": "botops-emulator",
    }


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if part.get("type") == "text")
    return ""
