"""Whether a brief is up to date, decided in the parent process from the manifest alone.

A brief is skipped without a worker when its manifest entry has a recipe (batch.fingerprint),
the recipe still applies (same source file, working folder and --templates; no file it names
as absent has appeared; no picture link leads elsewhere), the fingerprint recomputed from the
bytes of the brief and of every input file equals the one recorded for each requested format,
and each output is the file that was written: same size, mtime, inode and ctime (`--verify`:
same sha256). Anything else, including a manifest from an older reportgen, goes to a worker,
which decides as before and records what the next run needs.

Nothing here parses a brief or imports a writer: a night where nothing changed costs a read
and a hash of each brief and input file and a stat of each output.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from reportgen.batch.fingerprint import (
    BriefInputs,
    fingerprint_inputs,
    format_fingerprint,
    read_digest,
)
from reportgen.batch.manifest import output_name
from reportgen.batch.worker import (
    SKIPPED,
    BriefResult,
    BriefTask,
    FormatResult,
    file_sha256,
    output_stat,
)

# Any brief the loader accepts (1 MB) is read whole; a larger one is a change.
MAX_BRIEF_READ = 2 * 1024 * 1024


class FileDigests:
    """The sha256 of input files for one run, by (path, bound): a logo or profile file that a
    thousand briefs share is read once. Holds at most `max_entries` digests (64 bytes each);
    the oldest is forgotten first."""

    def __init__(self, max_entries: int = 10_000):
        self.max_entries = max_entries
        self._digests: OrderedDict[tuple[str, int], str] = OrderedDict()
        self.reads = 0  # files actually read, for tests

    def get(self, path: str, limit: int) -> str:
        key = (path, limit)
        if key in self._digests:
            return self._digests[key]
        self.reads += 1
        digest = read_digest(path, limit)
        self._digests[key] = digest
        while len(self._digests) > self.max_entries:
            self._digests.popitem(last=False)
        return digest

    def __len__(self) -> int:
        return len(self._digests)


def up_to_date(task: BriefTask, entry: dict | None, source: Path, digests: FileDigests,
               *, verify: bool = False) -> BriefResult | None:
    """A result with every requested format skipped, or None when a worker must decide."""
    if task.force or not entry or entry.get("source") != str(source):
        return None
    inputs = BriefInputs.from_json(entry.get("inputs"))
    if inputs is None or inputs.cwd != task.cwd or inputs.templates != task.templates:
        return None
    if any(os.path.lexists(path) for path in inputs.absent):
        return None
    if any(f.resolved is not None and os.path.realpath(f.path) != f.resolved
           for f in inputs.files):
        return None
    # The brief is read once per run, so it is not cached; the other files may be shared.
    base = fingerprint_inputs(read_digest(task.brief, MAX_BRIEF_READ),
                              [(f.label, digests.get(f.path, f.limit)) for f in inputs.files],
                              task.source_date_epoch)
    recorded = entry.get("outputs", {})
    stem = os.path.splitext(os.path.basename(task.brief))[0]  # Path.stem, without a Path
    outputs = []
    for fmt in task.formats:
        rec = recorded.get(fmt)
        fingerprint = format_fingerprint(base, fmt)
        if (not isinstance(rec, dict) or rec.get("status") != "ok" or not rec.get("sha256")
                or rec.get("fingerprint") != fingerprint):
            return None
        target = os.path.join(task.out_dir, output_name(stem, fmt))
        on_disk = output_stat(target)
        if on_disk is None:
            return None
        if verify:
            if file_sha256(target) != rec["sha256"]:
                return None
        elif list(on_disk) != rec.get("stat"):
            return None
        outputs.append(FormatResult(fmt, SKIPPED, target, 0.0, None, fingerprint,
                                    rec["sha256"], stat=on_disk))
    return BriefResult(brief=task.brief, title=entry.get("title"), date=entry.get("date"),
                       profile=entry.get("profile"), outputs=outputs)
