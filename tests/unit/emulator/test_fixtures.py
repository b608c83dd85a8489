"""Fixture files the emulator loads: a broken one is reported naming file, item and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.emulator.fixtures import FixtureError, read
from tests.support import BROKEN_FIXTURES as BROKEN


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixtures_are_reported_naming_file_item_and_field(tmp_path: Path, name: str) -> None:
    text, expected = BROKEN[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FixtureError) as error:
        read(path)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message
