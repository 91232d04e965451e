"""The part of a build that runs in a worker process: one brief, every requested format.

A task carries everything that decides the output (paths, options, the clock) explicitly,
so a worker never depends on what it inherited. The brief is loaded once, fingerprinted,
and each format is either skipped (same fingerprint, output intact), rendered and written
atomically, or reported as failed; nothing here raises for a bad brief or a failing writer.
The result carries what the parent needs to skip the brief next time without a worker: the
recipe of its inputs (batch.fingerprint) and the size, mtime, inode and ctime of each output.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.batch.fingerprint import (
    BriefInputs,
    InputFile,
    bytes_digest,
    fingerprint_inputs,
    format_fingerprint,
    read_digest,
)
from reportgen.errors import (
    Diagnostic,
    InputError,
    ReportgenError,
    WriteError,
    crash_log,
)

# Per-format outcome of one run:
BUILT = "built"      # rendered and written (or found byte-identical and left alone)
SKIPPED = "skipped"  # inputs unchanged since the last good build; nothing was done
FAILED = "failed"    # this run failed and there is no earlier good output
STALE = "stale"      # this run failed; the last good output stays in place, now out of date
STATUSES = (BUILT, SKIPPED, FAILED, STALE)
PROBLEMS = (FAILED, STALE)


@dataclass(frozen=True)
class PreviousOutput:
    """What the manifest says the last good build of one format produced."""

    fingerprint: str
    sha256: str


@dataclass(frozen=True)
class BriefTask:
    brief: str                       # absolute path
    formats: tuple[str, ...]
    out_dir: str                     # absolute path
    cwd: str                         # profiles are looked up in CWD/templates
    templates: str | None
    source_date_epoch: str | None    # the clock every timestamp comes from
    force: bool
    previous: dict[str, PreviousOutput] = field(default_factory=dict)


@dataclass
class FormatResult:
    format: str
    status: str
    path: str | None          # the output file on disk after the run (None if there is none)
    seconds: float
    error: str | None = None
    fingerprint: str | None = None  # of the output now on disk (None: unknown / none)
    sha256: str | None = None
    layout: dict | None = None  # what the writer's findings say, for outputs built this run
    cannot_write: bool = False  # it failed because the file system refused the output
    stat: tuple[int, int, int, int] | None = None  # output_stat of the file on disk


@dataclass
class BriefResult:
    brief: str
    title: str | None = None
    date: str | None = None
    profile: str | None = None
    seconds: float = 0.0      # loading and validating the brief
    error: str | None = None  # why the brief itself could not be loaded, if it could not
    outputs: list[FormatResult] = field(default_factory=list)
    inputs: BriefInputs | None = None  # the recipe of its fingerprint, when it was loaded


def load_brief(task: BriefTask, result: BriefResult):
    """Load and validate the brief into `result` (its time, title, date, profile, inputs):
    (the job, the fingerprint every format's starts from), or None with `result.error` set.
    Shared by the local workers (build_brief) and the Dask ones (batch.remote)."""
    from reportgen.pipeline import prepare

    started = time.perf_counter()
    try:
        brief_bytes = read_brief(Path(task.brief))  # read before parsing: see fingerprint()
        job = prepare(Path(task.brief), Path(task.templates) if task.templates else None)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the run
        result.seconds = time.perf_counter() - started
        result.error = describe_error(exc)
        return None
    result.seconds = time.perf_counter() - started
    brief = job.doc.brief
    result.title, result.date = brief.title, brief.date.isoformat()
    result.profile = job.profile.name
    result.inputs, digests = brief_inputs(job, task)
    return job, fingerprint_inputs(bytes_digest(brief_bytes), digests, task.source_date_epoch)


def build_brief(task: BriefTask) -> BriefResult:
    """Bring every requested output of one brief up to date; never raises for a user error."""
    from reportgen.pipeline import output_path

    _apply_environment(task)
    out_dir = Path(task.out_dir)
    targets = {fmt: output_path(Path(task.brief), out_dir, fmt) for fmt in task.formats}
    result = BriefResult(brief=task.brief)
    loaded = load_brief(task, result)
    if loaded is None:
        result.outputs = [_failed(fmt, targets[fmt], task, result.error, 0.0)
                          for fmt in task.formats]
        return result
    job, base = loaded
    for fmt in task.formats:
        result.outputs.append(_build_format(job, fmt, targets[fmt], base, task))
    return result


def _build_format(job, fmt: str, target: Path, base: str, task: BriefTask) -> FormatResult:
    from reportgen.pipeline import write_output

    started = time.perf_counter()
    fingerprint = format_fingerprint(base, fmt)
    previous = task.previous.get(fmt)
    if (not task.force and previous is not None and previous.fingerprint == fingerprint
            and file_sha256(target) == previous.sha256):
        return FormatResult(fmt, SKIPPED, str(target), time.perf_counter() - started, None,
                            fingerprint, previous.sha256, stat=output_stat(target))
    try:
        _, rendered = write_output(job, fmt, target.parent, only_if_changed=True)
        data = rendered.data
    except Exception as exc:  # noqa: BLE001
        failed = _failed(fmt, target, task, describe_error(exc), time.perf_counter() - started)
        failed.cannot_write = isinstance(exc, WriteError)
        return failed
    on_disk = output_stat(target)
    return FormatResult(fmt, BUILT, str(target), time.perf_counter() - started, None,
                        fingerprint, hashlib.sha256(data).hexdigest(),
                        layout_summary(rendered.findings),
                        # a file of another size is not what was written: no shortcut next time
                        stat=on_disk if on_disk and on_disk[0] == len(data) else None)


def layout_summary(findings) -> dict:
    """The findings a nightly report needs: the type size the text was set at (did the
    one-pager shrink?), pages and slides, and how many continuation slides the deck took."""
    return {"body_pt": findings.body_pt, "start_pt": findings.start_pt,
            "pages": findings.pages, "slides": findings.slides,
            "continuation_slides": findings.continuation_slides}


def _failed(fmt: str, target: Path, task: BriefTask, error: str, seconds: float) -> FormatResult:
    """A failure keeps the last good output (if it is still intact) and calls it stale."""
    previous = task.previous.get(fmt)
    if previous is not None and file_sha256(target) == previous.sha256:
        return FormatResult(fmt, STALE, str(target), seconds, error,
                            previous.fingerprint, previous.sha256, stat=output_stat(target))
    return FormatResult(fmt, FAILED, None, seconds, error)


def brief_inputs(job, task: BriefTask) -> tuple[BriefInputs | None, list[tuple[str, str]]]:
    """The recipe of a loaded brief's inputs (None if a picture's file is not known) and the
    (label, sha256) of each input besides the brief, hashed from the bytes the render uses."""
    from reportgen.figures.images import MAX_IMAGE_BYTES
    from reportgen.profile import search_path
    from reportgen.writers import REFERENCE_FILES
    from reportgen.writers.reference import MAX_FILE_BYTES

    lp = job.profile
    files: list[InputFile] = []
    digests: list[tuple[str, str]] = []
    for path in lp.files():
        label = f"profile/{path.relative_to(lp.folder).as_posix()}"
        files.append(InputFile(label, os.path.abspath(path), MAX_FILE_BYTES))
        digests.append((label, read_digest(path, MAX_FILE_BYTES)))
    sources = _picture_sources(job)
    known = True
    for name, data in job.document.picture_bytes():
        label = f"picture/{name}"
        digests.append((label, bytes_digest(data)))
        if name in sources:
            path = sources[name]
            files.append(InputFile(label, os.path.abspath(path), MAX_IMAGE_BYTES,
                                   os.path.realpath(path)))
        else:
            known = False
    # find_profile takes the first folder of the search path that has NAME/profile.yaml.
    absent = []
    for folder in search_path(Path(task.templates) if task.templates else None):
        if folder / lp.name == lp.folder:
            break
        absent.append(os.path.abspath(folder / lp.name / "profile.yaml"))
    absent += [os.path.abspath(lp.folder / name) for name in REFERENCE_FILES
               if not os.path.lexists(lp.folder / name)]
    inputs = BriefInputs(task.cwd, task.templates, tuple(files), tuple(absent))
    return (inputs if known else None), digests


def _picture_sources(job) -> dict[str, Path]:
    """Where each picture named by Document.picture_bytes was read from."""
    doc, document = job.doc, job.document
    sources = {f"images/{f.index}": doc.path.parent / doc.brief.images[f.index].path
               for f in document.images}
    if document.logo is not None and job.profile.profile.logo:
        sources["logo"] = job.profile.folder / job.profile.profile.logo
    return sources


def read_brief(path: Path) -> bytes:
    """The brief's bytes, bounded like the loader's read; a FIFO or a device is refused before
    it is opened for reading (it could block the worker or never end)."""
    from reportgen.brief.loader import MAX_FILE_BYTES
    from reportgen.fsio import NotRegularFile, TooLarge, read_bounded

    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        message = f"is {exc.kind}, not a regular file; a brief must be a regular YAML file"
    except TooLarge as exc:
        message = f"file is {exc.size:,} bytes or more; a brief may be at most {exc.limit:,}"
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
    raise InputError([Diagnostic(str(path), 1, 1, "", message)])


def output_stat(path: Path) -> tuple[int, int, int, int] | None:
    """(size, mtime_ns, inode, ctime_ns) of the regular file at `path` (not following a link),
    None if there is none. Rewriting a file in place changes its ctime even when its size and
    mtime are put back; replacing it changes its inode."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def file_sha256(path: Path) -> str | None:
    """sha256 of the regular file at `path`; None if there is none (a FIFO planted in OUT
    under an output's name is not read: it could block forever)."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_error(exc: BaseException) -> str:
    """One readable message: user errors as reportgen prints them, bugs with where they hit."""
    if isinstance(exc, ReportgenError):
        return "\n".join(exc.lines())
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    log = crash_log(exc)
    return (f"internal error ({type(exc).__name__}: {exc}){where}"
            + (f"; full traceback in {log}" if log else ""))


def _apply_environment(task: BriefTask) -> None:
    os.chdir(task.cwd)
    if task.source_date_epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = task.source_date_epoch


def failed_result(task: BriefTask, error: str) -> BriefResult:
    """The result for a brief whose worker could not report one (it crashed or was killed)."""
    from reportgen.pipeline import output_path

    outputs = [_failed(fmt, output_path(Path(task.brief), Path(task.out_dir), fmt), task,
                       error, 0.0) for fmt in task.formats]
    return BriefResult(brief=task.brief, error=error, outputs=outputs)
