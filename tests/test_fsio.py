"""Atomic writes: a failed or interrupted write never leaves half a file or loses the old one."""

from __future__ import annotations

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


def test_sweep_removes_only_leftover_temporaries(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"keep")
    (tmp_path / ".x.pdf.tmp-abc123").write_bytes(b"half")
    removed = fsio.sweep_partial_files(tmp_path)
    assert [p.name for p in removed] == [".x.pdf.tmp-abc123"]
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]
