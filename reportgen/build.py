"""Batch builds (`reportgen build`): every brief, every format, unattended.

A run, in order (reportgen.batch.runner.run_build):
  discover briefs (batch.discover; --shard K/N) -> lock OUT (batch.lock) -> sweep partial
  files -> worker processes, one brief at a time each (batch.pool), which fingerprint the
  brief and skip it, or render and write atomically (batch.worker) -> manifest
  (batch.manifest), index.html (batch.index), summary and JSON report (batch.report).
"""

from __future__ import annotations

from reportgen.batch.discover import Shard, discover
from reportgen.batch.index import INDEX_NAME
from reportgen.batch.lock import LOCK_NAME
from reportgen.batch.manifest import MANIFEST_NAME
from reportgen.batch.report import REPORT_SCHEMA, BuildReport, BuildUI
from reportgen.batch.runner import BuildOptions, default_jobs, run_build
from reportgen.batch.worker import BUILT, FAILED, SKIPPED, STALE
from reportgen.writers import parse_formats

__all__ = [
    "BUILT", "FAILED", "INDEX_NAME", "LOCK_NAME", "MANIFEST_NAME", "REPORT_SCHEMA", "SKIPPED",
    "STALE", "BuildOptions", "BuildReport", "BuildUI", "Shard", "default_jobs", "discover",
    "parse_formats", "run_build",
]
