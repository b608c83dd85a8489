"""`botops.support.files`: a file is written whole or not at all; the OS's refusals are one line."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from botops.errors import UsageError
from botops.support.files import atomic_text_file, check_writable_parent, write_atomically


def test_writes_text_creating_parents_with_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "new/dir/report.html"
    write_atomically(target, "héllo\r\n")
    assert target.read_bytes() == "héllo\r\n".encode()  # no newline translation
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(target.parent) == ["report.html"]


def test_private_files_are_for_the_owner_only(tmp_path: Path) -> None:
    write_atomically(tmp_path / "plan.json", "{}", private=True)
    assert stat.S_IMODE((tmp_path / "plan.json").stat().st_mode) == 0o600


def test_a_file_in_the_way_of_the_parent_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile2").write_text("not a directory\n")
    for target in (tmp_path / "afile2/x.html", tmp_path / "afile2/bots/x.yaml"):
        with pytest.raises(UsageError) as caught:
            write_atomically(target, "text")
        blocker = tmp_path / "afile2"
        assert str(caught.value) == f"{target}: can't write: {blocker} is not a directory"
        with pytest.raises(UsageError) as early:
            check_writable_parent(target)
        assert str(early.value) == str(caught.value)
    assert os.listdir(tmp_path) == ["afile2"]


def test_a_directory_as_the_target_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match=r"out: can't write: Is a directory$"):
        write_atomically(tmp_path / "out", "text")
    assert os.listdir(tmp_path) == ["out"] and os.listdir(tmp_path / "out") == []


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "calls.jsonl"
    target.write_text("the previous export\n")
    with pytest.raises(UsageError) as caught, atomic_text_file(target) as stream:
        stream.write("half of it")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(caught.value) == f"{target}: can't write: No space left on device"
    assert target.read_text() == "the previous export\n"
    assert os.listdir(tmp_path) == ["calls.jsonl"]


def test_other_errors_and_interrupts_pass_through_and_leave_nothing(tmp_path: Path) -> None:
    target = tmp_path / "calls.jsonl"
    for error in (ValueError("bad page"), KeyboardInterrupt()):
        with pytest.raises(type(error)), atomic_text_file(target) as stream:
            stream.write("half of it")
            raise error
    assert os.listdir(tmp_path) == []


def test_a_batch_syncs_each_folder_once_after_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botops.support import files

    events: list[str] = []
    real_replace, real_sync = os.replace, files._sync_directory
    monkeypatch.setattr(
        files.os,
        "replace",
        lambda a, b: (events.append(f"rename {Path(b).name}"), real_replace(a, b)),
    )
    monkeypatch.setattr(
        files, "_sync_directory", lambda d: (events.append(f"sync {d.name}"), real_sync(d))
    )
    batch = [(tmp_path / "a" / f"{i}.yaml", f"n: {i}\n") for i in range(3)]
    batch.append((tmp_path / "b" / "p.md", "Prompt.\n"))
    files.write_all_atomically(batch)
    assert [p.read_text() for p, _ in batch] == [t for _, t in batch]
    assert events[:4] == ["rename 0.yaml", "rename 1.yaml", "rename 2.yaml", "rename p.md"]
    assert sorted(events[4:]) == ["sync a", "sync b"]
    assert not list(tmp_path.rglob(".*.tmp"))


def test_a_batch_stopped_by_an_error_still_syncs_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botops.support import files

    synced: list[Path] = []
    monkeypatch.setattr(files, "_sync_directory", synced.append)
    (tmp_path / "b" / "in-the-way.yaml").mkdir(parents=True)
    batch = [
        (tmp_path / "a" / "ok.yaml", "n: 1\n"),
        (tmp_path / "b" / "in-the-way.yaml", "n: 2\n"),
        (tmp_path / "c" / "never.yaml", "n: 3\n"),
    ]
    with pytest.raises(UsageError):
        files.write_all_atomically(batch)
    assert (tmp_path / "a" / "ok.yaml").read_text() == "n: 1\n"
    assert not (tmp_path / "c").exists()
    assert synced == [tmp_path / "a"]
