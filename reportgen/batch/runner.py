"""One build run: discover, lock the output folder, sweep, skip in the parent what the manifest
shows is up to date (batch.uptodate), build the rest in workers, record, index."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reportgen.batch.discover import (
    RealPaths,
    Shard,
    collision_message,
    discover_some,
    output_collisions,
)
from reportgen.batch.executors import check_scheduler_address, make_executor
from reportgen.batch.index import INDEX_NAME, render_index
from reportgen.batch.lock import BuildLock
from reportgen.batch.manifest import (
    MANIFEST_NAME,
    Manifest,
    place_if_changed,
    valid_output_stem,
)
from reportgen.batch.pool import run_tasks
from reportgen.batch.report import BuildReport, BuildUI, printable
from reportgen.batch.uptodate import FileDigests, up_to_date
from reportgen.batch.worker import BriefResult, BriefTask, failed_result
from reportgen.errors import UsageError, WriteError
from reportgen.writers import FORMATS

DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class BuildOptions:
    paths: tuple[Path, ...] = (Path("briefs"),)
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = FORMATS
    jobs: int | None = None  # None: one per available core
    force: bool = False
    verify: bool = False  # re-hash outputs instead of trusting their size, mtime and ctime
    prune: bool = False
    shard: Shard | None = None
    templates: Path | None = None
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per brief; None: no limit
    scheduler: str | None = None  # a Dask scheduler's address: build there (batch.executors)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_build(options: BuildOptions, ui: BuildUI | None = None) -> BuildReport:
    """Build, record and index; returns the report (its exit_code says if anything failed).

    Raises UsageError for bad options and LockedError if another build holds the folder.
    """
    from reportgen.clock import source_date_epoch

    started = time.perf_counter()
    ui = ui or BuildUI()
    jobs = options.jobs or default_jobs()
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}: need at least 1")
    if options.timeout is not None and not options.timeout > 0:
        raise UsageError(f"--timeout {options.timeout:g}: need a number of seconds above 0")
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    epoch = source_date_epoch()  # a bad one is a usage error, found once
    if options.scheduler:
        check_scheduler_address(options.scheduler)
    out_dir = Path(options.out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: is a file, not a folder")

    every_brief = discover_some(list(options.paths))
    collisions = output_collisions(every_brief)
    if options.shard:
        from reportgen.batch.shards import select

        # By the briefs alone (their sizes), never by this machine's manifest: each shard
        # keeps its own OUT, and splits made from different manifests would drop briefs.
        selected = select(options.shard, every_brief)
    else:
        selected = every_brief

    report = BuildReport(out_dir=str(out_dir), formats=options.formats, jobs=jobs,
                         forced=options.force,
                         shard=str(options.shard) if options.shard else None,
                         discovered=len(every_brief))
    # (run_tasks looked up when it runs: tests watch what is handed to workers)
    executor = make_executor(options.scheduler, jobs, lambda *args: run_tasks(*args))
    with BuildLock(out_dir):
        _refuse_folders(out_dir, (MANIFEST_NAME, INDEX_NAME))
        report.swept += [str(p) for p in _sweep(out_dir)]
        manifest = Manifest.load(out_dir)
        if manifest.warning:
            report.warnings.append(manifest.warning)
        for line in [*(f"removed {p}, left by an interrupted run" for p in report.swept),
                     *report.warnings]:
            ui.log(line)

        cwd = os.getcwd()

        def task_for(brief: Path) -> BriefTask:
            return BriefTask(
                brief=str(brief), formats=options.formats, out_dir=str(out_dir),
                cwd=cwd, templates=str(options.templates) if options.templates else None,
                source_date_epoch=epoch, force=options.force,
                previous=manifest.previous(brief.stem))

        results: list[BriefResult] = []
        real = RealPaths()
        sources = {str(b): real(b) for b in selected}
        tasks = []
        digests = FileDigests()
        for brief in selected:
            if refusal := _name_refusal(brief, sources[str(brief)]):
                # Not recorded: the manifest and index.html hold only names OUT can hold.
                result = failed_result(task_for(brief), refusal)
                result.brief = printable(str(brief))
                results.append(result)
            elif brief in collisions:
                result = failed_result(task_for(brief), (
                    f"{brief}: {collision_message(brief, collisions[brief], out_dir)}. "
                    "Neither was built."))
                manifest.record(brief.stem, sources[str(brief)], result)
                results.append(result)
            else:
                task = task_for(brief)
                skipped = up_to_date(task, manifest.briefs.get(brief.stem), sources[str(brief)],
                                     digests, verify=options.verify)
                if skipped is None:
                    tasks.append(task)
                else:
                    if options.verify:  # the entry is as recorded, but for a new stat
                        manifest.record(brief.stem, sources[str(brief)], skipped)
                    results.append(skipped)

        # 0 workers when the manifest shows everything is up to date: none is started,
        # and no cluster is asked for.
        if tasks:
            try:
                executor.start(ui.log)
            except BaseException:
                executor.close()
                raise
            if options.scheduler:
                report.jobs = executor.workers(10**9)
        ui.start(len(selected), options.formats, executor.workers(len(tasks)), str(out_dir),
                 report.shard)
        for result in results:
            ui.advance(result)

        def on_result(task: BriefTask, result: BriefResult) -> None:
            manifest.record(Path(task.brief).stem, sources[task.brief], result)
            results.append(result)
            ui.advance(result)

        try:
            with _sigterm_interrupts():
                executor.run(tasks, on_result, options.timeout)
        except KeyboardInterrupt:
            # Ctrl-C, or SIGTERM from a timeout: keep a record of what was finished.
            _save(manifest, out_dir)
            ui.interrupted(len(results), len(selected))
            raise
        finally:
            executor.close()
            # A worker killed mid-write leaves a temporary file; the run still holds the lock.
            report.swept += [str(p) for p in _sweep(out_dir)]

        if options.prune:
            pruned, problems = manifest.prune(out_dir, {b.stem for b in every_brief})
            report.pruned = [str(p) for p in pruned]
            report.warnings += problems
            for path in report.pruned:
                ui.log(f"pruned  {path} (its brief no longer exists)")
            for line in problems:
                ui.log(line)
        _save(manifest, out_dir)

    report.briefs = sorted(results, key=lambda r: Path(r.brief).as_posix())
    report.seconds = time.perf_counter() - started
    ui.finish(report)
    return report


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM (systemd stop, `timeout`, CI cancel) into KeyboardInterrupt meanwhile."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _name_refusal(brief: Path, resolved: Path) -> str | None:
    """Why a brief cannot be built under its file name, or None if it can."""
    try:
        str(resolved).encode("utf-8")
    except UnicodeEncodeError:
        return (f"{printable(str(brief))}: the file name is not valid UTF-8, so its outputs "
                "could not be named in the manifest, index.html or the JSON report; rename it "
                "(the bytes that are not UTF-8 are shown as \\xNN)")
    if not valid_output_stem(brief.stem):
        return (f"{brief}: its outputs would be named like the temporary files a build "
                "sweeps (a leading '.' and '.tmp-'), so they would be deleted; rename it")
    return None


def _refuse_folders(out_dir: Path, names: tuple[str, ...]) -> None:
    """Before any work: a folder where the build must replace a file would fail it at the
    end, after every brief was built for nothing."""
    for name in names:
        if (out_dir / name).is_dir() and not (out_dir / name).is_symlink():
            raise WriteError(f"reportgen: {out_dir / name} is a folder, where the build keeps "
                             "a file of its own; move it away and run again")


def _save(manifest: Manifest, out_dir: Path) -> None:
    """Write the manifest and index.html (if they changed); WriteError if OUT refuses."""
    manifest.save()
    place_if_changed(out_dir / INDEX_NAME, render_index(manifest.briefs, out_dir))


def _sweep(out_dir: Path) -> list[Path]:
    from reportgen.fsio import sweep_partial_files

    return sweep_partial_files(out_dir)
