"""Atomic file writes: render to a temporary file beside the target, then rename over it.

A crash (even SIGKILL) leaves either the old file or the new one, never half of one; the
temporary file's name starts with `.` and contains `.tmp-` so a later run can sweep leftovers.
"""

from __future__ import annotations

import os
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
