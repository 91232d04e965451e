"""Writer registry: format name -> module with `render(brief, profile) -> bytes`.

Modules are imported only when their format is asked for, so `reportgen --help` and the
commands that do not render never pay for ReportLab, python-docx or python-pptx.
"""

from __future__ import annotations

import importlib
from types import ModuleType

WRITERS = {
    "pdf": "reportgen.writers.pdf",
    "docx": "reportgen.writers.docx",
    "pptx": "reportgen.writers.pptx",
}
FORMATS = tuple(WRITERS)


def get_writer(fmt: str) -> ModuleType:
    return importlib.import_module(WRITERS[fmt])


def parse_formats(text: str) -> tuple[str, ...]:
    """`--formats pdf,docx` -> ("pdf", "docx"): known names only, order kept, no repeats."""
    from reportgen.errors import UsageError

    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(f"--formats {text!r}: choose from {', '.join(FORMATS)} "
                         "(comma-separated, e.g. pdf,docx)")
    return tuple(dict.fromkeys(names))
