"""The reply cache `.botops/cache/` (DESIGN §15): every model reply, keyed by the SHA-256 of
what decides it (the endpoint's host and path, the model, the settings, the messages, the run
number), so that a re-run of unchanged tests sends nothing and gives the same verdicts.

A cache file holds the reply's text and token count, never a key or a header. Cache files are
read as untrusted input (a CI cache may be restored from anywhere): at most `MAX_ENTRY` bytes,
the expected shape, else a miss. Writes go to a temporary file then `os.replace`, so an
interrupted run leaves whole entries or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from botops.llm.endpoint import Completion
from botops.support.files import read_regular_file

CACHE_DIR = Path(".botops") / "cache"
MAX_ENTRY = 8 * 1024 * 1024
FORMAT = 1


def cache_key(
    identity: str, model: str, settings: dict[str, Any], messages: list[dict[str, str]], run: int
) -> str:
    """The SHA-256 (hex) of everything that decides a reply."""
    material = json.dumps(
        {
            "format": FORMAT,
            "endpoint": identity,
            "model": model,
            "settings": settings,
            "messages": messages,
            "run": run,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ReplyCache:
    """Replies under `directory` (None: no cache, `--no-cache`)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, key: str) -> str:
        assert self.directory is not None
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str) -> Completion | None:
        if self.directory is None:
            return None
        try:
            data = read_regular_file(Path(self._path(key)), limit=MAX_ENTRY)
            entry = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        text, tokens = entry.get("text"), entry.get("tokens")
        if not isinstance(text, str) or not isinstance(tokens, int) or isinstance(tokens, bool):
            return None
        return Completion(text, max(tokens, 0))

    def put(self, key: str, completion: Completion) -> None:
        """Store a reply; a cache that can't be written is passed over (the run goes on)."""
        if self.directory is None:
            return
        path = Path(self._path(key))
        entry = {"format": FORMAT, "text": completion.text, "tokens": completion.tokens}
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as stream:
                    json.dump(entry, stream, ensure_ascii=False)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
