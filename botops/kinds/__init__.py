"""The only place a kind is named. One `KindSpec` per kind (`voicebot`, `assistant`), registered
once: its address prefix, id key, schema, managed fields (`fields`), typed client calls, payload
layout, create path, `init` example and how a live object becomes a document; `compare` is the
one comparison planner and applier use. Callers import from here: `from botops.kinds import ...`.

Imports `client` (its protocol, for typing), `support`, `model`, `errors`.
"""

# Each kind registers itself when imported, in this order: the order messages list kinds in
# and import writes them (a new kind is one more import here, after these).
from botops.kinds.voicebot import VOICEBOT, Voicebot  # isort: skip
from botops.kinds.assistant import ASSISTANT, LLM_CONFIG_KEYS, Assistant  # isort: skip
from botops.kinds.compare import carries, differs, same
from botops.kinds.fields import AgentsField, Field, SettingsField
from botops.kinds.spec import (
    KINDS,
    PAYLOAD_CONTROLS,
    KindSpec,
    LiveObject,
    Payload,
    by_prefix,
    conversing,
    either,
    generated,
    next_version,
    register,
    spec_of,
    version_of,
    wire_booleans,
)

__all__ = [
    "ASSISTANT",
    "KINDS",
    "LLM_CONFIG_KEYS",
    "PAYLOAD_CONTROLS",
    "VOICEBOT",
    "AgentsField",
    "Assistant",
    "Field",
    "KindSpec",
    "LiveObject",
    "Payload",
    "SettingsField",
    "Voicebot",
    "by_prefix",
    "carries",
    "conversing",
    "differs",
    "either",
    "generated",
    "next_version",
    "register",
    "same",
    "spec_of",
    "version_of",
    "wire_booleans",
]
