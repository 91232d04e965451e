"""`reportgen build`: incremental, isolated, locked, crash-safe batch builds.

Outputs are read back with pypdf; the JSON report is checked against its JSON Schema with
jsonschema; index.html is parsed as XML. Builds use `--formats pdf --jobs 2` unless a test
is about the other formats.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from reportgen.build import INDEX_NAME, LOCK_NAME, MANIFEST_NAME, REPORT_SCHEMA, Shard, discover
from reportgen.cli import app
from reportgen.document.findings import Findings, Rendered
from reportgen.errors import RenderError
from reportgen.writers import REGISTRY as WRITERS

ROOT = Path(__file__).resolve().parent.parent


def build(*args: str, expect: int | None = 0):
    result = CliRunner().invoke(app, ["build", *map(str, args)])
    if expect is not None:
        assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return result


def build_json(*args: str, expect: int | None = 0) -> dict:
    result = build(*args, "--json", expect=expect)
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    return report


def statuses(report: dict) -> dict[tuple[str, str], str]:
    return {(b["name"], o["format"]): o["status"] for b in report["briefs"] for o in b["outputs"]}


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def temp_leftovers(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp-*"))


# --- incremental ---------------------------------------------------------------------------


def test_second_run_with_nothing_changed_builds_nothing_and_touches_no_file(briefs, tmp_path):
    briefs("alpha", "beta")
    out = tmp_path / "out"
    first = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)
    assert set(statuses(first).values()) == {"built"}
    assert "Nightly brief alpha" in pdf_text(out / "alpha.pdf")
    before = snapshot(out)
    assert {"alpha.pdf", "beta.pdf", INDEX_NAME, MANIFEST_NAME, LOCK_NAME} <= set(before)

    second = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)

    assert statuses(second) == {("alpha", "pdf"): "skipped", ("beta", "pdf"): "skipped"}
    assert second["counts"] == {"built": 0, "skipped": 2, "failed": 0, "stale": 0}
    assert snapshot(out) == before  # every file, manifest, index and lock file included


def test_changing_one_brief_rebuilds_only_that_brief(briefs, tmp_path):
    _, beta, _ = briefs("alpha", "beta", "gamma")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)
    before = snapshot(out)
    beta.write_text(beta.read_text(encoding="utf-8").replace(
        "Nightly brief beta", "Nightly brief beta, revised"), encoding="utf-8")

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)

    assert statuses(report) == {("alpha", "pdf"): "skipped", ("beta", "pdf"): "built",
                                ("gamma", "pdf"): "skipped"}
    after = snapshot(out)
    assert after["alpha.pdf"] == before["alpha.pdf"]
    assert after["gamma.pdf"] == before["gamma.pdf"]
    assert after["beta.pdf"] != before["beta.pdf"]
    assert "Nightly brief beta, revised" in pdf_text(out / "beta.pdf")


def test_profile_files_and_source_date_epoch_are_inputs_and_force_rebuilds(
        briefs, tmp_path, monkeypatch):
    briefs("alpha")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "mei", templates / "mei")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1,
            "--templates", templates)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(*args)
    assert statuses(build_json(*args))[("alpha", "pdf")] == "skipped"

    # a stray file (an editor's swap file, notes) is not an input; the profile itself is
    (templates / "mei" / ".profile.yaml.swp").write_text("editor state")
    assert statuses(build_json(*args))[("alpha", "pdf")] == "skipped"
    profile = templates / "mei" / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("#0F3557", "#0F3558"),
                       encoding="utf-8")
    assert statuses(build_json(*args))[("alpha", "pdf")] == "built"

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")
    assert statuses(build_json(*args))[("alpha", "pdf")] == "built"
    assert statuses(build_json(*args))[("alpha", "pdf")] == "skipped"
    assert PdfReader(out / "alpha.pdf").metadata["/CreationDate"].startswith("D:20170714")

    forced = build_json(*args, "--force")
    assert statuses(forced)[("alpha", "pdf")] == "built"
    assert forced["forced"] is True


# --- failure isolation ---------------------------------------------------------------------


def test_one_invalid_brief_fails_alone_and_a_broken_brief_keeps_its_last_good_pdf(
        briefs, tmp_path):
    alpha, beta = briefs("alpha", "beta")
    (briefs.folder / "broken.yaml").write_text("title: No date and nothing else\n")
    out = tmp_path / "out"

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2, expect=1)

    assert statuses(report) == {("alpha", "pdf"): "built", ("beta", "pdf"): "built",
                                ("broken", "pdf"): "failed"}
    broken = next(b for b in report["briefs"] if b["name"] == "broken")
    assert broken["title"] is None and broken["outputs"][0]["path"] is None
    assert "broken.yaml:1:1: date: required key is missing" in broken["outputs"][0]["error"]
    assert "Nightly brief beta" in pdf_text(out / "beta.pdf")
    assert not (out / "broken.pdf").exists()

    # beta becomes invalid: its last good PDF stays, byte for byte, and is reported stale.
    good_beta = (out / "beta.pdf").read_bytes()
    beta.write_text(beta.read_text(encoding="utf-8").replace("date: 2017-10-24",
                                                             "date: 24 October 2017"))
    result = build(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2, expect=1)
    assert (out / "beta.pdf").read_bytes() == good_beta
    assert "FAILED  " + str(beta) + " [pdf]; kept the last good " in result.stderr
    assert "stale" in result.stdout and "(exit 1)" in result.stdout
    assert "\x1b[" not in result.stderr + result.stdout  # not a terminal: plain lines
    index = (out / INDEX_NAME).read_text(encoding="utf-8")
    assert "Stale (last build failed)" in index


@pytest.fixture
def fake_docx(monkeypatch):
    """A stand-in docx writer that fails for the brief called 'wordless'."""
    module = types.ModuleType("fake_docx_writer")

    def check(document) -> Findings:
        if document.source.stem == "wordless":
            raise RenderError(f"{document.source}: the memo does not fit (test writer)")
        if document.source.stem == "buggy":
            return 1 // 0
        return Findings("docx")

    def render(document) -> Rendered:
        findings = check(document)
        return Rendered(f"DOCX for {document.meta.title}".encode(), findings)

    module.render, module.check = render, check
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(WRITERS, "docx", dataclasses.replace(WRITERS["docx"],
                                                             module=module.__name__))


def test_a_failing_format_does_not_stop_the_other_formats_or_briefs(briefs, tmp_path,
                                                                     fake_docx):
    briefs("alpha", "buggy", "wordless")
    out = tmp_path / "out"

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf,docx", "--jobs", 2,
                        expect=1)

    assert statuses(report) == {
        ("alpha", "pdf"): "built", ("alpha", "docx"): "built",
        ("buggy", "pdf"): "built", ("buggy", "docx"): "failed",
        ("wordless", "pdf"): "built", ("wordless", "docx"): "failed"}
    assert (out / "alpha.docx").read_bytes() == b"DOCX for Nightly brief alpha"
    assert "Nightly brief wordless" in pdf_text(out / "wordless.pdf")
    errors = {b["name"]: b["outputs"][1]["error"] for b in report["briefs"]}
    assert errors["wordless"].endswith("the memo does not fit (test writer)")
    # A bug in a writer is one failed output, with the traceback kept in a log file.
    assert errors["buggy"].startswith("internal error (ZeroDivisionError: ")
    log = Path(errors["buggy"].rsplit("full traceback in ", 1)[1])
    assert "Traceback" in log.read_text() and "1 // 0" in log.read_text()
    log.unlink()


def test_a_worker_killed_mid_write_costs_one_brief_and_leaves_no_partial_file(
        briefs, tmp_path, monkeypatch):
    briefs("alpha", "doomed", "gamma")
    out = tmp_path / "out"
    real_fsync = os.fsync

    def fsync_then_die_for_doomed(fd: int) -> None:
        # Runs in the worker (forked): the temporary file is written but not renamed yet.
        if ".doomed.pdf.tmp-" in os.readlink(f"/proc/self/fd/{fd}"):
            os.kill(os.getpid(), signal.SIGKILL)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_then_die_for_doomed)
    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2, expect=1)

    assert statuses(report) == {("alpha", "pdf"): "built", ("doomed", "pdf"): "failed",
                                ("gamma", "pdf"): "built"}
    doomed = next(b for b in report["briefs"] if b["name"] == "doomed")
    assert "worker process building this brief died (killed by SIGKILL)" in \
        doomed["outputs"][0]["error"]
    assert not (out / "doomed.pdf").exists()
    assert temp_leftovers(out) == []
    assert [Path(p).name.startswith(".doomed.pdf.tmp-") for p in report["swept"]] == [True]

    monkeypatch.setattr(os, "fsync", real_fsync)
    again = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)
    assert statuses(again)[("doomed", "pdf")] == "built"
    assert "Nightly brief doomed" in pdf_text(out / "doomed.pdf")


# --- lock and SIGKILL -------------------------------------------------------------------------


def test_a_second_build_on_a_locked_folder_exits_3_naming_the_holder(briefs, tmp_path):
    briefs("alpha")
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_NAME, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=3)
    assert f"another reportgen build (pid {os.getpid()}) is writing this folder" in result.stderr
    assert "this run changed nothing" in result.stderr
    assert [p.name for p in out.iterdir()] == [LOCK_NAME]


SLOW_BUILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path

    real_fsync = os.fsync

    def fsync_slowly_for_slow_pdf(fd):
        if ".slow.pdf.tmp-" in os.readlink(f"/proc/self/fd/{fd}"):
            Path(sys.argv[1]).write_text(str(os.getpid()))
            time.sleep(60)
        real_fsync(fd)

    os.fsync = fsync_slowly_for_slow_pdf
    from reportgen.cli import app
    app(sys.argv[2:], prog_name="reportgen")
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_a_build_killed_with_sigkill_mid_write_leaves_no_partial_file_and_next_run_recovers(
        briefs, tmp_path):
    (slow,) = briefs("slow")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf")
    good = (out / "slow.pdf").read_bytes()
    slow.write_text(slow.read_text(encoding="utf-8").replace("Nightly brief slow",
                                                             "Nightly brief slow, revised"))
    marker = tmp_path / "worker.pid"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(marker), "build", str(briefs.folder),
         "--out", str(out), "--formats", "pdf", "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the slow build never reached the write"
        worker = int(marker.read_text())
        assert temp_leftovers(out), "the temporary file exists while the worker writes"

        # Two overlapping builds: the second is turned away at once, naming the first.
        started = time.monotonic()
        result = build(briefs.folder, "--out", out, "--formats", "pdf", expect=3)
        assert f"(pid {proc.pid})" in result.stderr
        assert time.monotonic() - started < 5

        os.kill(proc.pid, signal.SIGKILL)  # the build process only, as an OOM killer would
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the worker must die with its build"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    assert (out / "slow.pdf").read_bytes() == good  # the old file, whole
    leftovers = temp_leftovers(out)
    assert leftovers

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf")
    assert sorted(report["swept"]) == sorted(map(str, leftovers))
    assert statuses(report) == {("slow", "pdf"): "built"}
    assert "Nightly brief slow, revised" in pdf_text(out / "slow.pdf")
    assert temp_leftovers(out) == []


# --- report, index, prune, shard, discovery ------------------------------------------------


def test_json_report_follows_its_schema(briefs, tmp_path):
    briefs("alpha")
    (briefs.folder / "broken.yaml").write_text("title: [unclosed\n")
    out = tmp_path / "out"

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2, expect=1)

    assert report["exit_code"] == 1 and report["formats"] == ["pdf"] and report["jobs"] == 2
    alpha = next(b for b in report["briefs"] if b["name"] == "alpha")
    assert alpha["title"] == "Nightly brief alpha" and alpha["date"] == "2017-10-24"
    assert alpha["outputs"][0]["path"] == str(out / "alpha.pdf")
    assert Path(alpha["outputs"][0]["path"]).is_file()
    assert report["counts"] == {"built": 1, "skipped": 0, "failed": 1, "stale": 0}
    # The schema has teeth: a report that breaks its rules is refused.
    alpha["outputs"][0]["status"] = "failed"  # failed with a path and no error
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)


def test_index_lists_every_brief_with_escaped_titles_and_links_without_javascript(
        briefs, tmp_path):
    briefs("alpha", title="Tom & Jerry <script>alert(1)</script> in Baghdad")
    briefs("beta")
    (briefs.folder / "broken.yaml").write_text("title: Broken\n")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2, expect=1)

    text = (out / INDEX_NAME).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    page = ET.fromstring(text.split("\n", 1)[1])  # well-formed markup
    assert page.find(".//script") is None and "<script" not in text.lower()
    rows = page.findall(".//tbody/tr")
    cells = [["".join(td.itertext()) for td in row.findall("td")] for row in rows]
    titles = {c[1] for c in cells}
    assert titles == {"Tom & Jerry <script>alert(1)</script> in Baghdad",
                      "Nightly brief beta", "broken"}
    links = {a.get("href") for a in page.iter("a")}
    assert links == {"alpha.pdf", "beta.pdf"}
    assert all((out / href).is_file() for href in links)
    broken = next(c for c in cells if c[1] == "broken")
    assert broken[2].startswith("Failed") and "date: required key is missing" in broken[2]


def test_prune_removes_outputs_whose_brief_is_gone_and_nothing_else(briefs, tmp_path):
    _, beta = briefs("alpha", "beta")
    out = tmp_path / "out"
    build(briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)
    (out / "notes.txt").write_text("not ours")
    beta.unlink()

    build(briefs.folder, "--out", out, "--formats", "pdf")
    assert (out / "beta.pdf").exists()  # without --prune nothing is deleted

    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", "--prune")
    assert report["pruned"] == [str(out / "beta.pdf")]
    assert not (out / "beta.pdf").exists()
    assert (out / "alpha.pdf").exists() and (out / "notes.txt").exists()
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert set(manifest["briefs"]) == {"alpha"}
    assert "beta.pdf" not in (out / INDEX_NAME).read_text(encoding="utf-8")


def test_shards_cover_every_brief_exactly_once(briefs, tmp_path):
    names = ["alpha", "beta", "gamma", "delta", "epsilon"]
    briefs(*names)
    seen: list[str] = []
    for k in (1, 2, 3):
        report = build_json(briefs.folder, "--out", tmp_path / f"out{k}", "--formats", "pdf",
                            "--jobs", 2, "--shard", f"{k}/3")
        assert report["shard"] == f"{k}/3"
        seen += [b["name"] for b in report["briefs"]]
        assert {p.stem for p in (tmp_path / f"out{k}").glob("*.pdf")} == \
            {b["name"] for b in report["briefs"]}
    assert sorted(seen) == sorted(names)


def test_shard_of_a_brief_depends_only_on_its_name():
    paths = [Path(f"briefs/brief-{i:03d}.yaml") for i in range(300)]
    for n in (1, 2, 3, 7):
        slices = [Shard(k, n).select(paths) for k in range(1, n + 1)]
        assert sorted(p for s in slices for p in s) == sorted(paths)
        assert all(len(s) > 300 / n / 2 for s in slices)  # roughly balanced
    assert Shard(2, 7).owns(Path("a/brief-007.yaml")) == Shard(2, 7).owns(
        Path("/elsewhere/brief-007.yaml"))
    assert Shard(2, 7).select(paths[:50]) == [p for p in Shard(2, 7).select(paths)
                                              if p in paths[:50]]


@pytest.mark.parametrize("bad", ["0/3", "4/3", "3", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(bad, tmp_path):
    result = build(tmp_path, "--shard", bad, expect=2)
    assert "expected K/N with 1 <= K <= N" in result.stderr


def test_discovery_recurses_skips_hidden_and_refuses_missing_paths(tmp_path):
    for rel in ("a.yaml", "sub/b.yml", "sub/deeper/c.yaml", ".hidden/d.yaml", "sub/.e.yaml",
                "notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = discover([tmp_path, tmp_path / "a.yaml", tmp_path / "notes.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.yaml", "notes.txt", "sub/b.yml", "sub/deeper/c.yaml"]
    result = build(tmp_path / "missing", expect=2)
    assert "missing: no such file or folder" in result.stderr


def test_two_briefs_with_the_same_name_fail_instead_of_overwriting_each_other(briefs,
                                                                             tmp_path):
    (alpha,) = briefs("alpha")
    (briefs.folder / "sub").mkdir()
    shutil.copy(alpha, briefs.folder / "sub" / "alpha.yml")
    briefs("beta")
    out = tmp_path / "out"
    report = build_json(briefs.folder, "--out", out, "--formats", "pdf", expect=1)
    assert [(b["brief"], b["outputs"][0]["status"]) for b in report["briefs"]] == [
        (str(alpha), "failed"), (str(briefs.folder / "beta.yaml"), "built"),
        (str(briefs.folder / "sub" / "alpha.yml"), "failed")]
    assert "has the same file name" in report["briefs"][0]["outputs"][0]["error"]
    assert not (out / "alpha.pdf").exists()


def test_the_summary_never_wraps_a_brief_path_when_not_on_a_terminal(briefs, tmp_path,
                                                                   sample_data):
    long_name = "pmf-tillerson-" + "-".join(["rebuff"] * 14)
    (good,) = briefs(long_name)
    nested = briefs.folder / "2017" / "iraq-popular-mobilization-forces" / "archived-versions"
    nested.mkdir(parents=True)
    bad = nested / f"{long_name}-draft.yaml"
    bad.write_text("title: [half saved\n", encoding="utf-8")
    assert len(str(bad)) > 160
    result = build(briefs.folder, "--out", tmp_path / "out", "--formats", "pdf", expect=1)
    table = result.stdout.splitlines()
    for brief, status in ((good, "built"), (bad, "FAILED")):
        row = next((line for line in table if str(brief) in line), None)
        assert row is not None, result.stdout  # the path on one line, not folded
        assert row.split("|")[-1].strip() == status
    assert f"FAILED  {bad} [pdf]" in result.stderr.splitlines()


def test_a_missing_templates_folder_is_a_usage_error(briefs, tmp_path):
    briefs("alpha")
    result = build(briefs.folder, "--out", tmp_path / "out", "--templates",
                   tmp_path / "no-such-templates", expect=2)
    assert "does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_help_shows_an_example_and_the_exit_codes():
    result = CliRunner().invoke(app, ["build", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "reportgen build briefs/ --out out/" in text
    assert "3 another build holds OUT" in text


# --- every format ------------------------------------------------------------------------


def test_all_three_formats_build_and_the_index_links_them(briefs, tmp_path):
    from docx import Document
    from pptx import Presentation

    briefs("alpha")
    out = tmp_path / "out"
    report = build_json(briefs.folder, "--out", out, "--jobs", 2, expect=None)
    errors = [o["error"] for o in report["briefs"][0]["outputs"] if o["error"]]
    assert report["exit_code"] == 0, errors
    assert statuses(report) == {("alpha", f): "built" for f in ("pdf", "docx", "pptx")}
    assert "Nightly brief alpha" in pdf_text(out / "alpha.pdf")
    assert any("Nightly brief alpha" in p.text for p in Document(out / "alpha.docx").paragraphs)
    deck = Presentation(out / "alpha.pptx")
    # the cover keeps a headline's last two words together with a no-break space
    assert any("Nightly brief alpha" in shape.text_frame.text.replace("\u00a0", " ")
               for shape in deck.slides[0].shapes if shape.has_text_frame)
    links = {a.get("href") for a in ET.fromstring(
        (out / INDEX_NAME).read_text(encoding="utf-8").split("\n", 1)[1]).iter("a")}
    assert links == {"alpha.pdf", "alpha.docx", "alpha.pptx"}
    # The report carries the writers' findings: the one-pager's type size, the deck's slides.
    layout = {o["format"]: o["layout"] for o in report["briefs"][0]["outputs"]}
    assert layout["pdf"]["pages"] == 1 and layout["pdf"]["start_pt"] == 10
    assert 8 <= layout["pdf"]["body_pt"] <= 11.5  # between the floor and the ceiling
    assert layout["pptx"]["slides"] == len(deck.slides)
    again = build_json(briefs.folder, "--out", out, "--jobs", 2)
    assert set(statuses(again).values()) == {"skipped"}
    assert all(o["layout"] is None for b in again["briefs"] for o in b["outputs"])


def test_real_paths_are_what_resolve_gives_through_links(tmp_path):
    from reportgen.batch.discover import RealPaths

    real_dir = tmp_path / "real"
    (real_dir / "sub").mkdir(parents=True)
    (real_dir / "a.yaml").write_text("title: a\n")
    (real_dir / "sub" / "b.yaml").write_text("title: b\n")
    (tmp_path / "linked-dir").symlink_to(real_dir, target_is_directory=True)
    (real_dir / "link.yaml").symlink_to(real_dir / "sub" / "b.yaml")
    (real_dir / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    real = RealPaths()
    for path in [real_dir / "a.yaml", tmp_path / "linked-dir" / "a.yaml",
                 tmp_path / "linked-dir" / "sub" / "b.yaml", real_dir / "link.yaml",
                 real_dir / "dangling.yaml", tmp_path / "linked-dir" / "missing.yaml",
                 real_dir / "sub" / ".." / "a.yaml", Path("relative.yaml"), real_dir / "."]:
        assert real(path) == path.resolve(), path
        assert real(path) == path.resolve(), path  # with its folder known
