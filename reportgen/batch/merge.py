"""`reportgen build --merge REPORT.json...`: the JSON reports of N shards made one.

Each shard of a nightly run (`--shard K/N`, `--json`) leaves its report; once the shards'
outputs are gathered in one folder (OUT), the merge reads the reports, checks they are the N
shards of one run, and writes one report (the shape of a single machine's, briefs in the same
order) and one OUT/index.html over every shard's briefs. Times are per shard: the merged
`seconds` is the slowest shard's, `jobs` the sum of theirs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from reportgen.batch.discover import Shard
from reportgen.batch.index import INDEX_NAME, render_index
from reportgen.batch.manifest import place_if_changed, valid_output_stem
from reportgen.batch.report import REPORT_VERSION, BuildReport
from reportgen.batch.worker import BUILT, SKIPPED, STATUSES, BriefResult, FormatResult
from reportgen.errors import UsageError
from reportgen.writers import FORMATS

MAX_REPORT_BYTES = 200 * 1024 * 1024  # about 2 KB per brief: room for 100,000 briefs


def merge_reports(paths: list[Path], out_dir: Path) -> BuildReport:
    """One report over the shards' reports; UsageError naming the report that does not fit."""
    if not paths:
        raise UsageError("--merge: give the JSON reports of the shards to merge")
    reports = [(path, _read(path)) for path in paths]
    first_path, first = reports[0]
    shards: dict[int, Path] = {}
    count = None
    for path, data in reports:
        for key in ("formats", "reportgen_version"):
            if data[key] != first[key]:
                raise UsageError(f"--merge: {path} has {key} {data[key]!r} but {first_path} "
                                 f"{first[key]!r}; these are not shards of one run")
        if data["shard"] is None:
            raise UsageError(f"--merge: {path} is the report of a build without --shard")
        shard = Shard.parse(data["shard"])
        if count is not None and shard.count != count:
            raise UsageError(f"--merge: {path} is shard {shard} but the others are of {count}")
        count = shard.count
        if shard.index in shards:
            raise UsageError(f"--merge: {path} and {shards[shard.index]} are both shard "
                             f"{shard}")
        shards[shard.index] = path
    missing = [f"{k}/{count}" for k in range(1, (count or 0) + 1) if k not in shards]
    if missing:
        raise UsageError(f"--merge: the reports of shard{'s' * (len(missing) > 1)} "
                         f"{', '.join(missing)} are missing")
    seen: dict[str, Path] = {}
    briefs: list[BriefResult] = []
    for path, data in reports:
        for entry in data["briefs"]:
            if entry["brief"] in seen:
                raise UsageError(
                    f"--merge: {entry['brief']} was built by {seen[entry['brief']]} and by "
                    f"{path}; the shards did not split the same briefs (give every shard the "
                    "same briefs)")
            seen[entry["brief"]] = path
            briefs.append(_brief(entry, out_dir))
    discovered = {data.get("discovered") for _, data in reports}
    if len(discovered) > 1:
        raise UsageError(
            f"--merge: the shards found different numbers of briefs "
            f"({', '.join(str(d) for d in sorted(discovered, key=str))}); they did not see "
            "the same briefs")
    if None not in discovered and len(briefs) != next(iter(discovered)):
        raise UsageError(
            f"--merge: the shards found {next(iter(discovered))} briefs but built "
            f"{len(briefs)} between them; the shards did not split the same briefs (give every "
            "shard the same briefs)")
    report = BuildReport(
        out_dir=str(out_dir), formats=tuple(first["formats"]),
        jobs=sum(data["jobs"] for _, data in reports),
        forced=any(data["forced"] for _, data in reports), shard=None,
        discovered=len(briefs))
    report.briefs = sorted(briefs, key=lambda r: Path(r.brief).as_posix())
    for _, data in reports:
        report.swept += data["swept"]
        report.pruned += data["pruned"]
        report.warnings += data["warnings"]
    report.seconds = max(data["seconds"] for _, data in reports)
    return report


def write_index(report: BuildReport, out_dir: Path) -> None:
    """OUT/index.html over every shard's briefs, as one machine's build would write it."""
    entries: dict[str, dict] = {}
    for brief in report.briefs:
        name = Path(brief.brief).stem
        if not valid_output_stem(name):
            continue  # a single build does not index a brief it refused by its name either
        entries[name] = {"title": brief.title, "date": brief.date, "outputs": {
            out.format: {"file": Path(out.path).name if out.path else None,
                         "status": "ok" if out.status in (BUILT, SKIPPED) else "failed",
                         "error": out.error}
            for out in brief.outputs}}
    out_dir.mkdir(parents=True, exist_ok=True)
    place_if_changed(out_dir / INDEX_NAME, render_index(entries, out_dir))


def _brief(entry: dict, out_dir: Path) -> BriefResult:
    outputs = [FormatResult(
        o["format"], o["status"],
        # gathered into OUT: a shard's file is OUT/NAME.FORMAT now
        str(out_dir / Path(o["path"]).name) if o["path"] else None,
        o["seconds"], o["error"], layout=o["layout"], cannot_write=o["cannot_write"])
        for o in entry["outputs"]]
    return BriefResult(brief=entry["brief"], title=entry["title"], date=entry["date"],
                       seconds=entry["seconds"], outputs=outputs)


def _read(path: Path) -> dict:
    from reportgen.fsio import read_bounded

    try:
        data = json.loads(read_bounded(path, MAX_REPORT_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--merge: {path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"--merge: {path}: not a JSON report of reportgen build ({exc})") \
            from None
    except RecursionError:
        raise UsageError(f"--merge: {path}: not a JSON report of reportgen build (nested too "
                         "deep)") from None
    problem = _shape_problem(data)
    if problem:
        raise UsageError(f"--merge: {path}: not a JSON report of reportgen build --json "
                         f"({problem})")
    return data


def _shape_problem(data: object) -> str | None:
    """Why `data` is not a report `reportgen build --json` writes, or None."""
    if not isinstance(data, dict):
        return "not an object"
    if data.get("report_version") != REPORT_VERSION:
        return f"report_version is not {REPORT_VERSION}"
    types = {"reportgen_version": str, "formats": list, "jobs": int, "forced": bool,
             "seconds": (int, float), "swept": list, "pruned": list, "warnings": list,
             "briefs": list}
    for key, kind in types.items():
        if not isinstance(data.get(key), kind) or (kind is int and isinstance(data[key], bool)):
            return f"{key} is missing or of the wrong type"
    discovered = data.get("discovered")
    if discovered is not None and (isinstance(discovered, bool)
                                   or not isinstance(discovered, int) or discovered < 0):
        return "discovered is not a number of briefs"
    if not all(isinstance(x, str) for key in ("swept", "pruned", "warnings") for x in data[key]):
        return "swept, pruned or warnings holds something other than text"
    if not _finite(data["seconds"]):
        return "seconds is not a number of seconds"
    if not isinstance(data.get("shard"), (str, type(None))):
        return "shard is not K/N"
    if any(f not in FORMATS for f in data["formats"]):
        return "unknown format"
    for b in data["briefs"]:
        if not (isinstance(b, dict) and isinstance(b.get("brief"), str)
                and isinstance(b.get("title"), (str, type(None)))
                and isinstance(b.get("date"), (str, type(None)))
                and _finite(b.get("seconds"))
                and isinstance(b.get("outputs"), list)):
            return "a brief entry has the wrong shape"
        for o in b["outputs"]:
            if not (isinstance(o, dict) and o.get("format") in FORMATS
                    and o.get("status") in STATUSES
                    and isinstance(o.get("path"), (str, type(None)))
                    and isinstance(o.get("error"), (str, type(None)))
                    and _finite(o.get("seconds"))
                    and isinstance(o.get("cannot_write"), bool)
                    and isinstance(o.get("layout"), (dict, type(None)))):
                return "an output entry has the wrong shape"
    return None


def _finite(value: object) -> bool:
    """A number of seconds: not a bool, not NaN or infinite, not negative."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0)
