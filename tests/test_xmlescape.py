"""reportgen.xmlescape writes what xml.sax.saxutils writes (it exists only to skip that
module's import of urllib.request)."""

import itertools
from xml.sax import saxutils

from reportgen.xmlescape import escape, quoteattr

PIECES = ["&", "<", ">", '"', "'", "\n", "\r", "\t", "&amp;", "a", "é", "ع", " ", "]]>"]
SAMPLES = ["", "plain", "Tom & Jerry <b>", "it's \"quoted\"", "\t tab\r\nline"] + [
    "".join(p) for p in itertools.product(PIECES, repeat=3)]


def test_as_saxutils_writes_it():
    entities = {'"': "&quot;", "'": "&#39;"}
    for data in SAMPLES:
        assert escape(data) == saxutils.escape(data), data
        assert quoteattr(data) == saxutils.quoteattr(data), data
        assert escape(data, entities) == saxutils.escape(data, entities), data


def test_single_quotes_when_the_value_holds_only_double_ones():
    assert quoteattr('say "hi"') == "'say \"hi\"'"
    assert quoteattr("""a "b" 'c'""") == '"a &quot;b&quot; \'c\'"'


def test_the_writers_do_not_import_urllib_request():
    import subprocess
    import sys

    code = ("import sys; import reportgen.writers.pdf, reportgen.writers.pptx.output; "
            "print('urllib.request' in sys.modules, 'ssl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
