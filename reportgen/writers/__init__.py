"""The writer registry: one entry per format, holding every per-format fact.

A writer module provides `render(document) -> Rendered` and `check(document) -> Findings`
(the layout planning alone, for `validate`; it raises RenderError where the document cannot
be made). Modules are imported only when their format is asked for, so `reportgen --help` and
the commands that do not render never pay for ReportLab, python-docx or python-pptx. Adding a
format means adding one entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportgen.document import Document
    from reportgen.document.findings import Findings, Rendered


@dataclass(frozen=True)
class Writer:
    name: str  # the format, as given to --formats
    module: str
    suffix: str  # of the output file
    libraries: tuple[str, ...]  # distributions whose version changes the output's bytes
    reference: str | None  # the profile's reference file for this format, if it takes one
    description: str  # for --help

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def render(self, document: Document) -> Rendered:
        return self.load().render(document)

    def check(self, document: Document) -> Findings:
        return self.load().check(document)


REGISTRY: dict[str, Writer] = {w.name: w for w in (
    Writer("pdf", "reportgen.writers.pdf", ".pdf",
           ("reportlab", "uharfbuzz", "python-bidi", "pikepdf"), None,
           "the one-page PDF brief"),
    Writer("docx", "reportgen.writers.docx", ".docx", ("python-docx",), "memo.docx",
           "the Word memo"),
    Writer("pptx", "reportgen.writers.pptx", ".pptx", ("python-pptx", "uharfbuzz"), "deck.pptx",
           "the 16:9 briefing deck"),
)}
FORMATS = tuple(REGISTRY)
# Libraries every format's bytes depend on (font cutting and subsetting).
COMMON_LIBRARIES = ("fonttools", "babel", "countryinfo", "pillow")
REFERENCE_FILES = tuple(w.reference for w in REGISTRY.values() if w.reference)


def get_writer(fmt: str) -> Writer:
    return REGISTRY[fmt]


def parse_formats(text: str) -> tuple[str, ...]:
    """`--formats pdf,docx` -> ("pdf", "docx"): known names only, order kept, no repeats."""
    from reportgen.errors import UsageError

    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(f"--formats {text!r}: choose from {', '.join(FORMATS)} "
                         "(comma-separated, e.g. pdf,docx)")
    return tuple(dict.fromkeys(names))
