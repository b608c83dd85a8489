"""botops.client.protocol: `Client` offers every operation of `ApiClient`, as declared.

mypy checks the same statically (`_CONFORMS` in botops/client/__init__.py); this checks it at
run time, signature by signature, so that a parameter renamed or a default changed on one
side only fails here too.
"""

from __future__ import annotations

import asyncio
import inspect

from botops.client import ApiClient, Client

OPERATIONS = [
    "get_voicebot",
    "list_voicebots",
    "iter_voicebots",
    "create_voicebot_version",
    "get_assistant",
    "list_assistants",
    "iter_assistants",
    "create_assistant_version",
    "create_generation",
    "get_generation",
    "list_conversations",
    "iter_conversations",
    "get_conversation",
    "__aenter__",
    "__aexit__",
]


def declared(cls: type) -> list[str]:
    return sorted(name for name in vars(cls) if name in OPERATIONS)


def test_the_protocol_lists_every_operation_users_call() -> None:
    assert declared(ApiClient) == sorted(OPERATIONS)


def test_client_has_every_operation_with_the_protocols_signature() -> None:
    for name in OPERATIONS:
        wanted, offered = getattr(ApiClient, name), getattr(Client, name)
        assert inspect.iscoroutinefunction(offered) == inspect.iscoroutinefunction(wanted), name
        expected = inspect.signature(wanted)
        got = inspect.signature(offered)
        assert list(got.parameters.values()) == list(expected.parameters.values()), name
        # Annotations are strings under `from __future__ import annotations`; `Self` is the
        # protocol's way of saying "the client itself".
        assert got.return_annotation in (expected.return_annotation, "Client"), name


def test_a_client_is_an_api_client_and_an_object_short_of_one_is_not() -> None:
    client = Client(base_url="http://127.0.0.1:9", account_id="Exotel")
    assert isinstance(client, ApiClient)
    asyncio.run(client.aclose())

    class Partial:
        async def get_voicebot(self, bot_id: str) -> dict[str, object]:
            return {}

    assert not isinstance(Partial(), ApiClient)
