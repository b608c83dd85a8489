"""Conversation tests (DESIGN §15): what the assistants the files declare do, as text.

    checks.py    the checks on a reply, pure: contains, not_contains, matches, max_words, the
                 speech checks every reply gets, the judge's verdict, the simulated caller's end
    cache.py     the reply cache `.botops/cache/`, keyed by SHA-256, read as untrusted input
    runner.py    every run of every test, `concurrency` model calls at a time (no printing)
    results.py   results as the JSON shape every output renders from, and read back from a file

At the sync/analytics level: it uses `project` (the resolved tests) and `llm` (the endpoint).
"""
