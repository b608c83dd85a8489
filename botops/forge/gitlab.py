"""The notes of a GitLab merge request (REST API v4, `X-Next-Page` pages)."""

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


class GitLab:
    def __init__(
        self,
        *,
        api_url: str,
        project: str,
        iid: int,
        token: str,
        project_url: str | None = None,
        trace: Trace | None = None,
        transport: httpx2.BaseTransport | None = None,
        deadline: float = REQUEST_DEADLINE,
    ) -> None:
        # CI_PROJECT_ID is a number, but the API also takes the path `group/project` encoded.
        self.notes_path = (
            f"/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{iid}/notes"
        )
        self.iid = iid
        self.project_url = (project_url or "").rstrip("/") or None
        check_token(token, "BOTOPS_GITLAB_TOKEN")
        self.http = ForgeHttp(
            name="GitLab",
            base_url=api_url,
            url_variable="CI_API_V4_URL",
            headers={"PRIVATE-TOKEN": token},
            refusal=_refusal,
            trace=trace,
            transport=transport,
            deadline=deadline,
        )

    def __enter__(self) -> GitLab:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def comments(self) -> Iterator[Comment]:
        doing = f"read the notes of merge request !{self.iid}"
        page: str | None = "1"
        guard = self.http.pages(doing)
        while page:
            params: dict[str, str | int] = {"per_page": 100, "page": page, "sort": "asc"}
            response = self.http.request(
                "GET", self.http.url(self.notes_path), params=params, doing=doing
            )
            notes = self.http.parsed(response, doing)
            if not isinstance(notes, list):
                raise ForgeError(f"GitLab answered {doing} with something other than a list")
            if not guard.page(notes):
                return
            yield from (self._note(n) for n in notes if isinstance(n, dict))
            following = response.headers.get("X-Next-Page", "").strip()
            # An empty X-Next-Page is the last page; a repeated one would never end.
            page = following if following.isdigit() and int(following) > int(page) else None

    def create(self, body: str) -> Comment:
        doing = f"add a note to merge request !{self.iid}"
        response = self.http.request(
            "POST", self.http.url(self.notes_path), body={"body": body}, doing=doing
        )
        return self._note(self.http.parsed(response, doing))

    def update(self, comment: Comment, body: str) -> Comment:
        doing = f"edit note {comment.id} of merge request !{self.iid}"
        url = self.http.url(f"{self.notes_path}/{urllib.parse.quote(comment.id, safe='')}")
        response = self.http.request("PUT", url, body={"body": body}, doing=doing)
        return self._note(self.http.parsed(response, doing))

    def me(self) -> str:
        """The token's user id (`GET /user`)."""
        doing = "find out who the token is"
        user = self.http.parsed(
            self.http.request("GET", self.http.url("/user"), doing=doing), doing
        )
        user_id = user.get("id") if isinstance(user, dict) else None
        if user_id is None:
            raise ForgeError("GitLab answered GET /user without an id")
        return str(user_id)

    def _note(self, item: Any) -> Comment:
        if not isinstance(item, dict) or "id" not in item:
            raise ForgeError("GitLab answered with a note that has no id")
        note_id = str(item["id"])
        body = item.get("body")
        # Notes carry no web address; the merge request's page with the note's anchor is one.
        where = (
            f"{self.project_url}/-/merge_requests/{self.iid}#note_{note_id}"
            if self.project_url
            else self.http.url(f"{self.notes_path}/{note_id}")
        )
        author = item.get("author")
        user_id = author.get("id") if isinstance(author, dict) else None
        return Comment(
            id=note_id,
            body=body if isinstance(body, str) else "",
            url=where,
            author=None if user_id is None else str(user_id),
        )


def from_environment(
    env: Mapping[str, str], *, pr: int | None, trace: Trace | None = None
) -> GitLab:
    """The merge request of this GitLab CI job (DESIGN §10)."""
    iid = pr
    if iid is None:
        given = env.get("CI_MERGE_REQUEST_IID", "").strip()
        if not given:
            raise ForgeError(
                "no merge request to comment on: CI_MERGE_REQUEST_IID is not set (run in a "
                "merge request pipeline), or pass --pr N"
            )
        if not given.isdigit() or int(given) < 1:
            raise ForgeError(f"CI_MERGE_REQUEST_IID must be a number, got {given!r}")
        iid = int(given)
    for name in ("CI_API_V4_URL", "CI_PROJECT_ID"):
        if not env.get(name, "").strip():
            raise ForgeError(f"no merge request to comment on: {name} is not set")
    token = env.get("BOTOPS_GITLAB_TOKEN", "").strip()
    if not token:
        raise ForgeError(
            "no token to comment with: set BOTOPS_GITLAB_TOKEN to a project access token with "
            "the api scope (a CI job token can't write notes)"
        )
    return GitLab(
        api_url=env["CI_API_V4_URL"],
        project=env["CI_PROJECT_ID"].strip(),
        iid=iid,
        token=token,
        project_url=env.get("CI_PROJECT_URL"),
        trace=trace,
        deadline=deadline_from(env),
    )


def _refusal(status: int, message: str, request: str, doing: str) -> str:
    if status == 403:
        return (
            f"GitLab refused to {doing} (403 {message}): the token may not write here; a "
            "pipeline for a merge request from a fork has no access to the project's token, which "
            "is the likely cause (otherwise give BOTOPS_GITLAB_TOKEN the api scope and Reporter "
            "role)"
        )
    if status == 401:
        return f"GitLab refused the token to {doing} (401 {message}): check BOTOPS_GITLAB_TOKEN"
    if status == 404:
        return (
            f"GitLab found nothing to {doing} (404 {message}): check CI_PROJECT_ID, the merge "
            "request and that the token can see them"
        )
    return f"GitLab answered {status} {message} to {request} ({doing})"
