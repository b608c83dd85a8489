"""A local Voicebot API for tests, demos and benchmarks: `botops emulator` (DESIGN §6). A real
HTTP server (FastAPI over uvicorn) with its own SQLite store, fixtures, faults and request log
under `/_emulator/`; it imports only `botops.errors`, and botops proper imports it only where
`botops emulator` starts it (import-linter checks both).
"""
