"""botops.forge.http.PageGuard: a forge's comment list is read to its end, and no further than
a forge that repeats itself or invents comments forever allows."""

from __future__ import annotations

import pytest

from botops.errors import ForgeError
from botops.forge.http import PageGuard


def comments(page: int) -> list[dict[str, object]]:
    return [{"id": page * 100 + i, "body": "LGTM"} for i in range(100)]


def test_a_forge_that_invents_comments_forever_is_stopped_at_the_page_bound() -> None:
    guard = PageGuard("GitHub", "find botops' comment")
    for page in range(PageGuard.MAX_PAGES):
        assert guard.page(comments(page))
    with pytest.raises(ForgeError) as info:
        guard.page(comments(PageGuard.MAX_PAGES))
    assert str(info.value) == (
        f"GitHub repeats itself: reading to find botops' comment, it went on past "
        f"{PageGuard.MAX_PAGES:,} pages of comments; botops stopped there (nothing was written)"
    )


def test_a_long_thread_is_read_to_its_empty_page() -> None:
    guard = PageGuard("GitLab", "find botops' note")
    assert all(guard.page(comments(page)) for page in range(50))
    assert not guard.page([])
