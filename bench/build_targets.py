"""The build targets of issue 15, each with its figure and PASS/FAIL, in one run.

    python bench/build_targets.py                       # all four
    python bench/build_targets.py --only full,pandoc    # some of them
    python bench/build_targets.py --noop-n 200          # a smaller night

  full    100 distinct briefs x pdf,docx,pptx, 2 jobs, into an empty folder: >= 20 briefs/s
  pandoc  docx+pptx of the same 100 briefs against pandoc md->docx and md->pptx of the same
          content (one pandoc process per file, 2 at a time): reportgen >= 1.5x faster
          (skipped, with a message, where pandoc is not installed)
  memory  1,000 briefs of one format (docx), 2 jobs: peak RSS of any worker <= 100 MiB
          (VmHWM of each worker process, sampled from /proc every 50 ms)
  noop    the same 1,000 built again with nothing changed: <= 0.5 s (median of 5 runs of the
          whole `reportgen build` process; the in-process time from the JSON report is shown
          beside it, the rest is interpreter and CLI start-up)

The briefs are variants of briefs/pmf-tillerson.yaml (build_bench.write_briefs: title, number
of actors, length of the situation) whose text is further varied here, so no two are alike.
Builds run as subprocesses, as cron runs them; the font caches are warmed first by a build of
two briefs in every format that is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import _children, compile_reportgen, write_briefs  # noqa: E402

TARGET_BRIEFS_PER_S = 20.0
TARGET_PANDOC_RATIO = 1.5
TARGET_NOOP_S = 0.5
TARGET_WORKER_MIB = 100.0

# Words swapped brief by brief so the texts differ throughout, not only in their titles
# (all in the sample's own character repertoire, so no brief needs a glyph the others lack).
_SWAPS = [("angry", "sharp"), ("leaders", "commanders"), ("Iraq", "the Iraqi state"),
          ("militias", "armed groups"), ("withdrawal", "pull-out"), ("official", "formal"),
          ("coalition", "alliance"), ("propaganda", "messaging"), ("troops", "forces")]


def write_distinct_briefs(folder: Path, n: int) -> list[Path]:
    """n briefs, no two with the same text: build_bench's variants, with words swapped and a
    numbered sentence added to the summary and outlook of each."""
    write_briefs(folder, n)
    paths = sorted(folder.glob("brief-*.yaml"))
    for i, path in enumerate(paths):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for k, (old, new) in enumerate(_SWAPS):
            if (i >> k) & 1:
                for key in ("summary", "situation"):
                    data[key] = data[key].replace(old, new)
        data["summary"] += f" This is update {i + 1} of the series, issued on day {i % 28 + 1}."
        data["outlook"] = [*data["outlook"][i % 2:], f"Watch item {i + 1}: a follow-up note "
                           f"is due within {i % 9 + 2} days."]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return paths


def brief_markdown(data: dict) -> str:
    """The brief's text as pandoc Markdown: what a pandoc pipeline would be given."""
    lines = [f"% {data['title']}", f"% {data.get('subtitle', '')}", f"% {data['date']}", ""]
    memo = data.get("memo") or {}
    if memo:
        lines += [f"**To:** {memo.get('to', '')}  ", f"**Subject:** {memo.get('subject', '')}",
                  ""]
    lines += ["# Summary", "", data["summary"], "", "# Situation", "", data["situation"], "",
              "# Actors", ""]
    for actor in data.get("actors", []):
        lines += [f"## {actor['name']}", "",
                  f"*{actor.get('role', '')}, {actor.get('affiliation', '')}*", "",
                  actor.get("stance", ""), ""]
        if actor.get("quote"):
            lines += [f"> {actor['quote']}", f"> — {actor.get('quote_source', '')}", ""]
    leverage = data.get("leverage") or {}
    if leverage:
        lines += [f"# Leverage: {leverage.get('holder', '')}", ""]
        lines += [f"- {p}" for p in leverage.get("points", [])] + [""]
    if data.get("outlook"):
        lines += ["# Outlook", ""] + [f"- {p}" for p in data["outlook"]] + [""]
    if data.get("sources"):
        lines += ["# Sources", ""]
        lines += [f"- {s.get('title', '')} {s.get('url', '')}".rstrip()
                  for s in data["sources"]] + [""]
    return "\n".join(lines)


# --- running builds --------------------------------------------------------------------------


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class WorkerPeaks(threading.Thread):
    """Peak VmHWM of every child of a process (the build's workers), by pid."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peaks = pid, {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for child in _children(self.pid):
                self.peaks[child] = max(self.peaks.get(child, 0), _vm_hwm_kib(child))
            self.done.wait(0.05)


def reportgen_build(briefs: Path, out: Path, formats: str, jobs: int = 2,
                    sample_workers: bool = False) -> tuple[float, dict, dict[int, int]]:
    """(wall seconds, JSON report, worker pid -> peak KiB) of one `reportgen build`."""
    cmd = [sys.executable, "-m", "reportgen", "build", str(briefs), "--out", str(out),
           "--formats", formats, "--jobs", str(jobs), "--json"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = WorkerPeaks(proc.pid)
    if sample_workers:
        sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.done.set()
    if proc.returncode not in (0, 1):
        sys.exit(f"reportgen build exited {proc.returncode}:\n{stderr[-2000:]}")
    report = json.loads(stdout)
    if proc.returncode == 1:  # a failed brief: say so, and count what was built
        failed = [o["error"] for b in report["briefs"] for o in b["outputs"]
                  if o["status"] in ("failed", "stale")]
        print(f"  (warning: {len(failed)} outputs failed, e.g. {failed[0][:200]})")
    return seconds, report, sampler.peaks


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def warm_up(work: Path) -> None:
    briefs = work / "warm-briefs"
    write_distinct_briefs(briefs, 2)
    reportgen_build(briefs, work / "warm-out", "pdf,docx,pptx")


def bench_full(briefs: Path, work: Path) -> None:
    n = len(list(briefs.glob("*.yaml")))
    seconds, report, _ = reportgen_build(briefs, work / "out-full", "pdf,docx,pptx")
    rate = report["counts"]["built"] / 3 / seconds
    print(f"full build, {n} briefs x 3 formats, 2 jobs: {seconds:6.2f} s = {rate:5.1f} briefs/s "
          f"(target >= {TARGET_BRIEFS_PER_S:g})  {verdict(rate >= TARGET_BRIEFS_PER_S)}")


def bench_pandoc(briefs: Path, work: Path) -> None:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        print("pandoc comparison: SKIPPED (pandoc is not installed; e.g. apt-get install "
              "pandoc)")
        return
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    md_dir, pandoc_out = work / "markdown", work / "out-pandoc"
    md_dir.mkdir(exist_ok=True)
    pandoc_out.mkdir(exist_ok=True)
    sources = []
    for path in sorted(briefs.glob("*.yaml")):
        md = md_dir / f"{path.stem}.md"
        md.write_text(brief_markdown(yaml.safe_load(path.read_text(encoding="utf-8"))),
                      encoding="utf-8")
        sources.append(md)
    jobs = [(md, pandoc_out / f"{md.stem}.{ext}") for md in sources for ext in ("docx", "pptx")]

    def convert(job: tuple[Path, Path]) -> None:
        subprocess.run([pandoc, str(job[0]), "-o", str(job[1])], check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(convert, jobs))
    pandoc_s = time.perf_counter() - started
    ours_s, report, _ = reportgen_build(briefs, work / "out-docx-pptx", "docx,pptx")
    ratio = pandoc_s / ours_s
    print(f"docx+pptx of {len(sources)} briefs: reportgen {ours_s:6.2f} s, {version} "
          f"{pandoc_s:6.2f} s: reportgen is {ratio:4.2f}x pandoc's speed "
          f"(target >= {TARGET_PANDOC_RATIO:g}x)  {verdict(ratio >= TARGET_PANDOC_RATIO)}")


def bench_memory_and_noop(work: Path, n: int, fmt: str, which: set[str]) -> None:
    briefs, out = work / "briefs-many", work / "out-many"
    write_distinct_briefs(briefs, n)
    seconds, report, peaks = reportgen_build(briefs, out, fmt, sample_workers=True)
    if "memory" in which:
        peak_mib = max(peaks.values(), default=0) / 1024
        print(f"memory, {n} briefs x {fmt}, 2 jobs ({seconds:.1f} s, {len(peaks)} worker "
              f"processes): peak worker RSS {peak_mib:6.1f} MiB "
              f"(target <= {TARGET_WORKER_MIB:g})  {verdict(0 < peak_mib <= TARGET_WORKER_MIB)}")
    if "noop" in which:
        runs = [reportgen_build(briefs, out, fmt) for _ in range(5)]
        assert all(r[1]["counts"]["skipped"] == report["counts"]["built"] for r in runs)
        wall = statistics.median(r[0] for r in runs)
        inside = statistics.median(r[1]["seconds"] for r in runs)
        print(f"no-op build, {n} briefs x {fmt}: {wall:6.2f} s whole process, {inside:5.2f} s "
              f"in run_build (median of 5; target <= {TARGET_NOOP_S:g} s)  "
              f"{verdict(wall <= TARGET_NOOP_S)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="full,pandoc,memory,noop",
                        help="comma-separated: full, pandoc, memory, noop (default: all)")
    parser.add_argument("-n", type=int, default=100, help="briefs for full/pandoc (100)")
    parser.add_argument("--noop-n", type=int, default=1000,
                        help="briefs for memory/noop (1000)")
    parser.add_argument("--noop-format", default="docx", help="format for memory/noop (docx)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    compile_reportgen()  # as installed from the wheel: see build_bench.compile_reportgen
    which = {w.strip() for w in args.only.split(",") if w.strip()}

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"reportgen build targets on {cores} cores, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="reportgen-targets-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        warm_up(work)
        if which & {"full", "pandoc"}:
            briefs = work / "briefs"
            write_distinct_briefs(briefs, args.n)
            if "full" in which:
                bench_full(briefs, work)
            if "pandoc" in which:
                bench_pandoc(briefs, work)
        if which & {"memory", "noop"}:
            bench_memory_and_noop(work, args.noop_n, args.noop_format, which)


if __name__ == "__main__":
    main()
