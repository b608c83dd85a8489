"""Writing files whole or not at all: the one place botops writes a file the user named; and
reading the files botops takes in (resource and project files) only when they are files.

A file is written to a temporary file beside it, flushed to disk, then renamed over the target
(`os.replace`, atomic on one file system), so that an error or a Ctrl-C leaves the target as it
was, with no temporary left behind. Anything the operating system refuses (a parent that is a
file, no permission, a full disk) is a one-line `UsageError` naming the target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TextIO

from botops.errors import UsageError

# No resource or project file comes near this; a larger one is a mistake (a log, a dump).
MAX_READ = 16 * 1024 * 1024


def read_regular_file(path: Path, *, limit: int = MAX_READ) -> bytes:
    """The bytes of `path`, a regular file (a symlink to one is followed) of at most `limit`
    bytes. Anything else raises `OSError` whose `strerror` says why in a few words: a FIFO
    would block until a writer comes, a device (`/dev/zero`) would never end."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise OSError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, 1024 * 1024)):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # checked while reading: the file may grow meanwhile
            raise OSError(errno.EFBIG, f"larger than {limit:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_atomically(
    path: Path, text: str, *, private: bool = False, synced: set[Path] | None = None
) -> None:
    """Write UTF-8 `text` to `path`, creating missing parent directories. With `synced`, the
    folder is not synced here but added to it, for `sync_folders` after a batch of writes."""
    with atomic_text_file(path, private=private, sync_folder=synced is None) as stream:
        stream.write(text)
    if synced is not None:
        synced.add(path.parent)


def sync_folders(folders: Iterable[Path]) -> None:
    """Make the renames done in `folders` durable: each folder synced once."""
    for folder in folders:
        _sync_directory(folder)


def write_all_atomically(files: Iterable[tuple[Path, str]]) -> None:
    """Write each UTF-8 text to its path as `write_atomically` does (its own temporary file,
    flushed to disk, renamed over the path), in order, but each folder synced once after the
    last rename in it rather than after every file: a crash leaves each file whole, old or
    new, and the renames done are durable once this returns. An error stops at that file;
    the folders of the files written before it are still synced."""
    folders: set[Path] = set()
    try:
        for path, text in files:
            write_atomically(path, text, synced=folders)
    finally:
        sync_folders(folders)


@contextlib.contextmanager
def atomic_text_file(
    path: Path, *, private: bool = False, sync_folder: bool = True
) -> Iterator[TextIO]:
    """A UTF-8 text stream that becomes `path` only when the block ends without an error.

    Missing parent directories are created. The file gets the usual permissions (the umask's),
    or 0600 when `private`. An `OSError` inside the block is taken to be a failed write of
    `path`, as the stream is what the block writes to. Without `sync_folder`, the rename is
    made durable by the caller's `_sync_directory` of the folder (`write_all_atomically`).
    """
    if _special(path):
        # `/dev/stdout`, `/dev/null`, a FIFO, a link to `/proc/self/fd/1`: written to as they
        # are, never replaced by a regular file.
        with _direct(path) as stream:
            yield stream
        return
    try:
        _make_parents(path.parent)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _cant_write(path, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            # mkstemp makes the file private; other files should get the usual permissions.
            os.fchmod(stream.fileno(), 0o600 if private else 0o666 & ~_umask())
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _cant_write(path, error) from None
        raise
    if sync_folder:
        _sync_directory(path.parent)


def _special(path: Path) -> bool:
    """Whether `path` (links followed) exists and is neither a regular file nor a directory."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _direct(path: Path) -> Iterator[TextIO]:
    """`path` opened for writing as it is: no temporary, no rename, never created or
    truncated; a FIFO without a reader is refused rather than waited on."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno == errno.ENXIO:
            error = OSError(errno.ENXIO, "it is a FIFO that nobody reads")
        raise _cant_write(path, error) from None
    try:
        os.set_blocking(fd, True)
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
    except OSError as error:
        os.close(fd)
        raise _cant_write(path, error) from None
    try:
        with stream:
            yield stream
    except OSError as error:
        raise _cant_write(path, error) from None


def check_writable_parent(path: Path) -> None:
    """Refuse early, before anything is written, when something in the way of `path`'s parent
    directory is a file (`--dir notes.txt/bots`): writing would fail there."""
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise _cant_write(path, _not_a_directory(blocker))


def check_writable(path: Path) -> None:
    """Refuse, before work that can't be taken back (a bot generated), when `path` could not
    be written: a directory there, a file in the way of its parent, or a directory that takes
    no new file (permissions, a read-only file system). The check writes and removes a
    temporary file in the nearest directory that exists; nothing is left behind."""
    if path.is_dir():
        raise _cant_write(path, OSError(errno.EISDIR, "it is a directory"))
    if _special(path):
        return  # written to as it is (`/dev/stdout`)
    check_writable_parent(path)
    directory = next((p for p in [path.parent, *path.parent.parents] if p.is_dir()), Path("."))
    try:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _cant_write(path, error) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def _make_parents(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # mkdir's words ("File exists") would not say which file is in the way.
        blocker = _file_in_the_way(directory / "_")
        if blocker is None:
            raise
        raise _not_a_directory(blocker) from None


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is not a directory."""
    for ancestor in path.parents:
        if ancestor.exists() or ancestor.is_symlink():
            return None if ancestor.is_dir() else ancestor
    return None


def _not_a_directory(path: Path) -> OSError:
    return OSError(errno.ENOTDIR, f"{path} is not a directory")


def _cant_write(path: Path, error: OSError) -> UsageError:
    reason = error.strerror or str(error) or type(error).__name__
    return UsageError(f"{path}: can't write: {reason}")


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform lets a directory be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)


@cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
