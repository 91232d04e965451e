"""No output byte changes by accident: the sha256 of every test brief's PDF, DOCX and PPTX is
committed in tests/fixtures/output_hashes.json, and the suite rebuilds them and compares.

Performance work on the writers must keep outputs byte-identical; this is the proof. A change
of bytes that is meant (a new look, a fix) updates the fixture on purpose:

    python -m tests.test_output_hashes --update

The bytes depend on the pinned font packages and libraries (and on zlib's deflate), so the
fixture records their versions; where they differ from the installed ones the comparison is
skipped with the difference as the reason, rather than failing on a machine that is merely
set up differently.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zlib
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, write_figure_brief, write_reference_templates

FIXTURE = FIXTURES / "output_hashes.json"
UPDATE = "python -m tests.test_output_hashes --update"
# Fixed, so the hashes do not depend on the environment: 2018-01-01T00:00:00Z.
EPOCH = "1514764800"
FORMATS = ("pdf", "docx", "pptx")
# Beyond the writers' own libraries: what parses the briefs, serialises the XML and writes the
# test pictures.
EXTRA_LIBRARIES = ("pyyaml", "lxml", "pillow")


def sample_briefs() -> list[Path]:
    return sorted((ROOT / "briefs").glob("*.yaml"))


def library_versions() -> dict[str, str]:
    """Every distribution whose version can change an output's bytes -> its version, plus
    zlib's runtime version (deflate output is not fixed across zlib releases)."""
    from importlib.metadata import PackageNotFoundError, distributions, version

    from reportgen.writers import COMMON_LIBRARIES, REGISTRY

    names = set(COMMON_LIBRARIES) | set(EXTRA_LIBRARIES)
    for writer in REGISTRY.values():
        names.update(writer.libraries)
    names.update(d.metadata["Name"] for d in distributions()
                 if (d.metadata["Name"] or "").lower().startswith("fontpkg"))
    found = {}
    for name in sorted(names, key=str.lower):
        try:
            found[name.lower()] = version(name)
        except PackageNotFoundError:
            found[name.lower()] = "absent"
    found["zlib"] = zlib.ZLIB_RUNTIME_VERSION
    found["python"] = f"{sys.version_info.major}.{sys.version_info.minor}"
    return found


BUILT = ("figures", "figures-ar", "reference")


def builds(root: Path) -> dict[str, tuple[Path, Path | None]]:
    """name -> (brief, templates folder or None): the sample briefs; the sample with every
    kind of figure (key figures, map, a PNG and a JPEG, the profile's logo) in English and in
    Arabic; and the sample on reference files (python-docx's and python-pptx's own templates,
    the path where a reference's styles win). Written under `root`."""


    sample = ROOT / "briefs" / "pmf-tillerson.yaml"
    out: dict[str, tuple[Path, Path | None]] = {p.stem: (p, None) for p in sample_briefs()}
    english = yaml.safe_load(sample.read_text("utf-8"))
    arabic = yaml.safe_load((ROOT / "briefs" / "pmf-tillerson-ar.yaml").read_text("utf-8"))
    out["figures"] = write_figure_brief(root / "en", english)
    out["figures-ar"] = write_figure_brief(root / "ar", arabic, "figures-ar")

    out["reference"] = (sample, write_reference_templates(root / "reference"))
    return out


def output_hashes(root: Path) -> dict[str, str]:
    """"NAME.FORMAT" -> sha256 of the rendered bytes, with SOURCE_DATE_EPOCH fixed (the caller
    sets it)."""
    from reportgen.pipeline import prepare, render

    assert os.environ.get("SOURCE_DATE_EPOCH") == EPOCH
    hashes = {}
    for name, (brief, templates) in builds(root).items():
        job = prepare(brief, templates)
        for fmt in FORMATS:
            hashes[f"{name}.{fmt}"] = hashlib.sha256(render(job, fmt).data).hexdigest()
    return hashes


def load_fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def version_difference(recorded: dict[str, str], installed: dict[str, str]) -> list[str]:
    return [f"{name} {recorded.get(name, 'absent')} -> {installed.get(name, 'absent')}"
            for name in sorted(set(recorded) | set(installed))
            if recorded.get(name) != installed.get(name)]


@pytest.fixture(scope="module")
def fixture() -> dict:
    if not FIXTURE.exists():
        pytest.fail(f"{FIXTURE} is missing; make it with `{UPDATE}`")
    data = load_fixture()
    diff = version_difference(data["libraries"], library_versions())
    if diff:
        pytest.skip("output hashes were recorded with other library versions "
                    f"({'; '.join(diff)}); re-record them with `{UPDATE}` once the outputs "
                    "have been checked by eye")
    return data


def test_fixture_covers_every_sample_brief_in_every_format():
    recorded = set(load_fixture()["outputs"])
    wanted = {f"{p.stem}.{fmt}" for p in sample_briefs() for fmt in FORMATS}
    wanted |= {f"{name}.{fmt}" for name in BUILT for fmt in FORMATS}
    assert recorded == wanted, (
        f"the fixture's outputs differ from the briefs: missing {sorted(wanted - recorded)}, "
        f"stale {sorted(recorded - wanted)}; regenerate with `{UPDATE}`")


def test_outputs_are_byte_identical_to_the_recorded_hashes(fixture, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", fixture["source_date_epoch"])
    now = output_hashes(tmp_path)
    changed = sorted(k for k in fixture["outputs"] if now.get(k) != fixture["outputs"][k])
    assert not changed, (
        f"output bytes changed for {', '.join(changed)}. If that is a mistake (a performance "
        "change must keep every byte), find it; if the change is meant, look at the outputs "
        f"(../shared/tools/preview) and re-record the hashes on purpose with `{UPDATE}`")


def update() -> None:
    import tempfile

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory() as tmp:
        hashes = output_hashes(Path(tmp))
    data = {
        "about": "sha256 of every test brief's outputs; checked by tests/test_output_hashes.py. "
                 f"Update only on purpose: {UPDATE}",
        "source_date_epoch": EPOCH,
        "libraries": library_versions(),
        "outputs": dict(sorted(hashes.items())),
    }
    FIXTURE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(hashes)} hashes to {FIXTURE}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {UPDATE}  (re-records the output hashes; do it only on purpose)")
    update()


# ---------------------------------------------------------------------------------------------
# The caches the writers keep for speed give the answers of what they replace, within a bound


def test_template_cache_is_bounded_and_gives_the_template_built_afresh():
    import io
    import zipfile

    from reportgen.profile import find_profile
    from reportgen.writers.pptx.builtin import TemplateCache, _builtin_template

    def members(data: bytes) -> list[tuple[str, bytes]]:  # python-pptx dates entries "now"
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(name, z.read(name)) for name in z.namelist()]

    profile = find_profile("mei", None).profile
    cache = TemplateCache(size=2)
    first = cache.template(profile, False)
    assert members(first) == members(_builtin_template(profile, False))
    assert cache.template(profile, False) is first
    cache.template(profile, True)
    cache.template(profile.model_copy(update={"short_name": "Other"}), False)
    assert len(cache) == 2
    assert cache.template(profile, False) is not first  # the oldest was dropped, then rebuilt


def test_style_index_finds_what_python_docx_finds():
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    from reportgen.writers.docx.look import StyleIndex

    styles = docx.Document().styles
    index = StyleIndex(styles)
    for style in styles:
        assert style.name in index
        assert index[style.name].element is styles[style.name].element
        assert index.by_id(style.style_id).element is style.element
    assert "No Such Style" not in index
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH).element
    assert index.by_id("NoSuchId", WD_STYLE_TYPE.PARAGRAPH).element is default
    assert index.by_id("Heading1", WD_STYLE_TYPE.CHARACTER).element is \
        styles.get_by_id("Heading1", WD_STYLE_TYPE.CHARACTER).element
    added = index.add("Bottom Line", WD_STYLE_TYPE.PARAGRAPH, False)
    assert "Bottom Line" in index and index["Bottom Line"].element is added.element
    assert styles["Bottom Line"].element is added.element
