"""The command line: click only, and the only code that prints.

    base.py       the group, the one place errors become exit codes, shared options, `main`
    progress.py   the spinner on stderr
    <command>.py  one module per command group: parse, call one use case, render, exit code

Commands import what they use inside their bodies, on purpose: start-up time is part of every
command, and `botops validate` (run on every commit, on as many as 1,000 files) needs neither
httpx2 nor asyncio nor the renderers. May import every layer; nothing imports it.
"""

from __future__ import annotations

# Each module registers its commands on `cli` when imported.
from botops.cli import (  # noqa: F401
    analytics,
    comment,
    conversations,
    emulator,
    generate,
    import_,
    init,
    plan,
    test,
    validate,
)
from botops.cli.base import cli, main

__all__ = ["cli", "main"]
