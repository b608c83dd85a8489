"""The importer's view of existing files: declarations survive an unrelated invalid file; a file
that does not parse stops the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.errors import ConfigError, UsageError
from botops.project.loader import load_resources
from botops.sync.importer import declarations, declared_alone
from botops.sync.layout import LiveResource


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project: botops.yaml naming bots/, and schemas/ at its root."""
    (tmp_path / "botops.yaml").write_text("account_id: Exotel\npaths: [bots]\n")
    (tmp_path / "bots").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


SHARED = """\
kind: Voicebot
bot_id: bot_orders
name: Order Desk
---
kind: Voicebot
bot_id: bot_other
name: Other
"""


def test_declarations_survive_an_unrelated_invalid_file(project: Path) -> None:
    (project / "bots/shared.yaml").write_text(SHARED)
    (project / "bots/broken.yaml").write_text("kind: Voicebot\nbot_id: bot_x\nnmae: typo\n")
    with pytest.raises(ConfigError):
        load_resources([project / "bots"], root=project)  # what cli used to give up on
    orders = LiveResource("Voicebot", "bot_orders", {"bot_id": "bot_orders", "name": "Order Desk"})
    declared = declarations([project / "bots"], root=project)
    assert sorted((d.id, d.where) for d in declared) == [
        ("bot_orders", "bots/shared.yaml:1:1"),
        ("bot_other", "bots/shared.yaml:5:1"),
        ("bot_x", "bots/broken.yaml:1:1"),
    ]
    with pytest.raises(UsageError, match="voicebot/bot_orders is already declared at bots/shared"):
        declared_alone([orders], declared, root=project)
    # An invalid file declares what it declares: it is the one to refresh.
    bot_x = LiveResource("Voicebot", "bot_x", {"bot_id": "bot_x", "name": "X"})
    assert declared_alone([bot_x], declared, root=project) == {
        ("Voicebot", "bot_x"): Path("bots/broken.yaml")
    }


def test_a_file_that_does_not_parse_stops_the_import(project: Path) -> None:
    (project / "bots/broken.yaml").write_text("kind: Voicebot\nbot_id: [unclosed\n")
    with pytest.raises(UsageError) as caught:
        declarations([project / "bots"], root=project)
    message = str(caught.value)
    assert (
        message.startswith("bots/broken.yaml:") and "can't tell what that file declares" in message
    )
