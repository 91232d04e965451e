"""Atomic file writes: render to a temporary file beside the target, then rename over it.

A crash (even SIGKILL) leaves either the old file or the new one, never half of one; the
temporary file's name starts with `.` and contains `.tmp-` so a later run can sweep leftovers.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

TMP_MARK = ".tmp-"


def _temp_beside(path: Path, data: bytes) -> str:
    """A complete, synced copy of `data` in a temporary file in `path`'s folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step."""
    tmp = _temp_beside(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data` in one step; FileExistsError if it exists (never replaces).

    A hard link is atomic and refuses to overwrite; file systems without hard links fall back
    to an exclusive create.
    """
    tmp = _temp_beside(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            with open(path, "xb") as fh:
                fh.write(data)
    finally:
        Path(tmp).unlink(missing_ok=True)


def sweep_partial_files(folder: Path) -> list[Path]:
    """Remove temporary files a killed run left behind; returns what was removed."""
    removed = []
    if folder.is_dir():
        for leftover in folder.glob(f".*{TMP_MARK}*"):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder: reading it could block forever or
    never end, so it is refused before a byte is read. `kind` says what it is."""

    def __init__(self, path: Path, kind: str):
        super().__init__(f"{path} is {kind}, not a regular file")
        self.kind = kind


class TooLarge(OSError):
    """The file holds more than the caller's limit; `size` is at least limit + 1."""

    def __init__(self, path: Path, size: int, limit: int):
        super().__init__(f"{path} is {size:,} bytes; at most {limit:,} are read")
        self.size, self.limit = size, limit


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, never reading more than `limit` + 1 of them.

    Opened non-blocking (a FIFO without a writer would block the open itself), checked to be a
    regular file, then read in chunks up to limit + 1 bytes, so /dev/zero, a FIFO or a file that
    grows while we read cannot make us read or hold more. Raises NotRegularFile, TooLarge or
    the OSError of the open/read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(Path(path), _kind(st.st_mode))
        if st.st_size > limit:
            raise TooLarge(Path(path), st.st_size, limit)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise TooLarge(Path(path), got, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)
