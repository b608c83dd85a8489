"""What every forge is to botops: the comments of one pull request (GitHub) or merge request
(GitLab), read oldest first across every page, created and edited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Comment:
    id: str
    body: str
    url: str
    # Who wrote it (GitHub's login, GitLab's user id); None when the forge did not say.
    author: str | None = None


class Forge(Protocol):
    """The comments of one pull request (GitHub) or merge request (GitLab)."""

    def comments(self) -> Iterator[Comment]:
        """Every comment, oldest first, across every page."""
        ...

    def me(self) -> str:
        """Who the token is, as `Comment.author` says it: only its own comments are edited."""
        ...

    def create(self, body: str) -> Comment: ...

    def update(self, comment: Comment, body: str) -> Comment: ...
