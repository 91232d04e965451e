"""Mangled briefs never crash the loader: each either loads or raises InputError."""

from __future__ import annotations

import contextlib
import random

import pytest

from reportgen.brief import load_brief
from reportgen.errors import InputError, ReportgenError
from tests.conftest import SAMPLE

NASTY = ["\x00", "\x07", "\ufeff", "&a ", "*a", "!!python/object:os.system ", "{", "]", ":",
         "- ", "\t", "\n  ", "'", '"', "\\u0000", "<<: *a\n", "? ", "%YAML 1.2\n", "€", "\udcff",
         "\x7f", "\x85", "\x92", "---\n"]


@pytest.mark.parametrize("seed", range(100))
def test_a_mangled_brief_loads_or_gives_input_errors_with_positions(tmp_path, seed):
    rng = random.Random(seed)
    text = SAMPLE.read_text(encoding="utf-8")
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text))
        if rng.random() < 0.4:
            text = text[:at] + text[at + rng.randint(1, 40):]
        else:
            text = text[:at] + rng.choice(NASTY) + text[at:]
    path = tmp_path / "mangled.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    try:
        load_brief(path)
    except InputError as exc:
        ok = False
        for line in exc.lines():
            assert line.startswith(f"{path}:"), line
            _, line_no, col, _rest = line.split(":", 3)
            assert int(line_no) >= 1 and int(col) >= 1
    else:
        ok = True
    if ok:  # what loads must also render, or fail with a reportgen error (never a crash);
        # one format per seed, in turn, keeps the 100 seeds as quick as PDF alone was
        from reportgen.pipeline import prepare, render

        with contextlib.suppress(ReportgenError):
            render(prepare(path), ("pdf", "docx", "pptx")[seed % 3])
