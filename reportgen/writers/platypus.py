"""ReportLab's platypus, imported with its one costly regular expression compiled on first use.

`reportlab.platypus.paragraph` compiles, as it is imported, a case-insensitive pattern over
the ranges \\xa1-\\uffff (`uri_pat`, which splits long URLs only when a style sets
`uriWasteReduce`; reportgen's never do). Python's `re` folds the case of each of those 65,000
characters: ~19 ms of every `reportgen pdf`, and of a build's parent before it forks, for a
pattern the one-pager never uses. Imported through here, that pattern (and only a pattern as
costly: case-insensitive over a range reaching U+FFFF, in that module) is a `LazyPattern` that
compiles the same pattern the first time it is used. `re.compile` is ReportLab's own again as
soon as the import is done; a test checks that this still finds its pattern in the ReportLab
installed, and that the lazy pattern matches as the compiled one does.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from typing import Any

MODULE = "reportlab.platypus.paragraph"


class LazyPattern:
    """A regular expression compiled the first time one of its methods is used."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


def costly(pattern: object, flags: int) -> bool:
    return (isinstance(pattern, str) and bool(flags & re.IGNORECASE)
            and "\uffff" in pattern)


@contextmanager
def _lazy_costly_patterns(module: str):
    compile_ = re.compile

    def compile_lazily(pattern, flags=0):
        if costly(pattern, int(flags)) and sys._getframe(1).f_globals.get("__name__") == module:
            return LazyPattern(pattern, int(flags))
        return compile_(pattern, flags)

    re.compile = compile_lazily
    try:
        yield
    finally:
        re.compile = compile_


if MODULE not in sys.modules:
    with _lazy_costly_patterns(MODULE):
        import reportlab.platypus  # noqa: F401 - what this module is for
