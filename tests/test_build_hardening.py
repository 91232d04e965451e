"""`reportgen build` in a hostile or shared output folder, and with hostile brief names.

Each test plants what an attacker or a confused colleague could put in OUT or in the briefs
folder, and checks that the build refuses it cleanly (exit 1, 2 or 73, never 70), leaves every
file it does not own alone and keeps building the other briefs. Outputs are checked with pypdf,
the JSON report against its schema, index.html as XML and the manifest with json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportgen.batch.pool as pool
from reportgen.build import INDEX_NAME, LOCK_NAME, MANIFEST_NAME
from tests.test_build import build, build_json

ROOT = Path(__file__).resolve().parent.parent


def statuses(report: dict) -> dict[str, str]:
    return {b["name"]: o["status"] for b in report["briefs"] for o in b["outputs"]}


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def index_rows(out: Path) -> dict[str, str]:
    """Title -> status cell of every row of OUT/index.html, parsed as XML."""
    page = ET.fromstring((out / INDEX_NAME).read_text(encoding="utf-8").split("\n", 1)[1])
    cells = [["".join(td.itertext()) for td in row.findall("td")]
             for row in page.findall(".//tbody/tr")]
    return {c[1]: c[2] for c in cells}


# --- the lock file ---------------------------------------------------------------------------


@pytest.mark.parametrize("plant", ["symlink", "dangling symlink", "hard link", "folder", "fifo"])
def test_a_lock_path_that_is_not_a_plain_file_of_its_own_is_refused_and_nothing_outside_changes(
        briefs, tmp_path, plant):
    briefs("alpha")
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "precious.txt"
    victim.write_text("precious")
    lock = out / LOCK_NAME
    if plant == "symlink":
        lock.symlink_to(victim)
    elif plant == "dangling symlink":
        lock.symlink_to(outside / "created-by-build")
    elif plant == "hard link":
        os.link(victim, lock)
    elif plant == "folder":
        lock.mkdir()
    else:
        os.mkfifo(lock)

    result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=73)

    assert result.stderr.startswith(f"reportgen: {lock} is ")
    assert "Delete it and run again" in result.stderr
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    assert not (out / "alpha.pdf").exists()


# --- --prune and the manifest ----------------------------------------------------------------


def _crafted(out: Path, gone: Path, entries: dict[str, dict[str, str]]) -> None:
    """Add entries for a brief that is gone, whose outputs name the files given."""
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    for name, files in entries.items():
        manifest["briefs"][name] = {
            "source": str(gone), "title": None, "date": None, "profile": None,
            "outputs": {fmt: {"file": file, "fingerprint": None, "sha256": None,
                              "status": "failed", "error": None}
                        for fmt, file in files.items()}}
    (out / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")


def test_prune_never_deletes_the_lock_the_index_or_another_briefs_output(briefs, tmp_path):
    briefs("alpha", "beta")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf")
    beta_pdf = (out / "beta.pdf").read_bytes()
    _crafted(out, tmp_path / "gone.yaml",
             {"evil": {"pdf": LOCK_NAME, "docx": INDEX_NAME, "pptx": "beta.pdf"}})

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--prune")

    assert report["pruned"] == []
    assert {LOCK_NAME, INDEX_NAME, "alpha.pdf", "beta.pdf"} <= {p.name for p in out.iterdir()}
    assert (out / "beta.pdf").read_bytes() == beta_pdf
    assert report["warnings"] == [
        f"{out / MANIFEST_NAME}: ignored 1 malformed entry ('evil': outputs.pdf.file is not "
        "'evil.pdf'); that brief is rebuilt"]
    kept = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert set(kept["briefs"]) == {"alpha", "beta"}


def test_prune_never_leaves_the_output_folder_and_dot_dot_is_no_internal_error(briefs,
                                                                                tmp_path):
    briefs("alpha")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf")
    (tmp_path / "outside").write_text("not ours")
    (tmp_path / "outside.pdf").write_text("not ours")
    _crafted(out, tmp_path / "gone.yaml", {"dots": {"pdf": ".."}, "..": {"pdf": "...pdf"},
                                           "../outside": {"pdf": "../outside.pdf"},
                                           "up": {"pdf": "../outside"}})

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--prune")

    assert report["pruned"] == []
    assert "ignored 4 malformed entries" in report["warnings"][0]
    assert (tmp_path / "outside").read_text() == "not ours"
    assert (tmp_path / "outside.pdf").read_text() == "not ours"
    assert (out / "alpha.pdf").is_file()


def _set(path: tuple, value):
    def change(manifest: dict) -> None:
        node = manifest
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


WRONG_SHAPES = {
    "briefs is a list": (_set(("briefs",), ["alpha"]), "'briefs' is not a mapping"),
    "an entry is a string": (_set(("briefs", "alpha"), "alpha.pdf"), "'alpha': not a mapping"),
    "outputs is a string": (_set(("briefs", "alpha", "outputs"), "alpha.pdf"),
                            "'alpha': outputs is not a mapping of formats"),
    "fingerprint is a number": (_set(("briefs", "alpha", "outputs", "pdf", "fingerprint"), 7),
                                "'alpha': outputs.pdf.fingerprint is not a sha256"),
    "file has a slash": (_set(("briefs", "alpha", "outputs", "pdf", "file"), "sub/alpha.pdf"),
                         "'alpha': outputs.pdf.file is not 'alpha.pdf'"),
    "file is ..": (_set(("briefs", "alpha", "outputs", "pdf", "file"), ".."),
                   "'alpha': outputs.pdf.file is not 'alpha.pdf'"),
    "title is a list": (_set(("briefs", "alpha", "title"), ["x"]),
                        "'alpha': title is not a string"),
}


@pytest.mark.parametrize("shape", WRONG_SHAPES)
def test_a_manifest_of_the_wrong_shape_is_set_aside_with_a_warning_and_rebuilt(
        briefs, tmp_path, shape):
    briefs("alpha")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf", "--prune")
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    change, why = WRONG_SHAPES[shape]
    change(manifest)
    (out / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--prune")

    assert statuses(report) == {"alpha": "built"}
    assert len(report["warnings"]) == 1 and why in report["warnings"][0]
    assert report["warnings"][0].startswith(f"{out / MANIFEST_NAME}: ")
    assert (out / "alpha.pdf").is_file()
    again = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--prune")
    assert statuses(again) == {"alpha": "skipped"} and again["warnings"] == []


@pytest.mark.parametrize("name", [MANIFEST_NAME, INDEX_NAME])
def test_a_folder_where_the_build_keeps_a_file_is_exit_73_naming_it(briefs, tmp_path, name):
    briefs("alpha")
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)

    result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=73)

    assert result.stderr.strip().splitlines()[-1].startswith(f"reportgen: {out / name}")
    assert "internal error" not in result.stderr
    assert (out / name).is_dir()


# --- an output folder that cannot be written -------------------------------------------------


def test_a_read_only_output_folder_is_exit_73_naming_the_file(briefs, tmp_path, immutable):
    briefs("alpha")
    out = immutable(tmp_path / "out")

    result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=73)

    assert result.stderr == f"reportgen: cannot write {out / LOCK_NAME}: Operation not permitted\n"


def test_a_read_only_folder_with_last_nights_files_keeps_them_and_exits_73(
        briefs, tmp_path, immutable):
    (alpha,) = briefs("alpha")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf")
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("Nightly", "Revised"))
    immutable(out)

    result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=73)

    assert f"cannot write {out / 'alpha.pdf'}: Operation not permitted" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"reportgen: cannot write {out / MANIFEST_NAME}: Operation not permitted")
    assert "Nightly brief" in pdf_text(out / "alpha.pdf")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("out", ["/proc", "/proc/self/reportgen-out"])
def test_an_output_folder_under_proc_is_exit_73(briefs, out):
    briefs("alpha")
    result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=73)
    assert result.stderr.startswith(f"reportgen: cannot write {out}")


# --- brief names -----------------------------------------------------------------------------


@pytest.mark.parametrize("shard", [[], ["--shard", "1/1"]])
def test_a_brief_whose_name_is_not_utf8_fails_alone_and_the_others_build(briefs, tmp_path,
                                                                        shard):
    briefs("alpha", b"\xff", "beta")
    out = tmp_path / "out"

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", *shard, expect=1)

    assert statuses(report) == {"alpha": "built", "\\xff": "failed", "beta": "built"}
    bad = next(b for b in report["briefs"] if b["name"] == "\\xff")
    assert bad["brief"] == f"{briefs.folder}/\\xff.yaml"
    assert bad["outputs"][0]["error"].startswith(
        f"{briefs.folder}/\\xff.yaml: the file name is not valid UTF-8")
    assert "Nightly brief beta" in pdf_text(out / "beta.pdf")
    manifest = json.loads((out / MANIFEST_NAME).read_bytes().decode("utf-8"))
    assert set(manifest["briefs"]) == {"alpha", "beta"}
    assert set(index_rows(out)) == {"Nightly brief alpha", "Nightly brief beta"}
    assert sorted(p.name for p in out.glob("*.pdf")) == ["alpha.pdf", "beta.pdf"]


def test_a_brief_named_like_a_temporary_file_is_refused_instead_of_built_and_swept(
        briefs, tmp_path):
    alpha, temp_like = briefs("alpha", ".x.tmp-y")
    out = tmp_path / "out"

    report = build_json(alpha, temp_like, "--out", out, "--formats", "pdf", expect=1)

    assert statuses(report) == {"alpha": "built", ".x.tmp-y": "failed"}
    error = next(b for b in report["briefs"] if b["name"] == ".x.tmp-y")["outputs"][0]["error"]
    assert error == (f"{temp_like}: its outputs would be named like the temporary files a build "
                     "sweeps (a leading '.' and '.tmp-'), so they would be deleted; rename it")
    assert report["swept"] == []
    assert not list(out.glob(".x.tmp-y*"))


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_named_like_a_brief_is_one_failed_brief(briefs, tmp_path, kind):
    briefs("alpha")
    special = briefs.folder / "special.yaml"
    if kind == "fifo":
        os.mkfifo(special)
        what = "a named pipe (FIFO)"
    else:
        special.symlink_to("/dev/zero")
        what = "a device"
    out = tmp_path / "out"

    started = time.monotonic()
    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--timeout", 30,
                        expect=1)

    assert time.monotonic() - started < 20
    assert statuses(report) == {"alpha": "built", "special": "failed"}
    error = next(b for b in report["briefs"] if b["name"] == "special")["outputs"][0]["error"]
    assert error == f"{special}:1:1: is {what}, not a regular file; a brief must be a regular " \
                    "YAML file"


def test_a_fifo_planted_in_place_of_an_output_is_replaced_not_read(briefs, tmp_path):
    briefs("alpha")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf")
    (out / "alpha.pdf").unlink()
    os.mkfifo(out / "alpha.pdf")

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--timeout", 30)

    assert statuses(report) == {"alpha": "built"}
    assert "Nightly brief" in pdf_text(out / "alpha.pdf")


# --- a render writing into the folder while a build starts ----------------------------------


SLOW_RENDER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path

    real_fsync = os.fsync
    ready, go = Path(sys.argv[1]), Path(sys.argv[2])

    def fsync_after_go(fd):
        if ".tmp-" in os.readlink(f"/proc/self/fd/{fd}"):
            ready.write_text("writing")
            deadline = time.monotonic() + 30
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        real_fsync(fd)

    os.fsync = fsync_after_go
    from reportgen.cli import app
    app(sys.argv[3:], prog_name="reportgen")
""")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_a_build_never_sweeps_the_temporary_file_of_a_render_still_writing(briefs, tmp_path):
    alpha, solo = briefs("alpha", "solo")
    out = tmp_path / "out"
    ready, go = tmp_path / "ready", tmp_path / "go"
    render = subprocess.Popen(
        [sys.executable, "-c", SLOW_RENDER, str(ready), str(go), "pdf", str(solo),
         "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and render.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready.exists(), render.communicate()
        (temp,) = out.glob(".solo.pdf.tmp-*")

        report = build_json(alpha, "--out", out, "--formats", "pdf")

        assert report["swept"] == [] and temp.exists()
    finally:
        go.write_text("go")
        stdout, stderr = render.communicate(timeout=60)
    assert render.returncode == 0, stderr
    assert stdout.strip() == str(out / "solo.pdf")
    assert "Nightly brief solo" in pdf_text(out / "solo.pdf")


# --- --timeout -------------------------------------------------------------------------------


def test_a_brief_past_the_time_limit_fails_its_worker_is_replaced_and_the_run_goes_on(
        briefs, tmp_path, monkeypatch):
    briefs("alpha", "slow", "zulu")
    out = tmp_path / "out"
    real_build_brief = pool.build_brief

    def hang_on_slow(task):  # runs in the forked worker
        if Path(task.brief).stem == "slow":
            time.sleep(60)
        return real_build_brief(task)

    monkeypatch.setattr(pool, "build_brief", hang_on_slow)
    started = time.monotonic()

    # 3 s: a fresh worker's first brief (fonts loaded, the map's country data read) takes
    # about 1 s on a quiet machine, and the test is about the slow brief, not the others
    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1,
                        "--timeout", 3, expect=1)

    assert time.monotonic() - started < 20
    assert statuses(report) == {"alpha": "built", "slow": "failed", "zulu": "built"}
    error = next(b for b in report["briefs"] if b["name"] == "slow")["outputs"][0]["error"]
    assert error.startswith("timed out after 3 s (--timeout)")
    assert "Nightly brief zulu" in pdf_text(out / "zulu.pdf")
    assert not (out / "slow.pdf").exists()
    assert [p for p in out.iterdir() if ".tmp-" in p.name] == []
    assert index_rows(out)["slow"].startswith("Failed")


@pytest.mark.parametrize("bad", ["0", "-1", "nan"])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(briefs, tmp_path, bad):
    briefs("alpha")
    result = build(briefs.folder, "--out", tmp_path / "out", f"--timeout={bad}", expect=2)
    assert result.stderr == f"--timeout {bad}: need a number of seconds above 0\n"
    assert not (tmp_path / "out").exists()


def test_outputs_the_file_system_refuses_make_the_build_exit_73_not_1(briefs, tmp_path):
    """Issue 10: a full disk or a read-only target is the job's problem, not a brief's: exit
    73 when every failure is a refused write, 1 as soon as a brief itself fails."""
    briefs("alpha", "beta")
    out = tmp_path / "out"
    (out / "alpha.pdf").mkdir(parents=True)  # the output's name is taken by a folder
    (out / "beta.pdf").mkdir()
    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", expect=73)
    assert report["exit_code"] == 73
    outputs = [o for b in report["briefs"] for o in b["outputs"]]
    assert [o["cannot_write"] for o in outputs] == [True, True]
    assert all("cannot write" in o["error"] for o in outputs)

    (briefs.folder / "gamma.yaml").write_text("title: [", encoding="utf-8")
    mixed = build_json(briefs.folder, "--out", out, "--formats", "pdf", expect=1)
    assert mixed["exit_code"] == 1


# --- worker memory ---------------------------------------------------------------------------


def test_a_worker_is_replaced_after_its_share_of_briefs_and_the_outputs_do_not_change(
        briefs, tmp_path, monkeypatch):
    briefs("alpha", "beta", "gamma", "delta", "epsilon")
    pids: dict[str, int] = {}
    real_build_brief = pool.build_brief

    def note_pid(task):  # runs in the forked worker; the pid comes back in the brief's title
        result = real_build_brief(task)
        result.title = f"{result.title}|{os.getpid()}"
        return result

    monkeypatch.setattr(pool, "build_brief", note_pid)
    monkeypatch.setattr(pool, "MAX_TASKS_PER_WORKER", 2)
    recycled = build_json(briefs.folder, "--out", tmp_path / "recycled", "--formats", "pdf",
                          "--jobs", 1)
    for b in recycled["briefs"]:
        pids[b["name"]] = int(b["title"].rsplit("|", 1)[1])
    assert len(set(pids.values())) == 3  # 5 briefs, 2 per worker

    monkeypatch.setattr(pool, "MAX_TASKS_PER_WORKER", 1_000_000)
    kept = build_json(briefs.folder, "--out", tmp_path / "kept", "--formats", "pdf",
                      "--jobs", 1)
    assert len({b["title"].rsplit("|", 1)[1] for b in kept["briefs"]}) == 1
    for name in pids:
        recycled_pdf = (tmp_path / "recycled" / f"{name}.pdf").read_bytes()
        assert recycled_pdf == (tmp_path / "kept" / f"{name}.pdf").read_bytes()
        assert f"Nightly brief {name}" in pdf_text(tmp_path / "recycled" / f"{name}.pdf")


def test_a_worker_s_first_brief_runs_with_few_collections_and_the_rest_with_the_default(
        briefs, tmp_path, monkeypatch):
    import gc

    from reportgen.launch import ONE_RENDER_GC_THRESHOLD

    briefs("alpha", "beta", "gamma")
    real_build_brief = pool.build_brief

    def note_threshold(task):  # runs in the forked worker
        result = real_build_brief(task)
        result.title = f"{result.title}|{gc.get_threshold()[0]}"
        return result

    monkeypatch.setattr(pool, "build_brief", note_threshold)
    done = build_json(briefs.folder, "--out", tmp_path / "out", "--formats", "pdf", "--jobs", 1)
    seen = [int(b["title"].rsplit("|", 1)[1]) for b in done["briefs"]]
    assert sorted(seen) == sorted([ONE_RENDER_GC_THRESHOLD[0]] + [gc.get_threshold()[0]] * 2)


def test_release_memory_hands_freed_heap_back():
    """After a burst of small allocations is freed, malloc_trim gives the pages back (glibc);
    elsewhere release_memory is a harmless no-op."""
    def rss_kib() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    if pool._malloc_trim() is None or not Path("/proc/self/status").exists():
        pool.release_memory()
        pytest.skip("no glibc malloc_trim here")
    pool.release_memory(above_mib=0)
    before = rss_kib()
    assert abs(pool.resident_mib() * 1024 - before) < 2_000  # statm and status agree
    blocks = [bytes(1000) for _ in range(100_000)]  # ~100 MB in small (non-mmap) chunks
    grown = rss_kib()
    pinned = blocks[::50]  # one block in 50 stays: the heap's top cannot shrink by itself
    del blocks
    pool.release_memory(above_mib=grown / 1024 + 50)  # under the bound: kept for reuse
    kept = rss_kib()
    pool.release_memory(above_mib=before / 1024 + 20)  # over it: handed back
    after = rss_kib()
    assert grown - before > 80_000
    assert kept - before > 60_000, (before, grown, kept)
    assert after - before < 20_000, (before, grown, after)
    del pinned


def test_release_memory_collects_the_briefs_cycles_without_a_full_collection(monkeypatch):
    """After each brief but the first, only the young generations are collected (where the
    brief's own cycles are): a full collection would scan everything the caches gathered."""
    import gc
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: refcounting alone never frees it
    gone = weakref.ref(a)
    del a, b
    pool.release_memory(above_mib=1e9)
    assert gone() is None
    calls: list[tuple] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(args) or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(("freeze",)))
    pool.release_memory(freeze=True, above_mib=1e9)
    pool.release_memory(above_mib=1e9)
    assert calls == [(), ("freeze",), (1,)]


def test_the_parent_imports_the_writers_with_few_collections_then_freezes_them():
    """Before forking, the parent imports the writers with the collector's young threshold
    raised, restores it, and freezes what the imports made (the workers' collections do not
    walk the modules' objects)."""
    code = textwrap.dedent("""
        import gc, json, sys
        from reportgen.batch import pool
        before, collections = gc.get_threshold(), []
        gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(1))
        pool._import_writers({"pdf", "docx", "pptx"})
        print(json.dumps([gc.get_threshold() == before, gc.get_freeze_count() > 10_000,
                          len(collections) < 20, "uharfbuzz._harfbuzz" in sys.modules]))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    # HarfBuzz too, which a single command loads only for Arabic text
    assert json.loads(done.stdout) == [True, True, True, True]


def test_a_process_that_builds_twice_unfreezes_after_each_build(tmp_path):
    """The parent freezes the writers' objects for its workers while they run, and unfreezes
    them when they are done: a process that builds again collects as before. A caller that
    froze objects of its own finds them frozen still."""
    code = textwrap.dedent("""
        import gc, json, sys
        from reportgen.batch import pool
        from reportgen.batch.worker import BriefTask
        task = BriefTask(brief=sys.argv[1], formats=("pdf",), out_dir=sys.argv[2],
                         cwd=sys.argv[2], templates=None, source_date_epoch=None, force=False)
        during, after = [], []
        for _ in range(2):
            pool.run_tasks([task], 1, lambda t, r: during.append(gc.get_freeze_count()))
            after.append(gc.get_freeze_count())
        gc.freeze()  # the caller's own
        ours = gc.get_freeze_count()
        pool.run_tasks([task], 1, lambda t, r: None)
        print(json.dumps([min(during) > 10_000, after, gc.get_freeze_count() >= ours > 0]))
    """)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "none.yaml"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout) == [True, [0, 0], True]


def test_a_worker_that_fails_to_start_stops_the_ones_started(tmp_path):
    """Starting the second of two workers fails (fork refused): the first, already running,
    is stopped before the error goes up, not left behind."""
    code = textwrap.dedent("""
        import json, multiprocessing, sys
        from reportgen.batch import pool
        from reportgen.batch.worker import BriefTask
        real, started = pool._Worker, []

        def starting(ctx):
            if started:
                raise OSError(11, "Resource temporarily unavailable")
            started.append(real(ctx))
            return started[-1]

        pool._Worker = starting
        task = BriefTask(brief=sys.argv[1], formats=("pdf",), out_dir=sys.argv[2],
                         cwd=sys.argv[2], templates=None, source_date_epoch=None, force=False)
        try:
            pool.run_tasks([task, task], 2, lambda t, r: None)
        except OSError as exc:
            print(json.dumps([exc.errno, started[0].process.is_alive(),
                              len(multiprocessing.active_children())]))
    """)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "none.yaml"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout) == [11, False, 0]
