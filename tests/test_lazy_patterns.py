"""reportgen.lazy_patterns: ReportLab's URL pattern and pikepdf's XMP-cleaning patterns
compiled on first use (a one-pager never uses them), re.compile restored after the import, and
each pattern matching as its compiled self does when something does use it."""

from __future__ import annotations

import copy
import importlib
import json
import os
import pickle
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
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
for brief in ('briefs/pmf-tillerson.yaml', 'briefs/pmf-tillerson-ar.yaml'):
    render(prepare(Path(brief)), 'pdf')
from reportgen.lazy_patterns import DEFERRED, LazyPattern
lazy = {m: [n for n, v in vars(sys.modules[m]).items() if isinstance(v, LazyPattern)]
        for m in DEFERRED}
print(json.dumps([lazy, [getattr(sys.modules[m], n)._compiled is None
                         for m, names in lazy.items() for n in names], re.compile.__module__]))
"""


def test_a_one_pager_never_compiles_the_deferred_patterns():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          timeout=120, check=True, cwd=ROOT)
    # only those patterns are lazy; a one-pager never compiled them; re is itself again
    lazy = {"reportlab.platypus.paragraph": ["uri_pat"], "reportlab.lib.textsplit": ["rx"],
            "reportlab.lib.PyFontify": ["matchRE", "idRE"],
            "reportlab.lib.rl_safe_eval": ["__rl_unsafe_re__"],
            "pikepdf.models.metadata._constants": ["re_xml_illegal_chars",
                                                   "re_xml_illegal_bytes"]}
    assert json.loads(done.stdout) == [lazy, [True] * 7, "re"]


ANSWERS = """
import importlib, json, sys
from reportgen import lazy_patterns
load = {"deferred": lazy_patterns.import_module, "plain": importlib.import_module}[sys.argv[1]]
uris, texts = json.loads(sys.argv[2]), json.loads(sys.argv[3])
out = {}
for module, name in json.loads(sys.argv[4]):
    pattern = getattr(load(module), name)
    kind = type(pattern).__name__
    same = (lambda t: t) if isinstance(pattern.pattern, str) else (lambda t: t.encode())
    found = [[m.span(), m.groups()] if (m := pattern.search(same(t))) else None
             for t in uris + texts]
    subbed = [repr(pattern.sub(same(""), same(t))) for t in texts]
    out[name] = [kind, repr(pattern.pattern), pattern.flags, found, subbed]
print(json.dumps(out))
"""
TEXTS = ["plain", "a\x00b\x1fc", "\ufffe\uffffok", "tab\tnew\nline", "&#0;x",
         "日本語のテキスト and text", "def f(x):\n    return 'q'  # note", "__import__('os')"]
PATTERNS = [("reportlab.platypus.paragraph", "uri_pat"), ("reportlab.lib.textsplit", "rx"),
            ("reportlab.lib.PyFontify", "matchRE"), ("reportlab.lib.PyFontify", "idRE"),
            ("reportlab.lib.rl_safe_eval", "__rl_unsafe_re__"),
            ("pikepdf.models.metadata._constants", "re_xml_illegal_chars"),
            ("pikepdf.models.metadata._constants", "re_xml_illegal_bytes")]


def _answers(how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", ANSWERS, how, json.dumps(URIS),
                           json.dumps(TEXTS), json.dumps(PATTERNS)], capture_output=True,
                          text=True, timeout=120, check=True, cwd=ROOT,
                          env={**os.environ, "PYTHONHASHSEED": "0"})  # rl_safe_eval's: a set
    return json.loads(done.stdout)


def test_deferred_patterns_answer_as_the_librarys_own():
    """Each library imported as it is and through import_module: the same pattern text and
    flags, the same matches and substitutions; only the kind of object differs."""
    plain, deferred = _answers("plain"), _answers("deferred")
    assert {name: a[0] for name, a in plain.items()} == dict.fromkeys(plain, "Pattern")
    assert {name: a[0] for name, a in deferred.items()} == dict.fromkeys(plain, "LazyPattern")
    assert {n: a[1:] for n, a in deferred.items()} == {n: a[1:] for n, a in plain.items()}
    assert len(plain) == len(PATTERNS) and all(any(a[3]) for a in plain.values())


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
    import reportlab.platypus.paragraph as P

    source, flags = P.uri_pat.pattern, P.uri_pat.flags  # the library's, compiled or not
    lines = _split_lines(monkeypatch, lazy_patterns.LazyPattern(source, flags))
    assert lines == _split_lines(monkeypatch, re.compile(source, flags))
    assert len(lines) > 2 and any(line.endswith("/") for line in lines)


def test_a_lazy_pattern_copies_and_pickles_as_one_still_to_compile():
    lazy = lazy_patterns.LazyPattern("[a-z]+(\\d)", re.I)
    for twin in (copy.copy(lazy), copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
        assert isinstance(twin, lazy_patterns.LazyPattern) and twin._compiled is None
        assert twin.match("AbC7").groups() == ("7",)
    assert lazy._compiled is None and lazy.flags == re.compile("x", re.I).flags
    assert lazy._compiled is not None  # flags is the compiled pattern's


def test_imports_in_threads_leave_re_compile_as_it_was(tmp_path, monkeypatch):
    """Two threads import at once, the first finishing first: without one swap at a time the
    second would put back the first's re.compile for good."""
    gates = SimpleNamespace(**{n: threading.Event() for n in ("in_a", "go_a", "in_b", "go_b")})
    monkeypatch.setitem(sys.modules, "lazy_gates", gates)
    for mod, (entered, go) in {"gated_a": ("in_a", "go_a"), "gated_b": ("in_b", "go_b")}.items():
        (tmp_path / f"{mod}.py").write_text(
            f"import lazy_gates as g\ng.{entered}.set()\nassert g.{go}.wait(10)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    compile_ = re.compile
    first = threading.Thread(target=lazy_patterns.import_module, args=("gated_a",))
    second = threading.Thread(target=lazy_patterns.import_module, args=("gated_b",))
    first.start()
    assert gates.in_a.wait(10)
    second.start()
    assert not gates.in_b.wait(0.3)  # waits for the first import's swap to end
    gates.go_a.set()
    first.join(10)
    gates.go_b.set()
    second.join(10)
    assert sys.modules.pop("gated_a") and sys.modules.pop("gated_b") and re.compile is compile_


def test_an_imported_module_is_returned_as_it_is():
    import reportlab.platypus

    assert lazy_patterns.import_module("reportlab.platypus") is reportlab.platypus


def test_only_costly_patterns_of_that_module_are_deferred():
    assert lazy_patterns.folds_the_bmp("[a-z\xa1-\uffff]", re.I)
    assert not lazy_patterns.folds_the_bmp("[a-z\xa1-\uffff]", 0)
    assert not lazy_patterns.folds_the_bmp("[a-z]+", re.I)
    assert not lazy_patterns.folds_the_bmp(b"[a-z]", re.I)


def test_a_module_imported_through_it_may_import_through_it(tmp_path, monkeypatch):
    (tmp_path / "nested_outer.py").write_text(
        "from reportgen import lazy_patterns\nlazy_patterns.import_module('nested_inner')\n")
    (tmp_path / "nested_inner.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importing = threading.Thread(target=lazy_patterns.import_module, args=("nested_outer",),
                                 daemon=True)
    importing.start()
    importing.join(10)
    assert not importing.is_alive()  # not waiting on itself
    assert sys.modules.pop("nested_inner").VALUE == 1 and sys.modules.pop("nested_outer")


LOADS = """
import hashlib, json, sys
from pathlib import Path
from reportgen.pipeline import prepare, render
seen = []
for brief in sys.argv[1:]:
    data = render(prepare(Path(brief)), 'pdf').data
    import reportlab.pdfbase.ttfonts as ttfonts  # imported by the writer, after the stand-in
    seen.append(['uharfbuzz._harfbuzz' in sys.modules, type(sys.modules['uharfbuzz']).__name__,
                 ttfonts.uharfbuzz is sys.modules['uharfbuzz'], hashlib.sha256(data).hexdigest()])
print(json.dumps(seen))
"""


def _one_pagers(*briefs: str, first: str = "") -> list:
    done = subprocess.run([sys.executable, "-c", first + LOADS, *briefs], capture_output=True,
                          text=True, timeout=120, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def test_harfbuzz_loads_only_for_a_shaped_run_and_shapes_the_same():
    """ReportLab imports uharfbuzz for shaping: an English one-pager never loads it, an
    Arabic one does (the module is then sys.modules' own and ReportLab's, not the stand-in),
    with the bytes it gives when uharfbuzz was imported before anything."""
    english, arabic = "briefs/pmf-tillerson.yaml", "briefs/pmf-tillerson-ar.yaml"
    [en, ar] = _one_pagers(english, arabic)
    assert en[:3] == [False, "_LoadedOnFirstUse", True] and ar[:3] == [True, "module", True]
    eager = _one_pagers(english, arabic, first="import uharfbuzz\n")
    assert [en[3], ar[3]] == [e[3] for e in eager]


@pytest.fixture()
def stand_in(tmp_path, monkeypatch):
    """A module `standin_mod` (and `standin_user`, which imports it) behind a stand-in."""
    (tmp_path / "standin_mod.py").write_text("import sys\nVALUE = 1\nLOADS = sys.argv\n")
    (tmp_path / "standin_user.py").write_text("import standin_mod\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("standin_mod", "standin_user"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    lazy_patterns.load_on_first_use("standin_mod", used_by=("standin_user",))
    yield tmp_path
    for name in ("standin_mod", "standin_user"):
        sys.modules.pop(name, None)


def test_a_stand_in_loads_at_first_use_and_gives_way(stand_in):
    import standin_user  # noqa: F401 - imports the stand-in, which does not load it

    held = sys.modules["standin_mod"]
    assert type(held).__name__ == "_LoadedOnFirstUse" and "VALUE" not in vars(held)
    assert standin_user.standin_mod is held
    held.VALUE = 2  # a write loads the module and goes to it
    real = sys.modules["standin_mod"]
    assert type(real).__name__ == "module" and real.VALUE == 2 and held.VALUE == 2
    assert standin_user.standin_mod is real  # its user now holds the module itself
    assert "VALUE" in dir(held)


def test_a_stand_in_whose_module_fails_says_so_and_tries_again(stand_in):
    (stand_in / "standin_mod.py").write_text("raise ImportError('broken install')\n")
    held = sys.modules["standin_mod"]
    with pytest.raises(ImportError, match="imported on its first use.*broken install"):
        held.VALUE  # noqa: B018
    (stand_in / "standin_mod.py").write_text("VALUE = 3\n")
    importlib.invalidate_caches()
    assert held.VALUE == 3 and sys.modules["standin_mod"].VALUE == 3


def test_threads_loading_a_stand_in_get_one_module(stand_in):
    held = sys.modules["standin_mod"]
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: held.LOADS, range(8)))
    assert all(f is found[0] for f in found) and sys.modules["standin_mod"].LOADS is found[0]


def test_a_module_not_installed_gets_no_stand_in(monkeypatch):
    monkeypatch.delitem(sys.modules, "no_such_module_here", raising=False)
    lazy_patterns.load_on_first_use("no_such_module_here", used_by=())
    assert "no_such_module_here" not in sys.modules
