"""The project file and the target it resolves to: what a user reads when a setting is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.errors import ConfigError, UsageError
from botops.model import Project
from botops.project.settings import configured_target, load_project, resolve_target

NO_ENV: dict[str, str] = {}


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://voicebot.in.exotel.com", "https://voicebot.in.exotel.com"),
        ("https://voicebot.in.exotel.com/", "https://voicebot.in.exotel.com"),
        ("https://voicebot.in.exotel.com/voicebot/api/v2/", "https://voicebot.in.exotel.com"),
        ("http://127.0.0.1:8080/api/v2", "http://127.0.0.1:8080"),
        ("http://proxy.example/exotel/voicebot/api/v2", "http://proxy.example/exotel"),
        (" https://h.example// ", "https://h.example"),
    ],
)
def test_the_base_url_loses_slashes_and_the_api_prefix(base_url: str, expected: str) -> None:
    target = resolve_target(Project(), base_url=base_url, account_id="Exotel", environ=NO_ENV)
    assert target.base_url == expected
    assert configured_target(Project(), base_url=base_url, account_id=None, environ=NO_ENV) == (
        expected,
        None,
    )


@pytest.mark.parametrize(
    ("base_url", "shown"),
    [
        ("http://h/?token=SECRET", "http://h/…"),
        ("https://user:SECRET@h.example/", "https://h.example/…"),
        ("https://h.example:8443/#SECRET", "https://h.example:8443/…"),
        ("https://h.example/path?SECRET", "https://h.example/…"),
    ],
)
def test_a_base_url_with_credentials_a_query_or_a_fragment_is_refused_unechoed(
    base_url: str, shown: str
) -> None:
    expected = (
        f"base URL must not carry credentials, a query or a fragment: {shown}; "
        "credentials go in BOTOPS_TOKEN or BOTOPS_API_KEY and BOTOPS_API_TOKEN"
    )
    for resolve in (resolve_target, configured_target):
        with pytest.raises(UsageError) as caught:
            resolve(Project(), base_url=base_url, account_id="Exotel", environ=NO_ENV)
        assert str(caught.value) == expected
        assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    ("base_url", "shown"),
    [
        ("ftp://h.example", "'ftp://h.example'"),
        ("ftp://user:SECRET@h.example/x", "'ftp://…@h.example'"),
        ("ftp://h.example/?SECRET", "'ftp://h.example/'…"),
        ("https://", "'https://'"),
        ("http://[::1", "'http://[::1'"),
    ],
)
def test_a_base_url_that_is_not_http_is_refused(base_url: str, shown: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_target(Project(), base_url=base_url, account_id="Exotel", environ=NO_ENV)
    assert str(caught.value) == (
        f"base URL must start with http:// or https:// and name a host, got {shown}"
    )
    assert "SECRET" not in str(caught.value)


def test_a_project_file_nested_too_deep_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "botops.yaml").write_text("paths: " + "[" * 150 + "]" * 150 + "\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_project()
    assert [str(p) for p in caught.value.problems] == [
        "botops.yaml:1:9: every item of 'paths' must be a path, got a list",
        "botops.yaml:1:107: nested deeper than 100 levels",
    ]
