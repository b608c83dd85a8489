"""The issue comments of a GitHub pull request (REST API, `Link: rel="next"` pages)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

import httpx2

from botops.forge.base import Comment
from botops.forge.http import (
    REQUEST_DEADLINE,
    ForgeError,
    ForgeHttp,
    Trace,
    check_token,
    deadline_from,
)
from botops.support.git import github_event

DEFAULT_API_URL = "https://api.github.com"
ACTIONS_BOT = "github-actions[bot]"


class GitHub:
    def __init__(
        self,
        *,
        repository: str,
        number: int,
        token: str,
        api_url: str = DEFAULT_API_URL,
        trace: Trace | None = None,
        transport: httpx2.BaseTransport | None = None,
        deadline: float = REQUEST_DEADLINE,
    ) -> None:
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ForgeError(f"GITHUB_REPOSITORY must be OWNER/REPO, got {repository!r}")
        self.repo_path = f"/repos/{_quoted(owner)}/{_quoted(name)}"
        self.number = number
        check_token(token, "GITHUB_TOKEN")
        self.http = ForgeHttp(
            name="GitHub",
            base_url=api_url,
            url_variable="GITHUB_API_URL",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            refusal=_refusal,
            trace=trace,
            transport=transport,
            deadline=deadline,
        )

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def comments(self) -> Iterator[Comment]:
        doing = f"read the comments of pull request #{self.number}"
        url: str | None = self.http.url(f"{self.repo_path}/issues/{self.number}/comments")
        params: dict[str, str | int] | None = {"per_page": 100}
        guard = self.http.pages(doing)
        while url is not None:
            guard.url(url, params)
            response = self.http.request("GET", url, params=params, doing=doing)
            page = self.http.parsed(response, doing)
            if not isinstance(page, list):
                raise ForgeError(f"GitHub answered {doing} with something other than a list")
            if not guard.page(page):
                return
            yield from (_comment(item) for item in page if isinstance(item, dict))
            # The next link carries per_page and page itself.
            url, params = response.links.get("next", {}).get("url"), None

    def me(self) -> str:
        """The token's login (`GET /user`); an Actions token may not read it (403), and then
        it is the Actions bot, whose login every GITHUB_TOKEN comments as."""
        doing = "find out who the token is"
        response = self.http.request("GET", self.http.url("/user"), doing=doing, tolerate=(403,))
        if response.status_code == 403:
            return ACTIONS_BOT
        user = self.http.parsed(response, doing)
        login = user.get("login") if isinstance(user, dict) else None
        if not isinstance(login, str) or not login:
            raise ForgeError("GitHub answered GET /user without a login")
        return login

    def create(self, body: str) -> Comment:
        doing = f"comment on pull request #{self.number}"
        url = self.http.url(f"{self.repo_path}/issues/{self.number}/comments")
        response = self.http.request("POST", url, body={"body": body}, doing=doing)
        return _comment(self.http.parsed(response, doing))

    def update(self, comment: Comment, body: str) -> Comment:
        doing = f"edit comment {comment.id} of pull request #{self.number}"
        url = self.http.url(f"{self.repo_path}/issues/comments/{_quoted(comment.id)}")
        response = self.http.request("PATCH", url, body={"body": body}, doing=doing)
        return _comment(self.http.parsed(response, doing), fallback=comment.url)


def from_environment(
    env: Mapping[str, str], *, pr: int | None, trace: Trace | None = None
) -> GitHub:
    """The pull request of this GitHub Actions run (DESIGN §10)."""
    repository = env.get("GITHUB_REPOSITORY", "")
    if not repository:
        raise ForgeError("no pull request to comment on: GITHUB_REPOSITORY is not set")
    number = pr
    if number is None and env.get("GITHUB_EVENT_PATH"):
        number = event_number(env["GITHUB_EVENT_PATH"])
    if number is None:
        event = env.get("GITHUB_EVENT_NAME")
        which = f"the {event} event" if event else "this run's event"
        raise ForgeError(
            f"no pull request to comment on: {which} names none; "
            "run on pull_request, or pass --pr N"
        )
    token = env.get("GITHUB_TOKEN", "")
    if not token.strip():
        raise ForgeError(
            "no token to comment with: set GITHUB_TOKEN (env: GITHUB_TOKEN: "
            "${{ github.token }}, with permissions: pull-requests: write)"
        )
    return GitHub(
        repository=repository,
        number=number,
        token=token.strip(),
        api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
        trace=trace,
        deadline=deadline_from(env),
    )


def run_url(env: Mapping[str, str]) -> str | None:
    parts = [env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{str(server).rstrip('/')}/{repository}/actions/runs/{run_id}"


def _refusal(status: int, message: str, request: str, doing: str) -> str:
    if status == 403:
        return (
            f"GitHub refused to {doing} (403 {message}): the token may not write here; "
            "a pull request from a fork gets a read-only GITHUB_TOKEN, which is the likely cause "
            "(otherwise grant the workflow permissions: pull-requests: write)"
        )
    if status == 401:
        return f"GitHub refused the token to {doing} (401 {message}): check GITHUB_TOKEN"
    if status == 404:
        return (
            f"GitHub found nothing to {doing} (404 {message}): check the repository, the pull "
            "request number and that the token can see them"
        )
    return f"GitHub answered {status} {message} to {request} ({doing})"


def _comment(item: Any, fallback: str = "") -> Comment:
    if not isinstance(item, dict) or "id" not in item:
        raise ForgeError("GitHub answered with a comment that has no id")
    body = item.get("body")
    user = item.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return Comment(
        id=str(item["id"]),
        body=body if isinstance(body, str) else "",
        url=str(item.get("html_url") or item.get("url") or fallback),
        author=login if isinstance(login, str) else None,
    )


def _quoted(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def event_number(path: str) -> int | None:
    """`pull_request.number`, else `issue.number`, of a GitHub event file; None without one."""
    event, problem = github_event(path)
    if event is None:
        raise ForgeError(f"can't use the GitHub event file GITHUB_EVENT_PATH names: {problem}")
    for key in ("pull_request", "issue"):
        item = event.get(key)
        number = item.get("number") if isinstance(item, dict) else None
        if isinstance(number, int) and not isinstance(number, bool) and number > 0:
            return number
    return None
