"""`reportgen build`: the unattended batch build (cron, systemd timers, CI schedules).

Thin on purpose: parse options, run reportgen.build, print the report, map the exit code.
reportgen.build (and through it pydantic, ReportLab...) is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reportgen.cli_common import TemplatesOpt, run_guarded

HELP = """Build every brief in every format, in parallel, skipping what is up to date.

PATHS are brief files or folders (searched recursively for *.yaml and *.yml); default
briefs/. Each brief BRIEF.yaml gives OUT/BRIEF.pdf, .docx and .pptx; OUT/index.html lists
them all. A brief whose inputs (its bytes, its profile's files, the reportgen version, the
options) have not changed since its last good build, and whose outputs are the files it wrote,
is skipped without starting a worker. An invalid brief or a failing
format never stops the others; a brief that fails keeps its last good files (reported as
stale), and so does one that takes longer than --timeout. Only one build at a time may write
OUT.

Beyond one machine: --scheduler tcp://HOST:PORT (or DASK_SCHEDULER_ADDRESS) builds on a Dask
cluster whose workers run the same reportgen and fonts (pip install 'reportgen[dask]'); the
files are still written here. --shard K/N (or auto, from JOB_COMPLETION_INDEX and
REPORTGEN_SHARD_TOTAL, or CI_NODE_INDEX and CI_NODE_TOTAL) builds one of N slices; --merge
REPORT.json... then makes the shards' JSON reports one report and OUT/index.html.

Exit codes: 0 everything is up to date; 1 a brief or format failed (or is stale); 2 wrong
usage; 3 another build holds OUT (nothing was done); 69 the Dask cluster cannot be used
(unreachable, no worker, a worker with another reportgen or fonts); 73 OUT cannot be written
(read-only, a folder or a link where the build keeps its files); 70 internal error.

Example (nightly, 4 workers, JSON report for monitoring):

\b
  reportgen build briefs/ --out out/ --jobs 4 --prune --json > out/build-report.json
"""

PathsArg = Annotated[list[Path] | None, typer.Argument(
    help="Brief files or folders. [default: briefs/]", metavar="PATHS",
    show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder.", file_okay=False)]
FormatsOpt = Annotated[str, typer.Option(
    "--formats", "-f", help="Comma-separated formats to build.", metavar="LIST")]
JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, show_default="number of cores",
    help="Worker processes building in parallel.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Rebuild even what is up to date.")]
VerifyOpt = Annotated[bool, typer.Option(
    "--verify", help="Re-hash every output to decide it is intact, instead of trusting its "
                     "size, mtime and ctime as recorded when it was written.")]
PruneOpt = Annotated[bool, typer.Option(
    "--prune", help="Delete outputs whose brief file no longer exists.")]
ShardOpt = Annotated[str | None, typer.Option(
    "--shard", metavar="K/N|auto",
    help="Build only the K-th of N slices of the briefs (1-based), balanced by the briefs' "
         "sizes: the same briefs give the same slices on every machine, whatever its OUT "
         "holds. auto: K and N from "
         "JOB_COMPLETION_INDEX (0-based) and REPORTGEN_SHARD_TOTAL (a Kubernetes Indexed "
         "Job), or CI_NODE_INDEX (1-based) and CI_NODE_TOTAL.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS",
    help="Build on the Dask cluster of this scheduler (tcp://HOST:PORT) instead of local "
         "worker processes; --jobs is then the cluster's. OUT, the manifest and the report "
         "stay here.")]
MergeOpt = Annotated[bool, typer.Option(
    "--merge", help="PATHS are the JSON reports of the shards of one run: write one report "
                    "(--json) and OUT/index.html over all of them. Gather the shards' "
                    "outputs in OUT first.")]
TimeoutOpt = Annotated[float, typer.Option(
    "--timeout", metavar="SECONDS",
    help="Time limit per brief (all its formats). A brief still running then fails; its "
         "worker process is killed and replaced, and the build goes on.")]
JsonOpt = Annotated[bool, typer.Option(
    "--json", help="Print a machine-readable report on stdout (schema in the README).")]


def register(app: typer.Typer) -> None:
    @app.command("build", help=HELP)
    def build(paths: PathsArg = None, out: OutOpt = Path("out"),
              formats: FormatsOpt = "pdf,docx,pptx", jobs: JobsOpt = None,
              force: ForceOpt = False, verify: VerifyOpt = False, prune: PruneOpt = False,
              shard: ShardOpt = None, scheduler: SchedulerOpt = None, merge: MergeOpt = False,
              json_report: JsonOpt = False, templates: TemplatesOpt = None,
              timeout: TimeoutOpt = 120.0) -> None:
        def body() -> int:
            import json
            import sys

            from reportgen.batch.shards import parse_shard
            from reportgen.build import BuildOptions, BuildUI, parse_formats, run_build

            if merge:
                report = _merge(paths or [], out, json_report)
            else:
                options = BuildOptions(
                    paths=tuple(paths or [Path("briefs")]), out_dir=out,
                    formats=parse_formats(formats), jobs=jobs, force=force, verify=verify,
                    prune=prune, shard=parse_shard(shard) if shard is not None else None,
                    templates=templates, timeout=timeout, scheduler=scheduler or None)
                report = run_build(options, BuildUI(json_mode=json_report))
            if json_report:
                sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False)
                                 + "\n")
            return report.exit_code

        run_guarded(body)


def _merge(reports: list[Path], out: Path, json_report: bool):
    from reportgen.batch.merge import merge_reports, write_index
    from reportgen.build import BuildUI

    report = merge_reports(reports, out)
    write_index(report, out)
    BuildUI(json_mode=json_report).finish(report)
    return report
