"""One build per output folder: an exclusive, non-blocking `flock` on `OUT/.reportgen.lock`.

The lock belongs to the open file, so the kernel drops it when the holder exits for any
reason, SIGKILL included: a stale lock file never blocks the next run. The file is created
once and never deleted (deleting a flock'd file lets two runs lock two different files).

The run that is turned away names the holder's pid. On Linux the kernel reports it in
/proc/locks, so the lock file is never written and a run that changes nothing really
touches no file; elsewhere the holder writes its pid into the lock file.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from reportgen.errors import LockedError

LOCK_NAME = ".reportgen.lock"
PROC_LOCKS = Path("/proc/locks")


class BuildLock:
    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
        except BaseException:
            os.close(fd)
            raise
        if not PROC_LOCKS.exists():
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

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
