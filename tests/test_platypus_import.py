"""reportgen.writers.platypus: ReportLab's paragraph module imported with its URL pattern
compiled on first use (reportgen never uses it), re.compile restored, and the pattern matching
as the compiled one does when a style does use it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus.paragraph import Paragraph

from reportgen.writers import platypus

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
from reportgen.writers.platypus import LazyPattern
lazy = [n for n, v in vars(P).items() if isinstance(v, LazyPattern)]
print(json.dumps([lazy, P.uri_pat._compiled is None, re.compile.__module__]))
"""


def test_the_pdf_writer_never_compiles_reportlabs_url_pattern():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          timeout=120, check=True, cwd=ROOT)
    # only that pattern is lazy; rendering a one-pager never compiled it; re is itself again
    assert json.loads(done.stdout) == [["uri_pat"], True, "re"]


def _pattern() -> tuple[str, int]:
    import reportlab.platypus.paragraph as P

    return P.uri_pat.pattern, P.uri_pat.flags


def test_the_lazy_pattern_matches_as_the_compiled_one():
    lazy, compiled = platypus.LazyPattern(*_pattern()), re.compile(*_pattern())
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
    lines = _split_lines(monkeypatch, platypus.LazyPattern(*_pattern()))
    assert lines == _split_lines(monkeypatch, re.compile(*_pattern()))
    assert len(lines) > 2 and any(line.endswith("/") for line in lines)


def test_only_costly_patterns_of_that_module_are_deferred():
    assert platypus.costly("[a-z\xa1-\uffff]", re.I)
    assert not platypus.costly("[a-z\xa1-\uffff]", 0)
    assert not platypus.costly("[a-z]+", re.I)
    assert not platypus.costly(b"[a-z]", re.I)
