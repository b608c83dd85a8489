"""A real HTTP server on loopback speaking the comment endpoints of GitHub and GitLab that
`botops comment` uses (DESIGN §10), with their pagination, for tests.

GitHub at `/` (like api.github.com): issue comments, `Link: <...>; rel="next"` pages.
GitHub also answers what the action's reviewed-plan lookup reads: the pull requests of a commit,
workflow runs by head commit, and a run's artifacts.
GitLab at `/api/v4` (like CI_API_V4_URL): merge request notes, `X-Next-Page` pages.
Every request is recorded with the headers that matter; a wrong token is 401, and
`read_only = True` answers writes 403 as GitHub does for a fork's token.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "ghs_secretTOKEN0123456789"
GITLAB_TOKEN = "glpat-secretTOKEN9876543210"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    private_token: str | None
    accept: str | None
    body: Any


@dataclass
class ForgeState:
    url: str = ""
    # (kind, thread) -> comments; kind "github" with thread "owner/repo#n", "gitlab" "project!iid"
    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    # Issues (the drift workflow): number -> {number, title, body, labels, state, html_url}
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The reviewed-plan lookup: commit sha -> its pull requests; workflow runs
    # ({id, head_sha, event, conclusion, created_at, html_url}); run id -> its artifacts.
    commit_pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    read_only: bool = False
    # Who the tokens are: GitHub's `GET /user` answers 403 for an Actions token (None here), so
    # botops takes the Actions bot; GitLab's answers the token's user.
    github_user: dict[str, Any] | None = None
    gitlab_user: dict[str, Any] = field(
        default_factory=lambda: {"id": 77, "username": "botops-bot"}
    )
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)

    def writes(self, method: str | None = None) -> list[Recorded]:
        return [
            r for r in self.requests if r.method != "GET" and (method is None or r.method == method)
        ]

    def comments(self, kind: str, thread: str) -> list[dict[str, Any]]:
        return self.threads.setdefault((kind, thread), [])

    def add(
        self, kind: str, thread: str, body: str, *, by_token: bool = False, author: str = "someone"
    ) -> dict[str, Any]:
        """A comment by a person (`author`), or by the token botops uses."""
        self.next_id += 1
        item: dict[str, Any] = {"id": self.next_id, "body": body}
        if kind == "github":
            login = (self.github_user or {}).get("login", "github-actions[bot]")
            item["user"] = {"login": login if by_token else author}
        else:
            item["author"] = dict(self.gitlab_user) if by_token else {"id": 1, "username": author}
        if kind == "github":
            owner_repo, number = thread.split("#")
            item["html_url"] = (
                f"https://github.test/{owner_repo}/pull/{number}#issuecomment-{self.next_id}"
            )
        self.comments(kind, thread).append(item)
        return item


class _Handler(BaseHTTPRequestHandler):
    state: ForgeState

    def log_message(self, *_: Any) -> None:  # quiet test output
        pass

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        state = self.state
        with state.lock:
            state.requests.append(
                Recorded(
                    self.command,
                    urllib.parse.unquote(parts.path),
                    query,
                    self.headers.get("Authorization"),
                    self.headers.get("PRIVATE-TOKEN"),
                    self.headers.get("Accept"),
                    body,
                )
            )
            segments = [urllib.parse.unquote(s) for s in parts.path.strip("/").split("/")]
            if segments[:2] == ["api", "v4"]:
                self._gitlab(segments[2:], query, body)
            else:
                self._github(segments, query, body)

    do_GET = do_POST = do_PATCH = do_PUT = _handle

    def _page(
        self, items: list[dict[str, Any]], query: dict[str, str]
    ) -> tuple[list[dict[str, Any]], int, bool]:
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        return chunk, page, page * per_page < len(items)

    def _github(self, seg: list[str], query: dict[str, str], body: Any) -> None:
        state = self.state
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"message": "Bad credentials"})
        if seg == ["user"] and self.command == "GET":
            if state.github_user is None:
                return self._answer(403, {"message": "Resource not accessible by integration"})
            return self._answer(200, state.github_user)
        if len(seg) == 6 and seg[0] == "repos" and seg[3] == "issues" and seg[5] == "comments":
            thread = f"{seg[1]}/{seg[2]}#{seg[4]}"
            if self.command == "GET":
                chunk, page, more = self._page(state.comments("github", thread), query)
                headers = {}
                if more:
                    per_page = min(int(query.get("per_page", "30")), 100)
                    link = (
                        f"{state.url}{self.path.split('?')[0]}?per_page={per_page}&page={page + 1}"
                    )
                    headers["Link"] = f'<{link}>; rel="next", <{link}>; rel="last"'
                return self._answer(200, chunk, headers)
            if self.command == "POST":
                if state.read_only:
                    return self._answer(403, {"message": "Resource not accessible by integration"})
                return self._answer(201, state.add("github", thread, body["body"], by_token=True))
        if len(seg) in (4, 5) and seg[0] == "repos" and seg[3] == "issues":
            return self._issues(seg, query, body)
        if self.command == "GET" and len(seg) >= 5 and seg[0] == "repos":
            return self._runs(seg[3:], query)
        patch = self.command == "PATCH"
        if patch and len(seg) == 6 and seg[0] == "repos" and seg[3:5] == ["issues", "comments"]:
            if state.read_only:
                return self._answer(403, {"message": "Resource not accessible by integration"})
            for (kind, _), items in state.threads.items():
                for item in items:
                    if kind == "github" and str(item["id"]) == seg[5]:
                        item["body"] = body["body"]
                        return self._answer(200, item)
        return self._answer(404, {"message": "Not Found"})

    def _issues(self, seg: list[str], query: dict[str, str], body: Any) -> None:
        state = self.state
        if len(seg) == 4 and self.command == "GET":
            label = query.get("labels")
            found = [
                i
                for i in state.issues.values()
                if i["state"] == query.get("state", "open") and (not label or label in i["labels"])
            ]
            return self._answer(200, found[: int(query.get("per_page", "30"))])
        if len(seg) == 4 and self.command == "POST":
            number = len(state.issues) + 1
            state.issues[number] = {
                "number": number,
                "title": body["title"],
                "body": body["body"],
                "labels": list(body.get("labels", [])),
                "state": "open",
                "html_url": f"https://github.test/{seg[1]}/{seg[2]}/issues/{number}",
            }
            return self._answer(201, state.issues[number])
        if len(seg) == 5 and self.command == "PATCH" and int(seg[4]) in state.issues:
            state.issues[int(seg[4])].update(body)
            return self._answer(200, state.issues[int(seg[4])])
        return self._answer(404, {"message": "Not Found"})

    def _runs(self, seg: list[str], query: dict[str, str]) -> None:
        state = self.state
        if len(seg) == 3 and seg[0] == "commits" and seg[2] == "pulls":
            return self._answer(200, state.commit_pulls.get(seg[1], []))
        if seg == ["actions", "runs"]:
            runs = [
                r
                for r in state.runs
                if r["head_sha"] == query.get("head_sha", r["head_sha"])
                and r["event"] == query.get("event", r["event"])
                and r["conclusion"] == query.get("status", r["conclusion"])
            ]
            return self._answer(200, {"total_count": len(runs), "workflow_runs": runs})
        if len(seg) == 4 and seg[:2] == ["actions", "runs"] and seg[3] == "artifacts":
            found = [
                a
                for a in state.artifacts.get(int(seg[2]), [])
                if a["name"] == query.get("name", a["name"])
            ]
            return self._answer(200, {"total_count": len(found), "artifacts": found})
        return self._answer(404, {"message": "Not Found"})

    def _gitlab(self, seg: list[str], query: dict[str, str], body: Any) -> None:
        state = self.state
        if self.headers.get("PRIVATE-TOKEN") != GITLAB_TOKEN:
            return self._answer(401, {"message": "401 Unauthorized"})
        if seg == ["user"] and self.command == "GET":
            return self._answer(200, state.gitlab_user)
        if (
            len(seg) >= 5
            and seg[0] == "projects"
            and seg[2] == "merge_requests"
            and seg[4] == "notes"
        ):
            thread = f"{seg[1]}!{seg[3]}"
            if len(seg) == 5 and self.command == "GET":
                chunk, page, more = self._page(state.comments("gitlab", thread), query)
                return self._answer(200, chunk, {"X-Next-Page": str(page + 1) if more else ""})
            if state.read_only and self.command in ("POST", "PUT"):
                return self._answer(403, {"message": "403 Forbidden"})
            if len(seg) == 5 and self.command == "POST":
                return self._answer(201, state.add("gitlab", thread, body["body"], by_token=True))
            if len(seg) == 6 and self.command == "PUT":
                for item in state.comments("gitlab", thread):
                    if str(item["id"]) == seg[5]:
                        item["body"] = body["body"]
                        return self._answer(200, item)
        return self._answer(404, {"message": "404 Not found"})


@contextmanager
def serve_forge() -> Iterator[ForgeState]:
    """A forge on 127.0.0.1 on a free port, in a thread, for the length of the block."""
    state = ForgeState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
