"""Pull-request comments on GitHub and GitLab: one sticky comment per plan target (DESIGN §10).

    sticky.py   the comment's body (marker, Markdown plan, footer) and the find-then-edit rule,
                over any `Forge`
    http.py     the one httpx2 client both forges share: traces without headers, one-line errors
    github.py   issue comments of a pull request (Link: rel="next" pages)
    gitlab.py   notes of a merge request (X-Next-Page pages)

`comment_on_pull_request` is the use case `botops comment` calls.
"""

from __future__ import annotations

from botops.forge.sticky import (
    CommentResult,
    ForgeError,
    Provenance,
    comment_on_pull_request,
    marker,
)

__all__ = ["CommentResult", "ForgeError", "Provenance", "comment_on_pull_request", "marker"]
