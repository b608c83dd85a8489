"""A local Voicebot API for tests, demos and benchmarks: `botops emulator` (DESIGN §6)."""
