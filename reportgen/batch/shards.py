"""Which briefs one of N machines builds: `--shard K/N` or `--shard auto`, balanced by cost.

A brief's cost is its size in bytes: the longer a brief, the longer it takes (the situation,
actors and quotes are most of a brief and most of the layout work). Briefs are dealt out
largest first, each to the slice with the least cost so far (ties: the lower K), so slices
finish close together even when a few briefs are much heavier than the rest, where a split by
name alone is often 30-60 % apart. Every brief lands in exactly one slice.

Not the manifest's build times, though it records them (`seconds`): every machine computes
the split on its own, and each shard keeps its own OUT, hence its own manifest (the shard's
briefs timed this run, the others not, or timed on another night). Splits made from different
costs differ, and a brief would be built twice or by no shard at all. The briefs themselves
are the one input every machine shares, so the split depends on nothing else: the same brief
files give the same slices on every machine, whatever its OUT holds.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from reportgen.batch.discover import MAX_SHARDS, Shard
from reportgen.errors import UsageError

# (index variable, count variable, the index of the first machine)
SHARD_ENVIRONMENTS = (
    ("JOB_COMPLETION_INDEX", "REPORTGEN_SHARD_TOTAL", 0),  # Kubernetes Indexed Job
    ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1),                 # GitLab CI `parallel:`, others
)
def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> Shard:
    """`K/N`, or `auto`: K and N from a Kubernetes Indexed Job or a CI's parallel nodes."""
    if text.strip().lower() != "auto":
        return Shard.parse(text)
    environ = os.environ if environ is None else environ
    for index_name, count_name, first in SHARD_ENVIRONMENTS:
        index, count = environ.get(index_name), environ.get(count_name)
        if index is None and count is None:
            continue
        if index is None or count is None:
            given, missing = (index_name, count_name) if count is None else (count_name,
                                                                              index_name)
            raise UsageError(f"--shard auto: {given} is set but {missing} is not; set both "
                             f"({_hint(index_name)})")
        try:
            k, n = int(index) - first + 1, int(count)
        except ValueError:
            k = n = 0
        if not 1 <= k <= n or n > MAX_SHARDS:
            raise UsageError(f"--shard auto: {index_name}={index!r} and {count_name}={count!r} "
                             f"do not name one of N machines (the first is {first}; "
                             f"N at most {MAX_SHARDS:,})")
        return Shard(k, n)
    raise UsageError("--shard auto: neither JOB_COMPLETION_INDEX and REPORTGEN_SHARD_TOTAL "
                     "(a Kubernetes Indexed Job) nor CI_NODE_INDEX and CI_NODE_TOTAL are "
                     "set; give --shard K/N instead")


def _hint(index_name: str) -> str:
    if index_name == "JOB_COMPLETION_INDEX":
        return ("Kubernetes sets JOB_COMPLETION_INDEX; set REPORTGEN_SHARD_TOTAL to the Job's "
                "completions")
    return "GitLab CI sets both with `parallel: N`"


def brief_costs(briefs: Sequence[Path]) -> dict[Path, float]:
    """Each brief's cost: its size in bytes (1 for a file that cannot be read now: discovery
    found it, and the build reports what is wrong with it)."""
    costs: dict[Path, float] = {}
    for brief in briefs:
        try:
            costs[brief] = float(max(1, os.stat(brief).st_size))
        except (OSError, ValueError):
            costs[brief] = 1.0
    return costs


def balanced_slices(briefs: Sequence[Path], costs: Mapping[Path, float],
                    count: int) -> list[list[Path]]:
    """The N slices: longest first, each to the slice with the least cost so far."""
    order = sorted(briefs, key=lambda b: (-costs[b], b.as_posix()))
    loads = [(0.0, k) for k in range(count)]
    slices: list[list[Path]] = [[] for _ in range(count)]
    for brief in order:
        load, k = heapq.heappop(loads)
        slices[k].append(brief)
        heapq.heappush(loads, (load + costs[brief], k))
    return [sorted(s, key=lambda p: p.as_posix()) for s in slices]


def select(shard: Shard, briefs: Sequence[Path]) -> list[Path]:
    """The briefs of `shard` (K of N), balanced by size."""
    return balanced_slices(briefs, brief_costs(briefs), shard.count)[shard.index - 1]
