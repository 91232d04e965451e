"""Where a build's briefs run: the local process pool (default) or a Dask cluster.

Both take the briefs the parent could not skip and call `on_result(task, result)` in the
parent as each finishes; the lock, the sweep, the manifest, the report and index.html stay
with the caller, which owns OUT. Dask (`--scheduler`, `DASK_SCHEDULER_ADDRESS`) is imported
only when it is asked for.

Not a concurrent.futures.Executor for the local pool: its parent must run no thread (it forks
workers) and must know which worker holds which brief to survive a crash, which a
ProcessPoolExecutor does not tell. The Dask executor does use Dask's futures.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections import deque
from collections.abc import Callable, Iterable

from reportgen.batch.worker import BriefResult, BriefTask, failed_result
from reportgen.errors import ReportgenError

ResultHandler = Callable[[BriefTask, BriefResult], None]
Logger = Callable[[str], None]

EXIT_UNAVAILABLE = 69  # sysexits.h EX_UNAVAILABLE: the cluster cannot be used
# Briefs handed to the cluster and not yet written, per worker thread; as many again are
# packed ahead on the client. Each holds its inputs (a brief is at most 1 MB, pictures 3 x
# 10 MB, reference documents 20 MB each) until it is sent, then its result
# (remote.MAX_RESULT_BYTES at most) until it is written: with 10,000 briefs to build, the
# client holds about two per worker thread, never the 10,000, and the rest are not even read
# yet. One in flight, not more: each brief starts as soon as it is handed out, so --timeout
# counts its own time, and a worker that dies holds no other brief.
IN_FLIGHT_PER_THREAD = 1


class ClusterError(ReportgenError):
    """The Dask cluster cannot be used: unreachable, no worker, or a worker that differs."""

    exit_code = EXIT_UNAVAILABLE


class LocalExecutor:
    """The process pool of batch.pool: forked workers, one brief at a time each."""

    def __init__(self, jobs: int, run_tasks: Callable | None = None):
        self.jobs = jobs
        self.run_tasks = run_tasks

    def start(self, log: Logger) -> None:
        pass

    def workers(self, tasks: int) -> int:
        return min(self.jobs, tasks)

    def run(self, tasks: list[BriefTask], on_result: ResultHandler,
            timeout: float | None) -> None:
        if self.run_tasks is None:
            from reportgen.batch.pool import run_tasks

            self.run_tasks = run_tasks
        self.run_tasks(tasks, self.jobs, on_result, timeout)

    def close(self) -> None:
        pass


class DaskExecutor:
    """Briefs as Dask tasks: packed on the client (batch.remote), built on the workers, the
    bytes written by the client as they arrive, with a bounded number in flight."""

    def __init__(self, address: str):
        self.address = address
        self.connect_timeout = 30.0
        self.client = None
        self.environment: dict[str, str] = {}

    def start(self, log: Logger) -> None:
        """Connect, wait for a worker, and refuse a cluster whose workers differ."""
        from reportgen.batch.remote import worker_environment

        try:
            import dask
            from dask.utils import parse_timedelta
            from distributed import Client
        except ImportError:
            raise ClusterError(
                f"--scheduler {self.address}: Dask is not installed; install it with "
                "pip install 'reportgen[dask]'") from None
        # Dask's own setting (distributed.comm.timeouts.connect, 30 s unless changed, e.g. by
        # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT): to reach the scheduler, then a worker.
        self.connect_timeout = parse_timedelta(
            dask.config.get("distributed.comm.timeouts.connect"), default="seconds")
        try:
            self.client = Client(self.address, timeout=self.connect_timeout,
                                 set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"--scheduler {self.address}: cannot reach the Dask scheduler "
                               f"({exc}); is it running, and is the address right?") from None
        try:
            self.client.wait_for_workers(1, timeout=self.connect_timeout)
        except TimeoutError:
            self.close()
            raise ClusterError(f"--scheduler {self.address}: no Dask worker joined within "
                               f"{self.connect_timeout:g} s; start some with "
                               f"`dask worker {self.address} --nthreads 1`") from None
        self.environment = worker_environment()
        self.check_workers()
        allowed, saturation = self.client.run_on_scheduler(_retry_settings)
        if allowed != 1:
            log(f"note: the Dask scheduler retries a brief whose worker died {allowed} "
                "time(s) (distributed.scheduler.allowed-failures); set it to 1 so that such a "
                "brief is retried once on another worker and then reported as failed")
        if saturation != 1.0:
            log(f"note: the Dask scheduler hands each worker thread up to {saturation} tasks "
                "(distributed.scheduler.worker-saturation); set it to 1.0 so that a worker "
                "that dies holds no brief but the one it was building")

    def check_workers(self) -> None:
        from reportgen.batch.remote import environment_mismatch, worker_environment

        found = self.client.run(worker_environment)
        problems = [f"the Dask worker {address} {problem}"
                    for address, env in sorted(found.items())
                    if (problem := environment_mismatch(self.environment, env))]
        if problems:
            self.close()
            raise ClusterError(
                "; ".join(problems) + ". Every worker must run the client's reportgen and "
                "fonts, or the outputs would not be the bytes a local build writes; nothing "
                "was built. Reinstall those workers from the client's environment")

    def threads(self) -> int:
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - the scheduler went away: the run fails below
            return 1

    def workers(self, tasks: int) -> int:
        return min(self.threads(), tasks)

    def run(self, tasks: Iterable[BriefTask], on_result: ResultHandler,
            timeout: float | None) -> None:
        from reportgen.batch.remote import apply, build_remote, pack

        client = self.client
        pending = deque(tasks)
        ready: deque = deque()  # packed and waiting for a free worker thread
        done: queue.Queue = queue.Queue()
        in_flight: dict = {}  # future -> (task, packed, submitted at)
        limit, limit_checked = 0, 0.0

        def submit() -> None:
            task, packed = ready.popleft()
            future = client.submit(build_remote, packed, pure=False,
                                   key=f"reportgen-build-{_key(task)}")
            in_flight[future] = (task, packed, time.monotonic())
            future.add_done_callback(done.put)

        try:
            while pending or ready or in_flight:
                now = time.monotonic()
                if now - limit_checked > 2.0:  # workers come and go
                    limit, limit_checked = IN_FLIGHT_PER_THREAD * self.threads(), now
                # Pack ahead (the next brief for each thread), so a thread that finishes gets
                # its next brief without waiting for the client to read one.
                while pending and len(ready) < limit:
                    task = pending.popleft()
                    packed = pack(task, self.environment)
                    if isinstance(packed, BriefResult):  # it cannot even be loaded
                        on_result(task, packed)
                    else:
                        ready.append((task, packed))
                    while ready and len(in_flight) < limit:
                        submit()
                while ready and len(in_flight) < limit:
                    submit()
                if not in_flight:
                    continue
                wait_for = 1.0
                if timeout is not None:
                    oldest = min(submitted for _, _, submitted in in_flight.values())
                    wait_for = max(0.0, min(wait_for, oldest + timeout - time.monotonic()))
                finished = []
                try:
                    finished.append(done.get(timeout=wait_for))
                    while True:
                        finished.append(done.get_nowait())
                except queue.Empty:
                    pass
                finished = [f for f in finished if f in in_flight]
                outcomes = [(f, *in_flight.pop(f)[:2]) for f in finished]
                while ready and len(in_flight) < limit:  # first keep the workers busy
                    submit()
                for future, task, packed in outcomes:
                    on_result(task, self._outcome(future, task, packed, apply))
                if timeout is not None:
                    now = time.monotonic()
                    for future, (task, _, submitted) in list(in_flight.items()):
                        if now - submitted >= timeout:
                            del in_flight[future]
                            future.cancel()
                            on_result(task, failed_result(task, (
                                f"timed out after {timeout:g} s (--timeout); its result, if "
                                "the Dask worker ever sends one, is discarded, and the other "
                                "briefs went on")))
        except BaseException:
            for future in in_flight:
                future.cancel()
            raise

    @staticmethod
    def _outcome(future, task: BriefTask, packed, apply) -> BriefResult:
        try:
            status = future.status
            if status == "finished":
                return apply(packed, future.result())
            exc = future.exception() if status == "error" else None
        except Exception as error:  # noqa: BLE001 - the future itself could not be read
            exc = error
        finally:
            future.release()
        from distributed import KilledWorker

        if isinstance(exc, KilledWorker):
            last = getattr(getattr(exc, "last_worker", None), "address", None) or "unknown"
            return failed_result(task, (
                "the worker process building this brief died (the Dask worker "
                f"{last}, after a retry on another worker) before it could report; the next "
                "run retries it (a killed worker often means the machine ran out of memory)"))
        what = f"{type(exc).__name__}: {exc}" if exc is not None else f"the task {status}"
        return failed_result(task, f"internal error on the Dask cluster ({what})")

    def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            # a client that lost its scheduler may fail to close; the run is over anyway
            with contextlib.suppress(Exception):
                client.close(timeout=10)


def _retry_settings(dask_scheduler) -> tuple[int, float]:
    """How often the scheduler retries a task whose worker died, and how many tasks it hands
    each worker thread at once (a dying worker takes all of those with it)."""
    return dask_scheduler.allowed_failures, dask_scheduler.WORKER_SATURATION


def _key(task: BriefTask) -> str:
    import re
    import uuid
    from pathlib import Path

    stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(task.brief).stem)[:60]
    return f"{stem}-{uuid.uuid4().hex[:12]}"


def check_scheduler_address(address: str) -> None:
    """UsageError unless `address` looks like SCHEME://HOST:PORT (no Dask import: checked with
    the other options, before anything is done). One that fails to connect is found later."""
    from urllib.parse import urlsplit

    from reportgen.errors import UsageError

    problem = None
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        port = parts.port
    except ValueError as exc:
        parts, port, problem = None, None, str(exc)
    # tcp only: tls:// and wss:// need certificates set up in Dask's own configuration, which
    # this command does not take (it failed deep inside Dask without them)
    if parts is not None and parts.scheme != "tcp":
        problem = f"protocol {parts.scheme!r}; reportgen connects over tcp:// only"
    elif parts is not None and (not parts.hostname or port is None or parts.path):
        problem = "no host" if not parts.hostname else "no port" if port is None else \
            "a path after the port"
    elif parts is not None and (parts.query or parts.fragment or "@" in parts.netloc):
        problem = "a user, query or fragment"
    if problem:
        raise UsageError(f"--scheduler {address!r}: not the address of a Dask scheduler "
                         f"({problem}); expected tcp://HOST:PORT, e.g. "
                         "tcp://scheduler.example.org:8786")


def make_executor(scheduler: str | None, jobs: int,
                  run_tasks: Callable | None = None) -> LocalExecutor | DaskExecutor:
    """Dask when a scheduler's address is given, else the local pool (batch.pool.run_tasks,
    or the `run_tasks` given)."""
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(jobs, run_tasks)
