"""Worker processes for a build: each runs one brief at a time; a crash costs one brief.

Why not ProcessPoolExecutor: when one of its workers dies (the OOM killer, a segfault in a C
library, SIGKILL) the whole pool breaks and every queued brief fails with it, without saying
which brief was running. Here the parent hands one task at a time to each worker over the
worker's own pipe, so it knows which brief a dead worker was building, reports that brief as
failed and starts a fresh worker for the rest. A brief that runs past the time limit is
failed the same way: its worker is killed and replaced.

Memory: after each brief a worker collects garbage, and when an unusually large brief has
left it holding more than RELEASE_ABOVE_MIB it hands the freed heap back to the system
(glibc's malloc_trim), so it does not keep the high-water mark of the largest brief so far;
and it is replaced after MAX_TASKS_PER_WORKER briefs, so caches and heap fragmentation cannot
grow without bound over a night of 10,000.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from multiprocessing.connection import wait

from reportgen.batch.worker import BriefResult, BriefTask, build_brief, failed_result

ResultHandler = Callable[[BriefTask, BriefResult], None]

# A fresh worker costs an import of the writers (0.2-0.4 s); after this many briefs that is
# under 1 % of its time.
MAX_TASKS_PER_WORKER = 200

# The resident size, after a brief, above which a worker hands freed heap back to the system.
# Ordinary briefs leave a worker at 75-115 MiB (one to three formats), and trimming after each
# of them bought nothing: glibc reuses the freed heap for the next brief, so the peak was the
# same (79.9 against 79.8 MiB, 1,000 memos), and the next brief faults the handed-back pages
# in again. Above this, the brief just built was an outlier (thousands of actors) and its
# heap goes back.
RELEASE_ABOVE_MIB = 128


def run_tasks(tasks: Iterable[BriefTask], jobs: int, on_result: ResultHandler,
              timeout: float | None = None, max_tasks_per_worker: int | None = None) -> None:
    """Run every task in up to `jobs` worker processes, calling on_result as each finishes.

    A task still running `timeout` seconds after it was handed out fails: its worker is
    killed and replaced, and the others go on. A worker that has run `max_tasks_per_worker`
    tasks (default MAX_TASKS_PER_WORKER) is stopped and replaced by a fresh one.
    """
    share = max_tasks_per_worker or MAX_TASKS_PER_WORKER
    pending = deque(tasks)
    if not pending:
        return
    import gc

    ctx = _context()
    # the parent freezes the writers' objects for the workers it forks, and unfreezes them
    # when they are done, unless the caller had frozen objects of its own (left as they are)
    forking = ctx.get_start_method() == "fork"
    unfreeze = forking and gc.get_freeze_count() == 0
    if forking:
        _import_writers({fmt for task in pending for fmt in task.formats})
    workers: list[_Worker] = []
    try:
        for _ in range(min(jobs, len(pending))):
            workers.append(_Worker(ctx))  # one by one: a failed start stops those started
        while pending or any(w.task for w in workers):
            for i, worker in enumerate(workers):
                while worker.task is None and pending:
                    task = pending.popleft()
                    if worker.give(task):
                        break
                    # It died between tasks: put the task back and start a fresh worker.
                    pending.appendleft(task)
                    worker.stop()
                    workers[i] = worker = _Worker(ctx)
            busy = [w for w in workers if w.task is not None]
            wait_for = None
            if timeout is not None:
                # Capped: an hour-long wait is re-armed, and a huge --timeout never overflows.
                wait_for = min(3600.0, max(
                    0.0, min(w.started for w in busy) + timeout - time.monotonic()))
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             timeout=wait_for))
            now = time.monotonic()
            for i, worker in enumerate(workers):
                if worker.task is None:
                    continue
                task = worker.task
                if {worker.conn, worker.process.sentinel} & ready:
                    result = worker.collect()
                    if result is None:
                        result = failed_result(task, worker.death_message())
                elif timeout is not None and now - worker.started >= timeout:
                    worker.kill()  # first: a rename it makes later would change the result
                    result = failed_result(task, (
                        f"timed out after {timeout:g} s (--timeout); the worker building it "
                        "was stopped and the other briefs went on"))
                else:
                    continue
                if worker.task is not None:  # it died or was stopped: replace it
                    worker.task = None
                    worker.stop()
                    if pending:
                        workers[i] = _Worker(ctx)
                elif pending and worker.done >= share:
                    worker.stop()  # it has done its share: a fresh one starts from the parent
                    workers[i] = _Worker(ctx)
                on_result(task, result)
    except BaseException:
        for worker in workers:
            worker.kill()
        raise
    finally:
        for worker in workers:
            worker.stop()
        if unfreeze:
            gc.unfreeze()  # a process that builds again (tests, a service) collects as before


class _Worker:
    def __init__(self, ctx):
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child_conn, os.getpid()),
                                   name="reportgen-build-worker", daemon=True)
        self.process.start()
        child_conn.close()
        self.task: BriefTask | None = None
        self.started = 0.0  # when the current task was handed out (time.monotonic)
        self.done = 0  # tasks it has finished

    def give(self, task: BriefTask) -> bool:
        try:
            self.conn.send(task)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return False
        self.task = task
        self.started = time.monotonic()
        return True

    def collect(self) -> BriefResult | None:
        """The finished task's result, or None if the worker died without sending one."""
        result = None
        try:
            if self.conn.poll():
                result = self.conn.recv()
        except (EOFError, ConnectionResetError, OSError):
            result = None
        if result is None:
            self.process.join(timeout=5)
        else:
            self.task = None
            self.done += 1
        return result

    def death_message(self) -> str:
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        return (f"the worker process building this brief died ({how}) before it could report; "
                "the next run retries it (a killed worker often means the machine ran out of "
                "memory)")

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=10)
        self.kill()
        self.conn.close()

    def kill(self) -> None:
        """Stop the process now: SIGTERM (its default action ends it even inside C code),
        then SIGKILL if it is still there a second later."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _import_writers(formats: set[str]) -> None:
    """Import the pipeline and the writers of `formats` here, in the parent, once there is
    work: every forked worker, the first and each replacement (after a --timeout, or every
    MAX_TASKS_PER_WORKER briefs), then starts with them loaded instead of spending 0.5-0.8 s
    of its first brief importing them. A no-op build never gets here.

    The imports run with the collector's young threshold raised (launch.ONE_RENDER_GC_THRESHOLD:
    what they make lives to the end, and the collections that walked it again were ~30 ms of
    the parent before it forks), and what they made is then frozen: the workers' collections,
    their first brief's among them, no longer walk the modules' objects either. Not collected
    first: gc.freeze's documentation asks for no freed holes in the pages the workers share;
    run_tasks unfreezes them once its workers are done."""
    import gc

    from reportgen.launch import ONE_RENDER_GC_THRESHOLD

    before = gc.get_threshold()
    gc.set_threshold(*ONE_RENDER_GC_THRESHOLD)
    try:
        from reportgen.pipeline import prepare  # noqa: F401 - the brief models, the plan
        from reportgen.writers import get_writer

        if "pdf" in formats:  # loaded once here, not by each worker's first Arabic brief
            with contextlib.suppress(ImportError):
                import uharfbuzz

                _ = uharfbuzz.Buffer  # a stand-in put in by an earlier import loads now

        for fmt in sorted(formats):
            get_writer(fmt).load()
    finally:
        gc.set_threshold(*before)
    gc.freeze()


def _context():
    # fork: workers start at once with what the parent has imported. Nothing in the parent
    # runs a thread (the progress bar is refreshed by hand), so forking is safe. Elsewhere
    # (macOS, where fork is unsafe) spawn: each worker imports reportgen afresh.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _worker_main(conn, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler (fork copies it)
    _die_with_parent(parent_pid)
    # The first brief imports what the writers load lazily and fills their caches: with the
    # young threshold raised, as in the parent's imports; the default is back after it.
    import gc

    from reportgen.launch import ONE_RENDER_GC_THRESHOLD

    default = gc.get_threshold()
    gc.set_threshold(*ONE_RENDER_GC_THRESHOLD)
    done = 0
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result = build_brief(task)
        except BaseException as exc:  # noqa: BLE001 - a worker always answers
            from reportgen.batch.worker import describe_error

            result = failed_result(task, describe_error(exc))
        conn.send(result)
        done += 1
        release_memory(freeze=done == 1)
        if done == 1:
            gc.set_threshold(*default)


def release_memory(freeze: bool = False, above_mib: float = RELEASE_ABOVE_MIB) -> None:
    """Free what the last brief left: garbage cycles (python-docx and python-pptx trees hold
    some), then, if the process is still resident above `above_mib`, the heap glibc keeps for
    reuse (malloc_trim; a no-op elsewhere). Neither changes an output.

    After the first brief (`freeze`) a full collection runs, and what is left then (modules,
    the writers' caches) is moved out of the collector's sight. After the others only the
    young generations are collected, where the brief's own cycles are: a full collection also
    scans what the bounded caches have gathered since, and took 1 ms after the second brief
    but 6-10 ms by the fiftieth (0.9 ms for the young ones). Older garbage is left to
    Python's own full collections. Cycles among frozen objects are never collected; a worker
    is replaced after MAX_TASKS_PER_WORKER briefs anyway."""
    import gc

    gc.collect() if freeze else gc.collect(1)
    if freeze:
        gc.freeze()
    trim = _malloc_trim()
    if trim is not None and resident_mib() > above_mib:
        trim(0)


def resident_mib() -> float:
    """This process's resident size (Linux's /proc/self/statm); 0.0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@functools.cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def _die_with_parent(parent_pid: int) -> None:
    """On Linux, have the kernel SIGKILL this worker if the build process dies.

    Otherwise a build killed with SIGKILL would leave workers finishing their briefs after
    the lock is gone, racing the next run.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
