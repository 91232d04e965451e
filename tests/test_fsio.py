"""Atomic writes: a failed or interrupted write never leaves half a file or loses the old one."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

import reportgen.fsio as fsio


def test_write_atomic_replaces_the_whole_file(tmp_path):
    target = tmp_path / "out" / "x.pdf"
    fsio.write_atomic(target, b"old")
    fsio.write_atomic(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert [p.name for p in target.parent.iterdir()] == ["x.pdf"]


def test_a_failed_rename_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "x.pdf"
    target.write_bytes(b"last good")

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(fsio.os, "replace", refuse)
    with pytest.raises(OSError):
        fsio.write_atomic(target, b"new")
    assert target.read_bytes() == b"last good"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_write_new_never_replaces(tmp_path):
    target = tmp_path / "brief.yaml"
    fsio.write_new(target, b"first")
    with pytest.raises(FileExistsError):
        fsio.write_new(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.yaml"]


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_pid():
    """The pid of another live process, like a `reportgen pdf` writing into the folder."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_a_temporary_file_names_its_target_host_and_pid(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(fsio.os, "replace", spy)
    fsio.write_atomic(tmp_path / "x.pdf", b"data")
    assert seen[0].startswith(f".x.pdf.tmp-{fsio._host()}-{os.getpid()}-")
    assert fsio.looks_like_temp(seen[0])


def test_sweep_removes_temporaries_of_dead_writers_and_keeps_those_of_live_ones(
        tmp_path, live_pid):
    (tmp_path / "x.pdf").write_bytes(b"keep")
    dead = tmp_path / (fsio.temp_prefix(tmp_path / "x.pdf", _dead_pid()) + "abc123de")
    live = tmp_path / (fsio.temp_prefix(tmp_path / "y.pdf", live_pid) + "abc123de")
    mine = tmp_path / (fsio.temp_prefix(tmp_path / "z.pdf") + "abc123de")
    for temp in (dead, live, mine):
        temp.write_bytes(b"half")

    removed = fsio.sweep_partial_files(tmp_path)

    assert removed == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.pdf", live.name, mine.name])


def test_sweep_removes_temporaries_it_cannot_check_only_once_they_are_hours_old(tmp_path):
    # another host on a shared folder, or a name from an older reportgen: no pid to check
    foreign = tmp_path / ".x.pdf.tmp-otherhost-123-abc123de"
    legacy = tmp_path / ".y.pdf.tmp-abc123de"
    old = tmp_path / ".z.pdf.tmp-otherhost-456-abc123de"
    for temp in (foreign, legacy, old):
        temp.write_bytes(b"half")
    hours_ago = time.time() - fsio.ABANDONED_AFTER_S - 60
    os.utime(old, (hours_ago, hours_ago))

    assert fsio.sweep_partial_files(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([foreign.name, legacy.name])


@pytest.mark.parametrize("name", ["n" * 250 + ".pptx", "é" * 125 + ".pptx"])
def test_a_target_name_of_255_bytes_still_gets_a_temporary_file(tmp_path, name):
    target = tmp_path / name
    fsio.write_atomic(target, b"deck")
    assert target.read_bytes() == b"deck"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
