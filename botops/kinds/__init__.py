"""The only place a kind is named. One `KindSpec` per kind (Voicebot, Assistant), registered
once: its address prefix, id key, schema, managed fields, client calls, payload layout and how a
live object becomes a document; `compare` is the one comparison planner and applier use.

Imports `client` (its protocol, for typing), `support`, `model`, `errors`.
"""
