"""What yaml-language-server (the YAML engine of VS Code and other editors) says about files.

Drives the real server (npm `yaml-language-server`, installed by `make tools`) over stdio with
the Language Server Protocol, the way an editor does: no schema settings, so each document's
`# yaml-language-server: $schema=...` modeline is all it goes by, and SchemaStore off (nothing
is fetched). Run as a script to print `file:line:column: message` per diagnostic:

    python scripts/yaml_ls.py FILE...
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / ".tools" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
SETTINGS = {"yaml": {"validate": True, "schemaStore": {"enable": False}, "schemas": {}}}


def diagnostics(files: list[Path], *, timeout: float = 60.0) -> dict[Path, list[dict[str, Any]]]:
    """The diagnostics the server publishes for each file once it has validated it."""
    files = [f.resolve() for f in files]
    process = subprocess.Popen(
        ["node", str(SERVER), "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
    threading.Thread(target=_read, args=(process.stdout, inbox), daemon=True).start()
    send = _Sender(process.stdin)
    try:
        root = files[0].parent.as_uri() if files else ROOT.as_uri()
        send.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": "botops"}],
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {"publishDiagnostics": {}},
                },
            },
        )
        _await_response(inbox, send, 1, timeout)
        send.notify("initialized", {})
        send.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        uris = {f.as_uri(): f for f in files}
        for file in files:
            send.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": file.as_uri(),
                        "languageId": "yaml",
                        "version": 1,
                        "text": file.read_text(encoding="utf-8"),
                    }
                },
            )
        found: dict[Path, list[dict[str, Any]]] = {}
        while len(found) < len(files):
            message = _next(inbox, timeout)
            if _answer_server(message, send):
                continue
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                if params["uri"] in uris:
                    found[uris[params["uri"]]] = params["diagnostics"]
        return found
    finally:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stdout.close()


class _Sender:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.last_id = 0

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.stream.flush()

    def request(self, method: str, params: Any) -> int:
        self.last_id += 1
        self._send({"id": self.last_id, "method": method, "params": params})
        return self.last_id

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def respond(self, request_id: Any, result: Any) -> None:
        self._send({"id": request_id, "result": result})


def _read(stream: IO[bytes], inbox: queue.Queue[dict[str, Any] | None]) -> None:
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                inbox.put(None)
                return
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            continue
        inbox.put(json.loads(stream.read(length)))


def _next(inbox: queue.Queue[dict[str, Any] | None], timeout: float) -> dict[str, Any]:
    message = inbox.get(timeout=timeout)
    if message is None:
        raise RuntimeError("yaml-language-server stopped")
    return message


def _answer_server(message: dict[str, Any], send: _Sender) -> bool:
    """Answer what the server asks of its client; True when `message` was such a request."""
    if "id" not in message or "method" not in message:
        return False
    if message["method"] == "workspace/configuration":
        items = message["params"]["items"]
        send.respond(message["id"], [SETTINGS.get(i.get("section", "")) for i in items])
    else:  # client/registerCapability, window/workDoneProgress/create, ...
        send.respond(message["id"], None)
    return True


def _await_response(
    inbox: queue.Queue[dict[str, Any] | None], send: _Sender, request_id: int, timeout: float
) -> dict[str, Any]:
    while True:
        message = _next(inbox, timeout)
        if not _answer_server(message, send) and message.get("id") == request_id:
            return message


def main(arguments: list[str]) -> int:
    files = [Path(a) for a in arguments]
    found = diagnostics(files)
    count = 0
    for file in files:
        for d in found.get(file.resolve(), []):
            start = d["range"]["start"]
            print(f"{file}:{start['line'] + 1}:{start['character'] + 1}: {d['message']}")
            count += 1
    sys.stdout.flush()
    print(f"{count} diagnostic(s) in {len(files)} file(s)", file=sys.stderr)
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
