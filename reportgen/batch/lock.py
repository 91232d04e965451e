"""One build per output folder: an exclusive, non-blocking `flock` on `OUT/.reportgen.lock`.

The lock belongs to the open file, so the kernel drops it when the holder exits for any
reason, SIGKILL included: a stale lock file never blocks the next run. The file is created
once and never deleted (deleting a flock'd file lets two runs lock two different files).

The lock file is opened without following a symbolic link and must be a regular file with a
single name: OUT is often a shared folder, and a planted `.reportgen.lock` must not make a
build create or truncate a file elsewhere.

The run that is turned away names the holder's pid. On Linux the kernel reports it in
/proc/locks, so the lock file is never written and a run that changes nothing really
touches no file; elsewhere the holder writes its pid into the lock file.
"""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path

from reportgen.errors import LockedError, WriteError

LOCK_NAME = ".reportgen.lock"
PROC_LOCKS = Path("/proc/locks")


class BuildLock:
    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holder_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "a process whose pid cannot be seen from here"
            raise LockedError(
                f"{self.path.parent}: another reportgen build ({who}) is writing this folder; "
                f"this run changed nothing. Run again once it has finished (lock: {self.path})."
            ) from None
        except OSError as exc:  # a file system without flock
            os.close(fd)
            raise WriteError(f"reportgen: cannot lock {self.path}: {exc.strerror or exc}"
                             ) from None
        except BaseException:
            os.close(fd)
            raise
        if not PROC_LOCKS.exists():
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def _open(self) -> int:
        """The lock file, opened for writing; WriteError if it cannot be, or is not ours."""
        flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError.from_os_error(exc, self.path.parent) from None
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            if os.path.islink(self.path):
                raise self._not_ours("a symbolic link; a build never follows one (it could "
                                     "make the build write outside the folder)") from None
            if os.path.isdir(self.path):
                raise self._not_ours("a folder") from None
            raise WriteError.from_os_error(exc, self.path) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
            os.close(fd)
            raise self._not_ours("a second name of another file (a hard link)"
                                 if stat.S_ISREG(st.st_mode) else "not a regular file")
        return fd

    def _not_ours(self, what: str) -> WriteError:
        return WriteError(f"reportgen: {self.path} is {what}; the build only locks a plain file "
                          "of its own there. Delete it and run again")

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder_pid(fd: int) -> int | None:
    """The pid holding a flock on the file open as `fd`, or None if it cannot be known."""
    inode = os.fstat(fd).st_ino
    try:
        lines = PROC_LOCKS.read_text().splitlines()
    except OSError:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    for line in lines:
        # "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2171687 0 EOF"; waiters have "->" after "1:"
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[3] == "WRITE":
            pid, where = fields[4], fields[5]
            if where.rsplit(":", 1)[-1] == str(inode) and pid.isdigit() and pid != "0":
                return int(pid)
    return None
