"""Start-up cost of the CLI: `reportgen --help` must stay instant.

Times N runs of `python -m reportgen --help` (median and best) and lists which heavy modules the
CLI imports at start-up (there should be none: ReportLab, python-docx, python-pptx, pydantic and
fontTools are imported only by the commands that use them).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("reportlab", "docx", "pptx", "pydantic", "fontTools", "yaml", "markdown_it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="runs (default 20)")
    args = parser.parse_args()
    times = []
    for _ in range(args.n):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportgen", "--help"], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    probe = ("import sys, reportgen.cli; "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules) or 'none')")
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                            text=True).stdout.strip()
    print(f"reportgen --help: median {statistics.median(times) * 1000:.0f} ms, "
          f"best {min(times) * 1000:.0f} ms over {args.n} runs")
    print(f"heavy modules imported at start-up: {loaded}")


if __name__ == "__main__":
    main()
