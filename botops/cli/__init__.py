"""The command line: click only, and the only code that prints. `commands` holds the group and
its commands (each parses, calls one use case, renders, picks the exit code); `progress` is the
spinner on stderr.

May import every layer; nothing imports it.
"""

from __future__ import annotations

from botops.cli.commands import cli, main

__all__ = ["cli", "main"]
