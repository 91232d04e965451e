"""Atomic file writes: render to a temporary file beside the target, then rename over it.

A crash (even SIGKILL) leaves either the old file or the new one, never half of one. The
temporary file's name starts with `.`, contains `.tmp-` and names its owner (host and pid), so a
later run sweeps what a dead writer left and never the file a live one is still writing.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
import tempfile
import time
from functools import cache
from pathlib import Path

TMP_MARK = ".tmp-"
# Where a temporary file names its target, at most this many bytes of the target's name are
# kept: the target itself may be up to 255 bytes long, its temporary file may not be longer.
_TARGET_BYTES = 80
# A temporary file lives from the end of a render to its rename: seconds. One this old whose
# owner cannot be checked (another host on a shared folder, an older reportgen, a pid now
# reused by another process) was abandoned.
ABANDONED_AFTER_S = 6 * 3600
_MAX_PID = 1 << 22  # Linux's largest pid_max


@cache
def _host() -> str:
    """Where our pids mean something, as it goes into temporary file names: the host name
    and, on Linux, the pid namespace (containers sharing a folder may share a host name but
    not their pids). No `/`, bounded."""
    where = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname() or "localhost")[:64]
    with contextlib.suppress(OSError):
        where += "." + re.sub(r"[^0-9]", "", os.readlink("/proc/self/ns/pid"))  # pid:[4026…]
    return where


def temp_prefix(path: Path, pid: int | None = None) -> str:
    """`.NAME.tmp-HOST-PID-`: what the temporary files written for `path` start with."""
    name = os.fsdecode(os.fsencode(path.name)[:_TARGET_BYTES])
    return f".{name}{TMP_MARK}{_host()}-{pid or os.getpid()}-"


def looks_like_temp(name: str) -> bool:
    """Whether a file called `name` would be taken for a temporary file and swept."""
    return name.startswith(".") and TMP_MARK in name


def _temp_beside(path: Path, data: bytes) -> str:
    """A complete, synced copy of `data` in a temporary file in `path`'s folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
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


def _pid_alive(pid: int) -> bool:
    if not 0 < pid < _MAX_PID:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return False
    # A zombie (killed, not yet reaped: its parent died too and nobody reaps orphans in some
    # containers) still answers kill(0) but will never write again.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _abandoned(entry: os.DirEntry, now: float) -> bool:
    """A temporary file whose writer is gone: on this host, its pid is dead; otherwise (or
    if the pid has been reused since) it is older than ABANDONED_AFTER_S."""
    owner = re.search(rf"{re.escape(TMP_MARK + _host())}-([0-9]+)-[a-z0-9_]+$", entry.name)
    if owner and not _pid_alive(int(owner.group(1))):
        return True
    try:
        return now - entry.stat(follow_symlinks=False).st_mtime > ABANDONED_AFTER_S
    except OSError:
        return False


def sweep_partial_files(folder: Path) -> list[Path]:
    """Remove the temporary files of writers that died (a killed build, a crashed render);
    returns what was removed. Those of a live writer, e.g. a `reportgen pdf` writing into the
    same folder while a build starts, stay. A file that cannot be removed is left alone."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if looks_like_temp(entry.name) and _abandoned(entry, now):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(folder) / entry.name)
    return sorted(removed)


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


def describe_kind(mode: int) -> str:
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
            raise NotRegularFile(Path(path), describe_kind(st.st_mode))
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
