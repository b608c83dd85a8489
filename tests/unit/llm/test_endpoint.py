"""Where model calls go and with which key (DESIGN §15)."""

from __future__ import annotations

import pytest

from botops.errors import UsageError
from botops.llm.endpoint import endpoint_of, variable_suffix
from botops.project.environments import variable_suffix as credentials_suffix


@pytest.mark.parametrize("name", ["prod", "eu-west", "Stage.2", "ä"])
def test_the_key_variable_follows_the_voicebot_credentials_rule(name: str) -> None:
    assert variable_suffix(name) == credentials_suffix(name)


def test_the_variable_wins_and_the_path_is_cleaned() -> None:
    environ = {"BOTOPS_LLM_ENDPOINT": "http://127.0.0.1:8000/v1/chat/completions/"}
    assert endpoint_of("https://api.openai.com/v1", None, environ).url == "http://127.0.0.1:8000/v1"
    assert endpoint_of("https://api.openai.com/v1/", None, {}).host == "api.openai.com"


def test_the_environments_key_comes_first_and_empty_ones_are_absent() -> None:
    environ = {"BOTOPS_LLM_API_KEY": "plain", "BOTOPS_LLM_API_KEY_EU_WEST": " "}
    endpoint = endpoint_of("https://x.test/v1", "eu-west", environ)
    assert (endpoint.key, endpoint.key_source) == ("plain", "BOTOPS_LLM_API_KEY")
    environ["BOTOPS_LLM_API_KEY_EU_WEST"] = "own"
    endpoint = endpoint_of("https://x.test/v1", "eu-west", environ)
    assert (endpoint.key, endpoint.key_source) == ("own", "BOTOPS_LLM_API_KEY_EU_WEST")
    assert "own" not in repr(endpoint)


@pytest.mark.parametrize(
    "url",
    ["ftp://x.test", "https://user:sk-secret@x.test/v1", "https://x.test/v1?key=sk-secret", "x"],
)
def test_an_unusable_endpoint_is_refused_without_quoting_secrets(url: str) -> None:
    with pytest.raises(UsageError) as error:
        endpoint_of(url, None, {})
    assert "sk-secret" not in str(error.value)


def test_no_endpoint_is_said_in_one_line() -> None:
    with pytest.raises(UsageError, match=r"no model endpoint: set tests\.endpoint"):
        endpoint_of(None, None, {})
