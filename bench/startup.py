"""Start-up cost of the CLI against the targets of issue 15, as whole processes.

Times N runs of each command (median and best wall time, median CPU time, max RSS) and prints
PASS/FAIL against its target:

- `reportgen --help` <= 80 ms;
- `reportgen pdf BRIEF` <= 300 ms, `reportgen docx BRIEF` and `reportgen pptx BRIEF` <= 350 ms
  (font cache warm, output written);
- the first `reportgen pdf BRIEF` on a machine whose font cache is empty <= 2 s (each run gets a
  new empty REPORTGEN_CACHE, so the user's cache is never touched).

A target passes on the best wall time (the run least disturbed by other work on the machine);
the medians and the load average are printed beside it so a loaded machine shows. It also lists
the heavy modules `import reportgen.cli` loads (expected: none) and times a bare interpreter
(`python -c pass`), the floor under every figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from build_bench import compile_reportgen

HEAVY = ("reportlab", "docx", "pptx", "pydantic", "fontTools", "yaml", "markdown_it", "rich")
ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "briefs" / "pmf-tillerson.yaml"


@dataclass
class Runs:
    walls: list[float]
    cpus: list[float]
    rss_kib: list[int]

    def line(self, label: str, target_ms: float | None) -> str:
        best, median = min(self.walls) * 1000, statistics.median(self.walls) * 1000
        text = (f"{label:<34} best {best:6.0f} ms  median {median:6.0f} ms  "
                f"cpu {statistics.median(self.cpus) * 1000:6.0f} ms  "
                f"max RSS {max(self.rss_kib) / 1024:5.0f} MiB")
        if target_ms is not None:
            text += f"  target <= {target_ms:.0f} ms: {'PASS' if best <= target_ms else 'FAIL'}"
        return text


def reportgen_command() -> list[str]:
    """The console script beside this interpreter (what users run), else `python -m`."""
    script = Path(sys.executable).with_name("reportgen")
    if script.is_file():
        return [str(script)]
    found = shutil.which("reportgen")
    return [found] if found else [sys.executable, "-m", "reportgen"]


def run(argv: list[str], n: int, env: dict[str, str] | None = None,
        fresh_cache: bool = False) -> Runs:
    runs = Runs([], [], [])
    for _ in range(n):
        with tempfile.TemporaryDirectory(prefix="reportgen-startup-") as tmp:
            run_env = {**os.environ, **(env or {})}
            if fresh_cache:
                run_env["REPORTGEN_CACHE"] = str(Path(tmp) / "cache")
            start = time.perf_counter()
            proc = subprocess.Popen([*argv], env=run_env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            _pid, status, usage = os.wait4(proc.pid, 0)
            runs.walls.append(time.perf_counter() - start)
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code
            if code != 0:
                raise SystemExit(f"{' '.join(argv)} exited {code}:\n{stderr}")
            runs.cpus.append(usage.ru_utime + usage.ru_stime)
            runs.rss_kib.append(usage.ru_maxrss)
    return runs


def heavy_modules() -> str:
    probe = ("import sys, reportgen.cli; "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules) or 'none')")
    return subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="runs of each command (default 10)")
    parser.add_argument("--first-runs", type=int, default=3,
                        help="runs with an empty font cache (default 3)")
    parser.add_argument("--brief", type=Path, default=BRIEF, help="brief to render")
    args = parser.parse_args()
    compile_reportgen()
    cmd = reportgen_command()
    print(f"command: {' '.join(cmd)}; brief: {args.brief}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    print(run([sys.executable, "-c", "pass"], args.n).line("python -c pass (floor)", None))
    print(run([*cmd, "--help"], args.n).line("reportgen --help", 80))
    with tempfile.TemporaryDirectory(prefix="reportgen-startup-out-") as out:
        render = [str(args.brief), "--out", out]
        for fmt in ("pdf", "docx", "pptx"):
            run([*cmd, fmt, *render], 1)  # fill the font and subset caches once
        for fmt, target in (("pdf", 300), ("docx", 350), ("pptx", 350)):
            print(run([*cmd, fmt, *render], args.n).line(f"reportgen {fmt} (warm cache)", target))
        if args.first_runs:
            print(run([*cmd, "pdf", *render], args.first_runs, fresh_cache=True).line(
                "first reportgen pdf (empty cache)", 2000))
    print(f"heavy modules imported by `import reportgen.cli`: {heavy_modules()}")
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    print(f"load average after: {load:.2f} on {cores} cores")
    if load > cores / 2:
        print("warning: the machine is busy, so wall times are longer than the quiet-machine "
              "figures the targets mean; compare CPU times, or run again when it is idle")


if __name__ == "__main__":
    main()
