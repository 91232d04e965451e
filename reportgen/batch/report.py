"""What a build tells people and machines: progress, log lines, the summary, the JSON report.

Attached to a terminal, stderr shows a progress bar; otherwise (cron, systemd, CI) it gets one
plain line per document built and per problem, so a mailed log stays readable. The summary
table goes to stdout, or to stderr with `--json`, which keeps stdout for the JSON report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reportgen.batch.worker import (
    BUILT,
    FAILED,
    PROBLEMS,
    SKIPPED,
    STALE,
    STATUSES,
    BriefResult,
)
from reportgen.errors import EXIT_CANTWRITE
from reportgen.writers import FORMATS

REPORT_VERSION = 1
UNWRAPPED_WIDTH = 100_000  # columns of the summary when stdout is not a terminal


@dataclass
class BuildReport:
    out_dir: str
    formats: tuple[str, ...]
    jobs: int
    forced: bool
    shard: str | None
    discovered: int = 0  # briefs found in PATHS, before --shard took its slice
    briefs: list[BriefResult] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for brief in self.briefs:
            for out in brief.outputs:
                counts[out.status] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 all good; 73 when every problem is an output the file system refused (disk full,
        read-only folder: the job is broken, not a brief); 1 when any brief or format failed."""
        problems = [o for b in self.briefs for o in b.outputs if o.status in PROBLEMS]
        if not problems:
            return 0
        return EXIT_CANTWRITE if all(o.cannot_write for o in problems) else 1

    def to_json(self) -> dict:
        return _printable_strings({
            "report_version": REPORT_VERSION,
            "reportgen_version": _version(),
            "out_dir": self.out_dir,
            "formats": list(self.formats),
            "jobs": self.jobs,
            "forced": self.forced,
            "shard": self.shard,
            "discovered": self.discovered,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "swept": self.swept,
            "pruned": self.pruned,
            "warnings": self.warnings,
            "briefs": [{
                "brief": b.brief,
                "name": Path(b.brief).stem,
                "title": b.title,
                "date": b.date,
                "seconds": round(b.seconds, 3),
                "outputs": [{
                    "format": o.format,
                    "status": o.status,
                    "path": o.path,
                    "seconds": round(o.seconds, 3),
                    "error": o.error,
                    "cannot_write": o.cannot_write,
                    "layout": o.layout,
                } for o in b.outputs],
            } for b in self.briefs],
        })


def printable(text: str) -> str:
    """`text` as UTF-8 can hold it: the bytes of a file name that is not UTF-8 (which Python
    carries as lone surrogates) are shown as \\xNN, so JSON, HTML and terminals take it."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file name produced
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _printable_strings(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k): _printable_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable_strings(v) for v in value]
    return value


def _version() -> str:
    from reportgen import __version__

    return __version__


_NULLABLE_STRING = {"type": ["string", "null"]}

# JSON Schema (draft 2020-12) of `reportgen build --json`; the README documents it.
REPORT_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "reportgen build report",
    "type": "object",
    "required": ["report_version", "reportgen_version", "out_dir", "formats", "jobs", "forced",
                 "shard", "discovered", "exit_code", "seconds", "counts", "swept", "pruned",
                 "warnings", "briefs"],
    "additionalProperties": False,
    "properties": {
        "report_version": {"const": REPORT_VERSION},
        "reportgen_version": {"type": "string"},
        "out_dir": {"type": "string"},
        "formats": {"type": "array", "items": {"enum": list(FORMATS)}},
        "jobs": {"type": "integer", "minimum": 1},
        "forced": {"type": "boolean"},
        "shard": {"type": ["string", "null"], "pattern": r"^[0-9]+/[0-9]+$",
                  "description": "K/N when --shard was given."},
        "discovered": {"type": "integer", "minimum": 0,
                       "description": "Briefs found in PATHS; with --shard, those of every "
                                      "shard (`build --merge` checks the shards add up)."},
        "exit_code": {"enum": [0, 1, 73], "description": "1 if any output failed or is stale; "
                      "73 if every failure is an output that could not be written."},
        "seconds": {"type": "number", "minimum": 0},
        "counts": {
            "type": "object", "additionalProperties": False, "required": list(STATUSES),
            "properties": {s: {"type": "integer", "minimum": 0} for s in STATUSES},
            "description": "Number of (brief, format) pairs in each status.",
        },
        "swept": {"type": "array", "items": {"type": "string"},
                  "description": "Partial files of an interrupted run that were removed."},
        "pruned": {"type": "array", "items": {"type": "string"},
                   "description": "Outputs removed by --prune."},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "briefs": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["brief", "name", "title", "date", "seconds", "outputs"],
            "properties": {
                "brief": {"type": "string", "description": "Path of the brief."},
                "name": {"type": "string", "description": "Output name (file name stem)."},
                "title": _NULLABLE_STRING | {"description": "null if the brief is invalid."},
                "date": _NULLABLE_STRING | {"format": "date"},
                "seconds": {"type": "number", "minimum": 0,
                            "description": "Loading and validating the brief."},
                "outputs": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["format", "status", "path", "seconds", "error", "cannot_write",
                                 "layout"],
                    "properties": {
                        "format": {"enum": list(FORMATS)},
                        "status": {"enum": list(STATUSES)},
                        "path": _NULLABLE_STRING | {
                            "description": "The file now on disk; null if there is none."},
                        "seconds": {"type": "number", "minimum": 0},
                        "error": _NULLABLE_STRING,
                        "cannot_write": {"type": "boolean", "description": "It failed "
                                         "because the file system refused the output."},
                        "layout": {
                            "description": "The writer's findings, for outputs built this run "
                                           "(null when skipped or failed).",
                            "type": ["object", "null"], "additionalProperties": False,
                            "required": ["body_pt", "start_pt", "pages", "slides",
                                         "continuation_slides"],
                            "properties": {
                                "body_pt": {"type": ["number", "null"],
                                            "description": "Size body text was set at."},
                                "start_pt": {"type": ["number", "null"],
                                             "description": "The profile's size (shrinking "
                                                            "started there)."},
                                "pages": {"type": ["integer", "null"]},
                                "slides": {"type": ["integer", "null"]},
                                "continuation_slides": {"type": "integer", "minimum": 0},
                            }},
                    },
                    "allOf": [
                        {"if": {"properties": {"status": {"enum": [BUILT, SKIPPED]}}},
                         "then": {"properties": {"path": {"type": "string"},
                                                 "error": {"type": "null"}}}},
                        {"if": {"properties": {"status": {"const": STALE}}},
                         "then": {"properties": {"path": {"type": "string"},
                                                 "error": {"type": "string"}}}},
                        {"if": {"properties": {"status": {"const": FAILED}}},
                         "then": {"properties": {"path": {"type": "null"},
                                                 "error": {"type": "string"}}}},
                    ],
                }},
            },
        }},
    },
}


class BuildUI:
    """Progress and log lines on stderr; the summary on stdout (stderr with --json)."""

    def __init__(self, json_mode: bool = False, stderr: TextIO | None = None,
                 stdout: TextIO | None = None):
        from rich.console import Console

        self.err_stream = stderr or sys.stderr
        self.interactive = _isatty(self.err_stream)
        self.err = Console(file=self.err_stream, highlight=False,
                           force_terminal=self.interactive, soft_wrap=not self.interactive)
        out_stream = self.err_stream if json_mode else (stdout or sys.stdout)
        # Not a terminal (cron mail, a log file, CI): as wide as the longest line, never
        # wrapped, so a brief's path stays whole for grep and copy-paste. Rich tables fit the
        # console width, and only size their columns to the content: a wide console costs
        # nothing. On a terminal, the terminal's width.
        self.out = Console(file=out_stream, highlight=False, soft_wrap=False,
                           width=None if _isatty(out_stream) else UNWRAPPED_WIDTH)
        self.progress = None
        self._task = None

    def start(self, briefs: int, formats: tuple[str, ...], jobs: int, out_dir: str,
              shard: str | None) -> None:
        where = f" (shard {shard})" if shard else ""
        self.log(f"reportgen build: {briefs} brief{'s' * (briefs != 1)}{where} x "
                 f"{', '.join(formats)} -> {out_dir}/ with {jobs} worker{'s' * (jobs != 1)}")
        if self.interactive and briefs:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            # No refresh thread: workers are forked while it runs (see pool._context).
            self.progress = Progress(TextColumn("[bold]building"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(),
                                     TextColumn("{task.description}"), console=self.err,
                                     auto_refresh=False, transient=True)
            self.progress.start()
            self._task = self.progress.add_task("", total=briefs)
            self.progress.refresh()

    def log(self, line: str, style: str | None = None) -> None:
        from rich.text import Text

        text = Text(line, style=(style or "") if self.interactive else "")
        console = self.progress.console if self.progress is not None else self.err
        console.print(text)

    def advance(self, result: BriefResult) -> None:
        for line, style in result_lines(result):
            self.log(line, style)
        if self.progress is not None:
            self.progress.update(self._task, advance=1, description=Path(result.brief).name)
            self.progress.refresh()

    def _stop_progress(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def interrupted(self, done: int, total: int) -> None:
        self._stop_progress()
        self.log(f"interrupted after {done} of {total} briefs; what was finished is recorded "
                 "and will not be rebuilt", "bold yellow")

    def finish(self, report: BuildReport) -> None:
        self._stop_progress()
        self.out.print(summary_table(report, ascii_only=not self.out.is_terminal))
        self.out.print(summary_line(report), markup=False, soft_wrap=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def result_lines(result: BriefResult) -> list[tuple[str, str | None]]:
    """Log lines for one brief: each output written, each problem with its message."""
    lines: list[tuple[str, str | None]] = []
    if result.error is not None:  # the brief itself is invalid: one message for every format
        kept = [o.path for o in result.outputs if o.status == STALE]
        note = f"; kept the last good {', '.join(kept)} (stale)" if kept else ""
        formats = ", ".join(o.format for o in result.outputs)
        lines.append((f"FAILED  {result.brief} [{formats}]{note}", "bold red"))
        lines += [(f"        {line}", None) for line in result.error.splitlines()]
        return lines
    for out in result.outputs:
        if out.status == BUILT:
            lines.append((f"built   {out.path} ({out.seconds:.2f} s)", "green"))
        elif out.status in PROBLEMS:
            note = f"; kept the last good {out.path} (stale)" if out.status == STALE else ""
            lines.append((f"FAILED  {result.brief} [{out.format}]{note}", "bold red"))
            lines += [(f"        {line}", None) for line in (out.error or "").splitlines()]
    return lines


_STYLE = {BUILT: "green", SKIPPED: "dim", FAILED: "bold red", STALE: "yellow"}
_WORD = {BUILT: "built", SKIPPED: "up to date", FAILED: "FAILED", STALE: "STALE"}


def summary_table(report: BuildReport, ascii_only: bool = False):
    """Briefs that were built or have a problem, one row each, one column per format."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.ASCII if ascii_only else box.SIMPLE, show_edge=False, pad_edge=False)
    table.add_column("brief", overflow="fold")
    for fmt in report.formats:
        table.add_column(fmt)
    for brief in report.briefs:
        statuses = {o.format: o.status for o in brief.outputs}
        if all(s == SKIPPED for s in statuses.values()):
            continue  # up to date: counted in the last row only
        table.add_row(brief.brief, *(  # Text, not markup: parsing it was a third of the table
            Text(_WORD[statuses[f]], style=_STYLE[statuses[f]]) if f in statuses else "-"
            for f in report.formats))
    table.add_section()
    table.add_row(f"all {len(report.briefs)} brief{'s' * (len(report.briefs) != 1)}", *(
        ", ".join(f"{n} {_WORD[s]}" for s in STATUSES
                  if (n := sum(o.status == s for b in report.briefs for o in b.outputs
                               if o.format == fmt)))
        for fmt in report.formats))
    return table


def summary_line(report: BuildReport) -> str:
    counts = report.counts()
    parts = [f"{counts[s]} {_WORD[s]}" for s in STATUSES if counts[s]]
    extra = []
    if report.pruned:
        extra.append(f"{len(report.pruned)} pruned")
    if report.swept:
        extra.append(f"{len(report.swept)} partial files swept")
    status = "OK" if report.exit_code == 0 else "FAILED: see the messages above"
    if counts[STALE]:
        status += "; stale outputs are from the last good build"
    return (f"{', '.join(parts + extra) or 'nothing to build'} "
            f"({report.seconds:.1f} s). {status} (exit {report.exit_code})")
