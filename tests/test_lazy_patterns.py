"""reportgen.lazy_patterns: ReportLab's URL pattern and pikepdf's XMP-cleaning patterns
compiled on first use (a one-pager never uses them), re.compile restored after the import, and
each pattern matching as its compiled self does when something does use it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus.paragraph import Paragraph

from reportgen import lazy_patterns

ROOT = Path(__file__).resolve().parents[1]
URIS = ["https://example.org/a/b/c", "HTTP://EXAMPLE.ORG/Path/", "ftp://user:pw@host.example:21/x",
        "https://مثال.إختبار/صفحة/", "https://192.168.0.1:8080/a?b=c#d", "not a uri",
        "C:\\Windows\\Path", "https://localhost/x"]

CODE = """
import json, re, sys
from pathlib import Path
from reportgen.pipeline import prepare, render
render(prepare(Path('briefs/pmf-tillerson.yaml')), 'pdf')
import reportlab.platypus.paragraph as P
import pikepdf.models.metadata._constants as C
from reportgen.lazy_patterns import LazyPattern
lazy = [n for m in (P, C) for n, v in vars(m).items() if isinstance(v, LazyPattern)]
print(json.dumps([lazy, [getattr(m, n)._compiled is None for m in (P, C) for n in lazy
                         if hasattr(m, n)], re.compile.__module__]))
"""


def test_a_one_pager_never_compiles_the_deferred_patterns():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          timeout=120, check=True, cwd=ROOT)
    # only those patterns are lazy; a one-pager never compiled them; re is itself again
    lazy = ["uri_pat", "re_xml_illegal_chars", "re_xml_illegal_bytes"]
    assert json.loads(done.stdout) == [lazy, [True, True, True], "re"]


def _pattern() -> tuple[str, int]:
    import reportlab.platypus.paragraph as P

    return P.uri_pat.pattern, P.uri_pat.flags


def test_the_lazy_pattern_matches_as_the_compiled_one():
    lazy, compiled = lazy_patterns.LazyPattern(*_pattern()), re.compile(*_pattern())
    for uri in URIS:
        found, expected = lazy.match(uri), compiled.match(uri)
        assert (found and found.groups()) == (expected and expected.groups()), uri


def _split_lines(monkeypatch, pattern) -> list[str]:
    import reportlab.platypus.paragraph as P

    monkeypatch.setattr(P, "uri_pat", pattern)
    style = ParagraphStyle("u", fontName="Helvetica", fontSize=10, leading=12,
                           uriWasteReduce=0.3, splitLongWords=True)
    para = Paragraph("See https://example.org/a-long/path/that-does-not-fit/in/one/line/at-all"
                     "/index.html today", style)
    para.wrap(120, 500)
    return [" ".join(line[1]) for line in para.blPara.lines]


def test_a_style_that_splits_urls_splits_them_the_same(monkeypatch):
    lines = _split_lines(monkeypatch, lazy_patterns.LazyPattern(*_pattern()))
    assert lines == _split_lines(monkeypatch, re.compile(*_pattern()))
    assert len(lines) > 2 and any(line.endswith("/") for line in lines)


def test_pikepdfs_patterns_match_as_compiled():
    import pikepdf.models.metadata._constants as C

    chars, raw = C.re_xml_illegal_chars, C.re_xml_illegal_bytes
    samples = ["plain", "a\x00b\x1fc", "\ufffe\uffffok", "tab\tnew\nline", "&#0;x"]
    for lazy in (chars, raw):
        compiled = re.compile(lazy.pattern, lazy.flags)
        fresh = lazy_patterns.LazyPattern(lazy.pattern, lazy.flags)
        for text in samples:
            data = text if isinstance(lazy.pattern, str) else text.encode("utf-8")
            assert fresh.sub(data[:0], data) == compiled.sub(data[:0], data)


def test_an_imported_module_is_returned_as_it_is():
    import reportlab.platypus

    assert lazy_patterns.import_module("reportlab.platypus") is reportlab.platypus


def test_only_costly_patterns_of_that_module_are_deferred():
    assert lazy_patterns.folds_the_bmp("[a-z\xa1-\uffff]", re.I)
    assert not lazy_patterns.folds_the_bmp("[a-z\xa1-\uffff]", 0)
    assert not lazy_patterns.folds_the_bmp("[a-z]+", re.I)
    assert not lazy_patterns.folds_the_bmp(b"[a-z]", re.I)
