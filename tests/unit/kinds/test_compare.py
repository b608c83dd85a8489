"""The one comparison planner and applier share: strict types, numbers by value, lists in order."""

from __future__ import annotations

import math
from typing import Any

import pytest

from botops.kinds import VOICEBOT, carries, differs
from botops.model import Change
from botops.sync.planner import diff_fields

NAN = float("nan")


@pytest.mark.parametrize(
    ("a", "b", "different"),
    [
        (1, 1.0, False),
        (True, 1, True),
        (1, True, True),
        (0, False, True),
        (False, False, False),
        (NAN, NAN, True),
        (NAN, 1.0, True),
        (math.inf, math.inf, False),
        ([1, "x"], [1.0, "x"], False),
        ([True], [1], True),
        ([1, 2], [2, 1], True),
        ([1], [1, 1], True),
        ({"a": 1}, {"a": 1, "b": None}, True),
        ({"a": {"b": [1, 2]}}, {"a": {"b": [1, 2]}}, False),
        ({"a": {"b": [1, 2]}}, {"a": {"b": [2, 1]}}, True),
        ({"a": True}, {"a": 1}, True),
        (None, None, False),
        (None, "", True),
        ("1", 1, True),
        ([], {}, True),
        ("a", "a", False),
    ],
)
def test_differs(a: Any, b: Any, different: bool) -> None:
    assert differs(a, b) is different
    assert differs(b, a) is different


def test_a_boolean_field_against_a_live_integer_is_a_change() -> None:
    desired = {"enable_greeting_interruption": True}
    live = {"enable_greeting_interruption": 1}
    assert diff_fields(desired, live, VOICEBOT.fields) == [
        Change("enable_greeting_interruption", 1, True, field="enable_greeting_interruption")
    ]


def test_nan_is_never_the_same_so_a_plan_never_hides_it() -> None:
    assert diff_fields({"name": NAN}, {"name": NAN}, VOICEBOT.fields) != []


@pytest.mark.parametrize(
    ("sent", "live", "kept"),
    [
        ({"a": 1}, {"a": 1.0, "b": 2}, True),  # the server may add keys
        ({"a": 1}, {"a": True}, False),
        ({"a": {"b": 1}}, {"a": {"b": 1, "c": 3}}, True),
        ([{"a": 1}], [{"a": 1, "b": 2}], True),
        ([{"a": 1}], [{"a": 1}, {"a": 2}], False),  # but not items
        ([1, 2], [2, 1], False),
        ({"a": 1}, None, False),
        (True, 1, False),
    ],
)
def test_carries(sent: Any, live: Any, kept: bool) -> None:
    assert carries(live, sent) is kept
