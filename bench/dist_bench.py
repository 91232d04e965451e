"""Benchmark `reportgen build` beyond one machine: the same briefs built three ways.

    python bench/dist_bench.py                      # N=200, --formats pdf, 2 workers
    python bench/dist_bench.py -n 100 --formats pdf,docx,pptx --workers 2

1. locally, the process pool with --jobs WORKERS (the reference);
2. through Dask: a LocalCluster of WORKERS processes x 1 thread on loopback (allowed-failures
   1, worker-saturation 1.0, as the README asks), `build --scheduler`;
3. as WORKERS shards run at the same time (`--shard K/N --jobs 1`, each into its own OUT),
   then the outputs gathered into one folder and `build --merge` of their reports.

Each build runs as a subprocess, as cron or a CI job would, into an empty folder; the outputs
of 2 and 3 are checked byte for byte against 1. The overhead of 2 and 3 is their wall time
against 1's. The briefs are bench/build_bench.py's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import write_briefs  # noqa: E402

REPORTGEN = [sys.executable, "-m", "reportgen", "build"]


def run(cmd: list[str], expect: int = 0) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def outputs(folder: Path, formats: list[str]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.suffix.lstrip(".") in formats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="number of briefs (default 200)")
    parser.add_argument("--formats", default="pdf", help="formats to build (default pdf)")
    parser.add_argument("--workers", type=int, default=2,
                        help="local jobs, Dask workers and shards (default 2)")
    args = parser.parse_args()
    formats = args.formats.split(",")
    common = ["--formats", args.formats]

    with tempfile.TemporaryDirectory(prefix="reportgen-dist-bench-") as tmp:
        work = Path(tmp)
        briefs = work / "briefs"
        write_briefs(briefs, args.n)

        local, _ = run([*REPORTGEN, str(briefs), "--out", str(work / "local"), *common,
                        "--jobs", str(args.workers)])
        reference = outputs(work / "local", formats)

        import dask
        from distributed import LocalCluster

        with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                              "distributed.scheduler.worker-saturation": 1.0}):
            started = time.perf_counter()
            with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None,
                              silence_logs=40) as cluster:
                cluster_start = time.perf_counter() - started
                on_dask, _ = run([*REPORTGEN, str(briefs), "--out", str(work / "dask"),
                                  *common, "--scheduler", cluster.scheduler_address])
        assert outputs(work / "dask", formats) == reference, "Dask outputs differ"

        started = time.perf_counter()
        shards = []
        for k in range(1, args.workers + 1):
            report = work / f"report-{k}.json"
            cmd = [*REPORTGEN, str(briefs), "--out", str(work / f"shard-{k}"), *common,
                   "--jobs", "1", "--shard", f"{k}/{args.workers}", "--json"]
            sink = report.open("w")
            shards.append((report, sink, subprocess.Popen(
                cmd, stdout=sink, stderr=subprocess.PIPE, text=True)))
        shard_seconds = []
        for _, sink, proc in shards:
            _, stderr = proc.communicate()
            sink.close()
            shard_seconds.append(time.perf_counter() - started)
            if proc.returncode != 0:
                sys.exit(f"shard exited {proc.returncode}:\n{stderr[-2000:]}")
        merged = work / "merged"
        merged.mkdir()
        gather_started = time.perf_counter()
        for k in range(1, args.workers + 1):
            for path in (work / f"shard-{k}").iterdir():
                if path.suffix.lstrip(".") in formats:
                    shutil.copy(path, merged / path.name)
        merge, stdout = run([*REPORTGEN, "--merge", *(str(r) for r, _, _ in shards),
                             "--out", str(merged), "--json"])
        gather = time.perf_counter() - gather_started - merge
        sharded = time.perf_counter() - started
        assert outputs(merged, formats) == reference, "sharded outputs differ"
        assert len(json.loads(stdout)["briefs"]) == args.n

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"reportgen build: {args.n} briefs x {args.formats}, {args.workers} workers on "
          f"{cores} cores, Python {sys.version.split()[0]}")
    print(f"  local pool (--jobs {args.workers}):   {local:7.2f} s   "
          f"{args.n / local:6.1f} briefs/s")
    print(f"  Dask, {args.workers} local workers:    {on_dask:7.2f} s   "
          f"{args.n / on_dask:6.1f} briefs/s   overhead {on_dask / local - 1:+6.1%} "
          f"(+ {cluster_start:.1f} s to start the cluster, not counted)")
    print(f"  {args.workers} shards + merge:       {sharded:7.2f} s   "
          f"{args.n / sharded:6.1f} briefs/s   overhead {sharded / local - 1:+6.1%} "
          f"(shards done at {', '.join(f'{s:.1f}' for s in shard_seconds)} s; gathering "
          f"{gather:.2f} s, merge {merge:.2f} s)")
    print("  outputs of all three: byte-identical")


if __name__ == "__main__":
    main()
