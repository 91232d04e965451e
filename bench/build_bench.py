"""Benchmark `reportgen build`: N generated briefs, briefs per second and peak memory.

    python bench/build_bench.py                     # N=100, --formats pdf, one job per core
    python bench/build_bench.py -n 300 --formats pdf,docx,pptx --jobs 4

The briefs are variants of briefs/pmf-tillerson.yaml (different titles, actor counts and
lengths of text) written to a temporary folder. The build runs as a subprocess, as cron would
run it; while it runs, the whole process tree (the build and its workers) is sampled from
/proc every 100 ms. Peak memory is reported two ways: the largest single process (max RSS)
and the whole tree (sum of PSS, which counts pages the forked workers share only once).
A second, incremental run over the same briefs measures the "nothing changed" case.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "pmf-tillerson.yaml"


def compile_reportgen() -> None:
    """Byte-compile reportgen's modules, as installing its wheel does: a checkout installed in
    editable mode under PYTHONDONTWRITEBYTECODE (as on the CI machine) otherwise compiles
    them from source on every start, ~80-100 ms of each command that users do not pay."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "reportgen"),
                           quiet=1)


def write_briefs(folder: Path, n: int) -> None:
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = dict(sample)
        data["title"] = f"Brief {i + 1:04d}: {sample['title']}"[:150]
        data["actors"] = sample["actors"][: 2 + i % (len(sample["actors"]) - 1)]
        paragraphs = sample["situation"].split("\n\n")
        data["situation"] = "\n\n".join(paragraphs[: 1 + i % len(paragraphs)])
        (folder / f"brief-{i + 1:04d}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak summed PSS of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.peak_processes = pid, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += _children(pid)
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in pids))
            self.peak_processes = max(self.peak_processes, len(pids))
            self.done.wait(0.1)


def run_build(briefs: Path, out: Path, formats: str, jobs: int | None) -> tuple[float, int, int]:
    cmd = [sys.executable, "-m", "reportgen", "build", str(briefs), "--out", str(out),
           "--formats", formats]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    if Path("/proc/self/smaps_rollup").exists():
        sampler.start()
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.done.set()
    if proc.returncode != 0:
        sys.exit(f"reportgen build exited {proc.returncode}:\n{stderr[-2000:]}")
    return seconds, sampler.peak_kib, sampler.peak_processes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="number of briefs (default 100)")
    parser.add_argument("--formats", default="pdf", help="formats to build (default pdf)")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: cores)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="build in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
        work = args.keep or Path(tmp)
        briefs, out = work / "briefs", work / "out"
        write_briefs(briefs, args.n)
        cold, pss_kib, processes = run_build(briefs, out, args.formats, args.jobs)
        max_rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        warm, _, _ = run_build(briefs, out, args.formats, args.jobs)
        files = [p for p in out.iterdir() if p.suffix.lstrip(".") in args.formats.split(",")]
        total_mb = sum(p.stat().st_size for p in files) / 1e6

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"reportgen build: {args.n} briefs x {args.formats}, jobs={args.jobs or cores} "
          f"on {cores} cores, Python {sys.version.split()[0]}")
    print(f"  full build:         {cold:7.2f} s   {args.n / cold:7.1f} briefs/s   "
          f"({len(files)} files, {total_mb:.1f} MB)")
    print(f"  nothing changed:    {warm:7.2f} s   {args.n / warm:7.1f} briefs/s")
    print(f"  peak memory:        {max_rss_kib / 1024:7.1f} MiB max RSS of one process; "
          + (f"{pss_kib / 1024:.1f} MiB PSS of the whole tree ({processes} processes)"
             if pss_kib else "tree not sampled (no /proc)"))


if __name__ == "__main__":
    main()
