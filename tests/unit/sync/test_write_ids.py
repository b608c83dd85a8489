"""`apply --write-ids`'s edit: one line into the file's text, or nothing and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.errors import UsageError
from botops.model import ResourcePlan
from botops.sync.write_ids import write_created_id

DOC = "kind: Voicebot\nname: {name}\nsupported_languages: [en]\n"


def create(file: Path, name: str = "New Bot") -> ResourcePlan:
    payload = {"generation": {"text_content": "x"}, "version": {"data": {"name": name}}}
    return ResourcePlan(
        f"voicebot/{name}", "Voicebot", None, str(file), "create", None, payload=payload
    )


def write(file: Path, text: str | bytes, name: str = "New Bot", env: str | None = None) -> str:
    if isinstance(text, str):
        text = text.encode()
    file.write_bytes(text)
    write_created_id(
        create(file, name), "bot_new", resource_files={file.resolve()}, environment=env
    )
    return file.read_bytes().decode()


def test_the_line_goes_after_kind_in_the_right_document(tmp_path: Path) -> None:
    text = (
        "# head\n"
        + DOC.format(name="Old Bot")
        + "bot_id: bot_old\n---\n"
        + DOC.format(name="New Bot")
    )
    written = write(tmp_path / "b.yaml", text)
    assert written == text.replace(
        "---\nkind: Voicebot\n", "---\nkind: Voicebot\nbot_id: bot_new\n"
    )


def test_crlf_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    text = "\ufeff# comment\r\n" + DOC.format(name="New Bot").replace("\n", "\r\n")
    written = write(tmp_path / "b.yaml", text.encode("utf-8"))
    assert written == text.replace("kind: Voicebot\r\n", "kind: Voicebot\r\nbot_id: bot_new\r\n")


def test_an_environment_gets_it_under_its_overrides(tmp_path: Path) -> None:
    text = DOC.format(name="New Bot") + "overrides:\n  prod: {name: New Bot}\n"
    written = write(tmp_path / "b.yaml", text, env="prod")
    assert written == DOC.format(name="New Bot") + (
        "overrides:\n  prod: {bot_id: bot_new, name: New Bot}\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{kind: Voicebot, name: New Bot}\n", "not a block mapping"),
        (DOC.format(name="New Bot") + "---\n" + DOC.format(name="New Bot"), "several documents"),
        (DOC.format(name="Other"), "no document in it declares 'New Bot' without an id"),
        ("kind: [unclosed\n", "no longer reads as YAML"),
    ],
)
def test_nothing_is_written_when_the_edit_is_not_safe(
    tmp_path: Path, text: str, message: str
) -> None:
    file = tmp_path / "b.yaml"
    file.write_text(text)
    with pytest.raises(UsageError, match=message):
        write_created_id(create(file), "bot_new", resource_files={file.resolve()}, environment=None)
    assert file.read_text() == text


def test_only_a_resource_file_of_the_project(tmp_path: Path) -> None:
    file = tmp_path / "b.yaml"
    file.write_text(DOC.format(name="New Bot"))
    with pytest.raises(UsageError, match="is not a resource file of this project"):
        write_created_id(create(file), "bot_new", resource_files=set(), environment=None)
    assert file.read_text() == DOC.format(name="New Bot")


def test_a_file_edited_meanwhile_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone saves the file between botops' read and its write (a window no real editor can
    hit on cue, so the second read is where the edit lands): nothing is written."""
    import botops.sync.write_ids as module

    file = tmp_path / "b.yaml"
    file.write_text(DOC.format(name="New Bot"))
    reads = []
    real_read = module.read_regular_file

    def read(path: Path) -> bytes:
        reads.append(path)
        if len(reads) == 2:
            file.write_text(DOC.format(name="New Bot") + "# edited meanwhile\n")
        return real_read(path)

    monkeypatch.setattr(module, "read_regular_file", read)
    with pytest.raises(UsageError, match="changed while it was being edited"):
        write_created_id(create(file), "bot_new", resource_files={file.resolve()}, environment=None)
    assert file.read_text().endswith("# edited meanwhile\n")
    assert "bot_new" not in file.read_text()
