"""`reportgen build --scheduler`: the same build on a Dask cluster (two local worker processes).

One LocalCluster for the module (processes, 2 workers x 1 thread, loopback, no dashboard), with
the scheduler set up as the README asks of a real one: a brief whose worker died is retried
once (distributed.scheduler.allowed-failures = 1) and a worker holds only the task it runs
(worker-saturation = 1.0). Outputs are compared byte for byte with
a local build and read back with pypdf; the manifest's recipes must be the client's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed (pip install '.[dask]')")

import cloudpickle  # noqa: E402 - only with the dask extra

from reportgen.build import INDEX_NAME, MANIFEST_NAME  # noqa: E402
from tests.test_build import build, build_json, pdf_text, statuses  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cluster():
    import dask

    with (dask.config.set({"distributed.scheduler.allowed-failures": 1,
                           "distributed.scheduler.worker-saturation": 1.0}),
          distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,
                                   silence_logs=50) as local,
          distributed.Client(local, set_as_default=False) as client):
        client.wait_for_workers(2, timeout=60)
        yield local, client


@pytest.fixture
def scheduler(cluster) -> str:
    local, client = cluster
    client.wait_for_workers(2, timeout=60)  # a test may have killed some
    return local.scheduler_address


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in (MANIFEST_NAME, ".reportgen.lock")}


def comparable_manifest(folder: Path) -> dict:
    """The manifest without what differs between two builds of the same bytes (the output
    files' inodes and times, the build times)."""
    data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    for entry in data["briefs"].values():
        entry.pop("seconds", None)
        for rec in entry["outputs"].values():
            rec.pop("stat", None)
    return data


def comparable_report(report: dict, out: Path) -> dict:
    def timeless(value):
        if isinstance(value, dict):
            return {k: timeless(v) for k, v in value.items()
                    if k not in ("seconds", "jobs", "out_dir")}
        if isinstance(value, list):
            return [timeless(v) for v in value]
        if isinstance(value, str):
            return value.replace(str(out), "OUT")
        return value

    return timeless(report)


def test_a_dask_build_writes_the_bytes_a_local_build_writes(
        scheduler, briefs, figure_brief, tmp_path):
    briefs("alpha", "zulu")
    (briefs.folder / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    figures, templates = figure_brief()
    paths = (briefs.folder, figures.parent)
    common = ("--formats", "pdf,docx,pptx", "--templates", templates)
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"

    local = build_json(*paths, "--out", local_out, "--jobs", 2, *common, expect=1)
    remote = build_json(*paths, "--out", dask_out, "--scheduler", scheduler, *common, expect=1)

    assert statuses(remote)[("figures", "pptx")] == "built"
    assert statuses(remote)[("broken", "pdf")] == "failed"
    assert files_of(dask_out) == files_of(local_out)  # outputs and index.html, byte for byte
    assert sorted(files_of(dask_out)) == sorted(
        [INDEX_NAME] + [f"{n}.{f}" for n in ("alpha", "figures", "zulu")
                        for f in ("docx", "pdf", "pptx")])
    assert "Nightly brief zulu" in pdf_text(dask_out / "zulu.pdf")
    # The recipes name the client's files, not a worker's: the next run skips in the parent.
    assert comparable_manifest(dask_out) == comparable_manifest(local_out)
    assert comparable_report(remote, dask_out) == comparable_report(local, local_out)
    broken = next(b for b in remote["briefs"] if b["name"] == "broken")
    assert broken["outputs"][0]["error"].startswith(f"{briefs.folder / 'broken.yaml'}:")

    (briefs.folder / "broken.yaml").unlink()  # (a failed brief goes to a worker again)
    again = build_json(*paths, "--out", dask_out, "--scheduler", "tcp://127.0.0.1:9",
                       *common)  # nothing to build: no scheduler is asked
    assert set(statuses(again).values()) == {"skipped"}


class KillOnBriefs(distributed.WorkerPlugin):
    """On every worker (those the nanny restarts too): SIGKILL the worker process when it
    renders `always`, and when it renders `once` for the first time (a marker file says)."""

    def __init__(self, always: str, once: str, marker: str):
        self.always, self.once, self.marker = always, once, marker

    def setup(self, worker):
        import reportgen.pipeline as pipeline

        real = getattr(pipeline, "_real_render", pipeline.render)
        plugin = self

        def render(job, fmt):
            stem = Path(job.doc.path).stem
            if stem == plugin.always:
                os.kill(os.getpid(), signal.SIGKILL)
            if stem == plugin.once:
                try:
                    os.close(os.open(plugin.marker, os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    pass
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
            return real(job, fmt)

        pipeline._real_render = real
        pipeline.render = render

    def teardown(self, worker):
        import reportgen.pipeline as pipeline

        if hasattr(pipeline, "_real_render"):
            pipeline.render = pipeline._real_render


def test_a_worker_killed_mid_build_costs_only_its_brief_retried_once(
        cluster, scheduler, briefs, tmp_path):
    _, client = cluster
    briefs("alpha", "doomed", "zulu")
    out = tmp_path / "out"
    marker = tmp_path / "shaky-died"
    client.register_plugin(KillOnBriefs("doomed", "shaky", str(marker)), name="kill-on-briefs")
    try:
        report = build_json(briefs.folder, "--out", out, "--formats", "pdf",
                            "--scheduler", scheduler, expect=1)
        # (another run: a brief waiting on a worker that dies is retried too, and would fail
        # if it were caught by a second death)
        (briefs.folder / "doomed.yaml").unlink()
        briefs("shaky")
        again = build_json(briefs.folder, "--out", out, "--formats", "pdf",
                           "--scheduler", scheduler)
    finally:
        client.unregister_worker_plugin("kill-on-briefs")

    # Killed twice (on two workers): reported as failed; the others are built.
    assert statuses(report) == {("alpha", "pdf"): "built", ("doomed", "pdf"): "failed",
                                ("zulu", "pdf"): "built"}
    error = next(b for b in report["briefs"] if b["name"] == "doomed")["outputs"][0]["error"]
    assert error.startswith("the worker process building this brief died (the Dask worker "
                            "tcp://127.0.0.1:")
    assert "after a retry on another worker" in error
    assert not (out / "doomed.pdf").exists()
    assert "Nightly brief zulu" in pdf_text(out / "zulu.pdf")
    # Killed once: built on the retry.
    assert marker.exists()
    assert statuses(again)[("shaky", "pdf")] == "built"
    assert "Nightly brief shaky" in pdf_text(out / "shaky.pdf")
    assert [p for p in out.iterdir() if ".tmp-" in p.name] == []


def _pretend_other_reportgen():
    import reportgen.batch.remote as remote

    real = getattr(remote, "_real_environment", remote.worker_environment)
    remote._real_environment = real
    remote.worker_environment = lambda: dict(real(), reportgen="0.0.0-other")


def _restore_environment():
    import reportgen.batch.remote as remote

    if hasattr(remote, "_real_environment"):
        remote.worker_environment = remote._real_environment


def test_a_worker_with_another_reportgen_is_refused_naming_it(cluster, scheduler, briefs,
                                                             tmp_path):
    _, client = cluster
    briefs("alpha")
    odd = sorted(client.scheduler_info()["workers"])[0]
    client.run(_pretend_other_reportgen, workers=[odd])
    try:
        result = build(briefs.folder, "--out", tmp_path / "out", "--formats", "pdf",
                       "--scheduler", scheduler, expect=69)
    finally:
        client.run(_restore_environment)
    assert result.stderr.startswith(f"the Dask worker {odd} runs reportgen 0.0.0-other, the "
                                    "client ")
    assert "nothing was built" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "alpha.pdf").exists()


def test_an_unreachable_scheduler_is_a_clear_error_not_a_traceback(briefs, tmp_path):
    briefs("alpha")
    code = textwrap.dedent(f"""
        import sys
        from reportgen.cli import app
        sys.argv = ["reportgen", "build", {str(briefs.folder)!r}, "--out",
                    {str(tmp_path / "out")!r}, "--scheduler", "tcp://127.0.0.1:9"]
        app()
    """)
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 69, done.stderr
    assert done.stderr.startswith("--scheduler tcp://127.0.0.1:9: cannot reach the Dask "
                                  "scheduler"), done.stderr
    assert "Traceback" not in done.stderr


def test_help_and_a_local_build_never_import_dask(briefs, tmp_path):
    briefs("alpha")
    code = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from reportgen.cli import app
        assert CliRunner().invoke(app, ["--help"]).exit_code == 0
        assert CliRunner().invoke(app, ["build", "--help"]).exit_code == 0
        result = CliRunner().invoke(app, ["build", {str(briefs.folder)!r}, "--out",
                                          {str(tmp_path / "out")!r}, "--formats", "pdf"])
        assert result.exit_code == 0, result.stderr
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed")))
    """)
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("address", "problem"), [
    ("nonsense", "no port"), ("tcp://:8786", "no host"),
    ("inproc://x", "protocol 'inproc'; reportgen connects over tcp:// only"),
    ("tcp://h:8786/x", "a path after the port")])
def test_a_scheduler_address_that_is_no_address_is_a_usage_error(briefs, tmp_path, address,
                                                                 problem):
    briefs("alpha")
    result = build(briefs.folder, "--out", tmp_path / "out", "--scheduler", address, expect=2)
    assert result.stderr == (f"--scheduler {address!r}: not the address of a Dask scheduler "
                             f"({problem}); expected tcp://HOST:PORT, e.g. "
                             "tcp://scheduler.example.org:8786\n")
    assert not (tmp_path / "out").exists()


def test_a_worker_that_joined_late_with_other_fonts_builds_nothing(briefs, tmp_path):
    # The start-up check sees the workers there at the start; each task checks again.
    from reportgen.batch.remote import RemoteTask, apply, build_remote, pack, worker_environment
    from reportgen.batch.worker import BriefTask

    [brief] = briefs("alpha")
    task = BriefTask(brief=str(brief), formats=("pdf",), out_dir=str(tmp_path / "out"),
                     cwd=str(ROOT), templates=None, source_date_epoch=None, force=False)
    packed = pack(task, dict(worker_environment(), fonts="0123456789abcdef"))
    assert isinstance(packed, RemoteTask)
    assert packed.files[str(brief)] == brief.read_bytes()
    result = apply(packed, build_remote(packed))
    assert result.outputs[0].status == "failed"
    assert "has another font set (reportgen/_fonts " in result.outputs[0].error
    assert result.outputs[0].error.startswith("the Dask worker ")
    assert not (tmp_path / "out").exists()
