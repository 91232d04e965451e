"""Time the worst briefs the loader accepts, per format, against the 5-second target.

    python bench/worst_case.py                          # every case, pdf docx pptx validate
    python bench/worst_case.py --commands pdf,validate --timeout 60

The briefs are variants of briefs/pmf-tillerson.yaml written to a temporary folder: the largest
the loader accepts (just under its 1 MB limit: one long situation and many actors), one
situation of 10,000 words and one of 20,000 words in a single paragraph, and as many actors as
the loader's value limit allows. Each command runs as a subprocess, as a user would run it, so
the figures include start-up (about 0.3 s). A brief may render or be refused (exit 1); either
must happen within the target. A command still running at --timeout is stopped and shown as
such.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "pmf-tillerson.yaml"
TARGET_S = 5.0
COMMANDS = ("pdf", "docx", "pptx", "validate")
MAX_BYTES = 1_000_000  # reportgen.brief.loader.MAX_FILE_BYTES


def _words(sample: dict, n: int, seed: int) -> str:
    rng = random.Random(seed)
    words = sample["situation"].split()
    return " ".join(rng.choice(words) for _ in range(n))


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def _largest(sample: dict) -> str:
    """Half the limit in one situation paragraph, the rest in as many actors as fit under it."""
    base = dict(sample, situation=_words(sample, 90_000, 0)[: MAX_BYTES // 2])
    del base["actors"]
    parts = [_dump(base), "actors:\n"]  # a top-level block sequence is not indented
    size = sum(len(part.encode("utf-8")) for part in parts)
    while True:
        actor = _dump([dict(sample["actors"][1], name=f"Actor {len(parts) - 1:04d}")])
        size += len(actor.encode("utf-8"))
        if size >= MAX_BYTES:
            return "".join(parts)
        parts.append(actor)


def write_briefs(folder: Path) -> list[Path]:
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    cases = {
        "largest": _largest(sample),
        "words-10000": _dump(dict(sample, situation=_words(sample, 10_000, 1))),
        "words-20000": _dump(dict(sample, situation=_words(sample, 20_000, 2))),
        # name and role only: four values an actor, so the 20,000-value limit allows ~4,900
        "actors-4900": _dump(dict(sample, actors=[
            {"name": f"Actor {i:04d}", "role": "Adviser"} for i in range(4_900)])),
        # one word as long as the file allows: it must be broken between characters
        "one-word-900k": _dump(dict(sample, situation="x" * 900_000)),
        # the most paragraphs and list items the loader takes (5,000), each as long as fits
        "blocks-4990": _dump(dict(sample, situation="\n\n".join(
            f"- {_words(sample, 28, i)}" for i in range(4_990)))),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in cases.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def run(command: str, brief: Path, out: Path, timeout: float) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "reportgen", command, str(brief)]
    if command != "validate":
        cmd += ["--out", str(out)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, "stopped"
    seconds = time.perf_counter() - started
    outcome = {0: "rendered" if command != "validate" else "valid", 1: "refused"}
    return seconds, outcome.get(proc.returncode, f"exit {proc.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", default=",".join(COMMANDS),
                        help=f"comma-separated, from {', '.join(COMMANDS)} (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="stop a command after this many seconds (default 120)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the briefs and outputs here and keep them")
    args = parser.parse_args()
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    unknown = [c for c in commands if c not in COMMANDS]
    if unknown:
        parser.error(f"unknown command {', '.join(unknown)}; choose from {', '.join(COMMANDS)}")

    with tempfile.TemporaryDirectory(prefix="reportgen-worst-") as tmp:
        work = args.keep or Path(tmp)
        briefs = write_briefs(work / "briefs")
        print(f"reportgen worst cases, Python {sys.version.split()[0]}, target {TARGET_S:g} s "
              "per command (start-up included)\n")
        print(f"| {'brief':<12} | {'KB':>5} | {'command':<8} | {'seconds':>7} | "
              f"{'outcome':<8} | target |")
        print(f"|{'-' * 14}|{'-' * 7}|{'-' * 10}|{'-' * 9}|{'-' * 10}|--------|")
        missed = 0
        for brief in briefs:
            size = brief.stat().st_size / 1000
            for command in commands:
                seconds, outcome = run(command, brief, work / "out", args.timeout)
                ok = seconds <= TARGET_S and outcome != "stopped"
                missed += not ok
                shown = f">{args.timeout:g}" if outcome == "stopped" else f"{seconds:.2f}"
                print(f"| {brief.stem:<12} | {size:>5.0f} | {command:<8} | {shown:>7} | "
                      f"{outcome:<8} | {'met' if ok else 'MISSED':<6} |", flush=True)
    print(f"\n{missed} of {len(briefs) * len(commands)} runs missed the {TARGET_S:g} s target")


if __name__ == "__main__":
    main()
