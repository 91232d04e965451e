"""Third-party modules imported with the regular expressions they compile as they are imported,
and reportgen rarely or never uses, compiled on first use instead.

Python's `re` compiles a pattern when it is made; a module that makes one at import pays for
it in every process that imports the module, used or not. These cost ~25 ms of a single
`reportgen pdf` (ReportLab's also of a build's parent, before it forks):

- reportlab.platypus.paragraph's `uri_pat` (~19 ms: case-insensitive over U+00A1-U+FFFF, so
  `re` folds the case of 65,000 characters): it splits long URLs only for styles that set
  `uriWasteReduce`, which reportgen's never do. Only that pattern is deferred there.
- ReportLab modules platypus imports for what reportgen does not use (~3.3 ms): textsplit's
  `rx` (~2.3 ms, for `cjkwrap`, not the paragraphs' own wrapping), PyFontify's (Python
  source colouring for PythonPreformatted) and rl_safe_eval's (a document's `exec` tags).
- pikepdf.models.metadata's XML-cleaning patterns (~3 ms): pikepdf's XMP editor, which the
  tagged PDF does not use (it writes its XMP itself).

`import_module(name)` imports `name` with `re.compile` answering those modules' calls with a
`LazyPattern`, and restores `re.compile` at once. Deferring changes when a pattern compiles,
never what it matches; the tests check that each deferred pattern is still found in the
installed library, is not compiled by a one-pager, and matches as its compiled self does.
(yaml.reader's check for unprintable characters, ~3 ms, is not deferred: the brief loader
reads with the pure-Python reader, which uses it on every brief.)

A whole module can wait the same way: `load_on_first_use(name, used_by)` puts a stand-in in
sys.modules that imports the module at its first use (uharfbuzz, which ReportLab imports in
case it shapes: ~5 ms, needed only for Arabic text).
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager
from types import ModuleType
from typing import Any


class LazyPattern:
    """A regular expression compiled the first time one of its methods is used.

    It answers as `re.Pattern` does (`pattern` without compiling; `flags`, `match`, `sub`, ...
    compile it), is copied and pickled as a pattern still to compile, but is not an instance
    of `re.Pattern` (which cannot be subclassed): the deferred patterns are module constants
    their libraries only call methods of."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern, self._flags = pattern, flags
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never ours to answer: no recursion before __init__ ran
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self._flags)
        return getattr(self._compiled, name)

    def __reduce__(self) -> tuple:
        return LazyPattern, (self.pattern, self._flags)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self._flags!r})"


def folds_the_bmp(pattern: object, flags: int) -> bool:
    """Case-insensitive with a range reaching U+FFFF: the costly kind to compile."""
    return isinstance(pattern, str) and bool(flags & re.IGNORECASE) and "\uffff" in pattern


def every(pattern: object, flags: int) -> bool:
    return True


# module -> which of the patterns it compiles as it is imported wait for their first use
DEFERRED: dict[str, Callable[[object, int], bool]] = {
    "reportlab.platypus.paragraph": folds_the_bmp,
    "reportlab.lib.textsplit": every,
    "reportlab.lib.PyFontify": every,
    "reportlab.lib.rl_safe_eval": every,
    "pikepdf.models.metadata._constants": every,
}


def import_module(name: str) -> ModuleType:
    """`importlib.import_module(name)`, the DEFERRED patterns of the modules it imports left
    to compile on first use (when they are not imported already)."""
    if name in sys.modules:  # importlib's answer: it waits for an import still running
        return importlib.import_module(name)
    with _deferring():
        return importlib.import_module(name)


# one swap of re.compile at a time, each restoring what it found (reentrant: a module imported
# under it may itself import through import_module)
_swapping = threading.RLock()


@contextmanager
def _deferring():
    with _swapping:
        compile_ = re.compile

        def compile_later(pattern, flags=0):
            defer = DEFERRED.get(sys._getframe(1).f_globals.get("__name__"))
            if defer is not None and defer(pattern, int(flags)):
                return LazyPattern(pattern, int(flags))
            return compile_(pattern, flags)

        re.compile = compile_later
        try:
            yield
        finally:
            re.compile = compile_


_standing_in = threading.Lock()  # one stand-in put in, or taken out of, sys.modules at a time


def load_on_first_use(name: str, used_by: tuple[str, ...]) -> None:
    """Make `import name` give a stand-in that imports the module when one of its attributes
    is first used, unless it is loaded already or not installed. For a module a library
    imports in case it needs it: ReportLab imports uharfbuzz (~5 ms) for shaping, which a
    one-pager needs only for Arabic text. (The standard library's LazyLoader does not do:
    the import statement itself reads the module's __spec__, which loads it.)

    Once loaded, the module is sys.modules' own, and the modules of `used_by` that hold the
    stand-in as a global hold the module instead (each attribute read through the stand-in
    costs ~1 us, and a shaped one-pager reads thousands). For modules whose submodules are not
    imported by name (`import name.sub` would find and load the submodule twice)."""
    if name in sys.modules:
        return
    import importlib.util

    with _standing_in:
        if name in sys.modules:
            return
        spec = importlib.util.find_spec(name)
        if spec is not None:
            sys.modules[name] = _LoadedOnFirstUse(name, spec, used_by)


class _LoadedOnFirstUse(ModuleType):
    """A module's stand-in in sys.modules: the first attribute asked of it, or set on it
    (other than what every module has: __name__, __spec__, ...), imports the module, which
    from then on is sys.modules' and answers through it."""

    def __init__(self, name: str, spec: Any, used_by: tuple[str, ...]) -> None:
        super().__init__(name)
        self.__spec__ = spec
        self.__dict__["_used_by"] = used_by

    def _load(self) -> ModuleType:
        real = self.__dict__.get("_loaded_module")
        if real is not None:
            return real
        with _standing_in:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
        try:  # outside the lock: importlib's own makes a second thread wait for this import
            real = importlib.import_module(self.__name__)
        except ImportError as exc:  # a later use tries again
            raise ImportError(f"{self.__name__}, imported on its first use, could not be "
                              f"loaded: {exc}", name=self.__name__) from exc
        self.__dict__["_loaded_module"] = real
        for user in self.__dict__["_used_by"]:
            found = vars(sys.modules[user]) if user in sys.modules else {}
            for key, value in list(found.items()):
                if value is self:
                    found[key] = real
        return real

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr.startswith("__") and attr.endswith("__"):  # the module's own: __spec__, ...
            super().__setattr__(attr, value)
        else:
            setattr(self._load(), attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(self._load(), attr)

    def __dir__(self) -> list[str]:
        return dir(self._load())
