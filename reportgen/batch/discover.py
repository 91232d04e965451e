"""Which briefs a build covers: discovery from PATHS, output-name collisions, `--shard K/N`."""

from __future__ import annotations

import hashlib
import stat
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import UsageError

BRIEF_SUFFIXES = (".yaml", ".yml")


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every brief named by PATHS: files as given, folders searched recursively for *.yaml/*.yml.

    Hidden files and folders (a leading `.`, e.g. editor swap files or `.git`) are skipped.
    A FIFO, socket or device named like a brief is kept (only looked at, never opened): the
    build reports it as one failed brief instead of silently leaving it out.
    The result is sorted by path and free of duplicates, so every run sees the same order.
    """
    found: dict[Path, Path] = {}
    real = RealPaths()
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for candidate in given.rglob("*"):
                relative = candidate.relative_to(given).parts
                if (candidate.suffix.lower() in BRIEF_SUFFIXES and _not_a_folder(candidate)
                        and not any(part.startswith(".") for part in relative)):
                    found.setdefault(real(candidate), candidate)
        elif given.exists():
            found.setdefault(real(given), given)
        else:
            raise UsageError(f"{given}: no such file or folder")
    return sorted(found.values(), key=lambda p: p.as_posix())


class RealPaths:
    """`Path.resolve()` of many files in a few folders, each folder resolved once: resolving
    walks every component of a path with lstat, and resolving each brief twice was ~15% of a
    no-op night of 1,000 briefs. The file itself is still looked at (one lstat): a link is
    resolved in full. Kept for one run (as many folders as the run's briefs are in)."""

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        if path.name in ("", ".", "..") or path.is_symlink():
            return path.resolve()
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = path.parent.resolve()
        return folder / path.name


def discover_some(paths: list[Path]) -> list[Path]:
    """`discover`, where finding no brief at all is a usage error (for build and validate)."""
    found = discover(paths)
    if not found:
        raise UsageError(f"no briefs (*.yaml, *.yml) found in {', '.join(map(str, paths))}")
    return found


def _not_a_folder(path: Path) -> bool:
    try:
        return not stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False  # a dangling link: nothing to build


def output_collisions(briefs: Iterable[Path]) -> dict[Path, list[Path]]:
    """Briefs that would write the same output file (same file name in two folders).

    Maps each such brief to the other briefs it collides with; none of them is built, so
    neither can silently overwrite the other's documents.
    """
    by_stem: dict[str, list[Path]] = defaultdict(list)
    for brief in briefs:
        by_stem[brief.stem].append(brief)
    return {brief: [other for other in group if other != brief]
            for group in by_stem.values() if len(group) > 1 for brief in group}


def collision_message(brief: Path, others: Iterable[Path], out_dir: Path | str) -> str:
    """Why BRIEF is refused: `build` fails it, and `validate` reports it as an error."""
    return (f"{', '.join(map(str, others))} has the same file name, so both would write "
            f"{Path(out_dir) / brief.stem}.*; rename one")


MAX_SHARDS = 10_000  # more machines than that is a typo (the split holds N slices in memory)


@dataclass(frozen=True)
class Shard:
    """The K-th (1-based) of N slices of a set of briefs.

    `reportgen build` balances the slices by cost (batch.shards.select); `owns` and `select`
    here split by name alone, for callers that know no cost.
    """

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        k, sep, n = text.strip().partition("/")
        try:
            shard = cls(int(k), int(n))
        except ValueError:
            shard = None
        if not sep or shard is None or not 1 <= shard.index <= shard.count:
            raise UsageError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
        if shard.count > MAX_SHARDS:
            raise UsageError(f"--shard {text!r}: at most {MAX_SHARDS:,} shards")
        return shard

    def owns(self, brief: Path) -> bool:
        """Stable by name: sha256 of the file name without extension, modulo N.

        A brief's slice depends only on its own name (the name its outputs carry), never on
        which other briefs exist or on how the path was spelled, so adding a brief never
        moves the others between CI machines and their caches.
        """
        # surrogateescape: a name that is not UTF-8 still has its slice (it fails alone)
        digest = hashlib.sha256(brief.stem.encode("utf-8", "surrogateescape")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def select(self, briefs: Iterable[Path]) -> list[Path]:
        return [b for b in briefs if self.owns(b)]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
