"""Shared fixtures: the sample brief, and a factory for brief variants written to tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "pmf-tillerson.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DISCLAIMER = (
    "The Middle East Institute (MEI) is an independent, non-partisan, non-for-profit, "
    "educational organization. It does not engage in advocacy and its scholars’ opinions are "
    "their own. MEI welcomes financial donations, but retains sole editorial control over its "
    "work and its publications reflect only the authors’ views."
)
DONOR_NOTE = "For a listing of MEI donors, please click here."
DONOR_URL = "https://mei.edu/policies/donor-policy"


@pytest.fixture
def sample_brief() -> Path:
    return SAMPLE


@pytest.fixture
def sample_data() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def write_brief(tmp_path: Path, sample_data: dict):
    """write_brief(name, **changes) -> path of a copy of the sample with top-level changes.

    A change of None removes the key.
    """

    def make(name: str = "brief", **changes) -> Path:
        data = dict(sample_data)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    return make


@pytest.fixture
def immutable(tmp_path):
    """make(folder): a folder even root cannot write into (chattr +i), undone afterwards."""
    made: list[Path] = []

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("needs chattr +i (root on a file system with immutable files)")
        made.append(folder)
        return folder

    yield make
    for folder in made:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.fixture
def briefs(tmp_path: Path, sample_data: dict):
    """briefs(*names, **changes) writes variants of the sample into tmp_path/briefs, titled
    "Nightly brief NAME"; a name may be bytes (a file name that is not UTF-8)."""
    import os

    folder = tmp_path / "briefs"

    def make(*names: str | bytes, **changes) -> list[Path]:
        folder.mkdir(exist_ok=True)
        paths = []
        for name in names:
            shown = name if isinstance(name, str) else "with a bad name"
            data = dict(sample_data, title=f"Nightly brief {shown}")
            data.update(changes)
            path = Path(os.fsdecode(os.path.join(os.fsencode(folder),
                                                 os.fsencode(name) + b".yaml")))
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
            paths.append(path)
        return paths

    make.folder = folder
    return make
