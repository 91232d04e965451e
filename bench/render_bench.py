"""Per-render time of each writer in a warm process (issue 15, "Where the time goes").

    python bench/render_bench.py                   # median of 20 renders, every format
    python bench/render_bench.py -n 50 --formats docx,pptx
    python bench/render_bench.py --profile docx    # cProfile of the renders, top 30

Both sample briefs (English and Arabic) are prepared once; each format is rendered once to warm
caches (fonts, templates), then N times per brief. Printed: median wall and CPU ms per render,
the average over the two briefs, and the issue's figures (before / after in its throw-away
copy). CPU time is the steadier figure on a shared machine; wall time is what a user waits.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BRIEFS = (ROOT / "briefs" / "pmf-tillerson.yaml", ROOT / "briefs" / "pmf-tillerson-ar.yaml")
# ms per render in a warm process, from issue 15: measured, and reached in a throw-away copy.
ISSUE = {"pdf": (43, 20), "docx": (97, 47), "pptx": (70, 40)}


def briefs(without_map: bool) -> list[Path]:
    """The sample briefs, or copies of them without their map (in a temporary folder)."""
    if not without_map:
        return list(BRIEFS)
    import tempfile

    import yaml

    folder = Path(tempfile.mkdtemp(prefix="render-bench-"))
    out = []
    for path in BRIEFS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.pop("map", None)
        copy = folder / path.name
        copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        out.append(copy)
    return out


def time_renders(job, fmt: str, n: int) -> tuple[float, float]:
    """Median (wall ms, CPU ms) of n renders."""
    from reportgen.pipeline import render

    render(job, fmt)  # warm
    wall, cpu = [], []
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        render(job, fmt)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders per brief and format")
    parser.add_argument("--formats", default="pdf,docx,pptx")
    parser.add_argument("--profile", metavar="FORMAT", help="cProfile one format instead")
    parser.add_argument("--without-map", action="store_true",
                        help="leave the briefs' locator map out (its raster, figures.raster, "
                             "is most of a memo's time and not the writers' own)")
    args = parser.parse_args()

    from reportgen.pipeline import prepare, render

    jobs = [prepare(p) for p in briefs(args.without_map)]
    if args.profile:
        for job in jobs:
            render(job, args.profile)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.n):
            for job in jobs:
                render(job, args.profile)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return

    import os

    try:
        load = " (load average {:.1f} {:.1f} {:.1f})".format(*os.getloadavg())
    except OSError:
        load = ""
    what = " (briefs without their map)" if args.without_map else ""
    print(f"median of {args.n} warm renders per brief{what}{load}")
    print(f"{'format':6} {'brief':22} {'wall ms':>8} {'CPU ms':>8}")
    for fmt in args.formats.split(","):
        walls, cpus = [], []
        for path, job in zip(BRIEFS, jobs, strict=True):
            wall, cpu = time_renders(job, fmt, args.n)
            walls.append(wall)
            cpus.append(cpu)
            print(f"{fmt:6} {path.name:22} {wall:8.1f} {cpu:8.1f}")
        before, after = ISSUE[fmt]
        print(f"{fmt:6} {'mean of the two':22} {statistics.mean(walls):8.1f} "
              f"{statistics.mean(cpus):8.1f}   issue 15: {before} ms before, {after} ms reached")


if __name__ == "__main__":
    main()
