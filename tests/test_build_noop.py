"""`reportgen build` when nothing changed: decided in the parent from the manifest, without
parsing a brief or starting a worker, and still rebuilt when any input or output changed.

Each test builds for real (PDF, read back with pypdf), then records which briefs the run
handed to workers (`run_tasks` wrapped): an empty list is the parent's "up to date".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from reportgen.batch import fingerprint, runner
from reportgen.batch.manifest import output_name
from reportgen.batch.uptodate import FileDigests
from reportgen.build import MANIFEST_NAME
from reportgen.cli import app
from reportgen.writers import FORMATS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def handed_out(monkeypatch) -> list[list[str]]:
    """For each build run, the names of the briefs given to worker processes."""
    runs: list[list[str]] = []
    real = runner.run_tasks

    def recording(tasks, *args, **kwargs):
        tasks = list(tasks)
        runs.append(sorted(Path(t.brief).stem for t in tasks))
        return real(tasks, *args, **kwargs)

    monkeypatch.setattr(runner, "run_tasks", recording)
    return runs


def build_json(*args, expect: int = 0) -> dict:
    result = CliRunner().invoke(app, ["build", *map(str, args), "--json"])
    assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


def statuses(report: dict) -> dict[str, str]:
    return {f"{b['name']}.{o['format']}": o["status"] for b in report["briefs"]
            for o in b["outputs"]}


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def keep_mtime(path: Path, write) -> None:
    """Change a file's bytes, keep its size and put its mtime back."""
    st = path.stat()
    size = st.st_size
    write(path)
    assert path.stat().st_size == size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def flip_byte(offset: int):
    def write(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))
    return write


# --- nothing changed -------------------------------------------------------------------------


def test_nothing_changed_is_decided_in_the_parent_and_touches_no_file(briefs, tmp_path,
                                                                      handed_out):
    briefs("alpha", "beta")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf,docx", "--jobs", 2)
    assert set(statuses(build_json(*args)).values()) == {"built"}
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()}

    again = build_json(*args)

    assert handed_out == [["alpha", "beta"], []]
    assert set(statuses(again).values()) == {"skipped"}
    assert again["counts"]["skipped"] == 4
    assert {b["name"]: b["title"] for b in again["briefs"]} == {
        "alpha": "Nightly brief alpha", "beta": "Nightly brief beta"}
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()}
    assert after == before  # the manifest and index.html included


NOOP_IN_A_FRESH_PROCESS = textwrap.dedent("""
    import json, sys
    import reportgen.batch.pool as pool

    class NoWorker:
        def __init__(self, *args):
            raise AssertionError("a worker was started")

    pool._Worker = NoWorker
    from reportgen.cli import app
    try:
        app(sys.argv[1:], prog_name="reportgen")
    except SystemExit as exc:
        code = exc.code
    # (pydantic is left out: this Typer imports it to coerce options, for every command)
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in (
        "yaml", "reportlab", "docx", "pptx", "fontTools", "PIL", "uharfbuzz")
        or m.startswith(("reportgen.writers.", "reportgen.brief", "reportgen.document",
                         "reportgen.pipeline", "reportgen.profile")))
    print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
""")


def test_the_no_op_path_parses_no_brief_imports_no_writer_and_starts_no_worker(briefs,
                                                                               tmp_path):
    briefs("alpha", "beta")
    out = tmp_path / "out"
    args = [str(briefs.folder), "--out", str(out), "--formats", "pdf,docx,pptx"]
    build_json(*args)

    proc = subprocess.run([sys.executable, "-c", NOOP_IN_A_FRESH_PROCESS, "build", *args],
                          capture_output=True, text=True, timeout=120)

    outcome = json.loads(proc.stderr.strip().splitlines()[-1])
    assert outcome == {"code": 0, "heavy": []}
    assert "2 up to date" in proc.stdout


# --- what invalidates an output --------------------------------------------------------------


def test_a_brief_edit_of_the_same_size_and_mtime_rebuilds_it(briefs, tmp_path, handed_out):
    alpha, _ = briefs("alpha", "beta")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1)
    build_json(*args)

    keep_mtime(alpha, lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        "Nightly brief alpha", "Nightly brief omega"), encoding="utf-8"))
    report = build_json(*args)

    assert handed_out[-1] == ["alpha"]
    assert statuses(report) == {"alpha.pdf": "built", "beta.pdf": "skipped"}
    assert "Nightly brief omega" in pdf_text(out / "alpha.pdf")


def flat_png(path: Path, colour: tuple[int, int, int]) -> None:
    """An uncompressed PNG: its size depends on its dimensions only, not on its colour."""
    from PIL import Image

    Image.new("RGB", (400, 300), colour).save(path, format="PNG", compress_level=0)


def docx_media(path: Path) -> set[bytes]:
    """The pictures a Word file embeds (the one-pager may leave a picture out to fit)."""
    with zipfile.ZipFile(path) as z:
        return {z.read(n) for n in z.namelist() if n.startswith("word/media/")}


def test_pictures_and_the_logo_are_inputs_by_their_bytes(figure_brief, tmp_path, handed_out):
    brief, templates = figure_brief()
    picture = brief.parent / "images" / "ship.png"
    flat_png(picture, (40, 90, 140))
    out = tmp_path / "out"
    args = (brief, "--out", out, "--formats", "docx", "--jobs", 1, "--templates", templates)
    build_json(*args)
    assert statuses(build_json(*args)) == {"figures.docx": "skipped"}
    assert handed_out[-1] == []
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    labels = [f[0] for f in manifest["briefs"]["figures"]["inputs"]["files"]]
    assert labels == ["profile/profile.yaml", "picture/images/0", "picture/images/1",
                      "picture/logo"]

    # Another colour, same size, mtime put back: only the picture's bytes tell.
    images_before = docx_media(out / "figures.docx")
    keep_mtime(picture, lambda p: flat_png(p, (200, 30, 30)))
    assert statuses(build_json(*args)) == {"figures.docx": "built"}
    assert handed_out[-1] == ["figures"]
    images_after = docx_media(out / "figures.docx")
    assert images_after != images_before
    assert statuses(build_json(*args)) == {"figures.docx": "skipped"}

    # The logo beside profile.yaml, redrawn in another colour.
    from tests.conftest import make_picture
    make_picture(templates / "mei" / "logo.png", 600, 200, colour=(200, 30, 30))
    assert statuses(build_json(*args)) == {"figures.docx": "built"}
    assert handed_out[-1] == ["figures"]
    assert docx_media(out / "figures.docx") != images_after


def test_a_picture_link_pointed_elsewhere_rebuilds_and_one_leading_out_fails(figure_brief,
                                                                            tmp_path,
                                                                            handed_out):
    brief, templates = figure_brief(logo=False)
    images = brief.parent / "images"
    shutil.copy(images / "ship.png", images / "ship-a.png")
    (images / "ship.png").unlink()
    (images / "ship.png").symlink_to("ship-a.png")
    out = tmp_path / "out"
    args = (brief, "--out", out, "--formats", "pdf", "--jobs", 1, "--templates", templates)
    build_json(*args)

    # The same bytes under another name inside the folder: the inputs are equal, but the
    # link's target is part of the recipe, so a worker decides (and finds nothing to do).
    shutil.copy(images / "ship-a.png", images / "ship-b.png")
    (images / "ship.png").unlink()
    (images / "ship.png").symlink_to("ship-b.png")
    assert statuses(build_json(*args)) == {"figures.pdf": "skipped"}
    assert handed_out[-1] == ["figures"]
    assert statuses(build_json(*args)) == {"figures.pdf": "skipped"}
    assert handed_out[-1] == []

    # The same bytes outside the brief's folder: a fresh build refuses it, so must this one.
    outside = tmp_path / "elsewhere.png"
    shutil.copy(images / "ship-a.png", outside)
    (images / "ship.png").unlink()
    (images / "ship.png").symlink_to(outside)
    report = build_json(*args, expect=1)
    assert statuses(report) == {"figures.pdf": "stale"}
    assert "leads out of the brief's folder" in report["briefs"][0]["outputs"][0]["error"]


def test_profile_files_a_new_reference_file_and_a_nearer_profile_are_inputs(
        briefs, tmp_path, handed_out, monkeypatch):
    briefs("alpha")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "mei", templates / "mei")
    out = tmp_path / "out"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1,
            "--templates", templates)
    build_json(*args)

    profile = templates / "mei" / "profile.yaml"
    keep_mtime(profile, lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        "#0F3557", "#0F3558"), encoding="utf-8"))
    assert statuses(build_json(*args)) == {"alpha.pdf": "built"}
    assert handed_out[-1] == ["alpha"]
    assert statuses(build_json(*args)) == {"alpha.pdf": "skipped"}
    assert handed_out[-1] == []

    # memo.docx appearing beside profile.yaml changes the Word memo, so the recipe lists it
    # as absent; a worker decides, even for a PDF-only build (it is a profile file).
    import docx
    docx.Document().save(str(templates / "mei" / "memo.docx"))
    assert statuses(build_json(*args)) == {"alpha.pdf": "built"}
    assert handed_out[-1] == ["alpha"]

    # Without --templates the profile is searched in ./templates before the built-in one.
    plain = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1)
    assert statuses(build_json(*plain)) == {"alpha.pdf": "built"}  # another profile folder
    assert statuses(build_json(*plain)) == {"alpha.pdf": "skipped"}
    assert handed_out[-1] == []
    nearer = work / "templates" / "mei"
    nearer.mkdir(parents=True)
    (nearer / "profile.yaml").write_text(
        (ROOT / "templates" / "mei" / "profile.yaml").read_text(encoding="utf-8").replace(
            "name: Middle East Institute", "name: Nearer Institute"), encoding="utf-8")
    report = build_json(*plain)
    assert statuses(report) == {"alpha.pdf": "built"}
    assert "NEARER INSTITUTE" in pdf_text(out / "alpha.pdf")  # the masthead, in capitals


def test_library_and_reportgen_versions_and_the_clock_are_inputs(briefs, tmp_path,
                                                                 handed_out, monkeypatch):
    briefs("alpha")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf,docx", "--jobs", 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build_json(*args)

    real = fingerprint.format_libraries
    monkeypatch.setattr(fingerprint, "format_libraries",
                        lambda fmt: "python-docx=99.0" if fmt == "docx" else real(fmt))
    report = build_json(*args)
    assert statuses(report) == {"alpha.pdf": "skipped", "alpha.docx": "built"}
    assert handed_out[-1] == ["alpha"]  # the brief goes to a worker, which skips the PDF
    assert statuses(build_json(*args)) == {"alpha.pdf": "skipped", "alpha.docx": "skipped"}
    assert handed_out[-1] == []

    monkeypatch.setattr(fingerprint, "library_versions", lambda: "fonttools=0.0")
    assert set(statuses(build_json(*args)).values()) == {"built"}
    import reportgen
    monkeypatch.setattr(reportgen, "__version__", "99.0.0")
    assert set(statuses(build_json(*args)).values()) == {"built"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")
    assert set(statuses(build_json(*args)).values()) == {"built"}
    assert handed_out[-1] == ["alpha"]


def test_dist_info_names_give_the_versions_importlib_metadata_gives():
    from importlib.metadata import version

    from reportgen.writers import COMMON_LIBRARIES, REGISTRY

    names = {*COMMON_LIBRARIES, *(lib for w in REGISTRY.values() for lib in w.libraries)}
    for name in sorted(names):
        fast, slow = fingerprint.distribution_version(name), version(name)
        # the folder name carries the normalised version (2.012 -> 2.12)
        assert fast.split(".")[0] == slow.split(".")[0], name
        assert [int(p) if p.isdigit() else p for p in fast.split(".")] == \
            [int(p) if p.isdigit() else p for p in slow.split(".")], name
    assert fingerprint.distribution_version("no-such-distribution-here") == "absent"


# --- what happened to an output --------------------------------------------------------------


def test_a_deleted_or_modified_output_is_rebuilt(briefs, tmp_path, handed_out):
    briefs("alpha", "beta", "gamma")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 2)
    build_json(*args)
    good = {n: (out / f"{n}.pdf").read_bytes() for n in ("alpha", "beta", "gamma")}

    (out / "alpha.pdf").unlink()
    (out / "beta.pdf").write_bytes(b"%PDF-1.7 not the brief")
    keep_mtime(out / "gamma.pdf", flip_byte(200))  # same size, same mtime: the ctime tells
    report = build_json(*args)

    assert handed_out[-1] == ["alpha", "beta", "gamma"]
    assert statuses(report) == {"alpha.pdf": "built", "beta.pdf": "built", "gamma.pdf": "built"}
    assert {n: (out / f"{n}.pdf").read_bytes() for n in good} == good
    assert "Nightly brief gamma" in pdf_text(out / "gamma.pdf")


def test_verify_rehashes_outputs_and_catches_what_size_and_times_cannot(briefs, tmp_path,
                                                                        handed_out):
    briefs("alpha", "beta")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1)
    build_json(*args)
    good = (out / "alpha.pdf").read_bytes()

    # A tamper within the same clock tick as the write is invisible to size, mtime and
    # ctime; the manifest is edited to the tampered file's stat to stand for one.
    flip_byte(300)(out / "alpha.pdf")
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    st = (out / "alpha.pdf").stat()
    manifest["briefs"]["alpha"]["outputs"]["pdf"]["stat"] = [
        st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
    (out / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    assert statuses(build_json(*args)) == {"alpha.pdf": "skipped", "beta.pdf": "skipped"}
    assert handed_out[-1] == []

    report = build_json(*args, "--verify")
    assert statuses(report) == {"alpha.pdf": "built", "beta.pdf": "skipped"}
    assert handed_out[-1] == ["alpha"]
    assert (out / "alpha.pdf").read_bytes() == good
    assert statuses(build_json(*args, "--verify")) == {"alpha.pdf": "skipped",
                                                       "beta.pdf": "skipped"}
    assert handed_out[-1] == []


def test_a_manifest_without_recipes_is_upgraded_by_the_workers(briefs, tmp_path, handed_out):
    briefs("alpha")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1)
    build_json(*args)
    pdf = (out / "alpha.pdf").read_bytes()
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    del manifest["briefs"]["alpha"]["inputs"]
    del manifest["briefs"]["alpha"]["outputs"]["pdf"]["stat"]
    (out / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")

    assert statuses(build_json(*args)) == {"alpha.pdf": "skipped"}  # a worker hashed it
    assert handed_out[-1] == ["alpha"]
    assert statuses(build_json(*args)) == {"alpha.pdf": "skipped"}
    assert handed_out[-1] == []
    assert (out / "alpha.pdf").read_bytes() == pdf


def test_a_recipe_of_the_wrong_shape_sets_the_entry_aside(briefs, tmp_path, handed_out):
    briefs("alpha")
    out = tmp_path / "out"
    args = (briefs.folder, "--out", out, "--formats", "pdf", "--jobs", 1)
    build_json(*args)
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["briefs"]["alpha"]["inputs"]["files"] = [["profile/x", "/etc/passwd", 10**12, None]]
    (out / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")

    report = build_json(*args)
    assert any("inputs is not a recipe of input files" in w for w in report["warnings"])
    assert handed_out[-1] == ["alpha"]
    assert statuses(report) == {"alpha.pdf": "built"}


# --- the pieces ------------------------------------------------------------------------------


def test_file_digests_reads_a_shared_file_once_and_holds_at_most_its_bound(tmp_path):
    files = []
    for i in range(3):
        files.append(tmp_path / f"f{i}")
        files[-1].write_bytes(b"x" * i)
    digests = FileDigests(max_entries=2)
    first = digests.get(str(files[0]), 100)
    assert digests.get(str(files[0]), 100) == first and digests.reads == 1
    digests.get(str(files[1]), 100)
    digests.get(str(files[2]), 100)
    assert len(digests) == 2
    digests.get(str(files[0]), 100)  # forgotten first, so read again
    assert digests.reads == 4
    assert digests.get(str(tmp_path / "gone"), 100) == digests.get(str(tmp_path / "gone2"), 100)
    assert digests.get(str(files[2]), 1) != digests.get(str(files[2]), 100)  # too large


def test_output_names_are_the_pipelines():
    from reportgen.pipeline import output_name as pipeline_output_name

    for fmt in FORMATS:
        assert output_name("pmf-tillerson", fmt) == pipeline_output_name("pmf-tillerson", fmt)
